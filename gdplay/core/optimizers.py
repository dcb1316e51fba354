"""Update rules shared by the regression tab and the network: plain gradient descent, momentum, Nesterov,
AdaGrad, RMSProp and Adam.

An optimizer is a small object: ``update(params, grads)`` changes the parameter arrays in place from
their gradients; ``learning_rate`` and the hyperparameters (``momentum``, ``beta1``, ``beta2``,
``epsilon``) are plain attributes a live slider may change between steps; ``reset()`` forgets the state
(velocities, squared-gradient averages, step count). State arrays are allocated on the first update, one
per parameter array, so the same object serves a 2-vector (m, b) or a network's weight matrices.

With g the gradient at the current parameters p, lr the learning rate (all operations elementwise):

    gd        p -= lr·g
    momentum  v = μ·v + g;                 p -= lr·v
    nesterov  v = μ·v + g;                 p -= lr·(g + μ·v)
    adagrad   G += g²;                     p -= lr·g / (√G + ε)
    rmsprop   s = ρ·s + (1 - ρ)·g²;        p -= lr·g / (√s + ε)      (ρ is ``beta2``, default 0.9)
    adam      m = β1·m + (1 - β1)·g;  s = β2·s + (1 - β2)·g²;  t += 1
              p -= lr·m̂ / (√ŝ + ε),  m̂ = m / (1 - β1^t),  ŝ = s / (1 - β2^t)

Nesterov's accelerated gradient is usually written with the gradient at a look-ahead point,
v ← μ·v - lr·∇E(p + μ·v), p ← p + v. Substituting the look-ahead point itself as the parameters
(Bengio et al. 2012, Sutskever et al. 2013) turns it into the rule above, which needs only the gradient
at the current parameters - the same call every other rule makes (it is also what PyTorch computes).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from gdplay.core.trainer import ValidationError


@dataclass(frozen=True)
class HyperparameterSpec:
    """A hyperparameter an update rule may read: its symbol, the range a control offers, and what it does."""

    name: str
    symbol: str
    minimum: float
    maximum: float
    tip: str


@dataclass(frozen=True)
class OptimizerSpec:
    """One optimizer, declared once: the tabs' menus, hyperparameter rows and defaults, ``gdplay fit``'s
    choices and the params' validation are derived from ``SPECS``. A line search picks its own step along
    -∇E (the learning rate is not used); the other rules are classes below (``make_optimizer``)."""

    name: str
    label: str  # menus and legends
    rule: str  # the update, for the tooltip
    hyperparameters: Mapping[str, float] = field(default_factory=dict)  # those it reads, with its defaults
    line_search: bool = False


HYPERPARAMETER_SPECS: dict[str, HyperparameterSpec] = {h.name: h for h in (
    HyperparameterSpec("momentum", "μ", 0.0, 0.999,
                       "Momentum μ: how much of the last step is kept, v ← μ·v − η·∇E (0: plain gradient descent; "
                       "0.9: typical)."),
    HyperparameterSpec("beta1", "β₁", 0.0, 0.999,
                       "β₁: how slowly Adam's running mean of the gradient forgets, m ← β₁·m + (1 − β₁)·g "
                       "(typical 0.9)."),
    HyperparameterSpec("beta2", "β₂", 0.0, 0.9999,
                       "β₂: how slowly the running mean of the squared gradient forgets, s ← β₂·s + (1 − β₂)·g² "
                       "(typical 0.999 for Adam, 0.9 for RMSProp)."),
    HyperparameterSpec("epsilon", "ε", 1e-12, 1.0,
                       "ε: added to √s so that a step never divides by zero, θ ← θ − η·g / (√s + ε)."),
)}

SPECS: dict[str, OptimizerSpec] = {s.name: s for s in (
    OptimizerSpec("gd", "gradient descent",
                  "Gradient descent: θ ← θ − η·∇E. One step down the slope, η times the gradient."),
    OptimizerSpec("momentum", "momentum",
                  "Momentum: v ← μ·v − η·∇E, then θ ← θ + v. Steps build up speed along a valley and damp the "
                  "zigzag across it.", {"momentum": 0.9}),
    OptimizerSpec("nesterov", "Nesterov",
                  "Nesterov momentum: v ← μ·v − η·∇E(θ + μ·v), θ ← θ + v. Like momentum, but the gradient is "
                  "taken where the momentum is about to carry θ (the look-ahead point).", {"momentum": 0.9}),
    OptimizerSpec("adagrad", "AdaGrad",
                  "AdaGrad: s ← s + g², θ ← θ − η·g / (√s + ε), per parameter. A parameter whose gradients were "
                  "large takes smaller steps; the steps only ever shrink.", {"epsilon": 1e-8}),
    OptimizerSpec("rmsprop", "RMSProp",
                  "RMSProp: s ← β₂·s + (1 − β₂)·g², θ ← θ − η·g / (√s + ε). AdaGrad with a fading memory, so "
                  "steps can grow again.", {"beta2": 0.9, "epsilon": 1e-8}),
    OptimizerSpec("adam", "Adam",
                  "Adam: m ← β₁·m + (1 − β₁)·g, s ← β₂·s + (1 − β₂)·g², θ ← θ − η·m̂ / (√ŝ + ε) with m̂, ŝ "
                  "corrected for starting at 0. Momentum and RMSProp's scaling together.",
                  {"beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}),
    OptimizerSpec("exact", "exact line search",
                  "Exact line search: θ ← θ − α·g with the α that makes E lowest along −g, α = gᵀg / gᵀHg (exact "
                  "for a quadratic cost with Hessian H). The learning rate is not used.", line_search=True),
    OptimizerSpec("armijo", "backtracking (Armijo)",
                  "Backtracking line search (Armijo): θ ← θ − α·∇E, trying α = η and halving it until E falls by "
                  "at least 10⁻⁴·α·‖∇E‖². Never overshoots, whatever the learning rate.", line_search=True),
)}

# derived from SPECS: the update rules (every tab), the line searches (regression and surfaces only)
OPTIMIZERS: tuple[str, ...] = tuple(n for n, s in SPECS.items() if not s.line_search)
LINE_SEARCHES: tuple[str, ...] = tuple(n for n, s in SPECS.items() if s.line_search)
LABELS: dict[str, str] = {n: s.label for n, s in SPECS.items()}
# the hyperparameters each rule reads (the others are kept but ignored), with their defaults
HYPERPARAMETERS: dict[str, dict[str, float]] = {n: dict(s.hyperparameters) for n, s in SPECS.items()}
# the params fields every optimizer's run takes live, between two steps (each params class's LIVE has them)
LIVE_HYPERPARAMETERS: tuple[str, ...] = ("learning_rate", *HYPERPARAMETER_SPECS)

_DEFAULTS = {"momentum": 0.9, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}


def check_hyperparameters(learning_rate: float, momentum: float = 0.9, beta1: float = 0.9,
                          beta2: float = 0.999, epsilon: float = 1e-8) -> None:
    """Raise ValidationError unless 0 < lr < inf, 0 <= momentum, beta1, beta2 < 1 and epsilon > 0."""
    lr = learning_rate
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not math.isfinite(lr) or lr <= 0:
        raise ValidationError(f"The learning rate must be a positive finite number; got {lr!r}.")
    for name, value in (("momentum", momentum), ("beta1", beta1), ("beta2", beta2)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value < 1.0:
            raise ValidationError(f"{name} must be in [0, 1); got {value!r}.")
    if isinstance(epsilon, bool) or not isinstance(epsilon, (int, float)) or not (
            math.isfinite(epsilon) and epsilon > 0):
        raise ValidationError(f"epsilon must be a positive finite number; got {epsilon!r}.")


class Optimizer:
    """Base class: holds the hyperparameters and per-array state; subclasses give ``_apply``."""

    name = "gd"

    def __init__(self, learning_rate: float, **hyper: float) -> None:
        # unset hyperparameters take this rule's defaults (SPECS: RMSProp's β₂ is 0.9, Adam's 0.999), then
        # the common ones; all are attributes, so a rule that does not read one still keeps it
        values = {**_DEFAULTS, **HYPERPARAMETERS[self.name], **hyper}
        self.learning_rate = learning_rate
        self.momentum = values["momentum"]
        self.beta1 = values["beta1"]
        self.beta2 = values["beta2"]
        self.epsilon = values["epsilon"]
        self.reset()

    def reset(self) -> None:
        """Forget velocities, running averages and the step count."""
        self.t = 0
        self._state: list[tuple[np.ndarray, ...]] | None = None

    def hyperparameters(self) -> dict[str, float]:
        return {k: getattr(self, k) for k in ("learning_rate", *HYPERPARAMETERS[self.name])}

    def _new_state(self, p: np.ndarray) -> tuple[np.ndarray, ...]:
        return (np.empty_like(p),)  # scratch only

    def update(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        """One step: change every array in ``params`` in place from the matching gradient."""
        if self._state is None or len(self._state) != len(params) or any(
                s[0].shape != p.shape for s, p in zip(self._state, params)):
            self._state = [self._new_state(p) for p in params]
        self.t += 1
        lr = float(self.learning_rate)
        for p, g, state in zip(params, grads, self._state):
            self._apply(p, g, lr, state)

    def step(self, p: np.ndarray, g: np.ndarray) -> np.ndarray:
        """``update`` for a single array (the regression tab's (m, b)); returns ``p``, changed in place."""
        self.update((p,), (g,))
        return p

    def _apply(self, p: np.ndarray, g: np.ndarray, lr: float, state: tuple[np.ndarray, ...]) -> None:
        (tmp,) = state
        np.multiply(g, lr, out=tmp)  # p -= lr·g
        p -= tmp

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.hyperparameters().items())
        return f"{type(self).__name__}({args})"


