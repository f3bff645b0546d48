#!/usr/bin/env python3
"""ctest paper.report_logic: scripts/paper's bookkeeping without training.

Synthetic eval records in a temporary results folder check:
1. collect(): a row's records come from its largest budget (the protocol's
   iterations over a reduced run), one per seed.
2. The claims section's verdicts: the rank of DGNet Eq. 6/Eq. 6 among the
   energy errors ("holds" at rank 1-2, "does not hold" at 3, a row whose
   trials all failed ranks last, a row without a result makes the claim
   "undetermined", a reduced row makes it "provisional", the row the paper
   puts in parentheses is left out); the threshold claims (HNN++ RK2 blows
   up on Cahn-Hilliard, NODE fails on KdV) with a mean, with every trial
   failed, and without a result.
3. plan(): ONLY, MODELS and SCHEMES select the trainings, TRIALS or SEEDS
   the seeds; an unknown scheme or an empty seed range is refused with one
   message.
4. NUMERICS: reference trainings pass --dg-numerics reference, go to
   results/reference and docs/results-reference.md; collect() keeps the
   records of one numerics only (a record without dg_numerics is exact);
   a checkpoint of the other numerics is not resumed; an unknown value is
   refused with one message.

usage: check_report.py --source SRC --work DIR
"""
import argparse
import importlib.machinery
import importlib.util
import io
import json
import os
import shutil
import sys
from contextlib import redirect_stderr


def fail(msg):
    sys.exit(f"check_report: FAIL: {msg}")


