"""SVMTrainer: data, params, the trainer protocol (reset, step, snapshot), sessions and the learned state;
the solvers are its mixins (smo.py, primal.py)."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from gdplay.core import kernels as K
from gdplay.core import state as saved
from gdplay.core.history import History
from gdplay.core.state import StateError
from gdplay.core.svm.params import (
    ALPHA_RTOL,
    HISTORY_FIELDS,
    MAX_DUAL_POINTS,
    STATE_FORMAT,
    STATE_SCALARS,
    STRUCTURAL,
    SVMParams,
    _check_X,
    as_signed_labels,
    data_problem,
)
from gdplay.core.svm.primal import PrimalSolver
from gdplay.core.svm.results import SVMResult, SVMSnapshot
from gdplay.core.svm.smo import RECORD_POINTS, DualSolver
from gdplay.core.trainer import Status, ValidationError, frozen


class SVMTrainer(DualSolver, PrimalSolver):
    """A soft-margin SVM trained step by step. One dual step is one SMO pair update; one primal step is one
    full-batch subgradient step.

    Learned state: ``alpha_``, ``support_``, ``support_vectors_``, ``dual_coef_``, ``intercept_`` (b),
    ``coef_`` (w, linear kernel only), ``n_iter_``, ``history_``.
    """

    def __init__(self, params: SVMParams | None = None, history_capacity: int = 4096) -> None:
        self.params = (params or SVMParams()).validate()
        self.params_version = 0
        self.data_version = 0
        self.history_ = History(HISTORY_FIELDS, capacity=history_capacity)
        self._set_arrays(np.empty((0, 2)), np.empty(0), np.zeros(0, dtype=bool))
        self.reset()

    # -- data and params -------------------------------------------------------------------------------
    def _set_arrays(self, X: np.ndarray, y: np.ndarray, test_mask: np.ndarray) -> None:
        self.X_all = frozen(X)
        self.y_all = frozen(y)
        self.test_mask = frozen(test_mask)
        self.train_idx = np.flatnonzero(~test_mask)
        self.X = frozen(X[self.train_idx])
        self.y = frozen(y[self.train_idx])
        self._set_order()

    def set_data(self, X: np.ndarray, y: np.ndarray, version: int = 0, test_mask: np.ndarray | None = None) -> None:
        """New points (labels ±1 or 0/1; rows with ``test_mask`` True are held out). The run restarts."""
        X = _check_X(X)
        y = as_signed_labels(y)
        if len(X) != len(y):
            raise ValidationError(f"X and y must have the same number of rows; got {len(X)} and {len(y)}.")
        if test_mask is None:
            test_mask = np.zeros(len(y), dtype=bool)
        test_mask = np.asarray(test_mask, dtype=bool)
        if test_mask.shape != y.shape:
            raise ValidationError(f"test_mask must have one entry per row; got shape {test_mask.shape}.")
        self._set_arrays(X, y, test_mask)
        self.data_version = version
        self.reset()

    def set_params(self, params: SVMParams, version: int = 0) -> None:
        """Structural changes (kernel, solver, degree) restart; C, γ, coef0 and the step size keep the
        current α (or w, b) and go on from there."""
        params = params.validate()
        old, self.params = self.params, params
        self.params_version = version
        if any(getattr(old, f) != getattr(params, f) for f in STRUCTURAL):
            self.reset()
            return
        if self.status is Status.INVALID and not self._problem():
            self.reset()
            return
        if self.status is Status.INVALID:
            return
        if self.status is Status.DIVERGED and params != old:
            self.reset()  # the last finite state is usually far out; start again with the new settings
            return
        finished = self.status in (Status.CONVERGED, Status.MAX_STEPS)  # (the warm start sets TRAINING)
        valid = True
        if params.solver == "dual":
            # the kernel changed if a parameter it reads did (its spec's ``reads``: the row cache's key)
            kernel_changed = K.kernel_key(**old.kernel_args()) != K.kernel_key(**params.kernel_args())
            if kernel_changed or params.C != old.C:
                with np.errstate(under="ignore"):
                    valid = self._warm_start(old.C, kernel_changed)
        restart = params != old and finished and valid
        if restart and self.n_iter_ < params.max_steps:  # goes on: "Converged at step …" no longer holds
            self.status = Status.TRAINING
            self.message = ""

    def _overflow_message(self) -> str:
        p = self.params
        return (f"The {p.kernel} kernel overflows on these points (gamma={p.gamma:g}, degree={p.degree}); "
                "lower gamma or the degree.")

    def _problem(self) -> str:
        return data_problem(self.y)

    # -- the protocol -----------------------------------------------------------------------------------
    def reset(self) -> None:
        with np.errstate(under="ignore"):
            self._reset()

    def _reset(self) -> None:
        p = self.params
        n, d = self.X.shape
        self.n_iter_ = 0
        self.history_.clear()
        if p.solver == "dual" and n > RECORD_POINTS:
            # a row costs O(n) (P's hinge sum): on many points, one every 2^k >= n/1000 steps from the start
            # (a power of two, as the history's own thinning makes it and a saved history is checked for)
            self.history_.stride = 1 << math.ceil(math.log2(n / RECORD_POINTS))
        self.message = ""
        self.alpha_ = np.zeros(n)
        self.intercept_ = 0.0
        self.w_ = np.zeros(d)
        self._v = self.y.copy()  # −y∘G with G = Qα − 1 = −1 at α = 0
        self.dual_ = self.primal_ = math.nan
        self.kkt_violation_ = math.nan
        self.learning_rate_ = math.nan
        self._alpha_hat = np.zeros(n)  # primal: α rebuilt from (w, b)
        self._primal_gap = math.inf
        problem = self._problem()
        if not problem and p.solver == "dual" and n > MAX_DUAL_POINTS:
            problem = (f"The dual solver takes at most {MAX_DUAL_POINTS:,} training points (each step scans "
                       f"them all); got {n:,}. Use the linear kernel with the primal solver.")
        if problem:
            self.status = Status.INVALID
            self.message = problem
            self.dual_ = self.primal_ = math.nan
            return
        self.status = Status.READY
        if p.solver == "dual":
            if not self._kernel_rows().finite:
                self.status = Status.INVALID
                self.message = self._overflow_message()
                return
            self._update_masks_all()
            self._record_dual(0)
        else:
            self.learning_rate_ = p.learning_rate_at(0)
            self._record_primal(0)

    def step(self, k: int) -> int:
        """Take up to ``k`` steps; returns how many were taken."""
        if not self.status.can_step or k <= 0:
            return 0
        self.status = Status.TRAINING
        limit = min(int(k), int(self.params.max_steps) - self.n_iter_)
        if limit <= 0:
            self._finish(Status.MAX_STEPS)
            return 0
        with np.errstate(under="ignore"):  # RBF rows of far-apart points are ~1e-300: harmless
            taken = self._step_dual(limit) if self.params.solver == "dual" else self._step_primal(limit)
        if self.status is Status.TRAINING and self.n_iter_ >= self.params.max_steps:
            self._finish(Status.MAX_STEPS)
        return taken

    def fit(self) -> SVMTrainer:
        while self.status.can_step:
            if self.step(100_000) == 0:
                break
        return self

    def _finish(self, status: Status) -> None:
        self.status = status
        tol = self.params.tol
        dual = self.params.solver == "dual"
        if status is Status.CONVERGED:
            what = "max KKT violation and " if dual else ""
            self.message = (f"Converged at step {self.n_iter_}: the optimum within tol ({what}relative duality gap "
                            f"(P − D)/max(1, |P|) <= {tol:g}).")
        elif status is Status.MAX_STEPS:
            gap = self._relative_gap() if dual else self._primal_gap
            self.message = f"Stopped at the step limit ({self.params.max_steps:,})"
            if math.isfinite(gap) and gap > tol:
                self.message += (f" before the optimum: the relative duality gap is {gap:.3g} > tol = {tol:g}."
                                 + ("" if dual else " Subgradient steps slow down as C grows; the dual solver "
                                    "reaches the optimum."))
            else:
                self.message += "."

    # -- sessions ----------------------------------------------------------------------------------------
    def export_state(self) -> dict:
        """What the run learned since the last reset (not the params or the data: saved apart), JSON-able.
        Both solvers save α, v, w and b (the unused ones are cheap); v is saved, not recomputed from α,
        because SMO updates it step by step and a rebuilt one would differ in the last bits."""
        return {
            "kind": "svm", "format": STATE_FORMAT, "structure": {k: getattr(self.params, k) for k in STRUCTURAL},
            "n_train": len(self.y), "status": self.status.value, "message": self.message, "step": self.n_iter_,
            "alpha": saved.encode_array(self.alpha_), "v": saved.encode_array(self._v),
            "w": saved.encode_array(self.w_), "b": float(self.intercept_),
            "scalars": saved.encode_array(np.array([self.dual_, self.primal_, self.kkt_violation_,
                                                    self.learning_rate_])),
            "history": saved.encode_history(self.history_),
        }

    def import_state(self, state: dict) -> None:
        """Go on from ``export_state``'s result, made with the params and data this trainer has now. Everything
        is checked first (StateError, with the field named); on an error the trainer is unchanged."""
        what = "The saved SVM state"
        saved.check_header(state, "svm", STATE_FORMAT, what)
        saved.check_structure(state, self.params, STRUCTURAL, what)
        n, d = self.X.shape
        n_saved = saved.field(state, "n_train", what, int)
        if n_saved != n:
            raise StateError(f"{what} is for {n_saved} training points; the data has {n}.")
        status = saved.decode_status(state, what)
        message = saved.field(state, "message", what, str)
        step = saved.field(state, "step", what, int)
        if step < 0:
            raise StateError(f"{what}: 'step' is {step}; expected a whole number >= 0.")

        def array(key: str, name: str, **checks) -> np.ndarray:
            return saved.decode_array(saved.field(state, key, what, dict), f"{what}'s {name}", **checks)

        alpha = array("alpha", "α (one per training point)", shape=(n,), finite=True)
        C = float(self.params.C)
        if not ((alpha >= 0) & (alpha <= C)).all():
            raise StateError(f"{what}'s α leaves the box [0, C = {C:g}] of the current settings.")
        v = array("v", "v (one per training point)", shape=(n,))  # may overflow in a diverged run
        w = array("w", "w (one per feature)", shape=(d,), finite=True)
        b = saved.field(state, "b", what, float)
        if not math.isfinite(b):
            raise StateError(f"{what}: 'b' is {b!r}; expected a finite number.")
        scalars = array("scalars", "scalars", shape=(len(STATE_SCALARS),))
        history = saved.decode_history(saved.field(state, "history", what, dict), f"{what}'s history",
                                       HISTORY_FIELDS, self.history_.capacity)
        if status is not Status.INVALID:
            problem = self._problem() or ("too many points for the dual solver" if self.params.solver == "dual"
                                          and n > MAX_DUAL_POINTS else "")
            if problem:
                raise StateError(f"{what} is a trained run, but the current data cannot be trained: {problem}")
            if self.params.solver == "dual":
                if not self._kernel_rows().finite:  # a cache of X and the params: it changes no state
                    raise StateError(f"{what} is a trained run, but {self._overflow_message()}")
        # everything is checked: adopt it
        self.status, self.message, self.n_iter_ = status, message, step
        self.alpha_, self._v, self.w_, self.intercept_ = alpha, v, w, b
        self.dual_, self.primal_, self.kkt_violation_, self.learning_rate_ = map(float, scalars)
        self.history_ = history
        self._update_masks_all()  # I_up and I_low follow from α, y and C
        self._alpha_hat, self._primal_gap = np.zeros(n), math.inf
        if self.params.solver == "primal" and status is not Status.INVALID and math.isfinite(self.primal_):
            self._certify(self.w_, self.intercept_, self.primal_)  # α̂ follows from w and b

    # -- learned state ------------------------------------------------------------------------------------
    def _train_yf(self) -> np.ndarray:
        if len(self.y) == 0:
            return np.empty(0)
        if self.params.solver == "dual":
            return 1.0 - self.y * self._v + self.y * self.intercept_
        return self.y * (self.X @ self.w_ + self.intercept_)

    @property
    def support_(self) -> np.ndarray:
        """Training-row indices of the support vectors: α > 0 (dual); α̂ > 0 (primal: ``dual_certificate``)."""
        if self.params.solver == "dual":
            return np.flatnonzero(self.alpha_ > 0)
        return np.flatnonzero(self._alpha_hat > 0)

    @property
    def support_vectors_(self) -> np.ndarray:
        return self.X[self.support_]

    @property
    def dual_coef_(self) -> np.ndarray:
        s = self.support_
        return self.alpha_[s] * self.y[s]

    @property
    def coef_(self) -> np.ndarray | None:
        return self.w_.copy() if self.params.kernel == "linear" else None

    def decision_function(self, Xq: np.ndarray) -> np.ndarray:
        Xq = np.asarray(Xq, dtype=np.float64)
        if self.params.kernel == "linear":
            return Xq @ self.w_ + self.intercept_
        return K.kernel_sum(Xq, self.support_vectors_, self.dual_coef_, self.intercept_,
                            **self.params.kernel_args())

    def predict(self, Xq: np.ndarray) -> np.ndarray:
        return np.where(self.decision_function(Xq) >= 0, 1.0, -1.0)

    def result(self) -> SVMResult:
        s = self.support_
        dual = self.params.solver == "dual"
        return SVMResult(
            alpha=frozen(self.alpha_ if dual else np.full(len(self.y), np.nan)),
            support=frozen(s), support_vectors=frozen(self.X[s]),
            dual_coef=frozen(self.alpha_[s] * self.y[s] if dual else np.full(len(s), np.nan)),
            intercept=float(self.intercept_), coef=None if self.coef_ is None else frozen(self.coef_),
            n_support=len(s), dual_objective=float(self.dual_), primal_objective=float(self.primal_),
            y_f=frozen(self._train_yf()), n_iter=self.n_iter_,
        )

    # -- snapshot ---------------------------------------------------------------------------------------
    def snapshot(self) -> SVMSnapshot:
        with np.errstate(under="ignore"):
            return self._snapshot()

    def _snapshot(self) -> SVMSnapshot:
        p = self.params
        n_all = len(self.y_all)
        dual = p.solver == "dual"
        valid = self.status is not Status.INVALID
        yf_all = np.full(n_all, np.nan)
        alpha_all = np.zeros(n_all) if dual else np.full(n_all, np.nan)
        margin = np.zeros(n_all, dtype=bool)
        bound = np.zeros(n_all, dtype=bool)
        support = np.empty(0, dtype=np.intp)
        sv = np.empty((0, self.X_all.shape[1]))
        dual_coef = np.empty(0)
        w = None
        if valid:
            yf_train = self._train_yf()
            yf_all[self.train_idx] = yf_train
            test = np.flatnonzero(self.test_mask)
            if len(test):
                yf_all[test] = self.y_all[test] * self.decision_function(self.X_all[test])
            s = self.support_
            support = self.train_idx[s]
            sv = self.X[s]
            C = float(p.C)
            if dual:
                alpha_all[self.train_idx] = self.alpha_
                dual_coef = self.alpha_[s] * self.y[s]
                at_bound = self.alpha_ >= C * (1 - ALPHA_RTOL)
                margin[self.train_idx] = (self.alpha_ > 0) & ~at_bound
                bound[self.train_idx] = at_bound
            else:  # from α̂, the multipliers rebuilt from w
                at_bound = self._alpha_hat >= C * (1 - ALPHA_RTOL)
                margin[self.train_idx] = (self._alpha_hat > 0) & ~at_bound
                bound[self.train_idx] = at_bound
            if p.kernel == "linear":
                w = frozen(self.w_)
        train = ~self.test_mask
        wrong = yf_all <= 0
        train_acc = float(np.mean(~wrong[train])) if valid and train.any() else math.nan
        test_acc = float(np.mean(~wrong[self.test_mask])) if valid and self.test_mask.any() else math.nan
        norm_w = float(np.sqrt(w @ w)) if w is not None else math.nan
        width = 2.0 / norm_w if w is not None and norm_w > 0 else math.nan
        if valid:
            tail = (self.n_iter_, self.dual_, self.primal_, self.primal_ - self.dual_,
                    *(self._w12() if dual else self._w12_of(self.w_)), self.intercept_)
            history = self.history_.rows(tail)
        else:
            history = frozen(np.empty((0, 1 + len(HISTORY_FIELDS))))
        cost = self.dual_ if dual else self.primal_
        return SVMSnapshot(
            step=self.n_iter_, params_version=self.params_version, status=self.status, message=self.message,
            cost=float(cost), params=p, data_version=self.data_version, n_points=n_all,
            X=self.X_all, y=self.y_all, test_mask=self.test_mask,
            alpha=frozen(alpha_all), support=frozen(support), support_vectors=frozen(sv),
            dual_coef=frozen(dual_coef), margin_mask=frozen(margin), bound_mask=frozen(bound),
            w=w, b=float(self.intercept_) if valid else math.nan, margin_width=width, y_f=frozen(yf_all),
            misclassified=frozen(wrong & valid), train_accuracy=train_acc, test_accuracy=test_acc,
            n_support=len(support), dual_objective=float(self.dual_), primal_objective=float(self.primal_),
            duality_gap=float(self.primal_ - self.dual_), kkt_violation=float(self.kkt_violation_),
            learning_rate=float(self.learning_rate_), history=history,
        )

    def with_params(self, **changes) -> SVMParams:
        return replace(self.params, **changes)


# -- scikit-learn reference --------------------------------------------------------------------------------
