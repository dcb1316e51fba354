"""Ready-made experiments from the source documents: each sets the data, every parameter and the speed,
so a person presses Play and watches the point being made."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gdplay.core.datasets import make_line
from gdplay.core.regression import RegressionParams
from gdplay.resources import load_xy


@dataclass(frozen=True)
class Preset:
    key: str
    title: str
    description: str
    data: Callable[[], tuple[np.ndarray, np.ndarray]]
    params: RegressionParams
    rate: float | None = 300.0  # steps per second; None = full speed


def _seed_data() -> tuple[np.ndarray, np.ndarray]:
    return load_xy("nedrich_data.csv")


def _line_data() -> tuple[np.ndarray, np.ndarray]:
    return make_line(60, slope=1.5, intercept=2.0, noise=1.5, x_range=(0.0, 10.0), random_state=1)


def _one_weight_data() -> tuple[np.ndarray, np.ndarray]:
    x = np.array([0.1, 0.2, 0.3, 0.4, 0.5])
    return x, 2.0 * x  # z = 2x, as in the backprop lesson


def _one_weight_big_x() -> tuple[np.ndarray, np.ndarray]:
    x = 3.0 * np.array([0.1, 0.2, 0.3, 0.4, 0.5])
    return x, 2.0 * x


def _curve_data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(2)
    x = rng.uniform(-3, 3, 40)
    return x, 0.5 * x**3 - 2 * x + 1 + rng.normal(0, 1.0, 40)


def _sine_data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 6, 25)
    return x, np.sin(2.0 * x) + rng.normal(0, 0.1, 25)


SEED = RegressionParams(learning_rate=1e-4, initial=(-1.0, 0.0), max_steps=2000)

PRESETS: tuple[Preset, ...] = (
    Preset("seed", "Nedrich's line fit",
           "100 points, y = m·x + b from m = −1, b = 0 at learning rate 0.0001 for 2,000 steps, exactly as in "
           "Nedrich's article. Watch b: after 2,000 steps it has hardly moved, and the line is still far from least "
           "squares (the star). The surface is a long, narrow valley: its condition number is about 66,000.",
           _seed_data, SEED),
    Preset("seed-scaled", "…the fix: feature scaling",
           "The same data and start, with x standardized: the valley becomes a round bowl (condition number 1), "
           "and a learning rate of 0.1 reaches least squares in about a hundred steps. Drag the rate to the green "
           "mark, 0.5, and one step lands on it. The answer is still reported in raw units.",
           _seed_data, RegressionParams(learning_rate=0.1, initial=(-1.0, 0.0), max_steps=2000, scale=True,
                                        grad_tol=1e-8), rate=30.0),
    Preset("seed-linesearch", "…the fix: a line search",
           "The unscaled valley again, now with an exact line search (the best step along the gradient each "
           "time) racing plain gradient descent and backtracking (Armijo): far fewer steps.",
           _seed_data, RegressionParams(learning_rate=1e-4, initial=(-1.0, 0.0), max_steps=2000, optimizer="exact",
                                        compare=("armijo", "gd"), grad_tol=1e-9), rate=60.0),
    Preset("too-large", "Too large a learning rate",
           "Learning rate 0.0005 is past this valley's edge of divergence 2/λmax ≈ 0.0004 (the red mark on the "
           "slider): every step overshoots the minimum further, and the run diverges.",
           _seed_data, RegressionParams(learning_rate=5e-4, initial=(-1.0, 0.0), max_steps=2000), rate=200.0),
    Preset("batch-vs-sgd", "Batch vs stochastic",
           "Batch gradient descent (each step uses all 100 points) against stochastic (each update one point, "
           "order shuffled every epoch), both on standardized x. Stochastic is noisy but each update is 100 "
           "times cheaper; the brown curve is its cost averaged over the last 100 updates.",
           _seed_data, RegressionParams(learning_rate=0.02, initial=(-1.0, 0.0), max_steps=3000, scale=True,
                                        compare=("gd/1",)), rate=100.0),
    Preset("optimizers", "Optimizers race",
           "Plain gradient descent, momentum, Nesterov, Adam and an exact line search from one start on one "
           "mildly stretched valley, with one learning rate for all: momentum builds speed along the valley.",
           _line_data, RegressionParams(learning_rate=0.01, initial=(-2.0, 8.0), max_steps=1500, optimizer="gd",
                                        compare=("momentum", "nesterov", "adam", "exact")), rate=100.0),
    Preset("one-weight", "One weight, J(w)",
           "z = 2x, one weight, J(w) = Σ (z − w·x)² from w = 0.2 at learning rate 0.4. Each step follows the "
           "tangent's slope; the steps shrink as the slope flattens near w = 2.",
           _one_weight_data, RegressionParams(model="slope", cost="sse", learning_rate=0.4, initial=(0.2,),
                                              max_steps=60, grad_tol=1e-10), rate=4.0),
    Preset("one-weight-diverges", "One weight, the same rate diverges",
           "The same rule and rate on x three times larger: J is nine times steeper, 0.4 is past 2/λ = 0.2, and "
           "each step lands higher up the other side. Whether a rate converges depends on the data and on how "
           "the cost is scaled.",
           _one_weight_big_x, RegressionParams(model="slope", cost="sse", learning_rate=0.4, initial=(0.2,),
                                               max_steps=400), rate=4.0),
    Preset("local-minima", "Local minima: y = sin(w·x)",
           "25 points near y = sin(2x). A model that is not linear in its weight: J(w) has a dip for every "
           "frequency that lines the sine up with part of the points. From w = 0.6 gradient descent settles in "
           "the dip below it, w ≈ 0.67, a wrong fit; the star, w ≈ 1.99, is the best of the window. Click J(w) "
           "near 1.8 to start there and it finds it. Your own points work too: click to add or drag them.",
           _sine_data, RegressionParams(model="sine", learning_rate=0.02, initial=(0.6,), max_steps=1500,
                                        grad_tol=1e-8), rate=100.0),
    Preset("cubic", "A cubic (polynomial, degree 3)",
           "y = c₃x³ + c₂x² + c₁x + c₀ by gradient descent with scaling; the surface is a slice through two "
           "chosen coefficients around the current ones.",
           _curve_data, RegressionParams(model="poly", degree=3, initial=None, scale=True, learning_rate=0.05,
                                         max_steps=5000, grad_tol=1e-8), rate=300.0),
)


def preset(key: str) -> Preset:
    for p in PRESETS:
        if p.key == key:
            return p
    raise KeyError(key)