def load_paper(source):
    path = os.path.join(source, "scripts", "paper")
    loader = importlib.machinery.SourceFileLoader("paper_script", path)
    spec = importlib.util.spec_from_loader("paper_script", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


class Results:
    """A results folder of eval-*.json records as scripts/paper writes them."""

    def __init__(self, paper, root):
        self.paper, self.root = paper, root
        shutil.rmtree(root, ignore_errors=True)

    def add(self, dataset, model, train, predict, metrics, seed=0, iters=None,
            reduced=None):
        d = self.paper.DATASETS[dataset]
        iters = iters or d["iters"]
        folder = os.path.join(self.root, "runs", dataset, f"{model}-{train}",
                              f"it{iters}", f"seed{seed}")
        os.makedirs(folder, exist_ok=True)
        rec = dict(dataset=dataset, model=self.paper.model_label(dataset, model),
                   model_key=model, train=train, predict=predict, seed=seed,
                   series=None, iterations=iters, reduced=reduced,
                   metrics=metrics)
        with open(os.path.join(folder, f"eval-{predict}.json"), "w") as f:
            json.dump(rec, f)

    def claims(self):
        """{(claim, dataset title): (verdict, evidence)}"""
        text = self.paper.claims_section(self.paper.collect(self.root))
        out = {}
        for line in text.splitlines():
            cells = [c.strip() for c in line.strip("|").split("|")]
            if len(cells) == 4 and cells[0] not in ("Claim", "---"):
                out[(cells[0], cells[1])] = (cells[2], cells[3])
        return out


RANK_CLAIM = "DGNet with Eq. 6 has the smallest or second-smallest energy error"


def spring_rows(res, energies, skip=()):
    for i, (model, train, predict) in enumerate(res.paper.ODE_ROWS):
        if i not in skip:
            res.add("mass-spring", model, train, predict,
                    {"derivative_mse": 0.04, "energy_mse": energies[i]})


def expect(claims, key, verdict, evidence_has=None):
    got = claims.get(key)
    if got is None:
        fail(f"no claim {key}; claims: {sorted(claims)}")
    if got[0] != verdict:
        fail(f"{key}: verdict '{got[0]}', expected '{verdict}' ({got[1]})")
    if evidence_has and evidence_has not in got[1]:
        fail(f"{key}: evidence '{got[1]}' lacks '{evidence_has}'")


def check_rank_claims(paper, work):
    key = (RANK_CLAIM, "Mass-spring")
    # ODE_ROWS: NODE RK2, NODE DP, HNN RK2, HNN DP, SRNN, DGNet->RK2, ->DP, ->Eq. 6
    base = [0.5, 0.5, 0.06, 0.002, 0.003, 0.06, 0.0005, 0.0006]
    res = Results(paper, os.path.join(work, "rank"))
    spring_rows(res, base)
    expect(res.claims(), key, "holds", "ranks 2 of 8")

    res = Results(paper, os.path.join(work, "rank3"))
    spring_rows(res, base[:3] + [0.0001] + base[4:])
    expect(res.claims(), key, "does not hold", "ranks 3 of 8")

    # Every trial of HNN ada. DP failed: it ranks last, DGNet is back to 2.
    res = Results(paper, os.path.join(work, "blown"))
    spring_rows(res, base[:3] + [None] + base[4:])
    expect(res.claims(), key, "holds", "ranks 2 of 8")

    res = Results(paper, os.path.join(work, "missing"))
    spring_rows(res, base, skip=(4,))
    expect(res.claims(), key, "undetermined", "no result for SRNN leapfrog/leapfrog")

    # A reduced row: the verdict stands but is provisional; a larger budget
    # of the same row replaces it.
    res = Results(paper, os.path.join(work, "reduced"))
    spring_rows(res, base, skip=(3,))
    res.add("mass-spring", "HNN", "dopri5", "dopri5",
            {"derivative_mse": 0.04, "energy_mse": 0.0001}, iters=200,
            reduced="BUDGET=reduced")
    expect(res.claims(), key, "does not hold (*provisional*)", "ranks 3 of 8")
    res.add("mass-spring", "HNN", "dopri5", "dopri5",
            {"derivative_mse": 0.04, "energy_mse": 0.002})
    expect(res.claims(), key, "holds", "ranks 2 of 8")

    # The mean over seeds decides: seed 1 pulls DGNet's mean below HNN's.
    res = Results(paper, os.path.join(work, "seeds"))
    spring_rows(res, base[:3] + [0.0004] + base[4:])
    expect(res.claims(), key, "does not hold", "ranks 3 of 8")
    res.add("mass-spring", "DGNet", "dg", "dg",
            {"derivative_mse": 0.04, "energy_mse": 0.0001}, seed=1)
    expect(res.claims(), key, "holds", "ranks 1 of 8")

    # Real pendulum: SRNN is in parentheses in the paper and is not ranked.
    res = Results(paper, os.path.join(work, "real"))
    for i, (model, train, predict) in enumerate(paper.ODE_ROWS):
        e = 1e-6 if model == "SRNN" else (1e-4 if i == 7 else 1e-3 * (i + 1))
        res.add("real-pendulum", model, train, predict,
                {"difference_mse": 1e-3, "energy_mse": e})
    expect(res.claims(), (RANK_CLAIM, "Real pendulum"), "holds", "ranks 1 of 7")

    # No claim about 2-body (the paper's exception).
    if any(d == "2-body" for _, d in res.claims()):
        fail("a claim is made about 2-body")


def check_threshold_claims(paper, work):
    blow = ("HNN++ with RK2 blows up", "Cahn-Hilliard")
    node = ("NODE fails (RK2)", "KdV")
    res = Results(paper, os.path.join(work, "threshold"))
    expect(res.claims(), blow, "undetermined", "no result")
    res.add("ch", "HNN", "rk2", "rk2",
            {"derivative_mse": 300, "energy_mse": 0.005, "mass_mse": 0.1})
    res.add("kdv", "NODE", "rk2", "rk2",
            {"derivative_mse": 416, "energy_mse": 1e3, "mass_mse": 2})
    c = res.claims()
    expect(c, blow, "does not hold", "Energy 0.005 (the paper's bound: >= 0.01)")
    expect(c, node, "holds", "Deriv. 416")
    res.add("ch", "HNN", "rk2", "rk2",
            {"derivative_mse": 300, "energy_mse": 0.495, "mass_mse": 0.1}, seed=1)
    expect(res.claims(), blow, "holds", "Energy 0.25 ")

    res = Results(paper, os.path.join(work, "failed"))
    for seed in (0, 1):
        res.add("ch", "HNN", "rk2", "rk2",
                {"derivative_mse": None, "energy_mse": None, "mass_mse": None},
                seed=seed, iters=100, reduced="BUDGET=reduced")
    expect(res.claims(), blow, "holds (*provisional*)", "every trial failed")


def check_plan(paper, work):
    def config(**env):
        for k in ("ONLY", "MODELS", "SCHEMES", "TRIALS", "SEEDS", "BUDGET",
                  "PDE_DOPRI5_ITERS", "THREADS", "NUMERICS"):
            os.environ.pop(k, None)
        os.environ.update(env, RESULTS=os.path.join(work, "plan"))
        return paper.Config(argparse.Namespace(build=work))

    jobs = paper.plan(config(ONLY="mass-spring", MODELS="NODE,HNN",
                             SCHEMES="dopri5", TRIALS="2"))
    got = [(j.dataset, j.model, j.train, j.seed, tuple(j.predicts)) for j in jobs]
    want = [("mass-spring", m, "dopri5", s, ("dopri5",))
            for s in (0, 1) for m in ("NODE", "HNN")]
    if got != want:
        fail(f"SCHEMES=dopri5 MODELS=NODE,HNN TRIALS=2: plan {got}, expected {want}")

    jobs = paper.plan(config(ONLY="kdv,two-body", MODELS="HNN++,DGNet",
                             SCHEMES="rk2,dg"))
    got = sorted({(j.dataset, j.model, j.train) for j in jobs})
    want = [("kdv", "DGNet", "dg"), ("kdv", "HNN", "rk2"),
            ("two-body", "DGNet", "dg"), ("two-body", "HNN", "rk2")]
    if got != want:
        fail(f"ONLY=kdv,two-body MODELS=HNN++,DGNet SCHEMES=rk2,dg: {got}")
    seeds = {d: sorted({j.seed for j in jobs if j.dataset == d}) for d in ("kdv", "two-body")}
    if seeds != {"kdv": [0, 1, 2], "two-body": list(range(15))}:
        fail(f"default trials: seeds {seeds}, expected 3 for kdv, 15 for two-body")

    jobs = paper.plan(config(ONLY="mass-spring", MODELS="SRNN", SEEDS="8-10",
                             TRIALS="2"))
    got = [j.seed for j in jobs]
    if got != [8, 9, 10]:
        fail(f"SEEDS=8-10 (over TRIALS=2): seeds {got}, expected [8, 9, 10]")
    if [j.seed for j in paper.plan(config(ONLY="kdv", MODELS="DGNet", SEEDS="4"))] != [4]:
        fail("SEEDS=4 is not the one seed 4")

    def refused(want, **env):
        """config(**env) must exit with exactly the message `want`."""
        what = " ".join(f"{k}={v}" for k, v in env.items())
        try:
            with redirect_stderr(io.StringIO()):
                config(**env)
        except SystemExit as e:
            if str(e.code) != want:
                fail(f"{what}: message '{e.code}', expected '{want}'")
        else:
            fail(f"{what} was accepted")

    refused("scripts/paper: error: SCHEMES: unknown 'rk4' (one of: rk2, "
            "dopri5, leapfrog, dg)", SCHEMES="rk4")
    refused("scripts/paper: error: SEEDS: the last seed must be an integer "
            ">= 5, not '2'", SEEDS="5-2")

def check_numerics(paper, work):
    def config(results=None, **env):
        for k in ("ONLY", "MODELS", "SCHEMES", "TRIALS", "SEEDS", "BUDGET",
                  "PDE_DOPRI5_ITERS", "THREADS", "NUMERICS", "RESULTS"):
            os.environ.pop(k, None)
        os.environ.update(env)
        if results:
            os.environ["RESULTS"] = results
        return paper.Config(argparse.Namespace(build=work))

    cwd = os.getcwd()
    os.chdir(work)
    try:
        exact, ref = config(), config(NUMERICS="reference")
    finally:
        os.chdir(cwd)
    if (exact.numerics, exact.results, exact.report_name, exact.figures) != (
            "exact", os.path.join(work, "results"), "results.md", "figures"):
        fail(f"NUMERICS unset: {exact.numerics} {exact.results} {exact.report_name}")
    if (ref.numerics, ref.results, ref.report_name, ref.figures) != (
            "reference", os.path.join(work, "results", "reference"),
            "results-reference.md", "figures/reference"):
        fail(f"NUMERICS=reference: {ref.numerics} {ref.results} {ref.report_name}")
    job = paper.plan(config(results=os.path.join(work, "num"), NUMERICS="reference",
                            ONLY="mass-spring", MODELS="DGNet", TRIALS="1"))[0]
    args = job.train_args(resume=False)
    if args[args.index("--dg-numerics") + 1] != "reference":
        fail(f"NUMERICS=reference: train arguments {args}")

    # collect(): one numerics per report; old records are exact.
    res = Results(paper, os.path.join(work, "numerics"))
    res.add("mass-spring", "DGNet", "dg", "dg",
            {"derivative_mse": 0.04, "energy_mse": 1e-3}, seed=0)
    res.add("mass-spring", "DGNet", "dg", "dg",
            {"derivative_mse": 0.04, "energy_mse": 5e-4}, seed=1)
    path = os.path.join(res.root, "runs", "mass-spring", "DGNet-dg",
                        f"it{paper.DATASETS['mass-spring']['iters']}", "seed1",
                        "eval-dg.json")
    with open(path) as f:
        rec = json.load(f)
    rec["dg_numerics"] = "reference"
    with open(path, "w") as f:
        json.dump(rec, f)
    key = ("mass-spring", "DGNet", "dg", "dg")
    seeds = {n: [r["seed"] for r in paper.collect(res.root, n).get(key, [])]
             for n in paper.NUMERICS}
    if seeds != {"exact": [0], "reference": [1]}:
        fail(f"collect() by numerics: seeds {seeds}")

    # A checkpoint trained with the other numerics is not resumed.
    os.makedirs(job.params, exist_ok=True)
    with open(os.path.join(job.params, "checkpoint.json"), "w") as f:
        json.dump(dict(scheme="dg", seed=0, dtype="float", iteration=100), f)
    try:
        paper.checkpoint_iteration(job)
    except paper.CommandFailed as e:
        if "dg_numerics=exact" not in str(e):
            fail(f"resume across numerics: {e}")
    else:
        fail("a checkpoint without dg_numerics (exact) was resumed by a reference run")

    try:
        with redirect_stderr(io.StringIO()):
            config(NUMERICS="float32")
    except SystemExit as e:
        if str(e.code) != ("scripts/paper: error: NUMERICS must be exact or "
                           "reference, not 'float32'"):
            fail(f"NUMERICS=float32: message '{e.code}'")
    else:
        fail("NUMERICS=float32 was accepted")
    os.environ.pop("NUMERICS", None)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", required=True)
    ap.add_argument("--work", required=True)
    a = ap.parse_args()
    paper = load_paper(a.source)
    os.makedirs(a.work, exist_ok=True)
    check_rank_claims(paper, a.work)
    check_threshold_claims(paper, a.work)
    check_plan(paper, a.work)
    check_numerics(paper, a.work)
    print("check_report: OK")


if __name__ == "__main__":
    main()
