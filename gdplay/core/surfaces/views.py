"""The pictures the Surfaces tab asks for, computed in the training process next to the trainer
(``controller.set_view(name, fn, ...)``): f over the visible window, and the basins map. Each is cached in
the trainer until what it shows changes, so a view asked for with every snapshot costs nothing between."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from gdplay.core.surfaces.basins import basins
from gdplay.core.surfaces.functions import Typed
from gdplay.core.surfaces.params import run_spec
from gdplay.core.surfaces.results import BasinsMap, SurfaceGrid
from gdplay.core.trainer import frozen

if TYPE_CHECKING:
    from gdplay.core.surfaces.trainer import SurfaceTrainer

GRID_SHAPE = (160, 160)
T = TypeVar("T")


def _cached(trainer: SurfaceTrainer, name: str, key: tuple, make: Callable[[int], T]) -> T:
    """The picture ``name`` for ``key``: the cached one, or ``make(version)`` with a new version."""
    hit = trainer.view_cache.get(name)
    if hit is not None and hit[0] == key:
        return hit[1]
    picture = make(trainer.new_view_version())
    trainer.view_cache[name] = (key, picture)
    return picture


def _pair(r: Sequence[float]) -> tuple[float, float]:
    return float(r[0]), float(r[1])


def surface_grid(trainer: SurfaceTrainer, x_range: Sequence[float], y_range: Sequence[float],
                 shape: tuple[int, int] = GRID_SHAPE) -> SurfaceGrid:
    """f over x_range × y_range (rows: y), with a sentence on where it is undefined, if anywhere."""
    xr, yr = _pair(x_range), _pair(y_range)
    fn = trainer.sd.function

    def make(version: int) -> SurfaceGrid:
        X, Y = np.meshgrid(np.linspace(*xr, shape[1]), np.linspace(*yr, shape[0]))
        with np.errstate(all="ignore"):
            values = np.array(np.broadcast_to(fn.value(X, Y), X.shape), dtype=np.float64)
        problem = None
        if isinstance(fn, Typed) and not np.isfinite(values).all():
            problem = fn.formula.problem(X, Y)
        return SurfaceGrid(frozen(values), xr, yr, problem, version)

    return _cached(trainer, "grid", (xr, yr, tuple(shape), trainer.surface_generation), make)


def basins_map(trainer: SurfaceTrainer, x_range: Sequence[float], y_range: Sequence[float],
               n: int = 150) -> BasinsMap:
    """The basins map of the main run's optimizer at the current learning rate (cached until either, the
    hyperparameters, the basins' step limit, the window or the surface change)."""
    p = trainer.params
    name = run_spec(p.main_spec())[0]
    xr, yr = _pair(x_range), _pair(y_range)
    key: tuple[Any, ...] = (xr, yr, int(n), trainer.surface_generation, name, p.learning_rate,
                            tuple(p.hyper().items()), p.basins_steps)

    def make(version: int) -> BasinsMap:
        b = basins(trainer.sd, name, p.learning_rate, p.hyper(), xr, yr, int(n), p.basins_steps)
        return replace(b, version=version)

    return _cached(trainer, "basins", key, make)
