#!/usr/bin/env python3
"""ctest `tutorial`: runs every command of docs/tutorial.md, in order, in an
empty folder, with an install of the build first on PATH (so that
`find_package(dgc)` finds it too), and checks what they print.

usage: run_tutorial.py TUTORIAL.md BUILD_DIR

The page's fenced blocks:
  ```LANG file=NAME   the block is written to NAME;
  ```console          `$ COMMAND` lines run with bash (stdout and stderr
                      together); the lines after a command, up to the next
                      `$`, are its expected output: each must match a line
                      of the actual output, in order, where `...` stands
                      for any text (a line of only `...` for any lines).
                      A command must exit 0 (write `|| echo ...` on the page
                      where a failure is the point).
"""
import os
import re
import subprocess
import sys
import tempfile

FENCE = re.compile(r"^```(\S*)(?:\s+file=(\S+))?\s*$")


def blocks(text):
    """(lang, file or None, body lines) of each fenced block."""
    out, cur = [], None
    for line in text.splitlines():
        m = FENCE.match(line)
        if cur is None and m and m.group(1):
            cur = (m.group(1), m.group(2), [])
        elif cur is not None and line.startswith("```"):
            out.append(cur)
            cur = None
        elif cur is not None:
            cur[2].append(line)
    if cur is not None:
        sys.exit("run_tutorial: an unclosed ``` block")
    return out


def pattern(expected):
    return re.compile("^" + ".*".join(re.escape(p) for p in expected.split("...")) + "$")


def check_output(cmd, expected, actual):
    lines = actual.splitlines()
    i = 0
    for e in expected:
        if e.strip() == "...":
            continue
        p = pattern(e)
        while i < len(lines) and not p.match(lines[i]):
            i += 1
        if i == len(lines):
            sys.exit(f"run_tutorial: `{cmd}`: no line matches\n  {e}\nin its output:\n{actual}")
        i += 1


def main():
    page, build = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory(prefix="dgc-tutorial.") as work:
        prefix = os.path.join(work, "prefix")
        subprocess.run(["cmake", "--install", build, "--prefix", prefix],
                       check=True, capture_output=True)
        folder = os.path.join(work, "tutorial")
        os.makedirs(folder)
        env = dict(os.environ)
        # The install first; Debian's python3 (NumPy, matplotlib) before
        # any other python3 on PATH.
        env["PATH"] = os.pathsep.join([os.path.join(prefix, "bin"), "/usr/bin", env.get("PATH", "")])
        env.setdefault("DGC_CACHE_DIR", os.path.join(work, "cache"))
        ran = 0
        for lang, name, body in blocks(open(page).read()):
            if name:
                with open(os.path.join(folder, name), "w") as f:
                    f.write("\n".join(body) + "\n")
                continue
            if lang != "console":
                continue
            k = 0
            while k < len(body):
                if not body[k].startswith("$ "):
                    sys.exit(f"run_tutorial: output before any command: {body[k]!r}")
                cmd = body[k][2:]
                k += 1
                expected = []
                while k < len(body) and not body[k].startswith("$ "):
                    expected.append(body[k])
                    k += 1
                p = subprocess.run(["bash", "-c", cmd], cwd=folder, env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                print(f"$ {cmd}\n{p.stdout}", end="" if p.stdout.endswith("\n") or not p.stdout else "\n")
                if p.returncode != 0:
                    sys.exit(f"run_tutorial: `{cmd}` exited {p.returncode}")
                check_output(cmd, expected, p.stdout)
                ran += 1
        if ran == 0:
            sys.exit("run_tutorial: no commands found")
        print(f"run_tutorial: {ran} commands ran as the page says")


if __name__ == "__main__":
    main()
