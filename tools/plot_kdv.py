#!/usr/bin/env python3
"""Plots `make demo`'s KdV runs: the space-time picture of u for the dg
scheme and the relative energy error over time for dg and rk4.

usage: plot_kdv.py TRAJ_DG.npy TRAJ_RK4.npy DT LENGTH OUT.png

Needs numpy and matplotlib (Debian: python3-numpy python3-matplotlib). The
compiler and runtime never depend on Python; this is only for the picture.
"""
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def energy(u, dx, alpha=-6.0, beta=1.0):
    """The known-form KdV energy of examples/kdv.dg, row by row."""
    up = np.roll(u, -1, axis=-1)
    um = np.roll(u, 1, axis=-1)
    df = (up - u) / dx
    db = (u - um) / dx
    return dx * np.sum(-alpha / 6 * u**3 - beta / 2 * (df**2 + db**2) / 2, axis=-1)


def main():
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    dg, rk4 = np.load(sys.argv[1]), np.load(sys.argv[2])
    dt, length, out = float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
    n = dg.shape[1]
    dx = length / n
    t = np.arange(dg.shape[0]) * dt
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(11, 4))
    im = ax0.imshow(dg.T, origin="lower", aspect="auto", cmap="viridis",
                    extent=[t[0], t[-1], 0, length])
    ax0.set_xlabel("t")
    ax0.set_ylabel("x")
    ax0.set_title("KdV, two solitons, dg scheme (Eq. 6)")
    fig.colorbar(im, ax=ax0, label="u")
    for name, traj in (("dg", dg), ("rk4", rk4)):
        h = energy(traj, dx)
        err = np.abs(h - h[0]) / abs(h[0])
        ax1.semilogy(t[1:], np.maximum(err[1:], 1e-17), label=name)
    ax1.set_xlabel("t")
    ax1.set_ylabel("|H(t) - H(0)| / |H(0)|")
    ax1.set_title(f"energy error, dt = {dt:g}")
    ax1.legend()
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
