"""Basins of attraction: every start of an N × N grid stepped at once (one Walker), each labelled with the
critical point it settles at, or as diverged or not settled."""

from __future__ import annotations

import math
import time

import numpy as np

from gdplay.core.surfaces.catalogue import SurfaceDef
from gdplay.core.surfaces.critical import KINDS, CriticalPoint, classify, critical_point
from gdplay.core.surfaces.functions import Typed
from gdplay.core.surfaces.results import DIVERGED, NOT_SETTLED, BasinsMap
from gdplay.core.surfaces.walker import ESCAPE, Walker
from gdplay.core.trainer import frozen

BASIN_CHECK = 4  # the basins map looks for settled and escaped starts every few steps
MAX_FOUND = 100  # a basins map names at most this many places it found; the rest share one label


def basins(sd: SurfaceDef, name: str, learning_rate: float, hyper: dict[str, float], x_range, y_range, n: int,
           max_steps: int, tol: float = 1e-5) -> BasinsMap:
    """Run every start of an n × n grid over x_range × y_range at once (no noise) for at most ``max_steps``
    steps. A start has settled when ‖∇f‖ ≤ tol and its last step moved less than tol·(window size); it is
    labelled with the known critical point it is nearest to (within 1 % of the window), or with a point found
    on the way. It diverged when it stopped being finite (or, on a typed formula, left its domain) or ran
    ESCAPE window sizes away. Distances are
    measured in the surface's own window (not the grid's), so a zoomed map labels the same way."""
    t0 = time.perf_counter()
    (x0, x1), (y0, y1) = (float(v) for v in x_range), (float(v) for v in y_range)
    xs, ys = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
    X, Y = np.meshgrid(xs, ys)
    (wx0, wx1), (wy0, wy1) = sd.window
    span = max(wx1 - wx0, wy1 - wy0)
    centre = np.array([[(wx0 + wx1) / 2], [(wy0 + wy1) / 2]])
    walker = Walker(sd.function, name, learning_rate, hyper, np.vstack([X.ravel(), Y.ravel()]))
    ids = np.arange(n * n)
    end = np.full((2, n * n), np.nan)
    outcome = np.full(n * n, NOT_SETTLED)  # -1 diverged, -2 not settled, 0 settled (labelled below)
    typed = isinstance(sd.function, Typed)
    with np.errstate(all="ignore"):
        G = walker.gradient()
        for s in range(1, max_steps + 1):
            before = walker.P.copy() if s % BASIN_CHECK == 0 or s == max_steps else None
            walker.step(G)
            G = walker.gradient()
            if before is None:
                continue
            P = walker.P
            gn = np.sqrt(np.sum(G * G, axis=0))
            moved = np.sqrt(np.sum((P - before) ** 2, axis=0))
            gone = ~(np.isfinite(P).all(axis=0) & np.isfinite(gn)) | (np.abs(P - centre).max(axis=0) > ESCAPE * span)
            if typed:  # a typed formula may be undefined where its gradient is not (log x at x < 0)
                gone |= ~np.isfinite(walker.value())
            settled = ~gone & (gn <= tol) & (moved <= tol * span)
            done = gone | settled
            if done.any():
                outcome[ids[gone]] = DIVERGED
                outcome[ids[settled]] = 0
                end[:, ids[settled]] = P[:, settled]
                keep = ~done
                walker.keep(keep)
                G = G[:, keep]
                ids = ids[keep]
            if not len(ids):
                break
    labels, points = _label(sd, end, outcome, span)
    labels = labels.reshape(n, n)
    counts = tuple(int(np.sum(labels == k)) for k in range(len(points)))
    return BasinsMap(frozen(labels), points, counts, int(np.sum(labels == DIVERGED)),
                     int(np.sum(labels == NOT_SETTLED)),
                     (x0, x1), (y0, y1), max_steps, name, learning_rate, time.perf_counter() - t0)


def _label(sd: SurfaceDef, end: np.ndarray, outcome: np.ndarray, span: float) -> tuple[np.ndarray, tuple]:
    """Settled ends -> the index of the nearest known critical point (within 1 % of the window), or of a
    found one (ends within that distance are one point)."""
    labels = outcome.copy()
    points = list(sd.points)
    near = 0.01 * span
    idx = np.flatnonzero(outcome == 0)
    if not len(idx):
        return labels, tuple(points)
    E = end[:, idx]
    if points:
        K = np.array([[p.x for p in points], [p.y for p in points]])
        d = np.hypot(E[0][:, None] - K[0][None, :], E[1][:, None] - K[1][None, :])
        k = np.argmin(d, axis=1)
        hit = d[np.arange(len(idx)), k] <= near
        labels[idx[hit]] = k[hit]
        idx, E = idx[~hit], E[:, ~hit]
    if len(idx):
        # the rest: group on a grid of cells 'near' wide, one found point per cell (its first end)
        cells = np.round(E / near).astype(np.int64)
        _, first, inverse = np.unique(cells, axis=1, return_index=True, return_inverse=True)
        inverse = np.asarray(inverse).ravel()
        fn = sd.function
        base = len(points)
        # the most visited first; past MAX_FOUND (a flat plane settles everywhere) one label for the rest
        order = np.argsort(-np.bincount(inverse), kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        for j in order[:MAX_FOUND]:
            px, py = float(E[0, first[j]]), float(E[1, first[j]])
            _lo, _hi, kind = classify(*fn.hessian(np.float64(px), np.float64(py)))
            points.append(critical_point(fn, f"found {KINDS[int(kind)]} ({px:.3g}, {py:.3g})", px, py))
        if len(order) > MAX_FOUND:
            points.append(CriticalPoint(f"one of {len(order) - MAX_FOUND:,} other places", math.nan, math.nan,
                                        math.nan, "flat"))
        labels[idx] = base + np.minimum(rank[inverse], MAX_FOUND)
    return labels, tuple(points)
