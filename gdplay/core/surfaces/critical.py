"""Critical points (∇f = 0) and curvature: the Hessian's eigenvalues and what they make of a point (minimum,
saddle, maximum, flat), Newton's method to find and refine critical points, the curvature readout in words."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from gdplay.core.surfaces.functions import Function

KINDS = ("flat", "minimum", "saddle", "maximum")


@dataclass(frozen=True)
class CriticalPoint:
    """A point where the gradient is zero: its name, place, value and kind (minimum, saddle, maximum, flat)."""

    name: str
    x: float
    y: float
    value: float
    kind: str
    lr_edge: float = math.nan  # a minimum: 2/λmax, the learning rate past which plain GD cannot settle in it


def critical_point(fn: Function, name: str, x: float, y: float) -> CriticalPoint:
    """The critical point at (x, y), classified by its Hessian."""
    with np.errstate(all="ignore"):
        _lo, hi, kind = classify(*fn.hessian(np.float64(x), np.float64(y)))
        value = float(fn.value(np.float64(x), np.float64(y)))
    k = KINDS[int(kind)]
    edge = 2.0 / float(hi) if k == "minimum" else math.nan
    return CriticalPoint(name, float(x), float(y), value, k, edge)


def classify(hxx, hxy, hyy, scale: float = 1.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The Hessian's eigenvalues (λ₁ ≤ λ₂) and what they make of the point, as an int array: 0 flat
    (an eigenvalue ≈ 0: the second-order test cannot tell), 1 minimum, 2 saddle, 3 maximum."""
    hxx, hxy, hyy = np.broadcast_arrays(*(np.asarray(h, dtype=np.float64) for h in (hxx, hxy, hyy)))
    mean = (hxx + hyy) / 2
    rad = np.hypot((hxx - hyy) / 2, hxy)
    lo, hi = mean - rad, mean + rad
    tol = 1e-9 * np.maximum(np.maximum(np.abs(lo), np.abs(hi)), scale)
    kind = np.where((np.abs(lo) <= tol) | (np.abs(hi) <= tol), 0,
                    np.where(lo > 0, 1, np.where(hi < 0, 3, 2)))
    return lo, hi, kind


def newton_refine(fn: Function, x: float, y: float, iterations: int = 50) -> tuple[float, float]:
    """Newton's method on ∇f = 0 from (x, y): a critical point given to a few digits, to full precision."""
    for _ in range(iterations):
        gx, gy = (float(v) for v in fn.gradient(np.float64(x), np.float64(y)))
        hxx, hxy, hyy = (float(v) for v in fn.hessian(np.float64(x), np.float64(y)))
        det = hxx * hyy - hxy * hxy
        if det == 0 or not math.isfinite(det):
            break
        dx, dy = (hyy * gx - hxy * gy) / det, (hxx * gy - hxy * gx) / det
        x, y = x - dx, y - dy
        if abs(dx) + abs(dy) < 1e-15 * (1 + abs(x) + abs(y)):
            break
    return x, y


def find_critical_points(fn: Function, window, n: int = 14, limit: int = 24) -> tuple[CriticalPoint, ...]:
    """Critical points in ``window``: Newton's method on ∇f = 0 from an n × n grid, vectorised; the distinct
    ones that converged inside it, minima first, at most ``limit``."""
    (x0, x1), (y0, y1) = window
    span = max(x1 - x0, y1 - y0)
    X, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    x, y = X.ravel(), Y.ravel()
    with np.errstate(all="ignore"):
        for _ in range(60):
            gx, gy = (np.broadcast_to(v, x.shape) for v in fn.gradient(x, y))
            hxx, hxy, hyy = (np.broadcast_to(v, x.shape) for v in fn.hessian(x, y))
            det = hxx * hyy - hxy * hxy
            ok = np.isfinite(det) & (np.abs(det) > 1e-300)
            safe = np.where(ok, det, 1.0)
            dx = np.where(ok, (hyy * gx - hxy * gy) / safe, 0.0)
            dy = np.where(ok, (hxx * gy - hxy * gx) / safe, 0.0)
            # a damped step: Newton may jump far from a poor start
            cap = np.minimum(1.0, 0.25 * span / np.maximum(np.hypot(dx, dy), 1e-300))
            x, y = x - cap * dx, y - cap * dy
        gx, gy = (np.broadcast_to(v, x.shape) for v in fn.gradient(x, y))
        g = np.hypot(gx, gy)
        scale = np.nanmax(np.abs(fn.value(X, Y))) if np.isfinite(fn.value(X, Y)).any() else 1.0
    inside = (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
    good = inside & np.isfinite(g) & (g <= 1e-8 * max(1.0, scale / span))
    found: list[tuple[float, float]] = []
    for px, py in zip(x[good], y[good]):
        if all(math.hypot(px - qx, py - qy) > 1e-4 * span for qx, qy in found):
            found.append((float(px), float(py)))
    points = []
    for px, py in found:
        _lo, _hi, kind = classify(*fn.hessian(np.float64(px), np.float64(py)))
        points.append(critical_point(fn, f"{KINDS[int(kind)]} ({px:.3g}, {py:.3g})", px, py))
    if len(points) > limit:  # a plateau (every start is critical) is no point: keep the isolated kinds
        points = [p for p in points if p.kind != "flat"]
    points.sort(key=lambda p: (KINDS.index(p.kind) if p.kind != "flat" else 4, p.value))
    return tuple(points[:limit])


@dataclass(frozen=True)
class Curvature:
    """The Hessian at a point: its eigenvalues and what they say (flat, minimum, saddle, maximum)."""

    hessian: tuple[float, float, float]  # fxx, fxy, fyy
    eigenvalues: tuple[float, float]
    kind: str


def curvature_at(fn: Function, x: float, y: float) -> Curvature:
    with np.errstate(all="ignore"):
        hxx, hxy, hyy = (float(v) for v in fn.hessian(np.float64(x), np.float64(y)))
        h = (hxx, hxy, hyy)
        lo, hi, kind = classify(*h)
    return Curvature(h, (float(lo), float(hi)), KINDS[int(kind)])


def describe_curvature(c: Curvature, grad_norm: float, grad_tol: float = 1e-6) -> str:
    """The readout in words: what the Hessian's eigenvalues say about the shape here."""
    lo, hi = c.eigenvalues
    at = grad_norm <= max(grad_tol, 1e-9)
    shape = {
        "minimum": "curves up both ways (a bowl)",
        "maximum": "curves down both ways (a dome)",
        "saddle": "curves up one way and down the other (a saddle)",
        "flat": "is flat along some direction: the second-order test cannot tell",
    }[c.kind]
    if at:
        verdict = {"minimum": "a minimum", "maximum": "a maximum", "saddle": "a saddle point",
                   "flat": "a degenerate critical point"}[c.kind]
        return f"λ = {lo:.4g}, {hi:.4g}: the surface {shape}; with ∇f = 0 this is {verdict}."
    return f"λ = {lo:.4g}, {hi:.4g}: here the surface {shape}."
