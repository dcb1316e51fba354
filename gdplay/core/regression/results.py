"""What a regression run hands out: the optimum, the snapshot of every run, and the pictures."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import numpy as np

from gdplay.core.least_squares import Curvature
from gdplay.core.regression.params import AVERAGE_WINDOWS
from gdplay.core.trainer import Snapshot, Status


def history_fields(n_params: int) -> tuple[str, ...]:
    """The columns of a run's history after the step, in order: cost, dist (‖θ - θ*‖), the moving averages
    of the per-update sample cost (avg10, avg100, avg1000), θ_0..θ_{p-1} (t0, t1, ...) and, for a
    one-parameter model, g0: dE/dw at that row's w. Sessions save these names: keep them."""
    fields = ("cost", "dist", *(f"avg{w}" for w in AVERAGE_WINDOWS), *(f"t{i}" for i in range(n_params)))
    return (*fields, "g0") if n_params == 1 else fields


@cache
def column_index(n_params: int) -> dict[str, int]:
    """Each history column's index in a row, by name ("step" first), for a model of ``n_params``."""
    return {name: i for i, name in enumerate(("step", *history_fields(n_params)))}


@dataclass(frozen=True)
class RunHistory:
    """A run's history rows (``RunSnapshot.history``) by column name: ``h.step``, ``h.cost``, ``h.theta``
    (one row per record, one column per parameter), ... ; the layout is ``history_fields``."""

    rows: np.ndarray
    n_params: int

    def __len__(self) -> int:
        return len(self.rows)

    def column(self, name: str) -> np.ndarray:
        return self.rows[:, column_index(self.n_params)[name]]

    @property
    def step(self) -> np.ndarray:
        return self.column("step")

    @property
    def cost(self) -> np.ndarray:
        return self.column("cost")

    @property
    def dist(self) -> np.ndarray:
        """‖θ - θ*‖ in optimisation units (NaN without an optimum)."""
        return self.column("dist")

    def average(self, window: int) -> np.ndarray:
        """The moving average of the per-update cost over the last ``window`` updates (NaN for full batch)."""
        return self.column(f"avg{window}")

    @property
    def theta(self) -> np.ndarray:
        """(records, parameters): θ at each recorded step, in optimisation units."""
        first = column_index(self.n_params)["t0"]
        return self.rows[:, first: first + self.n_params]

    @property
    def gradient(self) -> np.ndarray | None:
        """dE/dw at each record's w, for a one-parameter model (None otherwise: not recorded)."""
        return self.column("g0") if self.n_params == 1 else None


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
    """One optimizer's path. ``history``: rows of the step and ``history_fields`` (cost, dist, moving averages,
    θ, and for one parameter dE/dw), read by name through ``columns``."""

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

    @property
    def columns(self) -> RunHistory:
        """The history by column name: ``run.columns.cost``, ``run.columns.theta``."""
        return RunHistory(self.history, len(self.theta))


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
    def columns(self) -> RunHistory:
        """The main run's history by column name."""
        return self.runs[0].columns

    def raw_theta(self, run: RunSnapshot | None = None) -> np.ndarray:
        """A run's recorded θ (the main run's by default) in raw units: one row of coefficients per record
        (raw coefficients = to_raw @ θ)."""
        return (run or self.main).columns.theta @ np.asarray(self.to_raw).T

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
