"""Linear regression y = m*x + b fitted by gradient descent on the mean squared error.

Everything is computed from sufficient statistics taken about the data's mean (count, means, centred
second moments), so a step, the cost surface and the closed form cost the same for 10 points or a
million, and coordinates of 1e9 do not cancel away the answer.

With r = ȳ - m·x̄ - b (the mean residual) and v_xx, v_xy, v_yy the centred second moments / N:

    E(m, b)  = (1/N) Σ (y_i - (m x_i + b))²  = v_yy - 2 m v_xy + m² v_xx + r²
    ∂E/∂m    = -(2/N) Σ x_i (y_i - (m x_i + b)) = -2 (v_xy - m v_xx + x̄ r)
    ∂E/∂b    = -(2/N) Σ (y_i - (m x_i + b))     = -2 r

The update is the one in the seed article: b -= lr·∂E/∂b, m -= lr·∂E/∂m (both from the old m, b).
The sum of squared errors (cost="sse") is N times all of the above.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from gdplay.core.history import History
from gdplay.core.trainer import Snapshot, Status, ValidationError, diverged_message, frozen

COSTS = ("mse", "sse")


@dataclass(frozen=True)
class SufficientStats:
    """Count, means and centred second moments (sums of squares about the mean) of the points."""

    n: int = 0
    mean_x: float = 0.0
    mean_y: float = 0.0
    sxx: float = 0.0  # Σ (x - x̄)²
    sxy: float = 0.0  # Σ (x - x̄)(y - ȳ)
    syy: float = 0.0  # Σ (y - ȳ)²
    ptp_x: float = 0.0  # max(x) - min(x): all-equal x is ptp 0, which std can miss (it gives ~2e-16)

    @classmethod
    def from_points(cls, x: np.ndarray, y: np.ndarray) -> SufficientStats:
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        if x.shape != y.shape or x.ndim != 1:
            raise ValidationError(f"x and y must be 1-D arrays of one length; got shapes {x.shape} and {y.shape}")
        if len(x) == 0:
            return cls()
        if not (np.isfinite(x).all() and np.isfinite(y).all()):
            raise ValidationError("The points contain NaN or infinity; every coordinate must be a finite number.")
        mx, my = float(x.mean()), float(y.mean())
        dx, dy = x - mx, y - my
        return cls(
            n=len(x), mean_x=mx, mean_y=my,
            sxx=float(dx @ dx), sxy=float(dx @ dy), syy=float(dy @ dy),
            ptp_x=float(np.ptp(x)),
        )

    def moments(self) -> tuple[float, float, float]:
        """(v_xx, v_xy, v_yy): the centred second moments divided by N."""
        n = max(self.n, 1)
        return self.sxx / n, self.sxy / n, self.syy / n


def mse(stats: SufficientStats, m: np.ndarray | float, b: np.ndarray | float) -> np.ndarray | float:
    """Mean squared error at (m, b); broadcasts, so a whole grid costs O(grid), not O(grid·N)."""
    vxx, vxy, vyy = stats.moments()
    r = stats.mean_y - m * stats.mean_x - b
    return vyy - 2.0 * m * vxy + m * m * vxx + r * r


def mse_gradient(stats: SufficientStats, m: float, b: float) -> tuple[float, float]:
    """(∂E/∂m, ∂E/∂b) of the mean squared error."""
    vxx, vxy, _ = stats.moments()
    r = stats.mean_y - m * stats.mean_x - b
    return -2.0 * (vxy - m * vxx + stats.mean_x * r), -2.0 * r


def mse_hessian(stats: SufficientStats) -> np.ndarray:
    """The (constant) Hessian of the MSE over (m, b): 2·[[mean x², x̄], [x̄, 1]]."""
    vxx, _, _ = stats.moments()
    mx = stats.mean_x
    return 2.0 * np.array([[vxx + mx * mx, mx], [mx, 1.0]])


@dataclass(frozen=True)
class Optimum:
    """The least-squares line. When all x are equal it is not unique; this is the one of least norm."""

    m: float
    b: float
    cost: float
    unique: bool


def closed_form(stats: SufficientStats) -> Optimum | None:
    if stats.n == 0:
        return None
    vxx, vxy, _ = stats.moments()
    # all x equal (ptp, not std: std of equal floats can be 2e-16), or a spread so small its square underflows
    if stats.ptp_x == 0 or not vxx > 0 or not math.isfinite(vxy / vxx):
        # every line through (x0, ȳ) fits; least-norm solution of m·x0 + b = ȳ
        x0 = stats.mean_x
        scale = stats.mean_y / (x0 * x0 + 1.0)
        m, b = x0 * scale, scale
        return Optimum(m, b, float(mse(stats, m, b)), unique=False)
    m = vxy / vxx
    b = stats.mean_y - m * stats.mean_x
    return Optimum(m, b, max(float(mse(stats, m, b)), 0.0), unique=True)


@dataclass(frozen=True)
class Curvature:
    """What the Hessian says about step sizes: constant-step GD diverges past ``lr_edge`` = 2/λ_max and is
    fastest at ``lr_best`` = 2/(λ_min + λ_max); ``condition`` = λ_max/λ_min is how long the valley is."""

    lambda_min: float
    lambda_max: float
    lr_edge: float
    lr_best: float
    condition: float


def curvature(stats: SufficientStats, cost: str = "mse") -> Curvature | None:
    if stats.n == 0:
        return None
    h = mse_hessian(stats) * (stats.n if cost == "sse" else 1.0)
    lo, hi = (float(v) for v in np.linalg.eigvalsh(h))
    lo = max(lo, 0.0)
    return Curvature(
        lambda_min=lo, lambda_max=hi, lr_edge=2.0 / hi, lr_best=2.0 / (lo + hi),
        condition=hi / lo if lo > 0 else math.inf,
    )


@dataclass(frozen=True)
class RegressionParams:
    """Hyperparameters of a regression run. ``learning_rate``, ``max_steps`` and the tolerances apply live;
    ``initial`` and ``cost`` restart the run."""

    learning_rate: float = 1e-4
    initial: tuple[float, float] = (-1.0, 0.0)  # (m0, b0)
    max_steps: int = 2000
    tol: float = 0.0  # stop when |ΔE| <= tol·E
    grad_tol: float = 0.0  # stop when ‖∇E‖ <= grad_tol
    cost: str = "mse"

    def validate(self) -> RegressionParams:
        lr = self.learning_rate
        if not (isinstance(lr, (int, float)) and math.isfinite(lr) and lr > 0):
            raise ValidationError(f"The learning rate must be a positive finite number; got {lr!r}.")
        if not all(math.isfinite(v) for v in self.initial):
            raise ValidationError(f"The start point must be finite; got {self.initial!r}.")
        if int(self.max_steps) < 1:
            raise ValidationError(f"The step limit must be at least 1; got {self.max_steps!r}.")
        if self.tol < 0 or self.grad_tol < 0:
            raise ValidationError(f"Tolerances must be >= 0; got tol={self.tol!r}, grad_tol={self.grad_tol!r}.")
        if self.cost not in COSTS:
            raise ValidationError(f"The cost must be one of {', '.join(COSTS)}; got {self.cost!r}.")
        return self


@dataclass(frozen=True)
class Surface:
    """The cost over a grid of (m, b): ``cost[i, j]`` is at b = b_values[i], m = m_values[j] (row-major)."""

    m_range: tuple[float, float]
    b_range: tuple[float, float]
    cost: np.ndarray
    version: int


@dataclass(frozen=True, kw_only=True)
class RegressionSnapshot(Snapshot):
    m: float
    b: float
    gradient: tuple[float, float]
    learning_rate: float
    history: np.ndarray  # rows of (step, m, b, cost)
    optimum: Optimum | None
    curvature: Curvature | None
    surface: Surface | None
    data_version: int
    n_points: int
    cost_name: str = "mse"
    extra: dict = field(default_factory=dict)


def cost_surface(stats: SufficientStats, m_range: tuple[float, float], b_range: tuple[float, float],
                 shape: tuple[int, int] = (200, 200), cost: str = "mse") -> np.ndarray:
    """The cost on a (len b, len m) grid, from the sufficient statistics alone."""
    m = np.linspace(*m_range, shape[1])
    b = np.linspace(*b_range, shape[0])
    z = mse(stats, m[None, :], b[:, None])
    if cost == "sse":
        z = z * stats.n
    return np.maximum(z, 0.0)


class RegressionTrainer:
    """Batch gradient descent for y = m*x + b, stepped by ``step(k)``.

    Learned state: ``coef_`` (m, b), ``n_iter_``, ``cost_`` and the ``history_`` of the path.
    """

    SURFACE_SHAPE = (160, 160)

    def __init__(self, params: RegressionParams | None = None, history_capacity: int = 4096) -> None:
        self.params = (params or RegressionParams()).validate()
        self.params_version = 0
        self.history_ = History(("m", "b", "cost"), capacity=history_capacity)
        self.stats = SufficientStats()
        self.data_version = 0
        self._surface: Surface | None = None
        self._surface_version = 0
        self.reset()

    # -- data and params ---------------------------------------------------------------------------
    def set_data(self, x: np.ndarray, y: np.ndarray, version: int = 0) -> None:
        """New points: the run restarts from the start point."""
        self.stats = SufficientStats.from_points(x, y)
        self.data_version = version
        self._surface = None
        self.reset()

    def set_params(self, params: RegressionParams, version: int = 0) -> None:
        params = params.validate()
        old, self.params = self.params, params
        self.params_version = version
        if params.initial != old.initial or params.cost != old.cost:
            self._surface = None
            self.reset()
        elif self.status is Status.MAX_STEPS and self.n_iter_ < params.max_steps:
            self.status = Status.TRAINING  # a raised limit lets a finished run go on

    # -- the protocol --------------------------------------------------------------------------------
    def reset(self) -> None:
        self.m, self.b = (float(v) for v in self.params.initial)
        self.n_iter_ = 0
        self.history_.clear()
        self.message = ""
        if self.stats.n == 0:
            self.status = Status.INVALID
            self.message = "No points yet: click on the data plot to add some (a line needs at least one)."
            self.cost_ = math.nan
            self.grad_ = (math.nan, math.nan)
            return
        self.status = Status.READY
        self.cost_ = self._cost(self.m, self.b)
        self.grad_ = self._gradient(self.m, self.b)
        self.history_.append(0, self.m, self.b, self.cost_)
        opt = closed_form(self.stats)
        if opt is not None and not opt.unique:
            self.message = (
                f"All points have (nearly) the same x ({self.stats.mean_x:g}), so every line through "
                f"({self.stats.mean_x:g}, {self.stats.mean_y:g}) fits equally well: the optimum is not unique."
            )

    @property
    def coef_(self) -> tuple[float, float]:
        return self.m, self.b

    def _scale(self) -> float:
        return float(self.stats.n) if self.params.cost == "sse" else 1.0

    def _cost(self, m: float, b: float) -> float:
        return max(float(mse(self.stats, m, b)), 0.0) * self._scale()

    def _gradient(self, m: float, b: float) -> tuple[float, float]:
        gm, gb = mse_gradient(self.stats, m, b)
        s = self._scale()
        return gm * s, gb * s

    def step(self, k: int) -> int:
        """Take up to ``k`` steps of batch gradient descent; returns how many were taken."""
        if not self.status.can_step or k <= 0:
            return 0
        self.status = Status.TRAINING
        p = self.params
        lr, tol, grad_tol = float(p.learning_rate), p.tol, p.grad_tol
        s = self._scale()
        vxx, vxy, vyy = self.stats.moments()
        mx, my = self.stats.mean_x, self.stats.mean_y
        vxx, vxy, vyy = vxx * s, vxy * s, vyy * s
        m, b, cost = self.m, self.b, self.cost_
        hist = self.history_
        n = self.n_iter_
        limit = min(k, p.max_steps - n)
        isfinite = math.isfinite
        taken = 0
        status = Status.TRAINING
        while taken < limit:
            # gradient at the current (m, b), scaled for the chosen cost
            r = my - m * mx - b
            gm = -2.0 * (vxy - m * vxx + mx * r * s)
            gb = -2.0 * r * s
            new_m = m - lr * gm
            new_b = b - lr * gb
            r = my - new_m * mx - new_b
            new_cost = vyy - 2.0 * new_m * vxy + new_m * new_m * vxx + r * r * s
            if not (isfinite(new_cost) and isfinite(new_m) and isfinite(new_b)):
                status = Status.DIVERGED
                bad = new_cost if not isfinite(new_cost) else (new_m if not isfinite(new_m) else new_b)
                self.message = diverged_message(n + taken + 1, "cost", bad, lr)
                break
            taken += 1
            step_no = n + taken
            if step_no % hist.stride == 0:
                hist.append(step_no, new_m, new_b, max(new_cost, 0.0))
            old_cost = cost
            m, b, cost = new_m, new_b, max(new_cost, 0.0)
            if tol > 0 and abs(old_cost - cost) <= tol * max(abs(old_cost), 1e-300):
                status = Status.CONVERGED
                break
            if grad_tol > 0 and math.hypot(gm, gb) <= grad_tol:
                status = Status.CONVERGED
                break
        self.m, self.b, self.cost_ = m, b, cost
        self.n_iter_ = n + taken
        self.grad_ = self._gradient(m, b)
        if status is Status.CONVERGED:
            self.message = f"Converged at step {self.n_iter_} (cost {cost:.6g})."
        elif status is Status.TRAINING and self.n_iter_ >= p.max_steps:
            status = Status.MAX_STEPS
            self.message = f"Stopped at the step limit ({p.max_steps})."
        self.status = status
        return taken

    def fit(self) -> RegressionTrainer:
        while self.status.can_step:
            if self.step(100_000) == 0:
                break
        return self

    # -- pictures ------------------------------------------------------------------------------------
    def _surface_ranges(self, path: np.ndarray) -> tuple[tuple[float, float], tuple[float, float]]:
        """A window over (m, b) that holds the start, the optimum and the (finite part of the) path."""
        pts = [np.asarray(self.params.initial, dtype=float)]
        opt = closed_form(self.stats)
        if opt is not None:
            pts.append(np.array([opt.m, opt.b]))
        base = np.array(pts)
        lo, hi = base.min(axis=0), base.max(axis=0)
        span = np.maximum(hi - lo, 1e-3 * np.maximum(np.abs(hi), 1.0))
        if len(path):
            ok = path[np.isfinite(path).all(axis=1)]
            # grow to hold the path, but not without bound: a diverging path would squash the picture
            lo = np.maximum(np.minimum(lo, ok.min(axis=0)), lo - 4 * span)
            hi = np.minimum(np.maximum(hi, ok.max(axis=0)), hi + 4 * span)
            span = np.maximum(hi - lo, span)
        pad = 0.15 * span
        return (float(lo[0] - pad[0]), float(hi[0] + pad[0])), (float(lo[1] - pad[1]), float(hi[1] + pad[1]))

    def surface(self) -> Surface | None:
        """The cost surface, rebuilt only when the data change or the path leaves it."""
        if self.stats.n == 0:
            return None
        path = self.history_.rows()[:, 1:3] if len(self.history_) else np.empty((0, 2))
        s = self._surface
        if s is not None and len(path):
            (m0, m1), (b0, b1) = s.m_range, s.b_range
            inside = ((path[:, 0] >= m0) & (path[:, 0] <= m1) & (path[:, 1] >= b0) & (path[:, 1] <= b1)).all()
            if inside or self.status is Status.DIVERGED:
                return s
        elif s is not None:
            return s
        m_range, b_range = self._surface_ranges(path)
        if s is not None and s.m_range == m_range and s.b_range == b_range:
            return s
        self._surface_version += 1
        self._surface = Surface(
            m_range, b_range,
            frozen(cost_surface(self.stats, m_range, b_range, self.SURFACE_SHAPE, self.params.cost)),
            self._surface_version,
        )
        return self._surface

    def snapshot(self) -> RegressionSnapshot:
        tail = (self.n_iter_, self.m, self.b, self.cost_) if self.stats.n else None
        return RegressionSnapshot(
            step=self.n_iter_, params_version=self.params_version, status=self.status,
            message=self.message, cost=self.cost_, m=self.m, b=self.b, gradient=self.grad_,
            learning_rate=self.params.learning_rate,
            history=self.history_.rows(tail) if tail else frozen(np.empty((0, 4))),
            optimum=closed_form(self.stats), curvature=curvature(self.stats, self.params.cost),
            surface=self.surface(), data_version=self.data_version, n_points=self.stats.n,
            cost_name=self.params.cost,
        )

    def with_params(self, **changes) -> RegressionParams:
        return replace(self.params, **changes)
