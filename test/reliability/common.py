"""Helpers of the reliability tests (kill_resume.py, full_disk.py): a .npy
writer without numpy, the training series they learn from, and running dgc."""
import math
import os
import struct
import subprocess


def write_npy(path, shape, data):
    """A float64 C-order .npy file, as np.save writes it."""
    dims = ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "")
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (%s), }" % dims
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)))
        f.write(header.encode())
        f.write(struct.pack("<%dd" % len(data), *data))


def write_series(folder, series=4, states=40, dt=0.1):
    """Harmonic-oscillator series (q, p) = r (cos, -sin)(t + phase): the
    user's-own-series layout of docs/trajectories.md."""
    os.makedirs(folder, exist_ok=True)
    x = []
    for s in range(series):
        r, phase = 0.5 + 0.2 * s, 0.7 * s
        for k in range(states):
            t = k * dt + phase
            x += [r * math.cos(t), -r * math.sin(t)]
    write_npy(os.path.join(folder, "train_x.npy"), (series, states, 2), x)
    write_npy(os.path.join(folder, "test_x.npy"), (series, states, 2), x)
    with open(os.path.join(folder, "dataset.json"), "w") as f:
        f.write('{"name": "trajectories", "dt": %r}\n' % dt)


def run(args, env=None, check=True):
    p = subprocess.run(args, capture_output=True, text=True, env=env)
    if check and p.returncode != 0:
        raise SystemExit("FAIL: %s exited with %d\n%s%s" % (
            " ".join(args), p.returncode, p.stdout, p.stderr))
    return p
