"""Line searches along the negative gradient, vectorised over many independent problems at once.

The points are the columns of a (d, n) array P (d parameters, n problems: one run is n = 1, a basins map is
every start of a grid), G their gradients, and ``value(Q)`` returns f at each column of Q as an (n,) array.
Both return the accepted step α per column (0 where the gradient is zero or nothing decreases) and how many
times ``value`` was called.

- ``armijo``: backtracking (Armijo), the Regression tab's rule: α starts at twice the last accepted step and
  is multiplied by ``ARMIJO_SHRINK`` until f(p − αg) ≤ f(p) − ``ARMIJO_C``·α·‖g‖² (sufficient decrease).
- ``exact``: the best step along −g, min over α > 0 of f(p − αg), for any f: a trial step is shrunk until
  it goes down, then doubled while it still goes down (a bracket around the lowest point found), then
  narrowed by golden sections. For a quadratic the answer is the closed form gᵀg / gᵀHg the Regression tab
  uses.

The Regression tab's trainer (core/regression.py) still has its own scalar copy of the Armijo loop, with the
same constants; it can call ``armijo`` with d = p, n = 1.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

ARMIJO_C = 1e-4  # sufficient decrease: f(p − αg) <= f(p) − c·α·‖g‖² (as core.regression)
ARMIJO_SHRINK = 0.5
MAX_STEP = 1e12
GOLDEN_ITERATIONS = 40

Value = Callable[[np.ndarray], np.ndarray]


def armijo(value: Value, P: np.ndarray, G: np.ndarray, last: np.ndarray) -> tuple[np.ndarray, int]:
    """Backtracking from min(2·last, 1e12) (1 where ``last`` is NaN: no step yet), at most 200 halvings."""
    f0 = value(P)
    g2 = np.sum(G * G, axis=0)
    alpha = np.where(np.isfinite(last), np.minimum(last * 2.0, MAX_STEP), 1.0)
    todo = np.flatnonzero(g2 > 0)
    calls = 1
    for _ in range(200):
        if not len(todo):
            break
        calls += 1
        ft = value(P[:, todo] - alpha[todo] * G[:, todo])
        ok = np.isfinite(ft) & (ft <= f0[todo] - ARMIJO_C * alpha[todo] * g2[todo])
        alpha[todo[~ok]] *= ARMIJO_SHRINK
        todo = todo[~ok]
    return np.where(g2 > 0, alpha, 0.0), calls


def exact(value: Value, P: np.ndarray, G: np.ndarray, last: np.ndarray) -> tuple[np.ndarray, int]:
    """α = argmin f(p − αg) over α > 0, starting from the last accepted step (or 10⁻³/‖g‖ at first)."""
    n = P.shape[1]
    g2 = np.sum(G * G, axis=0)
    f0 = value(P)
    calls = [1]

    def phi(a: np.ndarray, idx: np.ndarray) -> np.ndarray:
        calls[0] += 1
        v = value(P[:, idx] - a * G[:, idx])
        return np.where(np.isfinite(v), v, np.inf)

    b = np.where(np.isfinite(last) & (last > 0), last, 1e-3 / np.sqrt(np.maximum(g2, 1e-300)))
    idx = np.flatnonzero(g2 > 0)
    fb = np.full(n, np.inf)
    todo = idx
    for _ in range(80):  # shrink until f(p − b·g) < f(p)
        if not len(todo):
            break
        fb[todo] = phi(b[todo], todo)
        bad = fb[todo] >= f0[todo]
        b[todo[bad]] *= 0.25
        todo = todo[bad]
    idx = idx[fb[idx] < f0[idx]]  # no decrease found (flat to rounding): stay
    lo = np.zeros(n)
    todo = idx
    for _ in range(80):  # double while it still goes down
        if not len(todo):
            break
        fc = phi(2 * b[todo], todo)
        more = fc < fb[todo]
        up = todo[more]
        lo[up] = b[up]
        b[up] *= 2
        fb[up] = fc[more]
        todo = up
    alpha = np.zeros(n)
    if not len(idx):
        return alpha, calls[0]
    # golden sections on [lo, 2b], which holds the lowest point found (b)
    r = (math.sqrt(5) - 1) / 2
    a0, a1 = lo[idx], 2 * b[idx]
    c, d = a1 - r * (a1 - a0), a0 + r * (a1 - a0)
    fc, fd = phi(c, idx), phi(d, idx)
    for _ in range(GOLDEN_ITERATIONS):
        left = fc < fd  # the minimum is in [a0, d]: d becomes the new right end
        a1 = np.where(left, d, a1)
        a0 = np.where(left, a0, c)
        d_new = np.where(left, c, a0 + r * (a1 - a0))
        c_new = np.where(left, a1 - r * (a1 - a0), d)
        fd_new = np.where(left, fc, np.inf)
        fc_new = np.where(left, np.inf, fd)
        if left.any():
            fc_new[left] = phi(c_new[left], idx[left])
        if (~left).any():
            fd_new[~left] = phi(d_new[~left], idx[~left])
        c, d, fc, fd = c_new, d_new, fc_new, fd_new
    best = np.where(fc < fd, c, d)
    alpha[idx] = np.where(np.minimum(fc, fd) <= fb[idx], best, b[idx])
    return alpha, calls[0]
