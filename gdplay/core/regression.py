"""Regression by gradient descent: slope y = w·x, line y = m·x + b, or a polynomial, on the mean (or sum)
of squared errors, with any of the optimizers, batch / mini-batch / stochastic updates and line searches,
and several optimizers side by side from one start (compare mode).

Plain batch gradient descent on the line is exactly the seed article's rule, from the same start:

    ∂E/∂b = -(2/N) Σ (y_i - (m x_i + b)),   ∂E/∂m = -(2/N) Σ x_i (y_i - (m x_i + b))
    b ← b - lr·∂E/∂b,   m ← m - lr·∂E/∂m

computed from sufficient statistics (see least_squares), so a step costs the same for 10 points or a
million. Stochastic and mini-batch updates use the points themselves: one shuffled pass is an epoch.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field, replace

import numpy as np

from gdplay.core import state as saved
from gdplay.core.history import History
from gdplay.core.least_squares import (
    MODELS,
    Basis,
    Curvature,
    PowerSums,
    Quadratic,
    check_points,
    curvature_of,
    exponents,
    make_basis,
    parameter_names,
    scaling_for,
)
from gdplay.core.optimizers import HYPERPARAMETERS, OPTIMIZERS, make_optimizer
from gdplay.core.points import Add, Delete, Insert, Move, Replace
from gdplay.core.state import StateError
from gdplay.core.trainer import Snapshot, Status, ValidationError, diverged_message, frozen

COSTS = ("mse", "sse")
LINE_SEARCHES = ("exact", "armijo")
REGRESSION_OPTIMIZERS = (*OPTIMIZERS, *LINE_SEARCHES)
OPTIMIZER_LABELS = {
    "gd": "gradient descent", "momentum": "momentum", "nesterov": "Nesterov", "adagrad": "AdaGrad",
    "rmsprop": "RMSProp", "adam": "Adam", "exact": "exact line search", "armijo": "backtracking (Armijo)",
}
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

    LIVE = ("learning_rate", "momentum", "beta1", "beta2", "epsilon", "batch_size", "max_steps", "tol",
            "grad_tol")

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
    start_theta: np.ndarray | None = None  # where the runs start, in θ (the coordinates of this snapshot)
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


def run_generator(seed: int, optimizer: str, batch_size: int) -> np.random.Generator:
    """The shuffling generator of one run: seeded by (seed, a stable code of the optimizer and batch size),
    so a run's order of points depends on nothing else (not on the other runs it is compared with)."""
    key = zlib.crc32(f"{optimizer}/{int(batch_size)}".encode())
    return np.random.default_rng([int(seed), key])


