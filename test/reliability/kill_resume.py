#!/usr/bin/env python3
"""Kill test of `dgc train` checkpoints (docs/reliability.md).

Trains a small model with a checkpoint every few iterations and SIGKILLs
the run at random moments, at least --kills times (two in three kill its
process group, dgc and the training program; one in three dgc alone, and
the training program must then die with it), resuming from the output
folder after each kill; half the runs slow every file write down between writing
the temporary file and renaming it (DGC_TEST_WRITE_PAUSE_MS), so that many
kills land inside a checkpoint write. Then it checks that

  * every resume was accepted (no damaged checkpoint was ever left),
  * the final parameters, Adam moments and loss history are bit-identical
    to those of an uninterrupted run with the same settings,
  * no temporary file is left in the output folder,
  * a truncated or altered checkpoint is refused on --resume with one
    `dgc: error: cannot resume: ...` line and exit status 1.

Prints the number of kills, how many interrupted a write, and the
checkpoints the killed runs went through. Exit status 0 when all holds.
"""
import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

ITERS = 200
EVERY = 2
PAUSE_MS = "40"


def train_args(dgc, model, data, out, resume, iters=ITERS):
    args = [dgc, "train", model, "--data", data, "--scheme", "dg",
            "--iters", str(iters), "--batch", "16", "--seed", "3",
            "--lr", "0.003", "--threads", "1", "--checkpoint-every",
            str(EVERY), "--log-every", "1000000", "-o", out]
    if resume:
        args += ["--resume", out]
    return args


def temporaries(folder):
    if not os.path.isdir(folder):
        return []
    return [f for f in os.listdir(folder) if ".tmp-dgc-" in f]


