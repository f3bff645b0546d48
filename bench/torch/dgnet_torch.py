#!/usr/bin/env python3
"""PyTorch implementation of the four DGNet models, computed the way the
paper's PyTorch library computes them, for `bench/compare`.

Models (shared/reference/experiments.md 1.2-1.5): the PDE energy net
(periodic pad 1, Conv1d 1->200 k=3, tanh, Conv1d 200->200 k=1, tanh,
Conv1d 200->1 k=1 no bias, sum over the 50 nodes) with G = D (KdV) or D2
(Cahn-Hilliard) applied as a periodic conv1d stencil; the ODE energy MLP
n -> 200 -> 200 -> 1 (tanh, no output bias) with G = S (mass-spring n = 2,
two-body n = 8) applied as grad.mm(S^T).

Automatic discrete differentiation, as in the authors' library: every
linear layer is applied to both states with shared weights; tanh is a
custom autograd Function on the pair (a1, a2) whose backward, in discrete
mode, multiplies by the divided difference q = (tanh a1 - tanh a2)/(a1 - a2)
where |a1 - a2| > eps (1e-12 in float64, 1e-6 in float32) and by
tanh'((a1 + a2)/2) elsewhere (docs: design/discrete-gradient.md), and
returns nothing for a2. The discrete gradient is
torch.autograd.grad(H(u1).sum(), u1, create_graph=True) in discrete mode;
the training loss is Eq. 11, mean((G dgrad H(u1, u2) - (u2 - u1)/dt)^2),
and its parameter gradient is loss.backward() through that graph (the
backward of the tanh Function, in ordinary mode, gives the exact derivatives
of the forward values). The same rule written with torch.where instead of
the library's masked indexing.

Eq. 6 step, as the authors' get_orbit: an explicit midpoint (RK2) guess,
then scipy.optimize.fsolve (MINPACK hybrd, finite-difference Jacobian) on
G dgrad H(u, x) - (x - u)/dt with xtol = 1e-12.

Usage (bench/compare runs both):
  dgnet_torch.py check DIR            compares with what `bench_dgnet
                                      --dgc_export=DIR` wrote
  dgnet_torch.py time DIR --threads T [--models kdv,...] [--ops ...]
                                      times the ops, prints one JSON object
"""
import argparse
import json
import os
import statistics
import sys
import time

import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# --- automatic discrete differentiation ------------------------------------


class _Mode:
    discrete = False
    # 'paper': the authors' switch, quotient for |a1 - a2| > eps, else the
    # midpoint derivative (the benchmark). 'dgc': dgc's divided difference
    # (Prologue.hpp): below |a1 - a2| <= (48 eps_T)^(1/5) (1 + |m|) the
    # series f1(m) + f3(m) d^2/24 (fk the k-th derivative of tanh), whose
    # autograd derivative is dgc's series for dq/da; `check` uses it to tell
    # rule differences from bugs.
    rule = 'paper'


def _eps(dtype):
    return 1e-6 if dtype == torch.float32 else 1e-12


def _dgc_threshold(dtype):
    return (48 * torch.finfo(dtype).eps) ** 0.2


class PairTanh(torch.autograd.Function):
    """(a1, a2) -> (tanh a1, tanh a2); discrete backward in discrete mode."""

    @staticmethod
    def forward(ctx, a1, a2):
        h1, h2 = torch.tanh(a1), torch.tanh(a2)
        ctx.save_for_backward(a1, a2, h1, h2)
        return h1, h2

    @staticmethod
    def backward(ctx, g1, g2):
        a1, a2, h1, h2 = ctx.saved_tensors
        if _Mode.discrete:
            d = a1 - a2
            m = (a1 + a2) / 2
            if _Mode.rule == 'dgc':
                far = d.abs() > _dgc_threshold(a1.dtype)  # tanh's length L = 1
                t2 = torch.tanh(m) ** 2
                q_mid = (1 - t2) + (-2 + 8 * t2 - 6 * t2 * t2) * d * d / 24
            else:
                far = d.abs() > _eps(a1.dtype)
                q_mid = torch.cosh(m).pow(-2)
            q_far = (h1 - h2) / torch.where(far, d, torch.ones_like(d))
            return torch.where(far, q_far, q_mid) * g1, None
        return (1 - h1 * h1) * g1, (1 - h2 * h2) * g2


def _pad(x):
    """Periodic padding by one node."""
    return torch.cat([x[..., -1:], x, x[..., :1]], dim=-1)


