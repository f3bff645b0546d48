#!/usr/bin/env python3
"""ctest paper.tiny_rows_end_to_end: scripts/paper at BUDGET=tiny.

1. Runs the DGNet rows of kdv (Table 2) and mass-spring (Table 3), one
   trial, into a temporary results folder; every metric must be finite and
   in a sane range, DGNet's derivative MSE must be the same for its three
   prediction schemes (it depends on the training only), and the spring's
   training loss must fall.
2. Runs it again: everything is skipped, no result file changes.
3. The report: results/paper.json has one record per (row, metric) of both
   tables, with results exactly for the rows that ran; results.md marks the
   others "not run" and includes results-analysis.md under "Analysis".
4. Resume: a second results folder whose mass-spring training was
   interrupted at iteration 10 (the recorded `dgc train` command, cut
   short) is resumed by scripts/paper and ends with the same parameters,
   byte for byte, as the uninterrupted run.

usage: check_paper.py --source SRC --build BUILD --work DIR
"""
import argparse
import glob
import json
import math
import os
import shutil
import subprocess
import sys
import time

# Bounds no sane run exceeds, even after a few iterations: KdV states are in
# [0, 8] (squared errors below 64), its true derivatives have a mean square
# near 900; the spring's states and derivatives are O(1).
SANE = {
    "kdv": {"derivative_mse": 1e4, "energy_mse": 1e4, "mass_mse": 64},
    "mass-spring": {"derivative_mse": 10, "energy_mse": 10},
}
PREDICTS = ("rk2", "dopri5", "dg")
# 20 full-batch iterations lower the spring's training loss (10 minibatch
# iterations on KdV need not).
LOSS_FALLS = {"mass-spring"}


def fail(msg):
    sys.exit(f"check_paper: FAIL: {msg}")


def paper(a, results, docs, only):
    env = dict(os.environ, RESULTS=results, DOCS=docs, BUDGET="tiny",
               ONLY=only, MODELS="DGNet", TRIALS="1", THREADS="2")
    for k in ("PDE_DOPRI5_ITERS",):
        env.pop(k, None)
    cmd = [sys.executable, os.path.join(a.source, "scripts", "paper"),
           "--build", a.build, "--no-figures"]
    start = time.monotonic()
    p = subprocess.run(cmd, env=env, cwd=a.source, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    print(p.stdout)
    if p.returncode != 0:
        fail(f"scripts/paper exited with {p.returncode}")
    return p.stdout, time.monotonic() - start


def results_of(results, dataset):
    found = {}
    for p in PREDICTS:
        files = glob.glob(os.path.join(results, "runs", dataset, "DGNet-dg",
                                       "*", "seed0", f"eval-{p}.json"))
        if len(files) != 1:
            fail(f"{dataset}: expected one eval-{p}.json, found {files}")
        found[p] = files[0]
    return found


def check_metrics(dataset, files):
    deriv = set()
    for p, f in files.items():
        with open(f) as fh:
            r = json.load(fh)
        for m, bound in SANE[dataset].items():
            v = r["metrics"].get(m)
            if v is None or not math.isfinite(v) or not 0 <= v < bound:
                fail(f"{dataset} DGNet predict={p}: {m}={v}, not in [0, {bound})")
        deriv.add(r["metrics"]["derivative_mse"])
        if r["iterations"] <= 0 or r["seed"] != 0 or r["predict"] != p:
            fail(f"{f}: wrong record {r}")
        if dataset in LOSS_FALLS and not r["final_loss"] < r["first_loss"]:
            fail(f"{dataset}: the training loss did not fall: "
                 f"{r['first_loss']} -> {r['final_loss']}")
    if len(deriv) != 1:
        fail(f"{dataset}: DGNet's derivative MSE differs between prediction "
             f"schemes: {deriv}")


def check_report(results, docs):
    with open(os.path.join(results, "paper.json")) as f:
        recs = json.load(f)
    # Table 2: 2 datasets x 7 rows x 3 metrics; Table 3: 4 x 8 x 2.
    if len(recs) != 2 * 7 * 3 + 4 * 8 * 2:
        fail(f"paper.json has {len(recs)} records, expected 106")
    keys = {"dataset", "model", "train", "predict", "metric", "ours_mean",
            "ours_std", "paper", "trials", "iterations", "wall_s"}
    for r in recs:
        if not keys <= set(r):
            fail(f"paper.json record lacks {keys - set(r)}: {r}")
        ran = r["model"] == "DGNet" and r["dataset"] in SANE
        if ran != (r["trials"] == 1) or ran != (r["ours_mean"] is not None):
            fail(f"paper.json: wrong trials/mean for {r}")
        if r["paper"] is None or not r["paper"] > 0:
            fail(f"paper.json: no paper value in {r}")
    with open(os.path.join(docs, "results.md")) as f:
        md = f.read()
    if md.count("not run") != 46 - 6:
        fail(f"results.md lists {md.count('not run')} rows as not run, expected 40")
    if "## Analysis" not in md or "MARKER-ANALYSIS-42" not in md:
        fail("results.md does not include results-analysis.md under Analysis")


def check_resume(a, first_results):
    results, docs = os.path.join(a.work, "B", "results"), os.path.join(a.work, "B", "docs")
    a_dir = glob.glob(os.path.join(first_results, "runs", "mass-spring", "DGNet-dg", "*", "seed0"))[0]
    b_dir = a_dir.replace(first_results, results)
    with open(os.path.join(a_dir, "train.json")) as f:
        cmd = json.load(f)["command"]
    cmd[cmd.index("--iters") + 1] = "10"
    cmd[cmd.index("-o") + 1] = os.path.join(b_dir, "params")
    if "--resume" in cmd:
        fail(f"the first run's recorded command resumes: {cmd}")
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        fail(f"the interrupted training failed:\n{p.stdout}")
    out, _ = paper(a, results, docs, "mass-spring")
    if "resuming from the checkpoint at iteration 10/" not in out:
        fail("scripts/paper did not resume the interrupted training")
    with open(os.path.join(a_dir, "params", "params.npy"), "rb") as f1, \
            open(os.path.join(b_dir, "params", "params.npy"), "rb") as f2:
        if f1.read() != f2.read():
            fail("the resumed training ends with other parameters than the "
                 "uninterrupted one")


def main():
    ap = argparse.ArgumentParser()
    for o in ("--source", "--build", "--work"):
        ap.add_argument(o, required=True)
    a = ap.parse_args()
    shutil.rmtree(a.work, ignore_errors=True)
    results, docs = os.path.join(a.work, "A", "results"), os.path.join(a.work, "A", "docs")
    os.makedirs(docs)
    with open(os.path.join(docs, "results-analysis.md"), "w") as f:
        f.write("Hand-written analysis. MARKER-ANALYSIS-42\n")

    paper(a, results, docs, "kdv,mass-spring")
    files = {d: results_of(results, d) for d in SANE}
    for d in SANE:
        check_metrics(d, files[d])
    mtimes = {f: os.path.getmtime(f) for fs in files.values() for f in fs.values()}

    out, wall = paper(a, results, docs, "kdv,mass-spring")
    if "6 already done" not in out or any(os.path.getmtime(f) != t for f, t in mtimes.items()):
        fail(f"the second run did not skip the finished rows ({wall:.1f} s)")
    check_report(results, docs)
    check_resume(a, results)
    print("check_paper: OK")


if __name__ == "__main__":
    main()
