"""Stepping the runs: the exact batch rule on two parameters, mini-batches, and the line searches (a mixin
of RegressionTrainer, which holds the state it reads)."""

from __future__ import annotations

import math

import numpy as np

from gdplay.core.least_squares import Basis, PowerSums, Quadratic
from gdplay.core.regression.params import ARMIJO_C, ARMIJO_SHRINK, AVERAGE_WINDOWS, RegressionParams
from gdplay.core.regression.results import Optimum
from gdplay.core.regression.run import _Run
from gdplay.core.regression.sine import SineCost
from gdplay.core.trainer import Status, diverged_message


class Stepping:
    """The update paths of RegressionTrainer."""

    # the trainer's state these paths read (set by RegressionTrainer)
    params: RegressionParams
    q: Quadratic | SineCost  # the cost: least squares on the sums, or the sine model's on the points
    x: np.ndarray
    y: np.ndarray
    sums: PowerSums
    basis: Basis
    optimum: Optimum | None

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
        row = (cost, dist, *avgs, *run.theta)  # in history_fields' order
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
        assert isinstance(q, Quadratic)  # two parameters: a line, never the one-weight sine
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
        q = self.q
        if isinstance(q, SineCost):
            return q.batch(run.theta, self.x[idx], self.y[idx])
        s = self.sums
        u = (self.x[idx] - s.x_ref) / s.s_ref
        phi = np.vander(u, self.basis.D + 1, increasing=True)
        r = (self.y[idx] - s.y_ref) - phi @ q.residual_coef(run.theta)
        f = q.factor
        grad = -2.0 * f * (q.T.T @ (phi.T @ r)) / len(idx)
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
                assert isinstance(q, Quadratic)  # the params refuse the exact search for the sine model
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
