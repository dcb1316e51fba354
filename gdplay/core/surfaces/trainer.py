"""SurfaceTrainer: gradient descent on a surface by ``step(k)``, one run per optimizer from one start (compare
mode), its snapshots and sessions."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from gdplay.core import state as saved
from gdplay.core.history import History
from gdplay.core.state import StateError
from gdplay.core.surfaces.catalogue import SurfaceDef, surface_def
from gdplay.core.surfaces.critical import CriticalPoint, curvature_at
from gdplay.core.surfaces.functions import Typed
from gdplay.core.surfaces.params import (
    FIELDS,
    HISTORY_CAPACITY,
    STATE_FORMAT,
    STATE_STRUCTURE,
    SurfaceParams,
    run_label,
    run_spec,
)
from gdplay.core.surfaces.results import SurfaceRun, SurfaceSnapshot
from gdplay.core.surfaces.walker import ESCAPE, Walker, noise_scale
from gdplay.core.trainer import ComparedRuns, Status, frozen


class _Run:
    """One optimizer's run: its walker (one start), noise generator, status and history."""

    def __init__(self, spec: str, sd: SurfaceDef, params: SurfaceParams, index: int, capacity: int) -> None:
        self.spec = spec
        self.name, self.noisy = run_spec(spec)
        self.label = run_label(spec)
        self.walker = Walker(sd.function, self.name, params.learning_rate, params.hyper(),
                             np.array(params.initial, dtype=np.float64).reshape(2, 1))
        self.rng = np.random.default_rng((int(params.seed), index))
        self.n_iter = 0
        self.status = Status.READY
        self.message = ""
        self.history = History(FIELDS, capacity=capacity)

    @property
    def xy(self) -> np.ndarray:
        return self.walker.P[:, 0]


