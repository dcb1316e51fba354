"""Beyond the convex bowl: gradient descent on two-variable surfaces with local minima, saddles and long
curved valleys, or on a formula you type; the basins of attraction of their minima; and a trainer for the
Surfaces tab and ``gdplay fit surface``.

Every surface gives its value f(x, y), its gradient (∂f/∂x, ∂f/∂y) and its Hessian (∂²f/∂x², ∂²f/∂x∂y,
∂²f/∂y²) in closed form, vectorised over arrays of points. The update rules are gdplay.core.optimizers'
(the Regression tab's), applied to a (2, n) array of n independent starts at once: a single run is n = 1,
and the basins map is every start of an N × N grid stepped together, so the map and a run are one code path.

Line searches (the Regression tab's two, on a surface that is not a quadratic) are gdplay.core.line_search's:
*exact* minimises f(p − α∇f) over α > 0; *armijo* backtracks until f(p − α∇f) ≤ f(p) − c·α·‖∇f‖².

Noisy gradient descent adds Gaussian noise of scale σ to each gradient, σ constant or annealed linearly to
zero at the step limit, drawn from the run's own seeded generator.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace

import numpy as np

from gdplay.core import line_search
from gdplay.core import state as saved
from gdplay.core.expression import Formula
from gdplay.core.history import History
from gdplay.core.optimizers import OPTIMIZERS, Optimizer, make_optimizer
from gdplay.core.regression import LINE_SEARCHES, OPTIMIZER_LABELS
from gdplay.core.state import StateError
from gdplay.core.trainer import ComparedRuns, Snapshot, Status, ValidationError, frozen

SURFACE_OPTIMIZERS = (*OPTIMIZERS, *LINE_SEARCHES)
NOISE_SCHEDULES = ("constant", "annealed")
NOISY = "+noise"  # a run spec "gd+noise": that optimizer with the gradient noise
HISTORY_CAPACITY = 2048
STATE_FORMAT = 1
STATE_STRUCTURE = ("surface", "formula", "optimizer", "compare", "initial", "seed", "noise_schedule")
ESCAPE = 1000.0  # a run beyond 1000 window sizes from the window's centre has run off to infinity
BASIN_CHECK = 4  # the basins map looks for settled and escaped starts every few steps
DIVERGED, NOT_SETTLED = -1, -2
MAX_FOUND = 100  # a basins map names at most this many places it found; the rest share one label


# -- surfaces --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CriticalPoint:
    """A point where the gradient is zero: its name, place, value and kind (minimum, saddle, maximum, flat)."""

    name: str
    x: float
    y: float
    value: float
    kind: str
    lr_edge: float = math.nan  # a minimum: 2/λmax, the learning rate past which plain GD cannot settle in it


def _critical(fn: Function, name: str, x: float, y: float) -> CriticalPoint:
    with np.errstate(all="ignore"):
        _lo, hi, kind = classify(*fn.hessian(np.float64(x), np.float64(y)))
        value = float(fn.value(np.float64(x), np.float64(y)))
    k = KINDS[int(kind)]
    edge = 2.0 / float(hi) if k == "minimum" else math.nan
    return CriticalPoint(name, float(x), float(y), value, k, edge)


class Function:
    """f, ∇f and the Hessian of f over arrays of points (broadcast)."""

    def value(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def gradient(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    def hessian(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        raise NotImplementedError


class Rosenbrock(Function):
    def value(self, x, y):
        return (1 - x) ** 2 + 100 * (y - x * x) ** 2

    def gradient(self, x, y):
        r = y - x * x
        return -2 * (1 - x) - 400 * x * r, 200 * r

    def hessian(self, x, y):
        return 2 - 400 * y + 1200 * x * x, -400 * x + 0 * y, 200 + 0 * (x + y)


class Himmelblau(Function):
    def value(self, x, y):
        return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2

    def gradient(self, x, y):
        a, b = x * x + y - 11, x + y * y - 7
        return 4 * x * a + 2 * b, 2 * a + 4 * y * b

    def hessian(self, x, y):
        return 12 * x * x + 4 * y - 42, 4 * (x + y), 4 * x + 12 * y * y - 26


class Saddle(Function):
    def value(self, x, y):
        return x * x - y * y

    def gradient(self, x, y):
        return 2 * x + 0 * y, -2 * y + 0 * x

    def hessian(self, x, y):
        z = 0 * (x + y)
        return 2 + z, z, -2 + z


class MonkeySaddle(Function):
    def value(self, x, y):
        return x ** 3 - 3 * x * y * y

    def gradient(self, x, y):
        return 3 * x * x - 3 * y * y, -6 * x * y

    def hessian(self, x, y):
        return 6 * x + 0 * y, -6 * y + 0 * x, -6 * x + 0 * y


class SixHumpCamel(Function):
    def value(self, x, y):
        x2, y2 = x * x, y * y
        return (4 - 2.1 * x2 + x2 * x2 / 3) * x2 + x * y + (-4 + 4 * y2) * y2

    def gradient(self, x, y):
        x2 = x * x
        return 8 * x - 8.4 * x2 * x + 2 * x2 * x2 * x + y, x - 8 * y + 16 * y * y * y

    def hessian(self, x, y):
        x2 = x * x
        return 8 - 25.2 * x2 + 10 * x2 * x2 + 0 * y, 1 + 0 * (x + y), -8 + 48 * y * y + 0 * x


class Rastrigin(Function):
    A = 10.0

    def value(self, x, y):
        w = 2 * math.pi
        return 2 * self.A + x * x - self.A * np.cos(w * x) + y * y - self.A * np.cos(w * y)

    def gradient(self, x, y):
        w = 2 * math.pi
        return 2 * x + self.A * w * np.sin(w * x), 2 * y + self.A * w * np.sin(w * y)

    def hessian(self, x, y):
        w = 2 * math.pi
        return 2 + self.A * w * w * np.cos(w * x) + 0 * y, 0 * (x + y), 2 + self.A * w * w * np.cos(w * y) + 0 * x


class Beale(Function):
    """Σᵢ aᵢ² with aᵢ = cᵢ − x + x·yⁱ, i = 1, 2, 3 (powers as products: np.power is slow)."""

    C = (1.5, 2.25, 2.625)

    def value(self, x, y):
        y2 = y * y
        a1, a2, a3 = 1.5 - x + x * y, 2.25 - x + x * y2, 2.625 - x + x * y2 * y
        return a1 * a1 + a2 * a2 + a3 * a3

    def gradient(self, x, y):
        y2 = y * y
        y3 = y2 * y
        a1, a2, a3 = 1.5 - x + x * y, 2.25 - x + x * y2, 2.625 - x + x * y3
        gx = 2 * (a1 * (y - 1) + a2 * (y2 - 1) + a3 * (y3 - 1))
        gy = 2 * x * (a1 + 2 * a2 * y + 3 * a3 * y2)
        return gx, gy

    def hessian(self, x, y):
        y2 = y * y
        y3 = y2 * y
        a1, a2, a3 = 1.5 - x + x * y, 2.25 - x + x * y2, 2.625 - x + x * y3
        ax1, ax2, ax3 = y - 1, y2 - 1, y3 - 1  # ∂aᵢ/∂x
        ay1, ay2, ay3 = x, 2 * x * y, 3 * x * y2  # ∂aᵢ/∂y
        hxx = 2 * (ax1 * ax1 + ax2 * ax2 + ax3 * ax3)
        hxy = 2 * (ay1 * ax1 + a1 + ay2 * ax2 + 2 * a2 * y + ay3 * ax3 + 3 * a3 * y2)
        hyy = 2 * (ay1 * ay1 + ay2 * ay2 + 2 * a2 * x + ay3 * ay3 + 6 * a3 * x * y)
        return hxx, hxy, hyy


class Typed(Function):
    """A formula you type, differentiated symbolically (gdplay.core.expression)."""

    def __init__(self, formula: Formula) -> None:
        self.formula = formula

    def value(self, x, y):
        return self.formula.value(x, y)

    def gradient(self, x, y):
        return self.formula.gradient(x, y)

    def hessian(self, x, y):
        return self.formula.hessian(x, y)


@dataclass(frozen=True)
class SurfaceDef:
    """A surface with what the tab shows about it. ``points`` are its known critical points."""

    key: str
    title: str
    formula: str
    function: Function
    window: tuple[tuple[float, float], tuple[float, float]]
    points: tuple[CriticalPoint, ...]
    text: str
    log_colour: bool = True
    start: tuple[float, float] = (0.0, 0.0)
    learning_rate: float = 0.01

    def complete(self) -> SurfaceDef:
        """With the critical points in its window that are not named yet (found by Newton's method)."""
        span = max(self.window[0][1] - self.window[0][0], self.window[1][1] - self.window[1][0])
        more = tuple(q for q in find_critical_points(self.function, self.window)
                     if all(math.hypot(q.x - p.x, q.y - p.y) > 1e-6 * span for p in self.points))
        return replace(self, points=self.points + more)


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


KINDS = ("flat", "minimum", "saddle", "maximum")


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


def _point(fn: Function, name: str, x: float, y: float) -> CriticalPoint:
    return _critical(fn, name, *newton_refine(fn, x, y))


def _surfaces() -> dict[str, SurfaceDef]:
    out = []
    f = Rosenbrock()
    out.append(SurfaceDef(
        "rosenbrock", "Rosenbrock's banana", "(1 - x)**2 + 100*(y - x**2)**2", f, ((-2.0, 2.0), (-1.0, 3.0)),
        (_point(f, "minimum (1, 1)", 1, 1),),
        "A long, curved, flat-bottomed valley. Gradient descent falls into it at once and then crawls along "
        "its floor, the steps zigzagging across it; a rate large enough to move along the floor is too large "
        "across it. Momentum and Adam build speed along the valley.",
        start=(-1.5, 2.0), learning_rate=1e-3))
    f = Himmelblau()
    out.append(SurfaceDef(
        "himmelblau", "Himmelblau (four minima)", "(x**2 + y - 11)**2 + (x + y**2 - 7)**2", f,
        ((-5.0, 5.0), (-5.0, 5.0)),
        (_point(f, "minimum A (3, 2)", 3, 2), _point(f, "minimum B (−2.81, 3.13)", -2.805118, 3.131312),
         _point(f, "minimum C (−3.78, −3.28)", -3.779310, -3.283186),
         _point(f, "minimum D (3.58, −1.85)", 3.584428, -1.848126),
         _point(f, "maximum (−0.27, −0.92)", -0.270845, -0.923039),
         _point(f, "saddle (0.09, 2.88)", 0.086677, 2.884254), _point(f, "saddle (−3.07, −0.08)", -3.073026, -0.081353),
         _point(f, "saddle (3.39, 0.07)", 3.385154, 0.073852),
         _point(f, "saddle (−0.13, −1.95)", -0.127961, -1.953715)),
        "Four minima, all with f = 0, one maximum and four saddles between them. Which minimum gradient descent "
        "finds depends only on where it starts: the basins map colours every start by its answer.",
        log_colour=True, start=(-0.5, -0.5), learning_rate=0.01))
    f = Saddle()
    out.append(SurfaceDef(
        "saddle", "Saddle x² − y²", "x**2 - y**2", f, ((-2.0, 2.0), (-2.0, 2.0)),
        (_point(f, "saddle (0, 0)", 0, 0),),
        "Up along x, down along y: the gradient is zero at the centre, but it is no minimum. Started near the "
        "ridge y = 0, gradient descent slows down at the saddle before it slides off; started exactly on it, it "
        "never leaves. A little noise escapes at once. There is no floor: every run leaves for y = ±∞.",
        log_colour=False, start=(-1.8, 0.0), learning_rate=0.05))
    f = MonkeySaddle()
    out.append(SurfaceDef(
        "monkey", "Monkey saddle x³ − 3xy²", "x**3 - 3*x*y**2", f, ((-1.5, 1.5), (-1.5, 1.5)),
        (_point(f, "monkey saddle (0, 0)", 0, 0),),
        "Three valleys (two for the legs, one for a monkey's tail) meet at a flat point: there the gradient and "
        "the whole Hessian are zero, so the curvature readout cannot tell what the point is. Gradient descent "
        "near it moves very slowly (the slope grows only as the square of the distance).",
        log_colour=False, start=(0.9, 0.05), learning_rate=0.05))
    f = SixHumpCamel()
    out.append(SurfaceDef(
        "camel", "Six-hump camel", "(4 - 2.1*x**2 + x**4/3)*x**2 + x*y + (-4 + 4*y**2)*y**2", f,
        ((-2.2, 2.2), (-1.2, 1.2)),
        (_point(f, "global minimum (0.09, −0.71)", 0.0898, -0.7126), _point(f, "global minimum (−0.09, 0.71)",
                                                                                -0.0898, 0.7126),
         _point(f, "local minimum (−1.70, 0.80)", -1.7036, 0.7961), _point(f, "local minimum (1.70, −0.80)",
                                                                              1.7036, -0.7961),
         _point(f, "local minimum (1.61, 0.57)", 1.6071, 0.5687), _point(f, "local minimum (−1.61, −0.57)",
                                                                           -1.6071, -0.5687)),
        "Six minima of three depths: two global ones, two shallower and two shallower still. Gradient descent "
        "only goes downhill, so it keeps whichever one it started above, deep or not.",
        log_colour=False, start=(1.9, 0.9), learning_rate=0.02).complete())
    f = Rastrigin()
    out.append(SurfaceDef(
        "rastrigin", "Rastrigin (many local minima)", "20 + x**2 - 10*cos(2*pi*x) + y**2 - 10*cos(2*pi*y)", f,
        ((-5.12, 5.12), (-5.12, 5.12)),
        (_point(f, "global minimum (0, 0)", 0, 0),),
        "A bowl covered with ripples: a local minimum near every point with whole-number coordinates, each "
        "lower the nearer it is to the centre. Plain gradient descent stops in the first dip it meets; noisy "
        "gradient descent hops between dips and wanders lower before the annealed noise dies down.",
        log_colour=False, start=(3.2, 2.8), learning_rate=2e-3))
    f = Beale()
    out.append(SurfaceDef(
        "beale", "Beale", "(1.5 - x + x*y)**2 + (2.25 - x + x*y**2)**2 + (2.625 - x + x*y**3)**2", f,
        ((-4.5, 4.5), (-4.5, 4.5)),
        (_point(f, "minimum (3, 0.5)", 3, 0.5), _point(f, "saddle (0, 1)", 0.0, 1.0)),
        "Steep walls in the corners (the terms in x·y³ reach 4·10⁴) and flat plateaus in the middle: no one "
        "learning rate suits both. The colours are on a log scale, or the plateau would look flat.",
        start=(1.0, 1.5), learning_rate=1e-3).complete())
    return {s.key: s for s in out}


FORMULA = "formula"  # the surface key of a typed formula
FORMULA_WINDOW = ((-3.0, 3.0), (-3.0, 3.0))


def formula_surface(text: str) -> SurfaceDef:
    """A typed formula as a surface (FormulaError if it cannot be parsed); its critical points in the
    default window are found by Newton's method from a grid of starts."""
    f = Typed(Formula.parse(text))
    points = find_critical_points(f, FORMULA_WINDOW)
    return SurfaceDef(FORMULA, "Your formula", f.formula.text, f, FORMULA_WINDOW, points,
                      "Your own surface: its gradient and Hessian come from differentiating the formula "
                      "symbolically, not from finite differences. Critical points are found by Newton's method.",
                      log_colour=False, start=(2.0, 2.0), learning_rate=0.01)


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
        points.append(_critical(fn, f"{KINDS[int(kind)]} ({px:.3g}, {py:.3g})", px, py))
    if len(points) > limit:  # a plateau (every start is critical) is no point: keep the isolated kinds
        points = [p for p in points if p.kind != "flat"]
    points.sort(key=lambda p: (KINDS.index(p.kind) if p.kind != "flat" else 4, p.value))
    return tuple(points[:limit])


SURFACES: dict[str, SurfaceDef] = _surfaces()


def surface_def(key: str, formula: str = "") -> SurfaceDef:
    if key == FORMULA:
        return formula_surface(formula)
    try:
        return SURFACES[key]
    except KeyError:
        raise ValidationError(
            f"The surface must be one of {', '.join(SURFACES)} or {FORMULA}; got {key!r}.") from None


# -- stepping many starts at once --------------------------------------------------------------------------------
def run_spec(spec: str) -> tuple[str, bool]:
    """"adam" -> ("adam", False); "gd+noise" -> ("gd", True)."""
    noisy = spec.endswith(NOISY)
    return (spec[: -len(NOISY)] if noisy else spec), noisy


def run_label(spec: str) -> str:
    name, noisy = run_spec(spec)
    label = OPTIMIZER_LABELS.get(name, name)
    return f"{label} + noise" if noisy else label


class Walker:
    """n independent starts, P of shape (2, n) (row 0: x, row 1: y), descending one surface with one rule.
    The state (the optimizer's moments, a line search's last step) is per start, so ``keep`` can drop
    finished starts without changing the others' paths."""

    def __init__(self, fn: Function, name: str, learning_rate: float, hyper: dict[str, float], P: np.ndarray) -> None:
        self.fn = fn
        self.name = name
        self.P = np.array(P, dtype=np.float64).reshape(2, -1)
        self.opt: Optimizer | None = make_optimizer(name, learning_rate, **hyper) if name in OPTIMIZERS else None
        self.alpha = np.full(self.P.shape[1], math.nan)  # line searches: the last accepted step (nan: none yet)
        self.evaluations = 0

    def set_live(self, learning_rate: float, hyper: dict[str, float]) -> None:
        if self.opt is not None:
            self.opt.learning_rate = learning_rate
            for k, v in hyper.items():
                setattr(self.opt, k, v)

    def gradient(self, P: np.ndarray | None = None) -> np.ndarray:
        P = self.P if P is None else P
        gx, gy = self.fn.gradient(P[0], P[1])
        return np.vstack([np.broadcast_to(gx, P[0].shape), np.broadcast_to(gy, P[0].shape)])

    def value(self, P: np.ndarray | None = None) -> np.ndarray:
        P = self.P if P is None else P
        return np.broadcast_to(self.fn.value(P[0], P[1]), P[0].shape)

    def step(self, G: np.ndarray) -> None:
        """One update of every start from its gradient G (2, n) (with any noise already added)."""
        if self.opt is not None:
            self.opt.update((self.P,), (G,))
        elif self.name == "armijo":
            self._armijo(G)
        else:
            self._exact(G)

    def keep(self, mask: np.ndarray) -> None:
        """Keep only the starts where ``mask`` is True (with their optimizer state)."""
        self.P = self.P[:, mask]
        self.alpha = self.alpha[mask]
        if self.opt is not None and self.opt._state is not None:
            self.opt._state = [tuple(s[:, mask] for s in st) for st in self.opt._state]

    def _armijo(self, G: np.ndarray) -> None:
        alpha, k = line_search.armijo(self.value, self.P, G, self.alpha)
        self.evaluations += k
        self.alpha = alpha
        self.P -= alpha * G

    def _exact(self, G: np.ndarray) -> None:
        alpha, k = line_search.exact(self.value, self.P, G, self.alpha)
        self.evaluations += k
        self.alpha = np.where(alpha > 0, alpha, self.alpha)
        self.P -= alpha * G


def noise_scale(sigma: float, schedule: str, step: int, max_steps: int) -> float:
    """σ at ``step`` (counting from 0): constant, or annealed linearly to zero at the step limit."""
    if sigma <= 0:
        return 0.0
    if schedule == "annealed":
        return sigma * max(0.0, 1.0 - step / max(max_steps, 1))
    return sigma


# -- basins of attraction ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class BasinsMap:
    """Where each start of an n × n grid ends: ``labels[r, c]`` (start x = cols[c], y = rows[r]) is an index
    into ``points`` (the critical point it settled at), DIVERGED (-1) or NOT_SETTLED (-2)."""

    labels: np.ndarray
    points: tuple[CriticalPoint, ...]
    counts: tuple[int, ...]  # per point
    diverged: int
    not_settled: int
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    steps: int
    optimizer: str
    learning_rate: float
    seconds: float
    version: int = 0


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
            points.append(_critical(fn, f"found {KINDS[int(kind)]} ({px:.3g}, {py:.3g})", px, py))
        if len(order) > MAX_FOUND:
            points.append(CriticalPoint(f"one of {len(order) - MAX_FOUND:,} other places", math.nan, math.nan,
                                        math.nan, "flat"))
        labels[idx] = base + np.minimum(rank[inverse], MAX_FOUND)
    return labels, tuple(points)


# -- the trainer ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SurfaceParams:
    """A run on a surface. Live (the run goes on): the learning rate and the optimizer hyperparameters, the
    noise scale, the step limit and the gradient tolerance. Anything else restarts the run."""

    surface: str = "himmelblau"
    formula: str = "x**2 + 3*y**2"  # used when surface == "formula"
    optimizer: str = "gd"
    learning_rate: float = 0.01
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    epsilon: float = 1e-8
    initial: tuple[float, ...] = (-0.5, -0.5)
    max_steps: int = 2000
    grad_tol: float = 1e-6  # converged when ‖∇f‖ is at most this (0: off)
    noise: float = 0.0  # σ of the gradient noise of the main run (0: plain)
    noise_schedule: str = "constant"
    seed: int = 0
    compare: tuple[str, ...] = ()  # more runs from the same start: "adam", "gd+noise"
    basins_steps: int = 300

    LIVE = ("learning_rate", "momentum", "beta1", "beta2", "epsilon", "max_steps", "grad_tol", "noise",
            "basins_steps")

    def main_spec(self) -> str:
        return self.optimizer + (NOISY if self.noise > 0 and self.optimizer in OPTIMIZERS else "")

    def runs(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((self.main_spec(), *self.compare)))

    def hyper(self) -> dict[str, float]:
        return {"momentum": self.momentum, "beta1": self.beta1, "beta2": self.beta2, "epsilon": self.epsilon}

    def validate(self) -> SurfaceParams:
        if self.surface != FORMULA and self.surface not in SURFACES:
            raise ValidationError(f"The surface must be one of {', '.join(SURFACES)} or {FORMULA}; "
                                  f"got {self.surface!r}.")
        if self.surface == FORMULA:
            Formula.parse(self.formula)  # FormulaError (a ValidationError) says what and where
        for spec in self.runs():
            name, noisy = run_spec(spec)
            if name not in SURFACE_OPTIMIZERS:
                raise ValidationError(f"The optimizer must be one of {', '.join(SURFACE_OPTIMIZERS)}; got {name!r}.")
            if noisy and name in LINE_SEARCHES:
                raise ValidationError(f"Noise goes with the step rules ({', '.join(OPTIMIZERS)}), not with a line "
                                      f"search; got {spec!r}.")
        lr = self.learning_rate
        if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not (math.isfinite(lr) and lr > 0):
            raise ValidationError(f"The learning rate must be a positive finite number; got {lr!r}.")
        if not (isinstance(self.epsilon, (int, float)) and math.isfinite(self.epsilon) and self.epsilon > 0):
            raise ValidationError(f"epsilon must be a positive finite number; got {self.epsilon!r}.")
        for name in ("momentum", "beta1", "beta2"):
            v = getattr(self, name)
            if not (0.0 <= v < 1.0):
                raise ValidationError(f"{name} must be in [0, 1); got {v!r}.")
        start = self.initial
        if len(start) != 2 or not all(isinstance(v, (int, float)) and math.isfinite(v) for v in start):
            raise ValidationError(f"The start must be two finite numbers x, y; got {start!r}.")
        if int(self.max_steps) != self.max_steps or self.max_steps < 1:
            raise ValidationError(f"The step limit must be a whole number of at least 1; got {self.max_steps!r}.")
        if int(self.basins_steps) != self.basins_steps or not 1 <= self.basins_steps <= 100_000:
            raise ValidationError(f"The basins map's step limit must be 1 to 100,000; got {self.basins_steps!r}.")
        if not (math.isfinite(self.grad_tol) and self.grad_tol >= 0):
            raise ValidationError(f"The gradient tolerance must be a number >= 0; got {self.grad_tol!r}.")
        if not (math.isfinite(self.noise) and self.noise >= 0):
            raise ValidationError(f"The noise scale σ must be a number >= 0; got {self.noise!r}.")
        if self.noise_schedule not in NOISE_SCHEDULES:
            raise ValidationError(f"The noise schedule must be one of {', '.join(NOISE_SCHEDULES)}; "
                                  f"got {self.noise_schedule!r}.")
        return self


@dataclass(frozen=True)
class Curvature:
    """The Hessian at a point: its eigenvalues and what they say (flat, minimum, saddle, maximum)."""

    hessian: tuple[float, float, float]  # fxx, fxy, fyy
    eigenvalues: tuple[float, float]
    kind: str


def curvature_at(fn: Function, x: float, y: float) -> Curvature:
    with np.errstate(all="ignore"):
        h = tuple(float(v) for v in fn.hessian(np.float64(x), np.float64(y)))
        lo, hi, kind = classify(*h)
    return Curvature(h, (float(lo), float(hi)), KINDS[int(kind)])


@dataclass(frozen=True, kw_only=True)
class SurfaceRun:
    """One optimizer's path. History rows: step, f, ‖∇f‖, x, y, σ (the noise scale of that step)."""

    spec: str
    label: str
    status: Status
    message: str
    step: int
    xy: np.ndarray
    cost: float
    gradient: np.ndarray
    grad_norm: float
    curvature: Curvature
    nearest: str  # the nearest known critical point, as "minimum A (3, 2), 0.0012 away"
    history: np.ndarray
    evaluations: int = 0


@dataclass(frozen=True, kw_only=True)
class SurfaceSnapshot(Snapshot):
    surface: str
    title: str
    formula: str
    text: str
    window: tuple[tuple[float, float], tuple[float, float]]
    points: tuple[CriticalPoint, ...]
    log_colour: bool
    learning_rate: float
    runs: tuple[SurfaceRun, ...]
    start: tuple[float, float]
    data_version: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def main(self) -> SurfaceRun:
        return self.runs[0]


@dataclass(frozen=True)
class SurfaceGrid:
    """f over a grid: ``values[r, c]`` at x = cols[c], y = rows[r]; ``problem`` says where f is undefined."""

    values: np.ndarray
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    problem: str | None
    version: int


FIELDS = ("cost", "grad_norm", "x", "y", "sigma")


class _Run:
    def __init__(self, spec: str, sd: SurfaceDef, params: SurfaceParams, index: int, capacity: int) -> None:
        self.spec = spec
        self.name, self.noisy = run_spec(spec)
        self.label = run_label(spec)
        self.walker = Walker(sd.function, self.name, params.learning_rate, params.hyper(),
                             np.array(params.initial, dtype=np.float64).reshape(2, 1))
        self.rng = np.random.default_rng((int(params.seed), index))
        self.n_iter = 0
        self.status = Status.READY
        self.message = ""
        self.history = History(FIELDS, capacity=capacity)

    @property
    def xy(self) -> np.ndarray:
        return self.walker.P[:, 0]


class SurfaceTrainer(ComparedRuns):
    """Gradient descent on a surface, stepped by ``step(k)``: one run per optimizer in ``params.runs()``,
    all from the same start. Views: ``surface_grid`` (f over a window) and ``basins`` (the basins map)."""

    def __init__(self, params: SurfaceParams | None = None, history_capacity: int = HISTORY_CAPACITY) -> None:
        self.params = (params or SurfaceParams()).validate()
        self.params_version = 0
        self.capacity = history_capacity
        self._view_version = 0
        self._cache: dict[str, tuple] = {}
        self._build()
        self.reset()

    def _build(self) -> None:
        p = self.params
        self.sd = surface_def(p.surface, p.formula)
        self._view_version += 1
        self._gen = self._view_version  # cache keys: changes with the surface only
        self._cache.clear()

    # -- params ----------------------------------------------------------------------------------------
    def set_params(self, params: SurfaceParams, version: int = 0) -> None:
        params = params.validate()
        old, self.params = self.params, params
        self.params_version = version
        if (old.surface, old.formula) != (params.surface, params.formula):
            self._build()
            self.reset()
            return
        live = SurfaceParams.LIVE
        if any(getattr(old, f) != getattr(params, f) for f in params.__dataclass_fields__ if f not in live):
            self.reset()
            return
        for run in self.runs:
            run.walker.set_live(params.learning_rate, params.hyper())
            if run.status is Status.MAX_STEPS and run.n_iter < params.max_steps:
                run.status = Status.TRAINING  # a raised limit lets a finished run go on
        self._update_status()

    # -- the protocol ----------------------------------------------------------------------------------
    def reset(self) -> None:
        p = self.params
        self.runs = [_Run(spec, self.sd, p, k, self.capacity) for k, spec in enumerate(p.runs())]
        self.message = ""
        for run in self.runs:
            self._record(run, 0, 0.0)
        bad = self._point_problem(np.array(p.initial, dtype=np.float64))
        if bad:
            self.status = Status.INVALID
            self.message = f"The start is outside the formula's domain: {bad} Click somewhere else to start."
            for run in self.runs:
                run.status, run.message = Status.INVALID, self.message
            return
        self.status = Status.READY

    def _point_problem(self, xy: np.ndarray) -> str | None:
        if isinstance(self.sd.function, Typed):
            return self.sd.function.formula.problem(xy[0:1], xy[1:2])
        return None

    @property
    def n_iter_(self) -> int:
        return max(run.n_iter for run in self.runs)

    def _update_status(self) -> None:
        if self.status is Status.INVALID:
            return
        if any(run.status.can_step for run in self.runs):
            self.status = Status.TRAINING if self.n_iter_ else Status.READY
            self.message = ""
            return
        self.status = self.runs[0].status
        self.message = self.runs[0].message if len(self.runs) == 1 else "; ".join(
            f"{r.label}: {r.message.rstrip('.')}" for r in self.runs) + "."

    def _record(self, run: _Run, step: int, sigma: float) -> None:
        if not run.history.want(step):
            return
        x, y = run.xy
        with np.errstate(all="ignore"):
            f = float(run.walker.value()[0])
            g = run.walker.gradient()[:, 0]
        run.history.append(step, f, float(np.hypot(*g)), x, y, sigma)

    def _step_run(self, run: _Run, k: int) -> int:
        p = self.params
        limit = min(k, p.max_steps - run.n_iter)
        if limit <= 0:
            run.status = Status.MAX_STEPS
            run.message = f"Stopped at the step limit ({p.max_steps:,})."
            return 0
        with np.errstate(all="ignore"):
            taken = self._walk(run, limit)
        if run.status.can_step:
            run.status = Status.TRAINING
            if run.n_iter >= p.max_steps:
                run.status = Status.MAX_STEPS
                run.message = f"Stopped at the step limit ({p.max_steps:,})."
        return taken

    def _walk(self, run: _Run, limit: int) -> int:
        p = self.params
        w = run.walker
        (x0, x1), (y0, y1) = self.sd.window
        centre = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
        bound = ESCAPE * max(x1 - x0, y1 - y0)
        typed = isinstance(self.sd.function, Typed)
        G = w.gradient()
        n = run.n_iter
        for taken in range(1, limit + 1):
            sigma = noise_scale(p.noise, p.noise_schedule, n + taken - 1, p.max_steps) if run.noisy else 0.0
            step_g = G + sigma * run.rng.standard_normal(G.shape) if sigma > 0 else G
            before = w.P.copy()
            w.step(step_g)
            G = w.gradient()
            P = w.P[:, 0]
            gn = math.hypot(G[0, 0], G[1, 0])
            # a typed formula may be undefined where its gradient is not (log x at x < 0: ∂/∂x = 1/x)
            if not (math.isfinite(P[0]) and math.isfinite(P[1]) and math.isfinite(gn)) \
                    or np.abs(P - centre).max() > bound or (typed and not math.isfinite(float(w.value()[0]))):
                w.P = before
                run.n_iter = n + taken - 1
                self._diverged(run, n + taken, P)
                return taken - 1
            self._record(run, n + taken, sigma)
            if p.grad_tol > 0 and gn <= p.grad_tol and (not run.noisy or sigma == 0):
                run.n_iter = n + taken
                run.status = Status.CONVERGED
                f = float(w.value()[0])
                run.message = f"Converged at step {run.n_iter:,}: ‖∇f‖ ≤ {p.grad_tol:g}, f = {f:.6g}."
                return taken
        run.n_iter = n + limit
        return limit

    def _diverged(self, run: _Run, step: int, P: np.ndarray) -> None:
        run.status = Status.DIVERGED
        lr = self.params.learning_rate
        problem = self._point_problem(np.asarray(P, dtype=np.float64)) if np.isfinite(P).all() else None
        if problem:
            run.message = f"Step {step:,} left the formula's domain: {problem} The run stops at the last point."
        elif np.isfinite(P).all():
            run.message = (f"Step {step:,} ran off towards infinity (to x = {P[0]:.3g}, y = {P[1]:.3g}, over "
                           f"{ESCAPE:g} window sizes out): this surface has no floor there, or the learning rate "
                           f"{lr:g} is too large.")
        else:
            run.message = (f"Training diverged at step {step:,} (the point became inf or nan); lower the learning "
                           f"rate (now {lr:g}).")

    # -- snapshots and views ----------------------------------------------------------------------------
    def nearest(self, x: float, y: float) -> tuple[CriticalPoint, float] | None:
        pts = self.sd.points
        if not pts or not (math.isfinite(x) and math.isfinite(y)):
            return None
        d = [math.hypot(x - q.x, y - q.y) for q in pts]
        k = int(np.argmin(d))
        return pts[k], d[k]

    def snapshot(self) -> SurfaceSnapshot:
        with np.errstate(all="ignore"):
            return self._snapshot()

    def _snapshot(self) -> SurfaceSnapshot:
        p, sd = self.params, self.sd
        runs = []
        for run in self.runs:
            w = run.walker
            x, y = (float(v) for v in run.xy)
            f = float(w.value()[0])
            g = w.gradient()[:, 0]
            gn = float(np.hypot(*g))
            sigma = noise_scale(p.noise, p.noise_schedule, run.n_iter, p.max_steps) if run.noisy else 0.0
            near = self.nearest(x, y)
            runs.append(SurfaceRun(
                spec=run.spec, label=run.label, status=run.status, message=run.message, step=run.n_iter,
                xy=frozen(run.xy), cost=f, gradient=frozen(g), grad_norm=gn, curvature=curvature_at(sd.function, x, y),
                nearest="" if near is None else f"{near[0].name}, {near[1]:.3g} away",
                history=run.history.rows((run.n_iter, f, gn, x, y, sigma)), evaluations=w.evaluations))
        main = runs[0]
        message = self.message if (self.status is Status.INVALID or len(runs) > 1) else main.message
        return SurfaceSnapshot(
            step=self.n_iter_, params_version=self.params_version, status=self.status, message=message,
            cost=main.cost, surface=p.surface, title=sd.title, formula=sd.formula, text=sd.text, window=sd.window,
            points=sd.points, log_colour=sd.log_colour, learning_rate=p.learning_rate, runs=tuple(runs),
            start=(float(p.initial[0]), float(p.initial[1])))

    def surface_grid(self, x_range, y_range, shape: tuple[int, int] = (160, 160)) -> SurfaceGrid:
        """f over x_range × y_range (rows: y), with a sentence on where it is undefined, if anywhere."""
        key = (tuple(x_range), tuple(y_range), tuple(shape), self._gen)
        hit = self._cache.get("grid")
        if hit is not None and hit[0] == key:
            return hit[1]
        xs, ys = np.linspace(*x_range, shape[1]), np.linspace(*y_range, shape[0])
        X, Y = np.meshgrid(xs, ys)
        with np.errstate(all="ignore"):
            values = np.array(np.broadcast_to(self.sd.function.value(X, Y), X.shape), dtype=np.float64)
        problem = None
        if isinstance(self.sd.function, Typed) and not np.isfinite(values).all():
            problem = self.sd.function.formula.problem(X, Y)
        self._view_version += 1
        grid = SurfaceGrid(frozen(values), tuple(map(float, x_range)), tuple(map(float, y_range)), problem,
                           self._view_version)
        self._cache["grid"] = (key, grid)
        return grid

    def basins(self, x_range, y_range, n: int = 150) -> BasinsMap:
        """The basins map of the main run's optimizer at the current learning rate (cached until either,
        the hyperparameters, the window or the surface change)."""
        p = self.params
        name = run_spec(p.main_spec())[0]
        key = (tuple(x_range), tuple(y_range), int(n), self._gen, name, p.learning_rate, tuple(p.hyper().items()),
               p.basins_steps)
        hit = self._cache.get("basins")
        if hit is not None and hit[0] == key:
            return hit[1]
        b = basins(self.sd, name, p.learning_rate, p.hyper(), x_range, y_range, int(n), p.basins_steps)
        self._view_version += 1
        b = replace(b, version=self._view_version)
        self._cache["basins"] = (key, b)
        return b

    # -- sessions --------------------------------------------------------------------------------------------
    def export_state(self) -> dict:
        p = self.params
        runs = []
        for run in self.runs:
            opt = run.walker.opt
            runs.append({
                "spec": run.spec, "step": run.n_iter, "status": run.status.value, "message": run.message,
                "xy": saved.encode_array(run.xy), "alpha": saved.encode_array(run.walker.alpha),
                "evaluations": run.walker.evaluations, "history": saved.encode_history(run.history),
                "rng": saved.encode_rng(run.rng),
                "optimizer": None if opt is None else {
                    "t": opt.t,
                    "moments": None if opt._state is None else [saved.encode_array(a) for a in opt._state[0][:-1]]},
            })
        return {"kind": "surface", "format": STATE_FORMAT,
                "structure": {k: list(v) if isinstance(v, tuple) else v
                              for k, v in ((k, getattr(p, k)) for k in STATE_STRUCTURE)},
                "status": self.status.value, "message": self.message, "runs": runs}

    def import_state(self, state: dict) -> None:
        """Go on from ``export_state``'s result, made with the params this trainer has now; everything is
        checked first (StateError naming the field); on an error the trainer is unchanged."""
        what = "The saved surface state"
        saved.check_header(state, "surface", STATE_FORMAT, what)
        structure = saved.field(state, "structure", what, dict)
        for k in STATE_STRUCTURE:
            now = getattr(self.params, k)
            now = list(now) if isinstance(now, tuple) else now
            if structure.get(k) != now:
                raise StateError(f"{what} was made with {k}={structure.get(k)!r}; the current setting is {now!r}.")
        status = saved.decode_status(state, what)
        message = saved.field(state, "message", what, str)
        items = saved.field(state, "runs", what, list)
        specs = [saved.field(r, "spec", f"{what} run {i}", str) for i, r in enumerate(items)]
        if specs != list(self.params.runs()):
            raise StateError(f"{what} has the runs {specs}; the current settings run {list(self.params.runs())}.")
        runs = []
        for i, (spec, obj) in enumerate(zip(specs, items)):
            w = f"{what} run {i} ({spec})"
            run = _Run(spec, self.sd, self.params, i, self.capacity)
            step = saved.field(obj, "step", w, int)
            evaluations = saved.field(obj, "evaluations", w, int)
            if step < 0 or evaluations < 0:
                raise StateError(f"{w}: 'step' and 'evaluations' must be whole numbers >= 0.")
            xy = saved.decode_array(saved.field(obj, "xy", w, dict), f"{w} xy", shape=(2,), finite=True)
            alpha = saved.decode_array(saved.field(obj, "alpha", w, dict), f"{w} alpha", shape=(1,))
            history = saved.decode_history(saved.field(obj, "history", w, dict), f"{w} history", FIELDS, self.capacity)
            rng = saved.decode_rng(saved.field(obj, "rng", w, dict), f"{w} random generator")
            opt_state = saved.field(obj, "optimizer", w, (dict, type(None)))
            opt = run.walker.opt
            if (opt_state is None) != (opt is None):
                raise StateError(f"{w}: 'optimizer' does not fit a {run.name!r} run.")
            moments = t = None
            if opt is not None:
                t = saved.field(opt_state, "t", f"{w} optimizer", int)
                moments = saved.field(opt_state, "moments", f"{w} optimizer", (list, type(None)))
                if moments is not None:
                    count = len(opt._new_state(run.walker.P)) - 1
                    if len(moments) != count:
                        raise StateError(f"{w} optimizer has {len(moments)} moment arrays; {run.name!r} keeps {count}.")
                    moments = [saved.decode_array(m, f"{w} optimizer moment {j}", shape=(2, 1))
                               for j, m in enumerate(moments)]
            run.n_iter, run.status = step, saved.decode_status(obj, w)
            run.message = saved.field(obj, "message", w, str)
            run.walker.P = xy.reshape(2, 1)
            run.walker.alpha = alpha
            run.walker.evaluations = evaluations
            run.history, run.rng = history, rng
            if opt is not None:
                opt.t = t
                opt._state = None if moments is None else [(*moments, np.empty((2, 1)))]
            runs.append(run)
        self.runs, self.status, self.message = runs, status, message


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


def point_from_text(text: str) -> tuple[float, float]:
    """"x,y" as two finite numbers, or ValidationError."""
    parts = [p.strip() for p in str(text).split(",")]
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        values = ()
    if len(values) != 2 or not all(math.isfinite(v) for v in values):
        raise ValidationError(f"A start is two finite numbers x,y (like -1.5,2); got {text!r}.")
    return values  # type: ignore[return-value]
