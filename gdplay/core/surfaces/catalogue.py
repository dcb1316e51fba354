"""The surfaces the tab offers, each with its formula, window, known critical points and what it teaches, and
a typed formula as a surface."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from gdplay.core.expression import Formula
from gdplay.core.surfaces.critical import CriticalPoint, critical_point, find_critical_points, newton_refine
from gdplay.core.surfaces.functions import (
    Beale,
    Function,
    Himmelblau,
    MonkeySaddle,
    Rastrigin,
    Rosenbrock,
    Saddle,
    SixHumpCamel,
    Typed,
)
from gdplay.core.trainer import ValidationError

FORMULA = "formula"  # the surface key of a typed formula
FORMULA_WINDOW = ((-3.0, 3.0), (-3.0, 3.0))


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


def _point(fn: Function, name: str, x: float, y: float) -> CriticalPoint:
    return critical_point(fn, name, *newton_refine(fn, x, y))


def _surfaces() -> dict[str, SurfaceDef]:
    out = []
    f: Function = Rosenbrock()
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


def formula_surface(text: str) -> SurfaceDef:
    """A typed formula as a surface (FormulaError if it cannot be parsed); its critical points in the
    default window are found by Newton's method from a grid of starts."""
    f = Typed(Formula.parse(text))
    points = find_critical_points(f, FORMULA_WINDOW)
    return SurfaceDef(FORMULA, "Your formula", f.formula.text, f, FORMULA_WINDOW, points,
                      "Your own surface: its gradient and Hessian come from differentiating the formula "
                      "symbolically, not from finite differences. Critical points are found by Newton's method.",
                      log_colour=False, start=(2.0, 2.0), learning_rate=0.01)


SURFACES: dict[str, SurfaceDef] = _surfaces()


def surface_def(key: str, formula: str = "") -> SurfaceDef:
    if key == FORMULA:
        return formula_surface(formula)
    try:
        return SURFACES[key]
    except KeyError:
        raise ValidationError(
            f"The surface must be one of {', '.join(SURFACES)} or {FORMULA}; got {key!r}.") from None
