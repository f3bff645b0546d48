#!/usr/bin/env python3
"""Figures like the paper's Figs. 2-4 from trained parameters.

usage: paper_figures.py MANIFEST.json

The manifest (written by scripts/paper and scripts/demo):
  {"dgc": "build/dgc/dgc", "work": "folder for trajectories",
   "figures": [{"kind": "spacetime" | "energy", "dataset": "kdv",
                "title": "KdV", "index": 0, "out": "docs/figures/x.png",
                "rows": [{"label": "DGNet Eq. 6", "model": "examples/kdv_net.dg",
                          "params": ".../params.npy", "data": "dataset folder",
                          "scheme": "dg"}]}]}

Each row is predicted with `dgc simulate --params` from the dataset's
test state (PDEs: test series `index`; mass-spring, pendulum, two-body:
eval_x0[index]; real pendulum: test_x[0]) over the dataset's time grid.
"spacetime" (KdV, Cahn-Hilliard; Fig. 2): the true u, every prediction and
its error over (t, x), and the true energy along each. "energy" (ODEs;
Figs. 3, 4): the metric's energy along the true and predicted orbits.

Needs numpy and matplotlib (Debian: python3-numpy python3-matplotlib); the
compiler, the runtime and scripts/paper's runs never depend on them.
"""
import json
import os
import re
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def energy(name, u, dx=None):
    """The metric's true energy (dgc eval, experiments.md 2-7), row by row."""
    if name in ("mass-spring", "pendulum"):  # q^2 + p^2 for both (the quirk)
        return u[..., 0] ** 2 + u[..., 1] ** 2
    if name == "two-body":
        r = np.hypot(u[..., 0] - u[..., 1], u[..., 2] - u[..., 3])
        return 0.5 * np.sum(u[..., 4:] ** 2, axis=-1) - 1.0 / r
    if name == "real-pendulum":
        return 2.4 * (1 - np.cos(u[..., 0])) + u[..., 1] ** 2
    up, um = np.roll(u, -1, axis=-1), np.roll(u, 1, axis=-1)
    grad2 = 0.5 * (((up - u) / dx) ** 2 + ((u - um) / dx) ** 2)
    if name == "kdv":  # alpha = -6, beta = 1
        return dx * np.sum(u**3 - 0.5 * grad2, axis=-1)
    return dx * np.sum(-0.5 * u**2 + 0.25 * u**4 + 0.5 * 0.0005 * grad2, axis=-1)


def load(data, name):
    return np.load(os.path.join(data, name + ".npy"))


def problem(fig, data):
    """(u0, steps, dt, true trajectory or None, true energy) of a figure."""
    name, i = fig["dataset"], fig.get("index", 0)
    with open(os.path.join(data, "dataset.json")) as f:
        meta = json.load(f)
    if name == "real-pendulum":
        x = load(data, "test_x")
        return x[0], len(x) - 1, meta["dt"], x, load(data, "test_energy_ref")
    if name in ("kdv", "ch"):
        u = load(data, "test_u")[i]
        return u[0], len(u) - 1, meta["dt"], u, load(data, "test_energy")[i]
    t = load(data, "t")
    orbit = load(data, "eval_orbits")[i]
    return (load(data, "eval_x0")[i], len(t) - 1, float(t[1] - t[0]), orbit,
            energy(name, orbit))


def simulate(dgc, work, fig, row, u0, steps, dt):
    """The row's prediction, by `dgc simulate` (reused while newer than the
    parameters)."""
    stem = re.sub(r"[^A-Za-z0-9]+", "_", f"{fig['dataset']}_{row['label']}_{fig.get('index', 0)}")
    out = os.path.join(work, stem + ".npy")
    if os.path.isfile(out) and os.path.getmtime(out) > os.path.getmtime(row["params"]):
        return np.load(out)
    init = os.path.join(work, stem + "_u0.npy")
    np.save(init, np.asarray(u0, dtype=np.float64))
    cmd = [dgc, "simulate", row["model"], "--init", init, "--dt", repr(dt),
           "--steps", str(steps), "--scheme", row["scheme"],
           "--params", row["params"], "-o", out]
    if row["scheme"] == "dopri5":  # the tolerances of dgc eval
        cmd += ["--rtol", "1e-7", "--atol", "1e-9"]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        print(f"paper_figures: {row['label']}: dgc simulate failed: "
              f"{p.stderr.strip().splitlines()[-1] if p.stderr.strip() else p.returncode}")
        return None
    return np.load(out)


