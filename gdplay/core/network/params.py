"""The network's hyperparameters (NetworkParams, checked once by ``validate``) and the constants its controls
and checks share: losses, initialisations, input features, size limits."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from gdplay.core.activations import HIDDEN_ACTIVATIONS
from gdplay.core.optimizers import OPTIMIZERS, make_optimizer
from gdplay.core.trainer import ValidationError

LOSSES: tuple[str, ...] = ("mse", "xent")
INITS: tuple[str, ...] = ("zeros", "uniform", "xavier", "he")
FEATURES: tuple[str, ...] = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin x1", "sin x2")
MAX_HIDDEN_LAYERS = 6
MAX_UNITS = 32
STATE_FORMAT = 1  # export_state's layout; import_state reads only this one

# A sigmoid/tanh unit counts as saturated when its slope f'(z) is under 10% of the function's largest
# slope: σ' < 0.025 (σ < 0.026 or > 0.974, |z| > 3.6) and tanh' < 0.1 (|tanh| > 0.949, |z| > 1.8).
SATURATION_FRACTION = 0.1
_MAX_SLOPE = {"sigmoid": 0.25, "tanh": 1.0}


def _is_int(v: Any) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def _is_real(v: Any) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) and math.isfinite(v)


@dataclass(frozen=True)
class NetworkParams:
    """Hyperparameters of a network run.

    Live (the weights are kept): ``learning_rate``, ``l2``, ``batch_size``, ``optimizer`` and its
    ``momentum``/``beta1``/``beta2``/``epsilon`` (a new optimizer starts with fresh state), ``max_steps``.
    Structural (the run restarts from new weights): ``hidden``, ``activation``, ``leaky_slope``, ``loss``,
    ``init``, ``seed``, ``features``.

    ``batch_size`` 0 is full batch; b >= 1 takes batches of b rows from an order shuffled every epoch
    (1 is stochastic gradient descent). ``momentum``, ``beta1``, ``beta2``, ``epsilon`` of None take the
    optimizer's defaults (RMSProp's decay beta2 = 0.9, Adam's 0.999).
    """

    hidden: tuple[int, ...] = (4,)
    activation: str = "tanh"
    leaky_slope: float = 0.01
    loss: str = "xent"
    init: str = "xavier"
    seed: int = 0
    optimizer: str = "gd"
    learning_rate: float = 0.1
    momentum: float | None = None
    beta1: float | None = None
    beta2: float | None = None
    epsilon: float | None = None
    batch_size: int = 0
    l2: float = 0.0
    features: tuple[str, ...] = ("x1", "x2")
    max_steps: int = 100_000

    STRUCTURAL = ("hidden", "activation", "leaky_slope", "loss", "init", "seed", "features")
    LIVE = ("learning_rate", "l2", "batch_size", "optimizer", "momentum", "beta1", "beta2", "epsilon", "max_steps")

    def optimizer_hyperparameters(self) -> dict[str, float]:
        return {k: v for k in ("momentum", "beta1", "beta2", "epsilon") if (v := getattr(self, k)) is not None}

    def validate(self) -> NetworkParams:
        h = self.hidden
        if not isinstance(h, (tuple, list)) or not all(_is_int(w) for w in h):
            raise ValidationError(f"The hidden layers must be a tuple of unit counts; got {h!r}.")
        if len(h) > MAX_HIDDEN_LAYERS:
            raise ValidationError(
                f"The number of hidden layers must be between 0 and {MAX_HIDDEN_LAYERS}; got {len(h)}.")
        if any(not 1 <= w <= MAX_UNITS for w in h):
            raise ValidationError(f"Each hidden layer must have between 1 and {MAX_UNITS} units; got {tuple(h)}.")
        if self.activation not in HIDDEN_ACTIVATIONS:
            raise ValidationError(
                f"The activation must be one of {', '.join(HIDDEN_ACTIVATIONS)}; got {self.activation!r}.")
        if not _is_real(self.leaky_slope) or not 0.0 <= self.leaky_slope < 1.0:
            raise ValidationError(f"The leaky ReLU slope must be in [0, 1); got {self.leaky_slope!r}.")
        if self.loss not in LOSSES:
            raise ValidationError(f"The loss must be one of {', '.join(LOSSES)}; got {self.loss!r}.")
        if self.init not in INITS:
            raise ValidationError(f"The init must be one of {', '.join(INITS)}; got {self.init!r}.")
        if not _is_int(self.seed) or self.seed < 0:
            raise ValidationError(f"The seed must be an integer >= 0; got {self.seed!r}.")
        if self.optimizer not in OPTIMIZERS:
            raise ValidationError(f"The optimizer must be one of {', '.join(OPTIMIZERS)}; got {self.optimizer!r}.")
        make_optimizer(self.optimizer, self.learning_rate, **self.optimizer_hyperparameters())  # checks ranges
        if not _is_int(self.batch_size) or self.batch_size < 0:
            raise ValidationError(
                f"The batch size must be an integer >= 0 (0 = full batch); got {self.batch_size!r}.")
        if not _is_real(self.l2) or self.l2 < 0:
            raise ValidationError(f"The l2 penalty must be a finite number >= 0; got {self.l2!r}.")
        f = self.features
        if not isinstance(f, (tuple, list)) or not f:
            raise ValidationError(f"Pick at least one input feature from {', '.join(FEATURES)}; got {f!r}.")
        bad = [x for x in f if x not in FEATURES]
        if bad:
            raise ValidationError(f"Unknown feature {bad[0]!r}; the features are {', '.join(FEATURES)}.")
        if len(set(f)) != len(f):
            raise ValidationError(f"Each feature may appear once; got {tuple(f)}.")
        if not _is_int(self.max_steps) or self.max_steps < 1:
            raise ValidationError(f"The step limit must be an integer >= 1; got {self.max_steps!r}.")
        return self

    def structural_change(self, other: NetworkParams) -> bool:
        return any(getattr(self, k) != getattr(other, k) for k in self.STRUCTURAL)

