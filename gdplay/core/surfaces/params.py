"""The Surfaces tab's params: which surface, optimizer (and compared runs), learning rate and
hyperparameters, start, noise, limits; run specs ("adam", "gd+noise") and their labels."""

from __future__ import annotations

import math
from dataclasses import dataclass

from gdplay.core.expression import Formula
from gdplay.core.optimizers import LABELS as OPTIMIZER_LABELS
from gdplay.core.optimizers import LINE_SEARCHES, LIVE_HYPERPARAMETERS, OPTIMIZERS, SPECS
from gdplay.core.surfaces.catalogue import FORMULA, SURFACES
from gdplay.core.trainer import ValidationError

SURFACE_OPTIMIZERS = tuple(SPECS)  # every update rule and line search (core/optimizers.SPECS)
NOISE_SCHEDULES = ("constant", "annealed")
NOISY = "+noise"  # a run spec "gd+noise": that optimizer with the gradient noise
HISTORY_CAPACITY = 2048
STATE_FORMAT = 1
STATE_STRUCTURE = ("surface", "formula", "optimizer", "compare", "initial", "seed", "noise_schedule")
FIELDS = ("cost", "grad_norm", "x", "y", "sigma")  # history columns after the step


def run_spec(spec: str) -> tuple[str, bool]:
    """"adam" -> ("adam", False); "gd+noise" -> ("gd", True)."""
    noisy = spec.endswith(NOISY)
    return (spec[: -len(NOISY)] if noisy else spec), noisy


def run_label(spec: str) -> str:
    name, noisy = run_spec(spec)
    label = OPTIMIZER_LABELS.get(name, name)
    return f"{label} + noise" if noisy else label


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

    LIVE = (*LIVE_HYPERPARAMETERS, "max_steps", "grad_tol", "noise", "basins_steps")

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


def point_from_text(text: str) -> tuple[float, float]:
    """"x,y" as two finite numbers, or ValidationError."""
    parts = [p.strip() for p in str(text).split(",")]
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        values = ()
    if len(values) != 2 or not all(math.isfinite(v) for v in values):
        raise ValidationError(f"A start is two finite numbers x,y (like -1.5,2); got {text!r}.")
    return values[0], values[1]
