"""Many starts stepped at once: n independent starts as one (2, n) array, updated by the shared optimizers
of gdplay.core.optimizers (their rules are elementwise) or by a vectorised line search; the gradient noise.

Line searches (the Regression tab's two, on a surface that is not a quadratic) are gdplay.core.line_search's:
*exact* minimises f(p − α∇f) over α > 0; *armijo* backtracks until f(p − α∇f) ≤ f(p) − c·α·‖∇f‖².

Noisy gradient descent adds Gaussian noise of scale σ to each gradient, σ constant or annealed linearly to
zero at the step limit, drawn from the run's own seeded generator.
"""

from __future__ import annotations

import math

import numpy as np

from gdplay.core import line_search
from gdplay.core.optimizers import OPTIMIZERS, Optimizer, make_optimizer
from gdplay.core.surfaces.functions import Function

ESCAPE = 1000.0  # a run beyond 1000 window sizes from the window's centre has run off to infinity


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