class _Run:
    """One optimizer's state on the shared cost."""

    def __init__(self, spec: str, theta: np.ndarray, params: RegressionParams, capacity: int) -> None:
        self.spec = spec
        name, batch = split_run(spec)
        self.name = name
        self.batch = batch  # None: the params' batch size
        self.label = run_label(spec, params.batch_size)
        self.theta = theta.astype(np.float64).copy()
        self.n_iter = 0
        self.status = Status.READY
        self.message = ""
        self.epoch = 0
        self.evaluations = 0
        self.alpha = 1.0  # armijo: last accepted step
        p = len(theta)
        fields = ("cost", "dist", "avg10", "avg100", "avg1000", *(f"t{i}" for i in range(p)))
        if p == 1:
            fields = (*fields, "g0")
        self.history = History(fields, capacity=capacity)
        self.ring = np.zeros(max(AVERAGE_WINDOWS))
        self.ring_n = 0
        self.sums = np.zeros(len(AVERAGE_WINDOWS))
        self.order: np.ndarray | None = None
        self.pos = 0
        # each run its own generator, from the seed and what the run is (optimizer and points per update):
        # the same seed gives the same run alone or compared, however its steps are chunked
        self.rng = run_generator(params.seed, name, params.batch_size if batch is None else batch)
        self.opt = None
        if name in OPTIMIZERS:
            hyper = {"momentum": params.momentum, "beta1": params.beta1, "beta2": params.beta2,
                     "epsilon": params.epsilon}
            self.opt = make_optimizer(name, params.learning_rate, **{k: v for k, v in hyper.items() if v is not None})

    def set_live(self, params: RegressionParams) -> None:
        if self.opt is not None:
            self.opt.learning_rate = params.learning_rate
            for name in ("momentum", "beta1", "beta2", "epsilon"):
                if hasattr(self.opt, name):
                    value = getattr(params, name)
                    setattr(self.opt, name, HYPERPARAMETERS[self.name].get(name, value) if value is None else value)

    def export_state(self) -> dict:
        opt = self.opt
        return {
            "spec": self.spec, "step": self.n_iter, "status": self.status.value, "message": self.message,
            "epoch": self.epoch, "evaluations": self.evaluations, "alpha": self.alpha,
            "theta": saved.encode_array(self.theta), "history": saved.encode_history(self.history),
            "ring": saved.encode_array(self.ring), "ring_n": self.ring_n, "sums": saved.encode_array(self.sums),
            "order": None if self.order is None else saved.encode_array(self.order), "pos": self.pos,
            "rng": saved.encode_rng(self.rng),
            # the optimizer's arrays but its last: scratch space (None before its first update)
            "optimizer": None if opt is None else {
                "t": opt.t,
                "moments": None if opt._state is None else [saved.encode_array(a) for a in opt._state[0][:-1]]},
        }

    def import_state(self, obj: dict, what: str, n_points: int) -> None:
        """Take a fresh run's place from ``export_state``'s result, all checked before anything changes."""
        p = len(self.theta)

        def array(key: str, **checks) -> np.ndarray:
            return saved.decode_array(saved.field(obj, key, what, dict), f"{what} {key}", **checks)

        ints = {k: saved.field(obj, k, what, int) for k in ("step", "epoch", "evaluations", "ring_n", "pos")}
        for k, v in ints.items():
            if v < 0:
                raise StateError(f"{what}: {k!r} is {v}; expected a whole number >= 0.")
        status = saved.decode_status(obj, what)
        message = saved.field(obj, "message", what, str)
        alpha = saved.field(obj, "alpha", what, float)
        if not (math.isfinite(alpha) and alpha > 0):
            raise StateError(f"{what}: 'alpha' is {alpha!r}; expected a positive finite number.")
        theta = array("theta", shape=(p,), finite=True)
        history = saved.decode_history(saved.field(obj, "history", what, dict), f"{what} history",
                                       self.history.fields, self.history.capacity)
        ring, sums = array("ring", shape=self.ring.shape), array("sums", shape=self.sums.shape)
        order = None
        if saved.field(obj, "order", what, (dict, type(None))) is not None:
            order = array("order", dtype="int64", shape=(n_points,))
            if not np.array_equal(np.sort(order), np.arange(n_points)):
                raise StateError(f"{what} order is not a shuffle of the {n_points} points.")
        if ints["pos"] > n_points:
            raise StateError(f"{what}: 'pos' is {ints['pos']}; there are {n_points} points.")
        # older sessions kept one generator for all runs (None here: the trainer hands that one over)
        rng = None
        if "rng" in obj:
            rng = saved.decode_rng(saved.field(obj, "rng", what, dict), f"{what} random generator")
        opt_state = saved.field(obj, "optimizer", what, (dict, type(None)))
        if (opt_state is None) != (self.opt is None):
            raise StateError(f"{what}: 'optimizer' does not fit a {self.name!r} run.")
        if self.opt is not None:
            t = saved.field(opt_state, "t", f"{what} optimizer", int)
            moments = saved.field(opt_state, "moments", f"{what} optimizer", (list, type(None)))
            if moments is not None:
                count = len(self.opt._new_state(self.theta)) - 1
                if len(moments) != count:
                    raise StateError(f"{what} optimizer has {len(moments)} moment arrays; {self.name!r} keeps {count}.")
                moments = [saved.decode_array(m, f"{what} optimizer moment {i}", shape=(p,))
                           for i, m in enumerate(moments)]
        # everything is checked: adopt it
        self.n_iter, self.epoch, self.evaluations = ints["step"], ints["epoch"], ints["evaluations"]
        self.ring_n, self.pos = ints["ring_n"], ints["pos"]
        self.status, self.message, self.alpha = status, message, alpha
        self.theta, self.history, self.ring, self.sums, self.order = theta, history, ring, sums, order
        if rng is not None:
            self.rng = rng
        if self.opt is not None:
            self.opt.t = t
            self.opt._state = None if moments is None else [(*moments, np.empty(p))]

    def averages(self, sample_cost: float) -> tuple[float, ...]:
        """Moving averages of the per-update cost over the last 10, 100, 1000 updates."""
        i = self.ring_n % len(self.ring)
        old = self.ring[i]
        self.ring[i] = sample_cost
        self.ring_n += 1
        out = []
        for k, w in enumerate(AVERAGE_WINDOWS):
            self.sums[k] += sample_cost
            if self.ring_n > w:
                self.sums[k] -= self.ring[(self.ring_n - 1 - w) % len(self.ring)] if w < len(self.ring) else old
            out.append(self.sums[k] / min(self.ring_n, w))
        return tuple(out)