class GradientDescent(Optimizer):
    name = "gd"


class Momentum(Optimizer):
    name = "momentum"

    def _new_state(self, p: np.ndarray) -> tuple[np.ndarray, ...]:
        return np.zeros_like(p), np.empty_like(p)

    def _apply(self, p, g, lr, state):
        v, tmp = state
        v *= self.momentum  # v = μ·v + g
        v += g
        np.multiply(v, lr, out=tmp)
        p -= tmp


class Nesterov(Optimizer):
    name = "nesterov"

    def _new_state(self, p: np.ndarray) -> tuple[np.ndarray, ...]:
        return np.zeros_like(p), np.empty_like(p)

    def _apply(self, p, g, lr, state):
        v, tmp = state
        mu = self.momentum
        v *= mu  # v = μ·v + g
        v += g
        np.multiply(v, mu, out=tmp)  # p -= lr·(g + μ·v)
        tmp += g
        tmp *= lr
        p -= tmp


class AdaGrad(Optimizer):
    name = "adagrad"

    def _new_state(self, p: np.ndarray) -> tuple[np.ndarray, ...]:
        return np.zeros_like(p), np.empty_like(p)

    def _apply(self, p, g, lr, state):
        acc, tmp = state
        np.multiply(g, g, out=tmp)  # G += g²
        acc += tmp
        np.sqrt(acc, out=tmp)  # p -= lr·g / (√G + ε)
        tmp += self.epsilon
        np.divide(g, tmp, out=tmp)
        tmp *= lr
        p -= tmp


