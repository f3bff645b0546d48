#!/usr/bin/env python3
"""Full and read-only output locations on a real file system
(docs/reliability.md).

Mounts a 16 KiB tmpfs (needs root and permission to mount; otherwise the
test is skipped with exit status 77, and test/lit/Simulate/
output-faults.test still covers a full location through a file size
limit), then writes into it with `dgc simulate -o` (a trajectory larger
than the file system), `dgc train -o` (checkpoints that do not fit),
`dgc dataset -o` and `dgc compile -o`, and again with the tmpfs remounted
read-only. Each must exit with status 1 and exactly one `dgc: error:` line
naming the output and the system's reason (no space left, read-only file
system), and leave nothing on the tmpfs: no partial output, no temporary
file.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

SKIP = 77


def mount(target, *opts):
    return subprocess.run(["mount", "-t", "tmpfs", "-o", ",".join(opts),
                           "tmpfs", target], capture_output=True).returncode == 0


def expect_error(args, reason, what, mnt):
    p = common.run(args, check=False)
    errors = [l for l in p.stderr.splitlines() if l.startswith("dgc: error: ")]
    if p.returncode != 1 or len(errors) != 1 or reason not in errors[0]:
        raise SystemExit("FAIL: %s: expected exit 1 and one 'dgc: error: ... "
                         "%s' line, got %d:\n%s" %
                         (what, reason, p.returncode, p.stderr))
    if ".tmp" in errors[0]:
        raise SystemExit("FAIL: %s: the message names a temporary file, not "
                         "the output asked for: %s" % (what, errors[0]))
    left = os.listdir(mnt)
    if left:
        raise SystemExit("FAIL: %s left %s on the file system" % (what, left))
    print("%-28s %s" % (what + ":", errors[0]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dgc", required=True)
    ap.add_argument("--work", required=True)
    a = ap.parse_args()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        print("skipped: mounting a tmpfs needs root")
        return SKIP
    here = os.path.dirname(os.path.abspath(__file__))
    model = os.path.join(here, "Inputs", "small_net.dg")
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    data = os.path.join(a.work, "data")
    common.write_series(data, series=4, states=40)
    u0 = os.path.join(a.work, "u0.npy")
    common.write_npy(u0, (2,), [0.5, 0.0])
    # The programs, built (or found in the cache) before the faults.
    common.run([a.dgc, "simulate", model, "--init", u0, "--dt", "0.1",
                "--steps", "1", "--scheme", "dg", "-o",
                os.path.join(a.work, "warm.npy")])
    common.run([a.dgc, "train", model, "--data", data, "--scheme", "dg",
                "--iters", "1", "--threads", "1", "-o",
                os.path.join(a.work, "warm")])

    mnt = tempfile.mkdtemp(prefix="dgc-full-", dir=a.work)
    if not mount(mnt, "size=16k"):
        print("skipped: cannot mount a tmpfs here")
        return SKIP
    try:
        for mode, reason in (("full", "No space left on device"),
                             ("read-only", "Read-only file system")):
            if mode == "read-only":
                subprocess.run(["mount", "-o", "remount,ro", mnt], check=True)
            # 2000 steps of 2 doubles: 32 KB, twice the file system.
            expect_error([a.dgc, "simulate", model, "--init", u0, "--dt",
                          "0.01", "--steps", "2000", "--scheme", "dg", "-o",
                          os.path.join(mnt, "traj.npy")], reason,
                         "simulate -o (%s)" % mode, mnt)
            expect_error([a.dgc, "train", model, "--data", data, "--scheme",
                          "dg", "--iters", "2", "--threads", "1",
                          "--checkpoint-every", "1", "-o",
                          os.path.join(mnt, "params")], reason,
                         "train -o (%s)" % mode, mnt)
            expect_error([a.dgc, "dataset", "mass-spring", "--series", "4",
                          "-o", os.path.join(mnt, "ds")], reason,
                         "dataset -o (%s)" % mode, mnt)
            expect_error([a.dgc, "compile", model, "-o",
                          os.path.join(mnt, "m.hpp")], reason,
                         "compile -o (%s)" % mode, mnt)
    finally:
        subprocess.run(["umount", mnt])
        os.rmdir(mnt)
    return 0


if __name__ == "__main__":
    sys.exit(main())