class RegressionTrainer:
    """Gradient descent on a least-squares cost, stepped by ``step(k)``; see the module docstring.

    Learned state: ``coef_`` (raw units), ``theta_`` (optimisation units), ``n_iter_``, ``cost_``.
    Data: ``set_data(x, y)`` replaces the points; ``edit(command)`` applies one point command (Add, Delete,
    Move from gdplay.core.points) and updates the sums without a rescan.
    """

    SURFACE_SHAPE = (160, 160)

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
        self.q = Quadratic(self.sums, self.basis, sse=p.cost == "sse")
        if self.sums.n:
            theta, unique = self.q.minimizer()
            self.optimum: Optimum | None = Optimum(frozen(theta), frozen(self.basis.R @ theta),
                                                   self.q.cost(theta), unique)
        else:
            self.optimum = None
        self.curvature = curvature_of(self.q)
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

    def step(self, k: int) -> int:
        """Take up to ``k`` steps on every run that can still step; returns the most any run took."""
        if not self.status.can_step or k <= 0:
            return 0
        self.status = Status.TRAINING
        taken = 0
        for run in self.runs:
            if run.status.can_step:
                taken = max(taken, self._step_run(run, k))
        self._update_status()
        return taken

    def fit(self) -> RegressionTrainer:
        while self.status.can_step:
            if self.step(100_000) == 0:
                break
        return self

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

    # -- one run ---------------------------------------------------------------------------------------
    def _record(self, run: _Run, step: int, cost: float, grad: np.ndarray, sample_cost: float | None) -> None:
        # moving averages only mean something for stochastic and mini-batch updates, and average only their
        # per-update costs: the start's full-batch cost (``sample_cost`` None at step 0) is not one of them
        if self._batch(run) and sample_cost is not None:
            avgs = run.averages(sample_cost)
        else:
            avgs = (math.nan,) * len(AVERAGE_WINDOWS)
        if not run.history.want(step):
            return
        # hypot scales before squaring: an optimum near 1e154 (x spread 1e-150) gives a finite distance, not an
        # overflow warning
        dist = math.hypot(*(run.theta - self.optimum.theta)) if self.optimum is not None else math.nan
        row = (cost, dist, *avgs, *run.theta)
        if len(run.theta) == 1:
            row = (*row, float(grad[0]))
        run.history.append(step, *row)

    def _finish(self, run: _Run, status: Status, cost: float) -> None:
        run.status = status
        if status is Status.CONVERGED:
            run.message = f"Converged at step {run.n_iter} (cost {cost:.6g})."
        elif status is Status.MAX_STEPS:
            run.message = f"Stopped at the step limit ({self.params.max_steps:,})."

    def _diverged(self, run: _Run, step: int, value: float) -> None:
        run.status = Status.DIVERGED
        lr = self.params.learning_rate
        run.message = diverged_message(step, "cost", value, lr)

    def _batch(self, run: _Run) -> int:
        return int(self.params.batch_size if run.batch is None else run.batch)

    def _step_run(self, run: _Run, k: int) -> int:
        p = self.params
        limit = min(k, p.max_steps - run.n_iter)
        if limit <= 0:
            self._finish(run, Status.MAX_STEPS, self.q.cost(run.theta))
            return 0
        if run.name == "gd" and self._batch(run) == 0 and len(run.theta) == 2:
            taken = self._gd_two(run, limit)
        else:
            taken = self._step_general(run, limit)
        if not self._batch(run):
            run.epoch = run.n_iter  # full batch: every step is one pass over the points
        if run.status.can_step:
            run.status = Status.TRAINING
            if run.n_iter >= p.max_steps:
                self._finish(run, Status.MAX_STEPS, self.q.cost(run.theta))
        return taken

    def _gd_two(self, run: _Run, limit: int) -> int:
        """Plain batch gradient descent for two parameters in Python floats: about a million steps a second.

        It iterates β̃ = Tθ - e₀ instead of θ: the step θ ← θ - lr·Tᵀu with u = 2(Gβ̃ - h) is
        β̃ ← β̃ - lr·(T Tᵀ)u, the same walk in fewer operations; θ is recovered when recorded."""
        q, p = self.q, self.params
        T = q.T
        Tinv = np.linalg.inv(T)
        (m00, m01), (_, m11) = (T @ T.T).tolist()
        (t00, t01), (t10, t11) = T.tolist()
        (g00, g01), (_, g11) = q.G.tolist()
        h0, h1 = q.h.tolist()
        c, f = q.c, q.factor
        lr, tol, grad_tol = float(p.learning_rate), p.tol, p.grad_tol
        b0, b1 = q.residual_coef(run.theta).tolist()
        cost = (b0 * (g00 * b0 + 2 * g01 * b1) + g11 * b1 * b1 - 2 * (b0 * h0 + b1 * h1) + c) * f
        hist, isfinite, hypot = run.history, math.isfinite, math.hypot
        n = run.n_iter
        taken = 0
        status = None

        def theta_of(b0: float, b1: float) -> np.ndarray:
            return Tinv @ (np.array((b0, b1)) + q.e0)

        while taken < limit:
            u0 = 2 * f * (g00 * b0 + g01 * b1 - h0)
            u1 = 2 * f * (g01 * b0 + g11 * b1 - h1)
            c0 = b0 - lr * (m00 * u0 + m01 * u1)
            c1 = b1 - lr * (m01 * u0 + m11 * u1)
            new_cost = (c0 * (g00 * c0 + 2 * g01 * c1) + g11 * c1 * c1 - 2 * (c0 * h0 + c1 * h1) + c) * f
            if not (isfinite(new_cost) and isfinite(c0) and isfinite(c1)):
                self._diverged(run, n + taken + 1, new_cost if not isfinite(new_cost) else math.inf)
                break
            taken += 1
            b0, b1 = c0, c1
            old, cost = cost, max(new_cost, 0.0)
            if (n + taken) % hist.stride == 0:
                run.theta[:] = theta_of(b0, b1)
                self._record(run, n + taken, cost, q.gradient(run.theta), cost)
            if tol > 0 and abs(old - cost) <= tol * max(abs(old), 1e-300):
                status = Status.CONVERGED
                break
            if grad_tol > 0:
                # ∇θ = Tᵀu at the new point
                u0 = 2 * f * (g00 * b0 + g01 * b1 - h0)
                u1 = 2 * f * (g01 * b0 + g11 * b1 - h1)
                if hypot(t00 * u0 + t10 * u1, t01 * u0 + t11 * u1) <= grad_tol:
                    status = Status.CONVERGED
                    break
        run.theta[:] = theta_of(b0, b1)
        run.n_iter = n + taken
        if status is not None:
            self._finish(run, status, cost)
        return taken

    def _batch_gradient(self, run: _Run, size: int) -> tuple[np.ndarray, float]:
        """The gradient and cost on the next ``size`` points of this epoch's shuffled order."""
        n = len(self.x)
        if run.order is None or run.pos >= n:
            run.order = run.rng.permutation(n)
            run.pos = 0
        idx = run.order[run.pos: run.pos + size]
        run.pos += len(idx)
        if run.pos >= n:  # an epoch is a completed pass over the points (as in the network trainer)
            run.epoch += 1
        s = self.sums
        u = (self.x[idx] - s.x_ref) / s.s_ref
        phi = np.vander(u, self.basis.D + 1, increasing=True)
        r = (self.y[idx] - s.y_ref) - phi @ self.q.residual_coef(run.theta)
        f = self.q.factor
        grad = -2.0 * f * (self.q.T.T @ (phi.T @ r)) / len(idx)
        return grad, float(r @ r) / len(idx) * f

    def _step_general(self, run: _Run, limit: int) -> int:
        # overflow is expected when a run diverges; it is caught by the finiteness checks below
        with np.errstate(over="ignore", invalid="ignore"):
            return self._step_general_unchecked(run, limit)

    def _step_general_unchecked(self, run: _Run, limit: int) -> int:
        q, p = self.q, self.params
        batch = self._batch(run)
        n = run.n_iter
        cost = q.cost(run.theta)
        here = None  # the full gradient at the current θ, once computed
        for taken in range(1, limit + 1):
            if batch:
                grad, sample = self._batch_gradient(run, min(batch, len(self.x)))
            else:
                grad = here if here is not None else q.gradient(run.theta)
                sample = cost
            theta_before = run.theta.copy()
            if run.name == "exact":
                # for a quadratic the best step along -g is α = gᵀg / gᵀHg
                curv = float(grad @ q.H @ grad)
                alpha = float(grad @ grad) / curv if curv > 0 else 0.0
                run.theta -= alpha * grad
                run.evaluations += 1
            elif run.name == "armijo":
                g2 = float(grad @ grad)
                alpha = min(run.alpha * 2.0, 1e12)
                for _ in range(200):
                    run.evaluations += 1
                    if q.cost(run.theta - alpha * grad) <= cost - ARMIJO_C * alpha * g2:
                        break
                    alpha *= ARMIJO_SHRINK
                run.alpha = alpha
                run.theta -= alpha * grad
            elif run.opt is not None and run.name != "gd":
                run.opt.step(run.theta, grad)
            else:
                run.theta -= p.learning_rate * grad
            new_cost = q.cost(run.theta)
            if not (math.isfinite(new_cost) and np.isfinite(run.theta).all()):
                run.theta[:] = theta_before
                self._diverged(run, n + taken, new_cost if not math.isfinite(new_cost) else math.inf)
                run.n_iter = n + taken - 1
                return taken - 1
            old, cost = cost, new_cost
            # the row pairs θ_k with the gradient *at θ_k* (the step's own gradient belongs to θ_(k-1)): a
            # tangent drawn from it touches the curve at w_k; the next full-batch step reuses it
            here = full_grad = q.gradient(run.theta)
            self._record(run, n + taken, cost, full_grad, sample)
            if p.tol > 0 and not batch and abs(old - cost) <= p.tol * max(abs(old), 1e-300):
                run.n_iter = n + taken
                self._finish(run, Status.CONVERGED, cost)
                return taken
            if p.grad_tol > 0 and float(np.linalg.norm(full_grad)) <= p.grad_tol:
                run.n_iter = n + taken
                self._finish(run, Status.CONVERGED, cost)
                return taken
        run.n_iter = n + limit
        return limit

    # -- pictures --------------------------------------------------------------------------------------
    def surface_range(self) -> tuple[tuple[float, float], ...] | None:
        """Per parameter, a window that holds the start, the optimum and the finite part of the paths."""
        if self.sums.n == 0:
            return None
        start = np.linalg.solve(self.basis.R, self.params.start())
        # a start whose cost overflows (1e308) is left out: the window could not hold it and the optimum too
        far = self.runs[0].status is Status.DIVERGED and self.runs[0].n_iter == 0
        pts = [] if far and self.optimum is not None else [start[None, :]]
        if self.optimum is not None:
            pts.append(self.optimum.theta[None, :])
        base = np.vstack(pts)
        lo, hi = base.min(axis=0), base.max(axis=0)
        span = np.maximum(hi - lo, 1e-3 * np.maximum(np.abs(hi), 1.0))
        p = len(start)
        with np.errstate(over="ignore", invalid="ignore"):
            return self._grow_window(lo, hi, span, p)

    def _grow_window(self, lo: np.ndarray, hi: np.ndarray, span: np.ndarray, p: int) -> tuple:
        for run in self.runs:
            path = run.history.rows()[:, 6: 6 + p]
            ok = path[np.isfinite(path).all(axis=1)]
            if len(ok):
                # grow to hold the path, but not without bound: a diverging path would squash the picture
                lo = np.maximum(np.minimum(lo, ok.min(axis=0)), lo - 4 * span)
                hi = np.minimum(np.maximum(hi, ok.max(axis=0)), hi + 4 * span)
        span = np.maximum(hi - lo, span)
        pad = 0.15 * span
        big = np.finfo(np.float64).max / 4  # a window of a path near 1e308 stays finite, and so does its width
        return tuple((float(np.clip(a - d, -big, big)), float(np.clip(b + d, -big, big)))
                     for a, b, d in zip(lo, hi, pad))

    def surface(self, axes: tuple[int, int], i_range: tuple[float, float], j_range: tuple[float, float],
                shape: tuple[int, int] = SURFACE_SHAPE) -> Surface | None:
        """The cost over θ_i × θ_j (optimisation units) through the main run's other parameters."""
        if self.sums.n == 0 or len(self.runs[0].theta) < 2:
            return None
        i, j = axes
        theta = self.runs[0].theta
        key = (axes, tuple(i_range), tuple(j_range), tuple(shape), self._data_gen,
               tuple(np.delete(theta, [i, j])))
        hit = self._cache.get("surface")
        if hit is not None and hit[0] == key:
            return hit[1]
        vi = np.linspace(*i_range, shape[1])
        vj = np.linspace(*j_range, shape[0])
        self._view_version += 1
        with np.errstate(over="ignore", invalid="ignore"):
            grid = self.q.cost_grid(theta, i, j, vi, vj)
        s = Surface((i, j), tuple(i_range), tuple(j_range), frozen(grid), self._view_version)
        self._cache["surface"] = (key, s)
        return s

    def cost_curve(self, w_range: tuple[float, float], n: int = 400) -> CostCurve | None:
        """J(w) for the one-parameter model."""
        if self.sums.n == 0 or len(self.runs[0].theta) != 1:
            return None
        key = (tuple(w_range), n, self._data_gen)
        hit = self._cache.get("curve")
        if hit is not None and hit[0] == key:
            return hit[1]
        w = np.linspace(*w_range, n)
        q = self.q
        B = q.T[:, 0][None, :] * w[:, None] - q.e0[None, :]  # β̃ for each w
        z = np.maximum(np.einsum("ni,ij,nj->n", B, q.G, B) - 2 * B @ q.h + q.c, 0.0) * q.factor
        self._view_version += 1
        c = CostCurve(frozen(w), frozen(z), self._view_version)
        self._cache["curve"] = (key, c)
        return c

    def fit_curves(self, x_range: tuple[float, float], n: int = 200) -> FitCurves | None:
        """The runs' fitted curves and the least-squares curve over x, evaluated in the accurate basis."""
        if self.sums.n == 0:
            return None
        xs = np.linspace(*x_range, n if self.params.model == "poly" else 2)
        s = self.sums
        phi = np.vander((xs - s.x_ref) / s.s_ref, self.basis.D + 1, increasing=True)
        with np.errstate(over="ignore", invalid="ignore"):  # a run that diverged (or started at 1e308)
            ys = np.array([s.y_ref + phi @ self.q.residual_coef(run.theta) for run in self.runs])
        opt = s.y_ref + phi @ self.q.residual_coef(self.optimum.theta) if self.optimum is not None else None
        self._view_version += 1
        return FitCurves(frozen(xs), frozen(ys), None if opt is None else frozen(opt), self._view_version)

    def residuals(self) -> np.ndarray:
        """(x, y, fitted y) of every point for the main run, as rows."""
        s = self.sums
        phi = np.vander((self.x - s.x_ref) / s.s_ref, self.basis.D + 1, increasing=True)
        with np.errstate(over="ignore", invalid="ignore"):
            fitted = s.y_ref + phi @ self.q.residual_coef(self.runs[0].theta) if len(self.x) else np.empty(0)
        return frozen(np.column_stack([self.x, self.y, fitted]))

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
            surface_range=self.surface_range(), data_version=self.data_version, n_points=self.sums.n,
            start_theta=frozen(np.linalg.solve(self.basis.R, np.asarray(p.start(), dtype=float))),
        )

    def with_params(self, **changes) -> RegressionParams:
        return replace(self.params, **changes)
