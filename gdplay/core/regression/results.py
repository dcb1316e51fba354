"""What a regression run hands out: the optimum, the snapshot of every run, and the pictures."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gdplay.core.least_squares import Curvature
from gdplay.core.trainer import Snapshot, Status


@dataclass(frozen=True)
class Optimum:
    """The least-squares fit, in the optimisation variable (``theta``) and in raw units (``coef``)."""

    theta: np.ndarray
    coef: np.ndarray
    cost: float
    unique: bool

    @property
    def m(self) -> float:
        return float(self.coef[0])

    @property
    def b(self) -> float:
        return float(self.coef[-1])


@dataclass(frozen=True, kw_only=True)
class RunSnapshot:
    """One optimizer's path. History rows: step, cost, dist (‖θ - θ*‖), avg10, avg100, avg1000
    (moving averages of the per-update sample cost), θ_0..θ_{p-1}, and for one parameter dE/dw."""

    optimizer: str  # the run's spec: "adam", or "gd/1" with its own batch size
    label: str
    batch_size: int
    status: Status
    message: str
    step: int
    theta: np.ndarray
    coef: np.ndarray
    cost: float
    gradient: np.ndarray
    grad_norm: float  # ‖∇E‖ (inf if it overflows at the edge of a divergence)
    distance: float  # ‖θ - θ*‖ in optimisation units
    history: np.ndarray
    epoch: int = 0
    evaluations: int = 0  # cost evaluations of line searches


@dataclass(frozen=True, kw_only=True)
class RegressionSnapshot(Snapshot):
    model: str
    degree: int
    names: tuple[str, ...]
    cost_name: str
    scaled: bool
    scaling: tuple[float, float]  # (a, s) of z = (x - a)/s when scaled
    to_raw: np.ndarray  # raw coefficients = to_raw @ θ
    learning_rate: float
    batch_size: int
    runs: tuple[RunSnapshot, ...]
    optimum: Optimum | None
    curvature: Curvature | None
    surface_range: tuple[tuple[float, float], ...] | None  # a window holding start, paths and optimum
    data_version: int
    n_points: int
    start_theta: np.ndarray = field(default_factory=lambda: np.empty(0))  # where the runs start, in θ (this
    # snapshot's coordinates)
    extra: dict = field(default_factory=dict)

    @property
    def main(self) -> RunSnapshot:
        return self.runs[0]

    @property
    def theta(self) -> np.ndarray:
        return self.runs[0].theta

    @property
    def coef(self) -> np.ndarray:
        return self.runs[0].coef

    @property
    def history(self) -> np.ndarray:
        return self.runs[0].history

    @property
    def gradient(self) -> np.ndarray:
        return self.runs[0].gradient

    @property
    def m(self) -> float:  # line: slope; slope model: w
        return float(self.coef[0])

    @property
    def b(self) -> float:  # line: intercept
        return float(self.coef[-1]) if len(self.coef) > 1 else 0.0


@dataclass(frozen=True)
class Surface:
    """Cost over a grid of two parameters i, j (optimisation units): ``cost[r, c]`` at θ_j = rows[r],
    θ_i = cols[c] (row-major, x = θ_i), other parameters as in the main run now."""

    axes: tuple[int, int]
    i_range: tuple[float, float]
    j_range: tuple[float, float]
    cost: np.ndarray
    version: int


@dataclass(frozen=True)
class CostCurve:
    """J(w) for a one-parameter model."""

    w: np.ndarray
    cost: np.ndarray
    version: int


@dataclass(frozen=True)
class FitCurves:
    """Fitted curves over x for drawing: ``y[k]`` for each run k, ``optimum`` for least squares."""

    x: np.ndarray
    y: np.ndarray
    optimum: np.ndarray | None
    version: int
