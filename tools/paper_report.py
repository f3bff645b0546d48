"""The report of scripts/paper: results/paper.json and docs/results.md (or,
with NUMERICS=reference, results/reference/paper.json and
docs/results-reference.md) from the eval records in results/runs/, with the
qualitative claims, the runs and the figures (drawn by
tools/paper_figures.py); and the record helpers the runner shares
(read_json, write_json, now, host).

Python 3 standard library only; scripts/paper imports it (it puts tools/
on sys.path).
"""
import datetime
import json
import math
import os
import platform
import shutil
import statistics
import subprocess

from paper_protocol import (BOUND, DATASETS, LR, METRIC_NAMES, ODE_ROWS,
                            PAPER_MARKS, PAREN, PDE, SCHEME_NAMES, metrics_of,
                            model_label, paper_value, rows_of)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# --- records: JSON files, their date and host (scripts/paper writes them too)

def read_json(path):
    with open(path) as f:
        return json.load(f)


def write_json(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")
    os.replace(tmp, path)


def now():
    return datetime.datetime.now().isoformat(timespec="seconds")


def host():
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{cpu}, {os.cpu_count()} cores"


# --- the report -----------------------------------------------------------------

def show(path):
    """A path relative to the current folder when it lies below it."""
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def collect(results, numerics="exact"):
    """Per row (dataset, model, train, predict): the records of the best
    budget present: the protocol's data before reduced datasets, then the
    most iterations. Only records of `numerics` (those from before
    NUMERICS existed are exact)."""
    groups = {}
    runs = os.path.join(results, "runs")
    for dataset in DATASETS:
        base = os.path.join(runs, dataset)
        if not os.path.isdir(base):
            continue
        for dirpath, _, files in os.walk(base):
            for f in files:
                if f.startswith("eval-") and f.endswith(".json"):
                    r = read_json(os.path.join(dirpath, f))
                    if r.get("dg_numerics", "exact") != numerics:
                        continue
                    key = (r["dataset"], r["model_key"], r["train"], r["predict"])
                    tag = (r.get("series") is None, r["iterations"])
                    groups.setdefault(key, {}).setdefault(tag, []).append(r)
    return {k: sorted(v[max(v)], key=lambda r: r["seed"]) for k, v in groups.items()}


def summarise(recs, metric):
    vals = [r["metrics"].get(metric) for r in recs]
    ok = [v for v in vals if v is not None and math.isfinite(v)]
    mean = statistics.fmean(ok) if ok else None
    std = statistics.stdev(ok) if len(ok) > 1 else None
    return mean, std, len(vals) - len(ok)


def report(cfg):
    """Writes results/paper.json and docs/results.md from the runs
    (NUMERICS=reference: results/reference/paper.json and
    docs/results-reference.md)."""
    from_runs = collect(cfg.results, cfg.numerics)
    records, reduced = [], []
    md = [REPORT_HEAD.format(date=now(), host=host())]
    if cfg.numerics != "exact":
        md[0] = md[0].replace("# Results: the paper's Tables 2 and 3 with dgc",
                              f"# Results: the paper's Tables 2 and 3 with dgc, "
                              f"`--dg-numerics={cfg.numerics}`", 1)
        md[0] = md[0].replace("`results/runs/`", f"`{show(cfg.runs)}/`")
        md.append(f"Every training here used `dgc train --dg-numerics="
                  f"{cfg.numerics}` (docs/discrete-gradient.md, \"Numerics of "
                  f"the training functions\"): only the DGNet rows (Eq. 6 "
                  f"training) differ from the exact ones of docs/results.md.\n")
    for table in (2, 3):
        md.append(f"\n## Table {table}: {'PDE' if table == 2 else 'ODE'} datasets")
        for dataset in (d for d, v in DATASETS.items() if v["table"] == table):
            md.append(dataset_table(dataset, from_runs, records, reduced))
    if cfg.numerics == "exact":
        md.append(numerics_section(cfg, records))
    md += [claims_section(from_runs), runs_section(from_runs, reduced),
           figures_section(cfg), "\n## Analysis\n"]
    analysis = os.path.join(cfg.docs, "results-analysis.md")
    if os.path.isfile(analysis):
        with open(analysis) as f:
            md.append(f.read().strip())
    else:
        md.append("(docs/results-analysis.md does not exist yet.)")
    os.makedirs(cfg.docs, exist_ok=True)
    os.makedirs(cfg.results, exist_ok=True)
    with open(os.path.join(cfg.results, "paper.json"), "w") as f:  # a line per record
        f.write("[\n" + ",\n".join(json.dumps(r) for r in records) + "\n]\n")
    with open(os.path.join(cfg.docs, cfg.report_name), "w") as f:
        f.write("\n".join(md).rstrip() + "\n")
    print(f"scripts/paper: wrote {show(os.path.join(cfg.results, 'paper.json'))} "
          f"and {show(os.path.join(cfg.docs, cfg.report_name))} ({len(from_runs)} of "
          f"{sum(len(rows_of(d)) for d in DATASETS)} rows have results)")


def dataset_table(dataset, from_runs, records, reduced):
    """One dataset's rows as a markdown table; appends to `records` (one per
    (row, metric)) and `reduced` (rows that ran at a reduced budget)."""
    d, mets = DATASETS[dataset], metrics_of(dataset)
    head = ["Model", "Train", "Predict"]
    for m in mets:
        head += [f"{METRIC_NAMES[m]} ours", "paper", "ours/paper"]
    head += ["trials", "iters", "s/trial"]
    out = [f"\n### {d['title']} (`{dataset}`, experiments.md section {d['section']})\n",
           dataset_settings(dataset) + "\n",
           "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for i, (model, train, predict) in enumerate(rows_of(dataset)):
        recs = from_runs.get((dataset, model, train, predict), [])
        cells = [model_label(dataset, model), SCHEME_NAMES[train], SCHEME_NAMES[predict]]
        wall = (statistics.fmean(r["train_wall_s"] + r["eval_wall_s"] for r in recs)
                if recs else None)
        iters = recs[0]["iterations"] if recs else None
        why = recs[0]["reduced"] if recs else None
        for m in mets:
            mean, std, failed = summarise(recs, m) if recs else (None, None, 0)
            pv, mark = paper_value(dataset, i, m)
            records.append(dict(
                dataset=dataset, model=model_label(dataset, model), train=train,
                predict=predict, metric=m, ours_mean=mean, ours_std=std,
                paper=pv, trials=len(recs), iterations=iters, wall_s=wall,
                seeds=[r["seed"] for r in recs], failed_trials=failed,
                budget=why))
            cells += [fmt_ours(mean, std, failed, len(recs)), fmt_paper(pv, mark),
                      f"{mean / pv:.3g}" if mean is not None else ""]
        if recs:
            cells += [str(len(recs)), f"{iters}{'*' if why else ''}", f"{wall:.0f}"]
            if why:
                reduced.append((dataset, cells[:3], recs))
        else:
            cells[3] = "not run"
            cells += ["0", "", ""]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


REPORT_HEAD = """# Results: the paper's Tables 2 and 3 with dgc

Written by `scripts/paper --report` ({date}) from the runs in `results/runs/`;
edit `docs/results-analysis.md` (included below as "Analysis"), not this
file. `results/paper.json` holds the same numbers, one record per (row,
metric). The runs: `make paper` (README, "Reproducing the paper").

How to read the tables: "ours" is the mean (sample standard deviation) over
the trials, trial k using seed k for the initialisation and the batches
(and for the data where the protocol says so); no outlier is omitted (the
paper omits some by an unknown rule). A trial whose prediction failed (a
Newton solve that did not converge, a state that blew up) counts in
"trials" and is left out of the mean, shown as "k failed". Metrics are
those of `dgc eval` (experiments.md sections 2-7): Deriv. = derivative_mse,
Energy = energy_mse, Mass = mass_mse (the MSE of the predicted states),
Diff. = difference_mse. "paper" is experiments.md section 9 with its scale
factors applied; † marks a value the paper prints only as a bound (>10 or
>1e-2) and the authors' README gives; the paper's SRNN values on the real
pendulum are in parentheses. iters marked * ran at a reduced budget (see
"Runs"). s/trial is the wall time of one trial's training and this row's
evaluation on {host} (DGNet's three rows share one training).
"""


def dataset_settings(dataset):
    d = DATASETS[dataset]
    seed = ("the trial seed" if d["seed_is_trial"] else
            f"fixed, {d['data_seed']}" if d.get("data_seed") is not None else
            "fixed (recorded data)")
    return (f"Protocol: {d['iters']} Adam iterations, lr {LR:g}, weight decay "
            f"{d['wd']:g}, batch {d['batch'] or 'full'}, {d['dtype']}; data "
            f"seed {seed}.")


def fmt_ours(mean, std, failed, n):
    if n == 0:
        return ""
    if mean is None:
        return f"all {failed} failed"
    s = f"{mean:.3g}" + (f" ({std:.2g})" if std is not None else "")
    return s + (f", {failed} failed" if failed else "")


def numerics_section(cfg, records):
    """The DGNet rows trained with both numerics side by side: this report's
    (exact) records against RESULTS/reference/paper.json (where
    `NUMERICS=reference scripts/paper --report` writes by default). Empty
    when there is none."""
    path = os.path.join(cfg.results, "reference", "paper.json")
    if not os.path.isfile(path):
        return ""
    with open(path) as f:
        ref = {(r["dataset"], r["model"], r["train"], r["predict"], r["metric"]): r
               for r in json.load(f) if r["ours_mean"] is not None}
    head = ["Dataset", "Predict", "Metric", "exact", "reference", "paper",
            "exact/paper", "reference/paper", "trials (exact, ref.)"]
    out = ["\n## DGNet with exact and with reference numerics\n",
           "The DGNet rows trained again with `dgc train --dg-numerics=reference` "
           "(the reference library's float32 divided differences, "
           "docs/discrete-gradient.md; all else the same; "
           "`NUMERICS=reference make paper`, report in docs/results-reference.md) "
           "beside this page's exact ones: mean (sample sd) over the trials.\n",
           "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in records:
        key = (r["dataset"], r["model"], r["train"], r["predict"], r["metric"])
        q = ref.get(key)
        if r["model"] != "DGNet" or q is None or r["ours_mean"] is None:
            continue
        pv = r["paper"]
        out.append("| " + " | ".join([
            DATASETS[r["dataset"]]["title"], SCHEME_NAMES[r["predict"]],
            METRIC_NAMES[r["metric"]],
            fmt_ours(r["ours_mean"], r["ours_std"], r["failed_trials"], r["trials"]),
            fmt_ours(q["ours_mean"], q["ours_std"], q["failed_trials"], q["trials"]),
            f"{pv:.3g}" if pv else "",
            f"{r['ours_mean'] / pv:.3g}" if pv else "",
            f"{q['ours_mean'] / pv:.3g}" if pv else "",
            f"{r['trials']}, {q['trials']}"]) + " |")
    return "\n".join(out) if len(out) > 4 else ""


def fmt_paper(v, mark):
    s = f"{v:.3g}"
    return s + "†" if mark == BOUND else f"({s})" if mark == PAREN else s


def runs_section(from_runs, reduced_rows):
    out = ["\n## Runs\n",
           "| Dataset | Model | Train | Predict | seeds | iters (protocol) | "
           "s/iter | budget |",
           "|---|---|---|---|---|---|---|---|"]
    order = [(d, *r) for d in DATASETS for r in rows_of(d)]
    for key in (k for k in order if k in from_runs):
        dataset, model, train, predict = key
        recs = from_runs[key]
        seeds = [r["seed"] for r in recs]
        contiguous = seeds == list(range(seeds[0], seeds[-1] + 1))
        s = (f"{seeds[0]}-{seeds[-1]}" if contiguous and len(seeds) > 1
             else ",".join(map(str, seeds)))
        spi = [r["train_s_per_iter"] for r in recs if r.get("train_s_per_iter")]
        r0 = recs[0]
        out.append(f"| {dataset} | {model_label(dataset, model)} | {train} | "
                   f"{predict} | {s} | {r0['iterations']} "
                   f"({r0['protocol_iterations']}) | "
                   f"{f'{statistics.fmean(spi):.3g}' if spi else ''} | "
                   f"{r0['reduced'] or 'full'} |")
    if len(out) == 3:
        out.append("| (none yet) | | | | | | | |")
    out.append("\ns/iter: the mean over the trials of `dgc train`'s own wall "
               "time per iteration (without compiling the training program).")
    reasons = {}
    for dataset, cells, recs in reduced_rows:
        reasons.setdefault(recs[0]["reduced"], []).append(f"{dataset} {' '.join(cells)}")
    out.append("\nRows at a reduced budget: " + ("; ".join(
        f"{len(rows)} of the {len(from_runs)} rows with results, {why}"
        + (f" ({', '.join(rows)})" if len(rows) <= 6 else "")
        for why, rows in reasons.items()) if reasons else "none") + ".")
    return "\n".join(out)


def row_label(dataset, model, train, predict):
    return f"{model_label(dataset, model)} {SCHEME_NAMES[train]}/{SCHEME_NAMES[predict]}"


def claims_section(from_runs):
    """The paper's qualitative claims (issue 6), judged on our means: each
    "holds", "does not hold" or "undetermined" (rows without results), and
    marked provisional where a compared row ran at a reduced budget."""
    out = ["\n## The paper's qualitative claims in our numbers\n",
           "Judged by `scripts/paper --report` from the tables above (means "
           "over the trials; a row whose trials all failed counts as blown "
           "up). *provisional*: a compared row ran at a reduced budget.\n",
           "| Claim | Dataset | Verdict | Evidence |", "|---|---|---|---|"]

    def stat(key, metric):
        recs = from_runs.get(key, [])
        if not recs:
            return None, False, False
        mean, _, failed = summarise(recs, metric)
        return mean, failed == len(recs), bool(recs[0]["reduced"])

    dg = ("DGNet", "dg", "dg")
    for dataset in [d for d in DATASETS if d != "two-body"]:
        ranked, missing, reduced = [], [], False
        for i, row in enumerate(rows_of(dataset)):
            if PAPER_MARKS.get((dataset, i, "energy_mse")) == PAREN:
                continue  # the paper itself sets it aside
            mean, blown, red = stat((dataset, *row), "energy_mse")
            if mean is None and not blown:
                missing.append(row_label(dataset, *row))
                continue
            reduced |= red
            ranked.append((math.inf if blown else mean, row))
        ranked.sort(key=lambda x: x[0])
        order = [r for _, r in ranked]
        where = order.index(dg) + 1 if dg in order else None
        if where is None or missing:
            verdict = "undetermined"
        else:
            verdict = "holds" if where <= 2 else "does not hold"
        if reduced and verdict != "undetermined":
            verdict += " (*provisional*)"
        best = ", ".join(f"{row_label(dataset, *r)} {v:.3g}" for v, r in ranked[:3])
        ev = (f"DGNet Eq. 6/Eq. 6 ranks {where} of {len(ranked)}; smallest: {best}"
              if where else "no DGNet Eq. 6 result")
        if missing:
            ev += f"; no result for {', '.join(missing)}"
        out.append(f"| DGNet with Eq. 6 has the smallest or second-smallest "
                   f"energy error | {DATASETS[dataset]['title']} | {verdict} | {ev} |")

    def threshold_claim(text, dataset, row, metric, bound):
        mean, blown, red = stat((dataset, *row), metric)
        if mean is None and not blown:
            verdict, ev = "undetermined", "no result"
        else:
            ok = blown or mean >= bound
            verdict = ("holds" if ok else "does not hold") + (" (*provisional*)" if red else "")
            ev = ("every trial failed" if blown else
                  f"{METRIC_NAMES[metric]} {mean:.3g} (the paper's bound: >= {bound:g})")
        out.append(f"| {text} | {DATASETS[dataset]['title']} | {verdict} | {ev} |")

    threshold_claim("HNN++ with RK2 blows up", "ch", ("HNN", "rk2", "rk2"),
                    "energy_mse", 1e-2)
    threshold_claim("NODE fails (RK2)", "kdv", ("NODE", "rk2", "rk2"),
                    "derivative_mse", 10)
    threshold_claim("NODE fails (ada. DP)", "kdv", ("NODE", "dopri5", "dopri5"),
                    "derivative_mse", 10)
    return "\n".join(out)


def figures_section(cfg):
    out = ["\n## Figures\n"]
    found = [f for f in FIGURES if os.path.isfile(os.path.join(cfg.docs, cfg.figures, f[0]))]
    if not found:
        out.append("None yet (`scripts/paper --report` draws them when numpy "
                   "and matplotlib are installed and seed 0 of a row has run).")
    for name, caption in found:
        out.append(f"![{name}]({cfg.figures}/{name})\n\n*{caption}.*\n")
    return "\n".join(out)


FIGURES = [
    ("paper_kdv.png", "KdV (like the paper's Fig. 2): test series 0, the true u, "
                      "each model's prediction and its error over time, seed 0"),
    ("paper_ch.png", "Cahn-Hilliard (like Fig. 2): test series 0, seed 0"),
    ("paper_mass-spring.png", "Mass-spring (like Fig. 3): the energy q^2 + p^2 "
                              "along eval orbit 0, seed 0"),
    ("paper_pendulum.png", "Pendulum (like Fig. 3): q^2 + p^2 (the authors' "
                           "metric) along eval orbit 0, seed 0"),
    ("paper_two-body.png", "2-body (like Fig. 3): the energy along eval orbit 0"),
    ("paper_real-pendulum.png", "Real pendulum (like Fig. 4): H_ref from the "
                                "first test state, predicted and observed"),
]


def figure_rows(dataset):
    """The rows a figure shows: on the PDEs NODE, HNN++ and DGNet as in the
    paper's Fig. 2; on the ODEs every row but DGNet with ada. DP (the
    protocol restarts dopri5 at every step there, `dgc simulate` cannot)."""
    if dataset in PDE:
        return [("NODE", "dopri5", "dopri5"), ("HNN", "dopri5", "dopri5"),
                ("DGNet", "dg", "dg")]
    return [r for r in ODE_ROWS if r != ("DGNet", "dg", "dopri5")]


def draw_figures(cfg, from_runs):
    """Writes a manifest and runs tools/paper_figures.py (numpy, matplotlib)."""
    py = next((p for p in ("python3", "/usr/bin/python3") if shutil.which(p) and
               subprocess.run([p, "-c", "import numpy, matplotlib"],
                              capture_output=True).returncode == 0), None)
    if py is None:
        print("scripts/paper: numpy/matplotlib not found (scripts/install-deps "
              "--extras): no figures")
        return
    if not os.access(cfg.dgc, os.X_OK):
        print(f"scripts/paper: no dgc at {cfg.dgc}: no figures")
        return
    figs = []
    for dataset in DATASETS:
        rows = []
        for model, train, predict in figure_rows(dataset):
            recs = [r for r in from_runs.get((dataset, model, train, predict), [])
                    if r["seed"] == 0]
            if recs:
                r = recs[0]
                rows.append(dict(label=f"{r['model']} {SCHEME_NAMES[train]}"
                                 + (f" / {SCHEME_NAMES[predict]}" if model == "DGNet" else "")
                                 + (f" ({r['iterations']} it.)" if r["reduced"] else ""),
                                 model=os.path.join(ROOT, r["model_file"]),
                                 params=os.path.join(cfg.results, r["params"]),
                                 data=os.path.join(cfg.results, r["data"]),
                                 scheme=predict, train=train))
        if rows:
            figs.append(dict(kind="spacetime" if dataset in PDE else "energy",
                             dataset=dataset, title=DATASETS[dataset]["title"],
                             rows=rows, index=0,
                             out=os.path.join(cfg.docs, cfg.figures, f"paper_{dataset}.png")))
    if not figs:
        return
    manifest = os.path.join(cfg.runs, "figures", "manifest.json")
    os.makedirs(os.path.dirname(manifest), exist_ok=True)
    write_json(manifest, dict(dgc=cfg.dgc, work=os.path.dirname(manifest), figures=figs))
    p = subprocess.run([py, os.path.join(ROOT, "tools", "paper_figures.py"), manifest])
    if p.returncode != 0:
        print("scripts/paper: tools/paper_figures.py failed; the report has no new figures")
