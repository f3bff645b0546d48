#!/usr/bin/env python3
"""The pictures of `make demo` (scripts/demo writes the manifest).

usage: demo_figures.py MANIFEST.json

docs/figures/demo_laws.png: KdV's relative energy error and mass error
along the dg and RK4 runs of scripts/demo; Cahn-Hilliard 2-D's energy along
the dg run and the final u. The energies are the models' own H
(examples/kdv.dg, examples/cahn_hilliard_2d.dg) evaluated here with NumPy.

docs/figures/demo_mass_spring.png: the learned DGNet energy's level sets
against the true ones (H = (q^2 + p^2)/2: circles). A dg orbit of the
learned model keeps the learned energy to round-off, so it traces the
learned level set through its starting point exactly; the picture draws
orbits from (r, 0) for several r with `dgc simulate --params`, and the
prediction of test orbit 0 with the true orbit.

Needs numpy and matplotlib (Debian: python3-numpy python3-matplotlib).
"""
import json
import os
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def kdv_energy(u, length=10.0):
    dx = length / u.shape[-1]
    up, um = np.roll(u, -1, axis=-1), np.roll(u, 1, axis=-1)
    grad2 = 0.5 * (((up - u) / dx) ** 2 + ((u - um) / dx) ** 2)
    return dx * np.sum(u**3 - 0.5 * grad2, axis=-1)


def ch_energy(u, eps):
    n = u.shape[-1]
    dx = 1.0 / n
    lap = (np.roll(u, 1, -1) + np.roll(u, -1, -1) + np.roll(u, 1, -2)
           + np.roll(u, -1, -2) - 4 * u) / dx**2
    return dx * dx * np.sum(0.25 * (u**2 - 1) ** 2 - eps / 2 * u * lap, axis=(-1, -2))


def load(path):
    return np.load(path) if os.path.exists(path) else None


def laws_figure(m):
    out, laws = m["out"], m["laws"]
    fig, ax = plt.subplots(2, 2, figsize=(10, 7.5))
    for scheme, style in (("dg", "C0-"), ("rk4", "C3--")):
        u = load(f"{out}/kdv_{scheme}.npy")
        if u is None:
            continue
        t = np.arange(len(u)) * laws["kdv_dt"]
        h, mass = kdv_energy(u), u.sum(axis=1) * 10.0 / u.shape[1]
        # The largest error so far (round-off flickers step to step).
        run = lambda e: np.maximum.accumulate(e[1:]) + 1e-18
        ax[0, 0].semilogy(t[1:], run(np.abs(h - h[0]) / abs(h[0])), style, label=scheme)
        ax[0, 1].semilogy(t[1:], run(np.abs(mass - mass[0])), style, label=scheme)
    ax[0, 0].set(title="KdV: max relative energy error so far", xlabel="t")
    ax[0, 1].set(title="KdV: max mass error so far\n(RK4 also keeps linear invariants)", xlabel="t")
    u = load(f"{out}/ch_dg.npy")
    if u is not None:
        n = laws["ch_n"]
        u = u.reshape(len(u), n, n)
        t = np.arange(len(u)) * laws["ch_dt"]
        ax[1, 0].plot(t, ch_energy(u, laws["ch_eps"]), "C0-", label="dg")
        ax[1, 0].set(title=f"Cahn-Hilliard {n}x{n}, dt {laws['ch_dt']:g}: energy\n"
                     "(RK4 at this dt: non-finite at step 2)", xlabel="t")
        im = ax[1, 1].imshow(u[-1], cmap="RdBu_r", origin="lower", extent=(0, 1, 0, 1))
        fig.colorbar(im, ax=ax[1, 1])
        ax[1, 1].set(title=f"u at t = {t[-1]:g} (dg)")
    for a in (ax[0, 0], ax[0, 1], ax[1, 0]):
        a.legend()
    fig.tight_layout()
    path = os.path.join(m["root"], "docs", "figures", "demo_laws.png")
    fig.savefig(path, dpi=90)
    print(f"wrote {os.path.relpath(path, m['root'])}")


def simulate(m, u0, dt, steps, out):
    ms = m["mass_spring"]
    init = out + "_u0.npy"
    np.save(init, np.asarray(u0, dtype=np.float64))
    cmd = [m["dgc"], "simulate", ms["model"], "--params", ms["params"], "--init", init,
           "--dt", repr(dt), "--steps", str(steps), "--scheme", "dg", "-o", out + ".npy"]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"demo_figures: dgc simulate failed: {p.stderr.strip()}")
    return np.load(out + ".npy")


def mass_spring_figure(m):
    ms, work = m["mass_spring"], os.path.join(m["out"], "orbits")
    os.makedirs(work, exist_ok=True)
    data = ms["data"]
    t = np.load(os.path.join(data, "t.npy"))
    x0 = np.load(os.path.join(data, "eval_x0.npy"))[0]
    truth = np.load(os.path.join(data, "eval_orbits.npy"))[0]
    fig, ax = plt.subplots(figsize=(6.5, 6.5))
    radii = [0.25, 0.5, 0.75, 1.0, 1.25]
    th = np.linspace(0, 2 * np.pi, 200)
    for k, r in enumerate(radii):
        ax.plot(r * np.cos(th), r * np.sin(th), color="0.6", lw=1,
                label="true level sets" if k == 0 else None)
        orbit = simulate(m, [r, 0.0], 0.05, 160, os.path.join(work, f"level_{k}"))
        ax.plot(orbit[:, 0], orbit[:, 1], "C0-", lw=1.5,
                label="learned level sets (dg orbits)" if k == 0 else None)
    pred = simulate(m, x0, float(t[1] - t[0]), len(t) - 1, os.path.join(work, "test0"))
    ax.plot(truth[:, 0], truth[:, 1], "k:", lw=2, label="true test orbit 0")
    ax.plot(pred[:, 0], pred[:, 1], "C3--", lw=1.5, label="DGNet prediction (Eq. 6)")
    ax.set(xlabel="q", ylabel="p", aspect="equal",
           title="Mass-spring: the learned energy (2001 iterations, seed 0)")
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    path = os.path.join(m["root"], "docs", "figures", "demo_mass_spring.png")
    fig.savefig(path, dpi=90)
    print(f"wrote {os.path.relpath(path, m['root'])}")


def main():
    with open(sys.argv[1]) as f:
        m = json.load(f)
    os.makedirs(os.path.join(m["root"], "docs", "figures"), exist_ok=True)
    laws_figure(m)
    mass_spring_figure(m)


if __name__ == "__main__":
    main()