class SurfaceTrainer(ComparedRuns):
    """Gradient descent on a surface, stepped by ``step(k)``: one run per optimizer in ``params.runs()``,
    all from the same start. Its pictures are gdplay.core.surfaces.views' functions, cached in ``view_cache``
    (name -> (key, picture)) until what they show changes."""

    def __init__(self, params: SurfaceParams | None = None, history_capacity: int = HISTORY_CAPACITY) -> None:
        self.params = (params or SurfaceParams()).validate()
        self.params_version = 0
        self.capacity = history_capacity
        self._view_version = 0
        self.view_cache: dict[str, tuple[tuple, Any]] = {}
        self.status = Status.READY
        self.message = ""
        self.runs: list[_Run] = []
        self._build()
        self.reset()

    def _build(self) -> None:
        p = self.params
        self.sd = surface_def(p.surface, p.formula)
        self.surface_generation = self.new_view_version()  # a cache key that changes with the surface only
        self.view_cache.clear()

    def new_view_version(self) -> int:
        """A number no picture of this trainer had before (a new picture is sent to the GUI once)."""
        self._view_version += 1
        return self._view_version

    # -- params ----------------------------------------------------------------------------------------
    def set_params(self, params: SurfaceParams, version: int = 0) -> None:
        params = params.validate()
        old, self.params = self.params, params
        self.params_version = version
        if (old.surface, old.formula) != (params.surface, params.formula):
            self._build()
            self.reset()
            return
        live = SurfaceParams.LIVE
        if any(getattr(old, f) != getattr(params, f) for f in params.__dataclass_fields__ if f not in live):
            self.reset()
            return
        for run in self.runs:
            run.walker.set_live(params.learning_rate, params.hyper())
            if run.status is Status.MAX_STEPS and run.n_iter < params.max_steps:
                run.status = Status.TRAINING  # a raised limit lets a finished run go on
        self._update_status()

    # -- the protocol ----------------------------------------------------------------------------------
    def reset(self) -> None:
        p = self.params
        self.runs = [_Run(spec, self.sd, p, k, self.capacity) for k, spec in enumerate(p.runs())]
        self.message = ""
        for run in self.runs:
            self._record(run, 0, 0.0)
        bad = self._point_problem(np.array(p.initial, dtype=np.float64))
        if bad:
            self.status = Status.INVALID
            self.message = f"The start is outside the formula's domain: {bad} Click somewhere else to start."
            for run in self.runs:
                run.status, run.message = Status.INVALID, self.message
            return
        self.status = Status.READY

    def _point_problem(self, xy: np.ndarray) -> str | None:
        if isinstance(self.sd.function, Typed):
            return self.sd.function.formula.problem(xy[0:1], xy[1:2])
        return None

    @property
    def n_iter_(self) -> int:
        return max(run.n_iter for run in self.runs)

    def _update_status(self) -> None:
        if self.status is Status.INVALID:
            return
        if any(run.status.can_step for run in self.runs):
            self.status = Status.TRAINING if self.n_iter_ else Status.READY
            self.message = ""
            return
        self.status = self.runs[0].status
        self.message = self.runs[0].message if len(self.runs) == 1 else "; ".join(
            f"{r.label}: {r.message.rstrip('.')}" for r in self.runs) + "."

    def _record(self, run: _Run, step: int, sigma: float) -> None:
        if not run.history.want(step):
            return
        x, y = run.xy
        with np.errstate(all="ignore"):
            f = float(run.walker.value()[0])
            g = run.walker.gradient()[:, 0]
        run.history.append(step, f, float(np.hypot(*g)), x, y, sigma)

    def _step_run(self, run: _Run, k: int) -> int:
        p = self.params
        limit = min(k, p.max_steps - run.n_iter)
        if limit <= 0:
            run.status = Status.MAX_STEPS
            run.message = f"Stopped at the step limit ({p.max_steps:,})."
            return 0
        with np.errstate(all="ignore"):
            taken = self._walk(run, limit)
        if run.status.can_step:
            run.status = Status.TRAINING
            if run.n_iter >= p.max_steps:
                run.status = Status.MAX_STEPS
                run.message = f"Stopped at the step limit ({p.max_steps:,})."
        return taken

    def _walk(self, run: _Run, limit: int) -> int:
        p = self.params
        w = run.walker
        (x0, x1), (y0, y1) = self.sd.window
        centre = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
        bound = ESCAPE * max(x1 - x0, y1 - y0)
        typed = isinstance(self.sd.function, Typed)
        G = w.gradient()
        n = run.n_iter
        for taken in range(1, limit + 1):
            sigma = noise_scale(p.noise, p.noise_schedule, n + taken - 1, p.max_steps) if run.noisy else 0.0
            step_g = G + sigma * run.rng.standard_normal(G.shape) if sigma > 0 else G
            before = w.P.copy()
            w.step(step_g)
            G = w.gradient()
            P = w.P[:, 0]
            gn = math.hypot(G[0, 0], G[1, 0])
            # a typed formula may be undefined where its gradient is not (log x at x < 0: ∂/∂x = 1/x)
            if not (math.isfinite(P[0]) and math.isfinite(P[1]) and math.isfinite(gn)) \
                    or np.abs(P - centre).max() > bound or (typed and not math.isfinite(float(w.value()[0]))):
                w.P = before
                run.n_iter = n + taken - 1
                self._diverged(run, n + taken, P)
                return taken - 1
            self._record(run, n + taken, sigma)
            if p.grad_tol > 0 and gn <= p.grad_tol and (not run.noisy or sigma == 0):
                run.n_iter = n + taken
                run.status = Status.CONVERGED
                f = float(w.value()[0])
                run.message = f"Converged at step {run.n_iter:,}: ‖∇f‖ ≤ {p.grad_tol:g}, f = {f:.6g}."
                return taken
        run.n_iter = n + limit
        return limit

    def _diverged(self, run: _Run, step: int, P: np.ndarray) -> None:
        run.status = Status.DIVERGED
        lr = self.params.learning_rate
        problem = self._point_problem(np.asarray(P, dtype=np.float64)) if np.isfinite(P).all() else None
        if problem:
            run.message = f"Step {step:,} left the formula's domain: {problem} The run stops at the last point."
        elif np.isfinite(P).all():
            run.message = (f"Step {step:,} ran off towards infinity (to x = {P[0]:.3g}, y = {P[1]:.3g}, over "
                           f"{ESCAPE:g} window sizes out): this surface has no floor there, or the learning rate "
                           f"{lr:g} is too large.")
        else:
            run.message = (f"Training diverged at step {step:,} (the point became inf or nan); lower the learning "
                           f"rate (now {lr:g}).")

    # -- snapshots and views ----------------------------------------------------------------------------
    def nearest(self, x: float, y: float) -> tuple[CriticalPoint, float] | None:
        pts = self.sd.points
        if not pts or not (math.isfinite(x) and math.isfinite(y)):
            return None
        d = [math.hypot(x - q.x, y - q.y) for q in pts]
        k = int(np.argmin(d))
        return pts[k], d[k]

    def snapshot(self) -> SurfaceSnapshot:
        with np.errstate(all="ignore"):
            return self._snapshot()

    def _snapshot(self) -> SurfaceSnapshot:
        p, sd = self.params, self.sd
        runs = []
        for run in self.runs:
            w = run.walker
            x, y = (float(v) for v in run.xy)
            f = float(w.value()[0])
            g = w.gradient()[:, 0]
            gn = float(np.hypot(*g))
            sigma = noise_scale(p.noise, p.noise_schedule, run.n_iter, p.max_steps) if run.noisy else 0.0
            near = self.nearest(x, y)
            runs.append(SurfaceRun(
                spec=run.spec, label=run.label, status=run.status, message=run.message, step=run.n_iter,
                xy=frozen(run.xy), cost=f, gradient=frozen(g), grad_norm=gn, curvature=curvature_at(sd.function, x, y),
                nearest="" if near is None else f"{near[0].name}, {near[1]:.3g} away",
                history=run.history.rows((run.n_iter, f, gn, x, y, sigma)), evaluations=w.evaluations))
        main = runs[0]
        message = self.message if (self.status is Status.INVALID or len(runs) > 1) else main.message
        return SurfaceSnapshot(
            params=p, step=self.n_iter_, params_version=self.params_version, status=self.status, message=message,
            cost=main.cost, surface=p.surface, title=sd.title, formula=sd.formula, text=sd.text, window=sd.window,
            points=sd.points, log_colour=sd.log_colour, learning_rate=p.learning_rate, runs=tuple(runs),
            start=(float(p.initial[0]), float(p.initial[1])))

    # -- sessions --------------------------------------------------------------------------------------------
    def export_state(self) -> dict:
        p = self.params
        runs = []
        for run in self.runs:
            opt = run.walker.opt
            runs.append({
                "spec": run.spec, "step": run.n_iter, "status": run.status.value, "message": run.message,
                "xy": saved.encode_array(run.xy), "alpha": saved.encode_array(run.walker.alpha),
                "evaluations": run.walker.evaluations, "history": saved.encode_history(run.history),
                "rng": saved.encode_rng(run.rng),
                "optimizer": None if opt is None else {
                    "t": opt.t,
                    "moments": None if opt._state is None else [saved.encode_array(a) for a in opt._state[0][:-1]]},
            })
        return {"kind": "surface", "format": STATE_FORMAT,
                "structure": {k: list(v) if isinstance(v, tuple) else v
                              for k, v in ((k, getattr(p, k)) for k in STATE_STRUCTURE)},
                "status": self.status.value, "message": self.message, "runs": runs}

    def import_state(self, state: dict) -> None:
        """Go on from ``export_state``'s result, made with the params this trainer has now; everything is
        checked first (StateError naming the field); on an error the trainer is unchanged."""
        what = "The saved surface state"
        saved.check_header(state, "surface", STATE_FORMAT, what)
        structure = saved.field(state, "structure", what, dict)
        for k in STATE_STRUCTURE:
            now = getattr(self.params, k)
            now = list(now) if isinstance(now, tuple) else now
            if structure.get(k) != now:
                raise StateError(f"{what} was made with {k}={structure.get(k)!r}; the current setting is {now!r}.")
        status = saved.decode_status(state, what)
        message = saved.field(state, "message", what, str)
        items = saved.field(state, "runs", what, list)
        specs = [saved.field(r, "spec", f"{what} run {i}", str) for i, r in enumerate(items)]
        if specs != list(self.params.runs()):
            raise StateError(f"{what} has the runs {specs}; the current settings run {list(self.params.runs())}.")
        runs = []
        for i, (spec, obj) in enumerate(zip(specs, items)):
            w = f"{what} run {i} ({spec})"
            run = _Run(spec, self.sd, self.params, i, self.capacity)
            step = saved.field(obj, "step", w, int)
            evaluations = saved.field(obj, "evaluations", w, int)
            if step < 0 or evaluations < 0:
                raise StateError(f"{w}: 'step' and 'evaluations' must be whole numbers >= 0.")
            xy = saved.decode_array(saved.field(obj, "xy", w, dict), f"{w} xy", shape=(2,), finite=True)
            alpha = saved.decode_array(saved.field(obj, "alpha", w, dict), f"{w} alpha", shape=(1,))
            history = saved.decode_history(saved.field(obj, "history", w, dict), f"{w} history", FIELDS, self.capacity)
            rng = saved.decode_rng(saved.field(obj, "rng", w, dict), f"{w} random generator")
            opt_state = saved.field(obj, "optimizer", w, (dict, type(None)))
            opt = run.walker.opt
            if (opt_state is None) != (opt is None):
                raise StateError(f"{w}: 'optimizer' does not fit a {run.name!r} run.")
            moments: list | None = None
            t = 0
            if opt is not None:
                t = saved.field(opt_state, "t", f"{w} optimizer", int)
                moments = saved.field(opt_state, "moments", f"{w} optimizer", (list, type(None)))
                if moments is not None:
                    count = len(opt._new_state(run.walker.P)) - 1
                    if len(moments) != count:
                        raise StateError(f"{w} optimizer has {len(moments)} moment arrays; {run.name!r} keeps {count}.")
                    moments = [saved.decode_array(m, f"{w} optimizer moment {j}", shape=(2, 1))
                               for j, m in enumerate(moments)]
            run.n_iter, run.status = step, saved.decode_status(obj, w)
            run.message = saved.field(obj, "message", w, str)
            run.walker.P = xy.reshape(2, 1)
            run.walker.alpha = alpha
            run.walker.evaluations = evaluations
            run.history, run.rng = history, rng
            if opt is not None:
                opt.t = t
                opt._state = None if moments is None else [(*moments, np.empty((2, 1)))]
            runs.append(run)
        self.runs, self.status, self.message = runs, status, message
