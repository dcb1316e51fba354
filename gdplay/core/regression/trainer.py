"""RegressionTrainer: data and edits, params, the trainer protocol, sessions and the snapshot; stepping is
its mixin (steps.py), its pictures functions of it (views.py)."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from gdplay.core import state as saved
from gdplay.core.least_squares import (
    Basis,
    PowerSums,
    Quadratic,
    check_points,
    curvature_of,
    make_basis,
    parameter_names,
    scaling_for,
)
from gdplay.core.points import Add, Delete, Insert, Move, Replace
from gdplay.core.regression import views
from gdplay.core.regression.params import (
    AVERAGE_WINDOWS,
    HISTORY_CAPACITY,
    STATE_FORMAT,
    STATE_STRUCTURE,
    RegressionParams,
)
from gdplay.core.regression.results import Optimum, RegressionSnapshot, RunSnapshot
from gdplay.core.regression.run import _Run
from gdplay.core.regression.sine import SineCost
from gdplay.core.regression.steps import Stepping
from gdplay.core.state import StateError
from gdplay.core.trainer import ComparedRuns, Status, ValidationError, frozen


class RegressionTrainer(Stepping, ComparedRuns):
    """Gradient descent on a least-squares cost, stepped by ``step(k)``; see the module docstring.

    Learned state: ``coef_`` (raw units), ``theta_`` (optimisation units), ``n_iter_``, ``cost_``.
    Data: ``set_data(x, y)`` replaces the points; ``edit(command)`` applies one point command (Add, Delete,
    Move from gdplay.core.points) and updates the sums without a rescan.
    """

    def __init__(self, params: RegressionParams | None = None, history_capacity: int = HISTORY_CAPACITY) -> None:
        self.params = (params or RegressionParams()).validate()
        self.params_version = 0
        self.capacity = history_capacity
        self.x = np.empty(0)
        self.y = np.empty(0)
        self.sums = PowerSums()
        self.data_version = 0
        self._view_version = 0
        self._cache: dict[str, tuple] = {}
        self._rebuild_cost()
        self.reset()

    # -- data ------------------------------------------------------------------------------------------
    def set_data(self, x: np.ndarray, y: np.ndarray, version: int = 0) -> None:
        """New points: the run restarts from the start point."""
        x, y = check_points(x, y)
        self.x, self.y = x.copy(), y.copy()
        self.sums.rebuild(self.x, self.y)
        self.data_version = version
        self._rebuild_cost()
        self.reset()

    def edit(self, cmd, version: int = 0) -> None:
        """One point edit (Add, Insert, Delete, Move or Replace from gdplay.core.points); the sums change in
        O(degree), then the run restarts."""
        if isinstance(cmd, Replace):
            xy = np.asarray(cmd.xy, dtype=float).reshape(-1, 2)
            self.set_data(xy[:, 0], xy[:, 1], version)
            return
        if isinstance(cmd, (Add, Insert)):
            x, y = check_points(np.array([cmd.xy[0]]), np.array([cmd.xy[1]]))
            i = len(self.x) if isinstance(cmd, Add) else int(cmd.index)
            self.x, self.y = np.insert(self.x, i, x), np.insert(self.y, i, y)
            self.sums.add(float(x[0]), float(y[0]))
        elif isinstance(cmd, Delete):
            i = int(cmd.index)
            self.sums.remove(float(self.x[i]), float(self.y[i]))
            self.x, self.y = np.delete(self.x, i), np.delete(self.y, i)
        elif isinstance(cmd, Move):
            i = int(cmd.index)
            x, y = check_points(np.array([cmd.xy[0]]), np.array([cmd.xy[1]]))
            self.sums.remove(float(self.x[i]), float(self.y[i]))
            self.x = self.x.copy()
            self.y = self.y.copy()
            self.x[i], self.y[i] = x[0], y[0]
            self.sums.add(float(x[0]), float(y[0]))
        else:
            raise ValidationError(f"Not a point edit: {cmd!r}")
        if self.sums.n == 0 or self.sums.drifted():
            self.sums.rebuild(self.x, self.y)
        self.data_version = version
        self._rebuild_cost()
        self.reset()

    def _rebuild_cost(self) -> None:
        p = self.params
        self.scaling = scaling_for(p.model, self.x)
        self.basis: Basis = make_basis(p.model, p.degree, self.sums, p.scale, self.scaling)
        self.q = (SineCost(self.x, self.y, sse=p.cost == "sse") if p.model == "sine"
                  else Quadratic(self.sums, self.basis, sse=p.cost == "sse"))
        if self.sums.n:
            theta, unique = self.q.minimizer()
            self.optimum: Optimum | None = Optimum(frozen(theta), frozen(self.basis.R @ theta),
                                                   self.q.cost(theta), unique)
        else:
            self.optimum = None
        # sin(w·x) has no constant Hessian to read
        self.curvature = None if isinstance(self.q, SineCost) else curvature_of(self.q)
        self._view_version += 1
        self._data_gen = self._view_version  # cache keys: changes only with data and structure
        self._cache.clear()

    # -- params ----------------------------------------------------------------------------------------
    def set_params(self, params: RegressionParams, version: int = 0) -> None:
        params = params.validate()
        old, self.params = self.params, params
        self.params_version = version
        structural = any(getattr(old, f) != getattr(params, f) for f in params.__dataclass_fields__
                         if f not in RegressionParams.LIVE)
        if structural:
            self._rebuild_cost()
            self.reset()
            return
        for run in self.runs:
            run.set_live(params)
            if run.status is Status.MAX_STEPS and run.n_iter < params.max_steps:
                run.status = Status.TRAINING  # a raised limit lets a finished run go on
        self._update_status()

    # -- the protocol ----------------------------------------------------------------------------------
    def reset(self) -> None:
        p = self.params
        start = p.start()
        theta0 = np.linalg.solve(self.basis.R, start)  # the start is given in raw units
        self.runs = [_Run(name, theta0, p, self.capacity) for name in p.runs()]
        self.message = ""
        if self.sums.n == 0:
            self.status = Status.INVALID
            self.message = "No points yet: click on the data plot to add some."
            for run in self.runs:
                run.status, run.message = Status.INVALID, self.message
            return
        for run in self.runs:
            with np.errstate(over="ignore", invalid="ignore"):  # a start of 1e308: said below, not warned
                cost = self.q.cost(run.theta)
                grad = self.q.gradient(run.theta)
            self._record(run, 0, cost, grad, None)
            if not (math.isfinite(cost) and np.isfinite(grad).all()):
                run.status = Status.DIVERGED
                run.message = (f"The cost at the start point is {'inf' if math.isinf(cost) else 'not a number'}: "
                               f"the start ({', '.join(f'{v:g}' for v in start)}) is too far from the data for "
                               "floating point; choose a start nearer the points.")
        self.status = Status.READY
        if any(run.status is Status.DIVERGED for run in self.runs):
            self._update_status()
        opt = self.optimum
        if opt is not None and not opt.unique:
            self.message = (f"{self.sums.n} point(s) cannot pin down {self.basis.T.shape[1]} parameters "
                            "(too few points, or all x equal): every fit in a family is as good, so the "
                            "optimum is not unique.")

    # -- sessions ----------------------------------------------------------------------------------------
    def export_state(self) -> dict:
        """What the runs learned since the last reset (not the params or the data: saved apart), JSON-able."""
        p = self.params
        return {
            "kind": "regression", "format": STATE_FORMAT,
            "structure": {k: getattr(p, k) for k in STATE_STRUCTURE}, "n_points": len(self.x),
            "status": self.status.value, "message": self.message,
            "runs": [run.export_state() for run in self.runs],
        }

    def import_state(self, state: dict) -> None:
        """Go on from ``export_state``'s result, made with the params and data this trainer has now. Everything
        is checked first (StateError, with the field named); on an error the trainer is unchanged."""
        what = "The saved regression state"
        saved.check_header(state, "regression", STATE_FORMAT, what)
        saved.check_structure(state, self.params, STATE_STRUCTURE, what)
        n = len(self.x)
        n_saved = saved.field(state, "n_points", what, int)
        if n_saved != n:
            raise StateError(f"{what} is for {n_saved} points; the data has {n}.")
        status = saved.decode_status(state, what)
        if (status is Status.INVALID) != (n == 0):
            raise StateError(f"{what} has status {status.value!r}, which does not fit {n} points.")
        message = saved.field(state, "message", what, str)
        shared = None  # a session from before each run had its own generator
        if "rng" in state:
            shared = saved.decode_rng(saved.field(state, "rng", what, dict), f"{what} random generator")
        items = saved.field(state, "runs", what, list)
        specs = [saved.field(r, "spec", f"{what} run {i}", str) for i, r in enumerate(items)]
        if specs != list(self.params.runs()):
            raise StateError(f"{what} has the runs {specs}; the current settings run {list(self.params.runs())}.")
        runs = [_Run(spec, np.zeros(self.params.n_params()), self.params, self.capacity) for spec in specs]
        for i, (run, item) in enumerate(zip(runs, items)):
            run.import_state(item, f"{what} run {i} ({run.spec})", n)
            if "rng" not in item and shared is not None:
                run.rng = shared  # as it was saved: those runs shared it
        self.runs, self.status, self.message = runs, status, message

    @property
    def n_iter_(self) -> int:
        return max(run.n_iter for run in self.runs)

    @property
    def theta_(self) -> np.ndarray:
        return self.runs[0].theta

    @property
    def coef_(self) -> np.ndarray:
        return self.basis.R @ self.runs[0].theta

    @property
    def cost_(self) -> float:
        return self.q.cost(self.runs[0].theta) if self.sums.n else math.nan

    @property
    def m(self) -> float:
        return float(self.coef_[0])

    @property
    def b(self) -> float:
        return float(self.coef_[-1]) if len(self.coef_) > 1 else 0.0

    def _update_status(self) -> None:
        if self.status is Status.INVALID:
            return
        if any(run.status.can_step for run in self.runs):
            self.status = Status.TRAINING if self.n_iter_ else Status.READY
            return
        main = self.runs[0]
        self.status = main.status
        if len(self.runs) == 1:
            self.message = main.message
        else:
            self.message = "; ".join(f"{r.label}: {r.message}" for r in self.runs)
    def snapshot(self) -> RegressionSnapshot:
        with np.errstate(over="ignore", invalid="ignore"):
            return self._snapshot()

    def _snapshot(self) -> RegressionSnapshot:
        p = self.params
        names = parameter_names(p.model, p.degree)
        runs = []
        for run in self.runs:
            if self.sums.n:
                grad = self.q.gradient(run.theta)
                cost = self.q.cost(run.theta)
                dist = float(np.linalg.norm(run.theta - self.optimum.theta)) if self.optimum else math.nan
                tail = (run.n_iter, cost, dist, *(math.nan,) * len(AVERAGE_WINDOWS), *run.theta)
                if len(run.theta) == 1:
                    tail = (*tail, float(grad[0]))
                hist = run.history.rows(tail)
            else:
                grad, cost, dist = np.full(len(run.theta), math.nan), math.nan, math.nan
                hist = frozen(np.empty((0, 7 + len(run.theta))))
            runs.append(RunSnapshot(
                optimizer=run.spec, label=run.label, batch_size=self._batch(run), status=run.status,
                message=run.message,
                step=run.n_iter, theta=frozen(run.theta), coef=frozen(self.basis.R @ run.theta), cost=cost,
                gradient=frozen(grad), grad_norm=float(np.sqrt(np.sum(grad * grad))),
                distance=dist, history=hist, epoch=run.epoch, evaluations=run.evaluations))
        main = runs[0]
        message = self.message if self.status is Status.INVALID or not main.message else main.message
        if len(runs) > 1 and self.status.finished:
            message = self.message
        elif self.message and self.status is Status.READY:
            message = self.message
        return RegressionSnapshot(
            step=self.n_iter_, params_version=self.params_version, status=self.status, message=message,
            cost=main.cost, model=p.model, degree=p.degree, names=names, cost_name=p.cost, scaled=p.scale,
            scaling=self.scaling, to_raw=frozen(self.basis.R), learning_rate=p.learning_rate,
            batch_size=p.batch_size, runs=tuple(runs), optimum=self.optimum, curvature=self.curvature,
            surface_range=views.surface_range(self), data_version=self.data_version, n_points=self.sums.n,
            start_theta=frozen(np.linalg.solve(self.basis.R, np.asarray(p.start(), dtype=float))),
        )

    def with_params(self, **changes) -> RegressionParams:
        return replace(self.params, **changes)