def wait_group_dead(pgid, timeout=10.0):
    """Waits until no process of group `pgid` runs (zombies aside): the
    training program, a grandchild, is reaped by whoever inherits it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = False
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % d) as f:
                    st = f.read()
            except OSError:
                continue
            fields = st[st.rfind(")") + 2:].split()
            if fields and fields[0] not in ("Z", "X") and \
                    int(fields[2]) == pgid:
                alive = True
                break
        if not alive:
            return
        time.sleep(0.01)
    raise SystemExit("FAIL: a process of group %d still runs %gs after the "
                     "SIGKILL (the training program outlived dgc?)" %
                     (pgid, timeout))


def checkpoint_iteration(folder):
    try:
        with open(os.path.join(folder, "checkpoint.json")) as f:
            return json.load(f)["iteration"]
    except (OSError, ValueError, KeyError):
        return None


def final_files(folder):
    with open(os.path.join(folder, "checkpoint.json")) as f:
        idx = json.load(f)
    names = sorted(idx["files"].values()) + ["params.npy"]
    out = {}
    for n in names:
        with open(os.path.join(folder, n), "rb") as f:
            out[n] = f.read()
    return idx, out


def same_as_reference(out, ref_idx, ref_files):
    """The finished run in `out` against the uninterrupted one."""
    idx, files = final_files(out)
    if idx["iteration"] != ITERS or idx["iteration"] != ref_idx["iteration"]:
        raise SystemExit("FAIL: final iteration %s, expected %d" %
                         (idx["iteration"], ITERS))
    for n, b in ref_files.items():
        if files.get(n) != b:
            raise SystemExit("FAIL: %s differs from the uninterrupted run"
                             % n)
    left = temporaries(out)
    if left:
        raise SystemExit("FAIL: temporary files left: %s" % left)


def refused(args, what):
    p = common.run(args, check=False)
    lines = [l for l in p.stderr.splitlines() if l.strip()]
    errors = [l for l in lines if l.startswith("dgc: error: ")]
    if p.returncode != 1 or len(errors) != 1 or \
            "cannot resume" not in errors[0]:
        raise SystemExit("FAIL: %s: expected exit 1 and one 'dgc: error: "
                         "cannot resume' line, got %d:\n%s" %
                         (what, p.returncode, p.stderr))
    return errors[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dgc", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--kills", type=int, default=24)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    here = os.path.dirname(os.path.abspath(__file__))
    model = os.path.join(here, "Inputs", "small_net.dg")
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    data = os.path.join(a.work, "data")
    common.write_series(data)
    start = time.monotonic()

    # The uninterrupted run (also builds the training program if the cache
    # does not hold it yet).
    ref = os.path.join(a.work, "ref")
    common.run(train_args(a.dgc, model, data, ref, False))
    ref_idx, ref_files = final_files(ref)
    t_ref = time.monotonic() - start
    # How long a run takes to start (dgc's front end, the cache lookup,
    # loading the data): kills are spread over the time after it.
    t0 = time.monotonic()
    common.run(train_args(a.dgc, model, data, os.path.join(a.work, "probe"),
                          False, iters=1))
    startup = time.monotonic() - t0

    out = os.path.join(a.work, "killed")
    kills = inside = rounds = driver_only = 0
    seen = []
    runs = 0
    while kills < a.kills:
        resume = os.path.isfile(os.path.join(out, "checkpoint.json"))
        env = dict(os.environ)
        slow = runs % 2 == 0
        if slow:
            env["DGC_TEST_WRITE_PAUSE_MS"] = PAUSE_MS
        runs += 1
        before = set(temporaries(out))
        p = subprocess.Popen(train_args(a.dgc, model, data, out, resume),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env=env, start_new_session=True)
        # A slowed run writes a checkpoint in about 0.25 s, a plain one
        # trains some 400 iterations a second: kill the first within a few
        # checkpoints, the second within a few dozen iterations.
        time.sleep(startup * rnd.uniform(0.5, 1.2) +
                   rnd.uniform(0.0, 0.6 if slow else 0.1))
        if p.poll() is None:
            # Every third kill hits dgc alone (as `kill -9 <dgc>` would):
            # the training program must die with it (ParentDeath.h), not
            # go on writing checkpoints beside the resumed run.
            if kills % 3 == 2:
                os.kill(p.pid, signal.SIGKILL)
                driver_only += 1
            else:
                os.killpg(p.pid, signal.SIGKILL)
            p.wait()  # not communicate(): a live child keeps the pipes open
            wait_group_dead(p.pid)
            p.communicate()
            kills += 1
            if set(temporaries(out)) - before:
                inside += 1
            seen.append(checkpoint_iteration(out))
            continue
        so, se = p.communicate()
        if p.returncode != 0:
            raise SystemExit("FAIL: run %d (resume=%s) exited with %d:\n%s"
                             % (runs, resume, p.returncode, se))
        # The training finished between kills: check it, start another.
        same_as_reference(out, ref_idx, ref_files)
        rounds += 1
        shutil.rmtree(out)

    t_kills = time.monotonic() - start - t_ref
    # The rest of the run, uninterrupted.
    common.run(train_args(a.dgc, model, data, out,
                          os.path.isfile(os.path.join(out, "checkpoint.json"))))
    same_as_reference(out, ref_idx, ref_files)
    rounds += 1
    progress = sorted(set(i for i in seen if i is not None))

    # A damaged checkpoint is refused, never used.
    last = "params_%d.npy" % ITERS
    bad = os.path.join(a.work, "truncated")
    shutil.copytree(out, bad)
    with open(os.path.join(bad, last), "r+b") as f:
        f.truncate(os.path.getsize(os.path.join(bad, last)) - 5)
    m1 = refused(train_args(a.dgc, model, data, bad, True), "truncated file")
    bad = os.path.join(a.work, "torn-index")
    shutil.copytree(out, bad)
    with open(os.path.join(bad, "checkpoint.json"), "r+b") as f:
        f.truncate(os.path.getsize(os.path.join(bad, "checkpoint.json")) // 2)
    m2 = refused(train_args(a.dgc, model, data, bad, True), "torn index")

    print("kills: %d (%d inside a checkpoint write: the run left a "
          "temporary file; %d elsewhere; %d of dgc alone), %d runs" %
          (kills, inside, kills - inside, driver_only, runs + 1))
    print("checkpoints resumed from: %d distinct, iterations %s..%s of "
          "%d" % (len(progress), progress[0] if progress else None,
                  progress[-1] if progress else None, ITERS))
    print("final params, Adam moments and losses of %d killed-and-resumed "
          "training%s: bit-identical to the uninterrupted run" %
          (rounds, "" if rounds == 1 else "s"))
    print("refused: " + m1)
    print("refused: " + m2)
    print("wall: %.1fs (uninterrupted run %.1fs, killed runs %.1fs)" %
          (time.monotonic() - start, t_ref, t_kills))
    if inside < 1:
        raise SystemExit("FAIL: no kill landed inside a checkpoint write")
    return 0


if __name__ == "__main__":
    sys.exit(main())
