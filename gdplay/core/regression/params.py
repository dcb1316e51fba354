"""The regression run's hyperparameters (``RegressionParams``), its run specs and constants."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from gdplay.core.least_squares import MODELS, exponents
from gdplay.core.optimizers import LABELS, LINE_SEARCHES, LIVE_HYPERPARAMETERS, SPECS
from gdplay.core.trainer import ValidationError

COSTS = ("mse", "sse")
REGRESSION_OPTIMIZERS = tuple(SPECS)  # every update rule and line search (core/optimizers.SPECS)
OPTIMIZER_LABELS = LABELS
AVERAGE_WINDOWS = (10, 100, 1000)
ARMIJO_C = 1e-4  # sufficient decrease: E(θ - αg) <= E(θ) - c·α·‖g‖²
ARMIJO_SHRINK = 0.5
HISTORY_CAPACITY = 2048
STATE_FORMAT = 1
STATE_STRUCTURE = ("model", "degree", "scale", "cost")  # what θ and its optimizer state mean


def split_run(spec: str) -> tuple[str, int | None]:
    """"adam" -> ("adam", None); "gd/1" -> ("gd", 1): an optimizer and, optionally, its own batch size."""
    name, _, batch = spec.partition("/")
    if not batch:
        return name, None
    try:
        return name, int(batch)
    except ValueError:
        raise ValidationError(f"A run is an optimizer name, optionally /batch size; got {spec!r}.") from None


def run_label(spec: str, default_batch: int = 0) -> str:
    name, batch = split_run(spec)
    batch = default_batch if batch is None else batch
    label = OPTIMIZER_LABELS.get(name, name)
    if name == "nesterov":
        # its parameters are the look-ahead point θ + μv (see gdplay.core.optimizers): that is what is drawn,
        # and its first step looks 1.9× plain gradient descent's at μ = 0.9
        label += " (look-ahead θ + μv)"
    if batch == 1:
        return f"{label}, stochastic"
    if batch > 1:
        return f"{label}, mini-batch {batch}"
    return label if default_batch == 0 else f"{label}, full batch"


@dataclass(frozen=True)
class RegressionParams:
    """Hyperparameters of a regression run. Live (the run goes on): ``learning_rate``, the optimizer
    hyperparameters, ``batch_size``, ``max_steps`` and the tolerances. Anything else restarts the run."""

    model: str = "line"
    degree: int = 2  # polynomial only
    cost: str = "mse"
    optimizer: str = "gd"
    learning_rate: float = 1e-4
    batch_size: int = 0  # 0: full batch; 1: stochastic (one point per update); B: mini-batch
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float | None = None  # None: each optimizer's own default (RMSProp's decay 0.9, Adam's 0.999)
    epsilon: float = 1e-8
    initial: tuple[float, ...] | None = (-1.0, 0.0)  # raw units, one per parameter; None: all zero
    scale: bool = False  # optimise in standardized x (reported in raw units all the same)
    max_steps: int = 2000
    tol: float = 0.0  # stop when |ΔE| <= tol·E
    grad_tol: float = 0.0  # stop when ‖∇E‖ <= grad_tol
    seed: int = 0
    compare: tuple[str, ...] = ()  # more runs side by side from the same start: "adam", or "gd/1" (own batch)

    LIVE = (*LIVE_HYPERPARAMETERS, "batch_size", "max_steps", "tol", "grad_tol")

    def n_params(self) -> int:
        return len(exponents(self.model, self.degree))

    def start(self) -> np.ndarray:
        p = self.n_params()
        if self.initial is None:
            return np.zeros(p)
        init = np.asarray(self.initial, dtype=float)
        if init.shape != (p,):
            # a start for another model: keep what fits (m, b of a line for a slope w, ...), zero the rest
            out = np.zeros(p)
            k = min(p, len(init))
            out[p - k:] = init[len(init) - k:] if self.model != "slope" else init[:1]
            return out
        return init

    def runs(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((self.optimizer, *self.compare)))

    def validate(self) -> RegressionParams:
        def positive(name: str, value: float) -> None:
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise ValidationError(f"The {name} must be a positive finite number; got {value!r}.")

        if self.model not in MODELS:
            raise ValidationError(f"The model must be one of {', '.join(MODELS)}; got {self.model!r}.")
        exponents(self.model, self.degree)
        if self.cost not in COSTS:
            raise ValidationError(f"The cost must be one of {', '.join(COSTS)}; got {self.cost!r}.")
        for spec in self.runs():
            name, batch = split_run(spec)
            if name not in REGRESSION_OPTIMIZERS:
                raise ValidationError(
                    f"The optimizer must be one of {', '.join(REGRESSION_OPTIMIZERS)}; got {name!r}.")
            if batch is not None and (batch < 0 or (batch and name in LINE_SEARCHES)):
                raise ValidationError(f"A compared run's batch size must be >= 0 (0 for line searches); got {spec!r}.")
        positive("learning rate", self.learning_rate)
        positive("epsilon", self.epsilon)
        for name in ("momentum", "beta1", "beta2"):
            v = getattr(self, name)
            if name == "beta2" and v is None:
                continue
            if not (0.0 <= v < 1.0):
                raise ValidationError(f"{name} must be in [0, 1); got {v!r}.")
        if int(self.batch_size) != self.batch_size or self.batch_size < 0:
            raise ValidationError(
                f"The batch size must be 0 (full batch) or a positive integer; got {self.batch_size!r}.")
        if self.model == "sine" and "exact" in (split_run(s)[0] for s in self.runs()):
            raise ValidationError("The exact line search needs a quadratic cost; for y = sin(w·x) use backtracking "
                                  "(Armijo) or any other optimizer.")
        if self.batch_size and self.optimizer in LINE_SEARCHES:
            raise ValidationError("Line searches need the full-batch cost; set the batch size to full batch.")
        if not (isinstance(self.seed, (int, np.integer)) and not isinstance(self.seed, bool) and self.seed >= 0):
            raise ValidationError(f"The seed must be a whole number >= 0; got {self.seed!r}.")
        if int(self.max_steps) < 1:
            raise ValidationError(f"The step limit must be at least 1; got {self.max_steps!r}.")
        if self.tol < 0 or self.grad_tol < 0:
            raise ValidationError(f"Tolerances must be >= 0; got tol={self.tol!r}, grad_tol={self.grad_tol!r}.")
        start = self.start()
        if not np.isfinite(start).all():
            raise ValidationError(f"The start point must be finite; got {self.initial!r}.")
        return self