def spacetime(fig, truth, preds, dt, meta):
    n = len(preds)
    dx = meta["dx"]
    length = dx * truth.shape[1]
    t = np.arange(truth.shape[0]) * dt
    ext = [t[0], t[-1], 0, length]
    f, ax = plt.subplots(n + 1, 2, figsize=(11, 2.6 * (n + 1)), squeeze=False)
    kw = dict(origin="lower", aspect="auto", extent=ext, cmap="viridis",
              vmin=truth.min(), vmax=truth.max())
    im = ax[0, 0].imshow(truth.T, **kw)
    ax[0, 0].set_title(f"{fig['title']}: ground truth u")
    f.colorbar(im, ax=ax[0, 0])
    ax[0, 1].plot(t, energy(fig["dataset"], truth, dx), "k", lw=2, label="ground truth")
    for k, (label, u) in enumerate(preds):
        im = ax[k + 1, 0].imshow(u.T, **kw)
        ax[k + 1, 0].set_title(f"{label}: predicted u")
        f.colorbar(im, ax=ax[k + 1, 0])
        err = u - truth
        e = max(np.abs(err).max(), 1e-300)
        im = ax[k + 1, 1].imshow(err.T, origin="lower", aspect="auto", extent=ext,
                                 cmap="RdBu_r", vmin=-e, vmax=e)
        ax[k + 1, 1].set_title(f"{label}: error (predicted - true)")
        f.colorbar(im, ax=ax[k + 1, 1])
        ax[0, 1].plot(t, energy(fig["dataset"], u, dx), label=label)
    ax[0, 1].set_title("true energy H along the orbits")
    ax[0, 1].legend(fontsize=7)
    for a in ax[:, 0]:
        a.set_ylabel("x")
    for a in ax[-1, :]:
        a.set_xlabel("t")
    return f


def energy_plot(fig, h_true, preds, dt):
    name = fig["dataset"]
    f, (a0, a1) = plt.subplots(1, 2, figsize=(11, 4))
    t = np.arange(len(h_true)) * dt
    a0.plot(t, h_true, "k", lw=2, label="observed" if name == "real-pendulum" else "ground truth")
    for label, u in preds:
        h = energy(name, u)
        a0.plot(t, h, label=label)
        a1.semilogy(t[1:], np.maximum(np.abs(h - h_true)[1:], 1e-17), label=label)
    ylab = {"real-pendulum": "H_ref = 2.4 (1 - cos q) + p^2",
            "two-body": "H"}.get(name, "q^2 + p^2")
    a0.set_title(f"{fig['title']}: energy")
    a0.set_ylabel(ylab)
    a1.set_title("|energy error|")
    for a in (a0, a1):
        a.set_xlabel("t")
    a0.legend(fontsize=7)
    return f


def draw(dgc, work, fig):
    rows = fig["rows"]
    data = rows[0]["data"]
    rows = [r for r in rows if r["data"] == data]  # one dataset per figure
    u0, steps, dt, truth, h_true = problem(fig, data)
    with open(os.path.join(data, "dataset.json")) as f:
        meta = json.load(f)
    preds = []
    for r in rows:
        u = simulate(dgc, work, fig, r, u0, steps, dt)
        if u is not None:
            preds.append((r["label"], u))
    if fig["kind"] == "spacetime":
        f = spacetime(fig, truth, preds, dt, meta)
    else:
        f = energy_plot(fig, h_true, preds, dt)
    f.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(fig["out"])), exist_ok=True)
    f.savefig(fig["out"], dpi=100)
    plt.close(f)
    rel = os.path.relpath(fig["out"])
    print(f"paper_figures: wrote {fig['out'] if rel.startswith('..') else rel}")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    with open(sys.argv[1]) as f:
        m = json.load(f)
    os.makedirs(m["work"], exist_ok=True)
    for fig in m["figures"]:
        draw(m["dgc"], m["work"], fig)


if __name__ == "__main__":
    main()