class ConvEnergy(nn.Module):
    """H(u) = sum_k w3^T tanh(W2 tanh(W1 [u_{k-1}, u_k, u_{k+1}] + b1) + b2)."""

    def __init__(self, h, dtype):
        super().__init__()
        self.c1 = nn.Conv1d(1, h, 3, dtype=dtype)
        self.c2 = nn.Conv1d(h, h, 1, dtype=dtype)
        self.c3 = nn.Conv1d(h, 1, 1, bias=False, dtype=dtype)

    def forward(self, x):
        y = torch.tanh(self.c1(_pad(x)))
        y = torch.tanh(self.c2(y))
        return self.c3(y).sum(-1, keepdim=True)

    def forward2(self, x1, x2):
        y1, y2 = PairTanh.apply(self.c1(_pad(x1)), self.c1(_pad(x2)))
        y1, y2 = PairTanh.apply(self.c2(y1), self.c2(y2))
        return self.c3(y1).sum(-1, keepdim=True), self.c3(y2).sum(-1, keepdim=True)

    def load_flat(self, p):
        h = self.c2.weight.shape[0]
        o = 0
        for t, shape in ((self.c1.weight, (h, 1, 3)), (self.c1.bias, (h,)),
                         (self.c2.weight, (h, h, 1)), (self.c2.bias, (h,)),
                         (self.c3.weight, (1, h, 1))):
            n = int(np.prod(shape))
            t.data.copy_(torch.from_numpy(p[o:o + n].reshape(shape)))
            o += n
        assert o == p.size

    def flat_grad(self):
        return torch.cat([t.grad.reshape(-1) for t in
                          (self.c1.weight, self.c1.bias, self.c2.weight,
                           self.c2.bias, self.c3.weight)])


class MLPEnergy(nn.Module):
    """H(x) = w3^T tanh(W2 tanh(W1 x + b1) + b2)."""

    def __init__(self, n, h, dtype):
        super().__init__()
        self.l1 = nn.Linear(n, h, dtype=dtype)
        self.l2 = nn.Linear(h, h, dtype=dtype)
        self.l3 = nn.Linear(h, 1, bias=False, dtype=dtype)

    def forward(self, x):
        return self.l3(torch.tanh(self.l2(torch.tanh(self.l1(x)))))

    def forward2(self, x1, x2):
        y1, y2 = PairTanh.apply(self.l1(x1), self.l1(x2))
        y1, y2 = PairTanh.apply(self.l2(y1), self.l2(y2))
        return self.l3(y1), self.l3(y2)

    def load_flat(self, p):
        h, n = self.l1.weight.shape
        o = 0
        for t, shape in ((self.l1.weight, (h, n)), (self.l1.bias, (h,)),
                         (self.l2.weight, (h, h)), (self.l2.bias, (h,)),
                         (self.l3.weight, (1, h))):
            k = int(np.prod(shape))
            t.data.copy_(torch.from_numpy(p[o:o + k].reshape(shape)))
            o += k
        assert o == p.size

    def flat_grad(self):
        return torch.cat([t.grad.reshape(-1) for t in
                          (self.l1.weight, self.l1.bias, self.l2.weight,
                           self.l2.bias, self.l3.weight)])


