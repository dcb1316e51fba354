"""What the Surfaces trainer hands out: snapshots (each run's path, where it is, the curvature there) and
the pictures its views compute (f over a grid, the basins map)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gdplay.core.surfaces.critical import CriticalPoint, Curvature
from gdplay.core.surfaces.params import SurfaceParams
from gdplay.core.trainer import Snapshot, Status

DIVERGED, NOT_SETTLED = -1, -2  # basins map labels besides the index of a critical point


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
    """The runs as they are, with the params they were computed with (the window draws from these only)."""

    params: SurfaceParams
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