class RMSProp(Optimizer):
    name = "rmsprop"

    def _new_state(self, p: np.ndarray) -> tuple[np.ndarray, ...]:
        return np.zeros_like(p), np.empty_like(p)

    def _apply(self, p, g, lr, state):
        avg, tmp = state
        rho = self.beta2
        np.multiply(g, g, out=tmp)  # s = ρ·s + (1 - ρ)·g²
        tmp *= 1.0 - rho
        avg *= rho
        avg += tmp
        np.sqrt(avg, out=tmp)  # p -= lr·g / (√s + ε)
        tmp += self.epsilon
        np.divide(g, tmp, out=tmp)
        tmp *= lr
        p -= tmp


class Adam(Optimizer):
    name = "adam"

    def _new_state(self, p: np.ndarray) -> tuple[np.ndarray, ...]:
        return np.zeros_like(p), np.zeros_like(p), np.empty_like(p)

    def _apply(self, p, g, lr, state):
        m, s, tmp = state
        b1, b2, t = self.beta1, self.beta2, self.t
        m *= b1  # m = β1·m + (1 - β1)·g
        np.multiply(g, 1.0 - b1, out=tmp)
        m += tmp
        s *= b2  # s = β2·s + (1 - β2)·g²
        np.multiply(g, g, out=tmp)
        tmp *= 1.0 - b2
        s += tmp
        # p -= lr·m̂/(√ŝ + ε) with m̂ = m/(1 - β1^t), ŝ = s/(1 - β2^t)
        np.multiply(s, 1.0 / (1.0 - b2**t), out=tmp)
        np.sqrt(tmp, out=tmp)
        tmp += self.epsilon
        np.divide(m, tmp, out=tmp)
        tmp *= lr / (1.0 - b1**t)
        p -= tmp


_CLASSES: dict[str, type[Optimizer]] = {
    c.name: c for c in (GradientDescent, Momentum, Nesterov, AdaGrad, RMSProp, Adam)}
assert tuple(_CLASSES) == OPTIMIZERS, "every update rule in SPECS has its class here, in the same order"


def make_optimizer(name: str, learning_rate: float, **hyper: float) -> Optimizer:
    """The optimizer called ``name`` (one of OPTIMIZERS). ``hyper`` may hold momentum, beta1, beta2 and
    epsilon; those a rule does not read are ignored. Unset ones take the rule's defaults
    (RMSProp's decay ``beta2`` defaults to 0.9, Adam's to 0.999)."""
    if name not in _CLASSES:
        raise ValidationError(f"The optimizer must be one of {', '.join(OPTIMIZERS)}; got {name!r}.")
    unknown = set(hyper) - set(_DEFAULTS)
    if unknown:
        raise ValidationError(
            f"Unknown optimizer hyperparameter {sorted(unknown)[0]!r}; allowed: {', '.join(_DEFAULTS)}."
        )
    optimizer = _CLASSES[name](learning_rate, **hyper)
    check_hyperparameters(learning_rate, **{k: getattr(optimizer, k) for k in _DEFAULTS})
    return optimizer


def descend(optimizer: Optimizer, gradient: Callable[[np.ndarray], np.ndarray], start: Sequence[float],
            n_steps: int) -> np.ndarray:
    """Run ``n_steps`` updates from ``start`` (e.g. (m, b)) and return the path, shape (n_steps + 1, d).

    For the regression tab: ``gradient(p)`` returns ∂E/∂p as an array like ``p``. Stops early (the path
    is shorter) when the parameters stop being finite.
    """
    p = np.array(start, dtype=np.float64)
    path = np.empty((int(n_steps) + 1, p.size), dtype=np.float64)
    path[0] = p.ravel()
    with np.errstate(over="ignore", invalid="ignore"):
        for i in range(1, int(n_steps) + 1):
            optimizer.step(p, np.asarray(gradient(p), dtype=np.float64))
            path[i] = p.ravel()
            if not np.isfinite(p).all():
                return path[: i + 1]
    return path
