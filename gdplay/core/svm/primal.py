"""The primal solver: full-batch subgradient descent on ½‖w‖² + C Σ hinge, with a duality-gap certificate
(a mixin of SVMTrainer, which holds the state it reads)."""

from __future__ import annotations

import math

import numpy as np

from gdplay.core.svm.objectives import dual_certificate, primal_objective, relative_gap
from gdplay.core.svm.params import CERTIFICATE_EVERY
from gdplay.core.svm.solver_state import SolverState
from gdplay.core.trainer import Status, diverged_message


class PrimalSolver(SolverState):
    """Subgradient steps on the primal (linear kernel only)."""

    # the primal's own
    learning_rate_: float
    _alpha_hat: np.ndarray
    _primal_gap: float

    # -- primal: subgradient descent ------------------------------------------------------------------------
    def _step_primal(self, limit: int) -> int:
        X, y, p = self.X, self.y, self.params
        C, tol = float(p.C), float(p.tol)
        w, b = self.w_.copy(), self.intercept_
        hist = self.history_
        n0 = self.n_iter_
        taken = 0
        with np.errstate(over="ignore", invalid="ignore"):
            while taken < limit:
                t = n0 + taken
                lr = p.learning_rate_at(t)
                viol = y * (X @ w + b) < 1.0
                # ∂P/∂w = w − C Σ_{y f < 1} y x,  ∂P/∂b = −C Σ_{y f < 1} y
                yv = y[viol]
                gw = w - C * (yv @ X[viol])
                gb = -C * float(yv.sum())
                g2 = float(gw @ gw) + gb * gb
                new_w = w - lr * gw
                new_b = b - lr * gb
                record = hist.want(t + 1)
                check = record or (t + 1) % CERTIFICATE_EVERY == 0
                # the objective when it is recorded or checked, else ‖w‖² + |b| as a cheap overflow check
                obj = primal_objective(new_w, new_b, X, y, C) if check else float(new_w @ new_w) + abs(new_b)
                if not (math.isfinite(g2) and math.isfinite(obj)):
                    # keep the last finite (w, b); a step size past 2 makes ½‖w‖² oscillate and grow
                    self.status = Status.DIVERGED
                    self.message = diverged_message(t + 1, "primal objective", math.inf if math.isinf(obj)
                                                    or math.isinf(g2) else math.nan, lr)
                    break
                w, b = new_w, new_b
                taken += 1
                if check:
                    # a subgradient step is not monotone and its subgradient never vanishes at a kink: stop
                    # on the duality gap against the lower bound D(α̂) <= P*, i.e. when P is near optimal
                    dual = self._certify(w, b, obj)
                    if record:
                        hist.append(t + 1, dual, obj, obj - dual, *self._w12_of(w), b)
                    if self._primal_gap <= tol:
                        self.n_iter_ = t + 1
                        self.w_, self.intercept_ = w, b
                        self._finish(Status.CONVERGED)
                        break
        self.w_, self.intercept_ = w, b
        self.n_iter_ = n0 + taken
        self.primal_ = primal_objective(w, b, X, y, C)
        self._certify(w, b, self.primal_)
        self.learning_rate_ = p.learning_rate_at(self.n_iter_)
        return taken

    def _certify(self, w: np.ndarray, b: float, primal: float) -> float:
        """The primal run's lower bound D(α̂) and its relative gap (``dual_certificate``)."""
        with np.errstate(over="ignore", invalid="ignore"):
            dual, self._alpha_hat = dual_certificate(w, b, self.X, self.y, float(self.params.C))
        self.dual_ = dual
        self._primal_gap = relative_gap(primal, dual) if math.isfinite(primal) and math.isfinite(dual) else math.inf
        return dual

    def _w12_of(self, w: np.ndarray) -> tuple[float, float]:
        return (float(w[0]), float(w[1])) if len(w) == 2 else (math.nan, math.nan)

    def _record_primal(self, step: int) -> None:
        self.primal_ = primal_objective(self.w_, self.intercept_, self.X, self.y, float(self.params.C))
        dual = self._certify(self.w_, self.intercept_, self.primal_)
        self.history_.append(step, dual, self.primal_, self.primal_ - dual, *self._w12_of(self.w_), self.intercept_)