class DGNet(nn.Module):
    """du/dt = G grad H(u); Eq. 6 with the discrete gradient."""

    def __init__(self, key, dtype):
        super().__init__()
        self.key, self.dtype = key, dtype
        if key in ('kdv', 'ch'):
            self.pde = True
            self.net = ConvEnergy(200, dtype)
            if key == 'kdv':
                dx = 10.0 / 50
                st = torch.tensor([-1.0, 0.0, 1.0], dtype=dtype) / (2 * dx)
            else:
                dx = 1.0 / 50
                st = torch.tensor([1.0, -2.0, 1.0], dtype=dtype) / (dx * dx)
            self.register_buffer('stencil', st.view(1, 1, 3))
        else:
            self.pde = False
            n = 2 if key == 'spring' else 8
            self.net = MLPEnergy(n, 200, dtype)
            z, e = torch.zeros(n // 2, n // 2), torch.eye(n // 2)
            S = torch.cat([torch.cat([z, e], 1), torch.cat([-e, z], 1)], 0)
            self.register_buffer('S_t', S.t().contiguous().to(dtype))

    def shape(self, u):
        """(B, N) rows to the network's layout."""
        return u.view(u.shape[0], 1, -1) if self.pde else u

    def grad(self, x1, x2=None):
        """grad H(x1), or dgrad H(x1, x2); differentiable (create_graph)."""
        x1 = x1.detach().requires_grad_(True)
        with torch.enable_grad():
            if x2 is None:
                h = self.net(x1)
                return torch.autograd.grad(h.sum(), (x1,), create_graph=True)[0]
            h, _ = self.net.forward2(x1, x2)
            _Mode.discrete = True
            try:
                return torch.autograd.grad(h.sum(), (x1,), create_graph=True)[0]
            finally:
                _Mode.discrete = False

    def apply_G(self, g):
        if self.pde:
            return F.conv1d(_pad(g), self.stencil)
        return g.mm(self.S_t)

    def time_derivative(self, x1, x2=None):
        return self.apply_G(self.grad(x1, x2))

    def loss(self, u1, u2, dudt):
        """Eq. 11 on a batch: mean((G dgrad H(u1, u2) - dudt)^2)."""
        with torch.enable_grad():
            return ((dudt - self.time_derivative(u1, u2)) ** 2).mean()

    @torch.no_grad()
    def rk2_step(self, x, dt):
        return x + dt * self.time_derivative(x + dt / 2 * self.time_derivative(x)).detach()

    @torch.no_grad()
    def dg_step(self, x1, dt, xtol=1e-12):
        """The authors' Eq. 6 step: RK2 guess, then fsolve."""
        import scipy.optimize
        guess = self.rk2_step(x1, dt)
        shape, dtype = x1.shape, x1.dtype

        def func(a):
            xp = torch.from_numpy(a).view(*shape).to(dtype)
            r = self.time_derivative(x1, xp) - (xp - x1) / dt
            return r.detach().numpy().reshape(-1)

        with warnings.catch_warnings():
            # In float32 xtol = 1e-12 is out of reach: fsolve warns and
            # returns its best iterate, as in the authors' runs.
            warnings.simplefilter('ignore', RuntimeWarning)
            x2 = scipy.optimize.fsolve(func, guess.numpy().reshape(-1), xtol=xtol)
        return torch.from_numpy(x2).view(*shape).to(dtype)


# --- data ------------------------------------------------------------------


class Case:
    """One model's exported data, parameters and our results."""

    def __init__(self, root, key, dtype=None):
        self.dir = os.path.join(root, key)
        with open(os.path.join(self.dir, 'meta.json')) as f:
            self.meta = json.load(f)
        self.key = key
        self.dtype = dtype or (torch.float64 if self.meta['dtype'] == 'float64'
                               else torch.float32)
        self.batch = int(self.meta['batch'])
        self.dt = float(self.meta['dt'])
        self.model = DGNet(key, self.dtype)
        self.params = np.load(os.path.join(self.dir, 'params.npy'))
        self.reset_params()
        npdt = np.float64 if self.dtype == torch.float64 else np.float32
        ld = lambda n: torch.from_numpy(np.load(os.path.join(self.dir, n)).astype(npdt))
        m = self.model
        self.u1 = m.shape(ld('u1.npy'))
        self.u2 = m.shape(ld('u2.npy'))
        dt = ld('dt.npy').view(-1, *([1] * (self.u1.dim() - 1)))
        self.dudt = (self.u2 - self.u1) / dt

    def reset_params(self):
        npdt = np.float64 if self.dtype == torch.float64 else np.float32
        self.model.net.load_flat(self.params.astype(npdt))

    def ours(self, name):
        return np.load(os.path.join(self.dir, name))


def rel(a, b):
    a = np.asarray(a, dtype=np.float64).reshape(-1)
    b = np.asarray(b, dtype=np.float64).reshape(-1)
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


def check(root, keys, rule):
    """Loss, gradient, dgrad, grad, dg and rk2 steps against ours (max-norm
    relative differences), with the divided-difference rule `rule`."""
    _Mode.rule = rule
    out = {}
    for key in keys:
        res = {}
        for tag, dtype in (('f64', torch.float64), ('f32', torch.float32)):
            ours_loss = os.path.join(root, key, 'loss_%s.npy' % tag)
            if not os.path.exists(ours_loss):
                continue
            c = Case(root, key, dtype)
            B = c.batch
            m = c.model
            m.zero_grad()
            loss = m.loss(c.u1[:B], c.u2[:B], c.dudt[:B])
            loss.backward()
            g = m.net.flat_grad().detach().numpy()
            res['loss_' + tag] = {'torch': loss.item(),
                                  'ours': float(c.ours('loss_%s.npy' % tag)[0]),
                                  'rel': rel(loss.item(), c.ours('loss_%s.npy' % tag))}
            res['dparams_' + tag] = rel(g, c.ours('dparams_%s.npy' % tag))
            if c.meta['dtype'] == ('float64' if tag == 'f64' else 'float32'):
                dg = m.grad(c.u1[:B], c.u2[:B]).detach().numpy().reshape(B, -1)
                gr = m.grad(c.u1[:B]).detach().numpy().reshape(B, -1)
                res['discrete_grad'] = rel(dg, c.ours('discrete_grad.npy'))
                res['grad'] = rel(gr, c.ours('grad.npy'))
                x0 = c.u1[:1]
                res['rk2_step'] = rel(m.rk2_step(x0, c.dt).numpy(), c.ours('rk2_step.npy'))
                res['dg_step'] = rel(m.dg_step(x0, c.dt).numpy(), c.ours('dg_step.npy'))
                res['dg_step_moved'] = rel(c.ours('dg_step.npy'), x0.numpy())
        out[key] = res
    return out


# --- timing ----------------------------------------------------------------


def timeit(fn, min_time, reps, cpu=None):
    """Median over `reps` repetitions of the mean wall time per call, each
    repetition calling fn until min_time seconds have passed; `cpu` (a list)
    receives the median process CPU time per call (all threads)."""
    fn()  # warm-up
    means, cpus = [], []
    for _ in range(reps):
        n, t0, c0 = 0, time.perf_counter(), time.process_time()
        while True:
            fn()
            n += 1
            el = time.perf_counter() - t0
            if el >= min_time:
                break
        means.append(el / n)
        cpus.append((time.process_time() - c0) / n)
    if cpu is not None:
        cpu.append(statistics.median(cpus))
    return statistics.median(means), means


def time_case(c, ops, min_time, reps):
    m = c.model
    opt = torch.optim.Adam(m.parameters(), lr=1e-3,
                           weight_decay=float(c.meta['weight_decay']))
    B, count = c.batch, c.u1.shape[0]
    res = {}

    def train_step():
        # The authors' loop: a fresh random batch (randperm over all pairs;
        # the full set when the batch covers it), Eq. 11, backward, Adam.
        if B < count:
            idx = torch.randperm(count)[:B]
            u1, u2, dudt = c.u1[idx], c.u2[idx], c.dudt[idx]
        else:
            u1, u2, dudt = c.u1, c.u2, c.dudt
        loss = m.loss(u1, u2, dudt)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    u1b, u2b = c.u1[:B], c.u2[:B]
    state = {'x': c.u1[:1].clone(), 'n': 0}

    def stepper(fn):
        def step():
            if state['n'] == 100:
                state['x'], state['n'] = c.u1[:1].clone(), 0
            state['x'] = fn(state['x'], c.dt)
            state['n'] += 1
        return step

    table = {
        'train_step': train_step,
        'discrete_grad': lambda: m.grad(u1b, u2b),
        'grad': lambda: m.grad(u1b),
        'newton_step': stepper(m.dg_step),
        'rk2_step': stepper(m.rk2_step),
    }
    for op in ops:
        c.reset_params()
        state['x'], state['n'] = c.u1[:1].clone(), 0
        cpu = []
        med, means = timeit(table[op], min_time, reps, cpu)
        res[op] = {'seconds': med, 'cpu_seconds': cpu[0], 'reps': means}
    return res


def blas_info():
    """Which BLAS torch loaded (after a GEMM has run)."""
    a = torch.ones(64, 64, dtype=torch.float64)
    (a @ a).sum().item()
    libs = set()
    try:
        with open('/proc/self/maps') as f:
            for line in f:
                p = line.split()[-1]
                if any(k in os.path.basename(p) for k in ('blas', 'lapack', 'mkl', 'blis')):
                    libs.add(p)
    except OSError:
        pass
    cfg = torch.__config__.show()
    info = [s.strip() for s in cfg.replace(',', '\n').splitlines()
            if 'BLAS_INFO' in s or 'LAPACK_INFO' in s]
    return {'loaded': sorted(libs),
            'resolved': sorted({os.path.realpath(p) for p in libs}),
            'config': info}


def gemm_rate(dtype, min_time, reps):
    """torch.mm of 200x200 by 200x10000 in FLOP/s, for context."""
    a = torch.randn(200, 200, dtype=dtype)
    b = torch.randn(200, 10000, dtype=dtype)
    sec, _ = timeit(lambda: torch.mm(a, b), min_time, reps)
    return 2 * 200 * 200 * 10000 / sec


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('mode', choices=['check', 'time', 'blas'])
    ap.add_argument('dir', nargs='?')
    ap.add_argument('--models', default='kdv,ch,spring,2body')
    ap.add_argument('--ops', default='train_step,newton_step')
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--min-time', type=float, default=1.0)
    ap.add_argument('--reps', type=int, default=3)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    keys = [k for k in a.models.split(',') if k]
    if a.mode == 'blas':
        print(json.dumps(blas_info()))
        return
    if a.mode == 'check':
        print(json.dumps({r: check(a.dir, keys, r) for r in ('paper', 'dgc')}))
        return
    out = {'threads': torch.get_num_threads(), 'torch': torch.__version__,
           'blas': blas_info(), 'models': {}, 'gemm': {}}
    for name, dt in (('double', torch.float64), ('float', torch.float32)):
        out['gemm'][name] = gemm_rate(dt, min(a.min_time, 0.5), a.reps)
    for key in keys:
        c = Case(a.dir, key)
        out['models'][key] = time_case(c, a.ops.split(','), a.min_time, a.reps)
        print('torch %s threads=%d done' % (key, a.threads), file=sys.stderr)
    print(json.dumps(out))


if __name__ == '__main__':
    main()
