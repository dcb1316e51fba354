"""NetworkTrainer: an MLP trained on 2-D points, one optimizer update per step; the trainer protocol (data,
params, steps, snapshots); sessions (export_state / import_state) are the ``saved.SavedRun`` mixin's, and the
pictures are functions of a trainer in ``views``."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np

from gdplay.core.history import History
from gdplay.core.network.mlp import MLP, Workspace, encode_targets, make_features
from gdplay.core.network.params import _MAX_SLOPE, SATURATION_FRACTION, NetworkParams
from gdplay.core.network.results import NetworkSnapshot
from gdplay.core.network.saved import SavedRun
from gdplay.core.network.trajectory import Trajectory
from gdplay.core.optimizers import Optimizer, make_optimizer
from gdplay.core.trainer import Status, ValidationError, diverged_message, frozen


class NetworkTrainer(SavedRun):
    """Trains an MLP on 2-D points with one optimizer update per ``step`` (one batch).

    Learned state: ``coefs_`` / ``intercepts_`` (views of the flat ``theta_``), ``n_iter_``, ``classes_``.
    Histories: ``loss_history_`` (batch loss every step), ``metrics_`` (train/test loss and accuracy every
    ``eval_every`` steps), ``layer_stats_`` (per-layer gradient norm and saturated/dead share, same steps).
    """

    def __init__(self, params: NetworkParams | None = None, history_capacity: int = 4096,
                 eval_every: int = 10) -> None:
        self.params = (params or NetworkParams()).validate()
        self.params_version = 0
        self.data_version = 0
        self.history_capacity = history_capacity
        self.eval_every = int(eval_every)
        self._X = np.empty((0, 2))
        self._labels = np.empty(0, dtype=np.int64)
        self._test_mask = np.zeros(0, dtype=bool)
        self._grid_cache: dict[tuple, np.ndarray] = {}
        self.net_: MLP | None = None
        self.status: Status = Status.INVALID
        self.message = ""
        self._cache: dict[str, Any] | None = None  # the current weights evaluated on the training set
        self._order: np.ndarray | None = None  # the epoch's shuffled training rows (mini-batches)
        self.optimizer_: Optimizer
        self.reset()

    @property
    def _net(self) -> MLP:
        """The network, where the caller knows there is one (training, a snapshot of a valid run)."""
        assert self.net_ is not None, "no network: the data cannot be trained on"
        return self.net_

    # -- data and params -----------------------------------------------------------------------------------
    def set_data(self, X: np.ndarray, labels: np.ndarray, version: int = 0,
                 test_mask: np.ndarray | None = None) -> None:
        """New points (n, 2) with integer labels; rows where ``test_mask`` is True are held out."""
        X = np.asarray(X, dtype=np.float64)
        labels = np.asarray(labels)
        if X.ndim != 2 or X.shape[1] != 2 or (len(X) == 0 and X.size):
            raise ValidationError(f"X must have shape (n, 2); got {X.shape}.")
        if labels.shape != (len(X),):
            raise ValidationError(f"labels must have shape ({len(X)},) to match X; got {labels.shape}.")
        if len(X) and not np.isfinite(X).all():
            raise ValidationError("The points contain NaN or infinity; every coordinate must be a finite number.")
        if labels.dtype.kind == "f":
            bad = labels[~np.isfinite(labels) | (np.mod(labels, 1) != 0)] if labels.size else labels
            if bad.size:
                raise ValidationError(f"Labels must be integers; got {float(bad[0])!r}.")
        elif labels.dtype.kind not in "iub":
            raise ValidationError(f"Labels must be integers; got an array of {labels.dtype}.")
        mask = np.zeros(len(X), dtype=bool) if test_mask is None else np.asarray(test_mask, dtype=bool)
        if mask.shape != (len(X),):
            raise ValidationError(f"test_mask must have shape ({len(X)},); got {mask.shape}.")
        self._X, self._labels, self._test_mask = X.copy(), labels.astype(np.int64), mask.copy()
        self.data_version = version
        self.reset()

    def set_params(self, params: NetworkParams, version: int = 0) -> None:
        params = params.validate()
        old, self.params = self.params, params
        self.params_version = version
        if params.structural_change(old) or self.net_ is None:
            self.reset()
            return
        self._net.l2 = float(params.l2)
        opt = self.optimizer_
        if params.optimizer != old.optimizer:
            self.optimizer_ = self._make_optimizer()  # keep the weights, start the new rule's state afresh
        else:
            for k, v in self._make_optimizer().hyperparameters().items():
                setattr(opt, k, v)  # learning rate and the rule's hyperparameters, state kept
        if params.batch_size != old.batch_size:
            self._order, self._pos = None, 0
        if self.status is Status.MAX_STEPS and self.n_iter_ < params.max_steps:
            self.status = Status.TRAINING  # a raised limit lets a finished run go on
        elif self.status.can_step and self.n_iter_ >= params.max_steps:
            self.status = Status.MAX_STEPS
            self.message = f"Stopped at the step limit ({params.max_steps})."
        self._cache = None

    def _make_optimizer(self) -> Optimizer:
        p = self.params
        return make_optimizer(p.optimizer, p.learning_rate, **p.optimizer_hyperparameters())

    # -- the protocol -------------------------------------------------------------------------------------
    def reset(self) -> None:
        p = self.params
        self.n_iter_ = 0
        self.epoch_ = 0
        self.message = ""
        self.net_ = None
        self._cache = None
        self.classes_ = np.unique(self._labels)
        train = ~self._test_mask
        n_train = int(train.sum())
        self.n_train_, self.n_test_ = n_train, int(self._test_mask.sum())
        train_classes = np.unique(self._labels[train])
        if n_train == 0:
            self.status = Status.INVALID
            self.message = ("No training points yet: add points of at least two classes on the data plot "
                            "(or pick a preset)." if len(self._X) == 0 else
                            "Every point is held out for testing: lower the test fraction so some are left "
                            "to train on.")
            return
        if len(train_classes) < 2:
            self.status = Status.INVALID
            self.message = (f"The number of classes has to be greater than one; got 1 class. "
                            f"Add points of a second class (all training points have label "
                            f"{int(train_classes[0])}).")
            return
        k = len(self.classes_)
        y_index = np.searchsorted(self.classes_, self._labels)
        F = make_features(self._X, p.features)
        T = encode_targets(y_index, k)
        te = self._test_mask
        self._Ftr, self._Ttr, self._ytr = (np.ascontiguousarray(a[train]) for a in (F, T, y_index))
        self._Fte, self._Tte, self._yte = (np.ascontiguousarray(a[te]) for a in (F, T, y_index))
        sizes = (len(p.features), *p.hidden, 1 if k == 2 else k)
        net = self.net_ = MLP(sizes, p.activation, p.loss, p.l2, p.leaky_slope)
        self.theta_ = net.init_params(p.init, np.random.default_rng(p.seed))
        self.grad_ = np.zeros(net.n_params)
        self._P, self._G = net.bind(self.theta_), net.bind(self.grad_)
        self._prev = self.theta_.copy()
        self._full_work = net.workspace(n_train)
        self._shuffle_rng = np.random.default_rng([p.seed, 1])  # its own stream: batch size leaves init alone
        self._order, self._pos = None, 0
        self.optimizer_ = self._make_optimizer()
        L = net.n_layers
        self.layer_stat_fields = (*(f"grad_norm_{i}" for i in range(1, L + 1)),
                                  *(f"flat_{i}" for i in range(1, L)))
        cap = self.history_capacity
        self.loss_history_ = History(("loss",), capacity=cap)
        self.metrics_ = History(("step", "train_loss", "test_loss", "train_accuracy", "test_accuracy"),
                                capacity=cap)
        self.layer_stats_ = History(("step", *self.layer_stat_fields), capacity=cap)
        self.trajectory_ = Trajectory(net.n_params)
        self.status = Status.READY

    @property
    def coefs_(self) -> list[np.ndarray]:
        return [] if self.net_ is None else self._P.W

    @property
    def intercepts_(self) -> list[np.ndarray]:
        return [] if self.net_ is None else self._P.b

    def _batch_size(self) -> int:
        b = self.params.batch_size
        return self.n_train_ if b == 0 or b >= self.n_train_ else b

    def _next_batch(self) -> tuple[np.ndarray, np.ndarray, Workspace]:
        b = self._batch_size()
        if b == self.n_train_:
            return self._Ftr, self._Ttr, self._full_work
        if self._order is None or self._pos >= self.n_train_:
            self._order = self._shuffle_rng.permutation(self.n_train_)
            self._pos = 0
        rows = self._order[self._pos : self._pos + b]
        self._pos += b
        if self._pos >= self.n_train_:  # an epoch is a completed pass over the training rows
            self.epoch_ += 1
        return self._Ftr[rows], self._Ttr[rows], self._net.workspace(len(rows))

    def step(self, k: int) -> int:
        """Take up to ``k`` optimizer updates (one batch each); returns how many were taken."""
        if not self.status.can_step or k <= 0:
            return 0
        self.status = Status.TRAINING
        p, net, opt = self.params, self._net, self.optimizer_
        P, G, theta, prev = self._P, self._G, self.theta_, self._prev
        params_list, grads_list = (theta,), (self.grad_,)
        hist, eval_every = self.loss_history_, self.eval_every
        full = self._batch_size() == self.n_train_
        n = self.n_iter_
        limit = min(k, p.max_steps - n)
        isfinite = math.isfinite
        taken = 0
        status = Status.TRAINING
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            while taken < limit:
                step_no = n + taken
                if full:
                    X, T, work = self._Ftr, self._Ttr, self._full_work
                else:
                    X, T, work = self._next_batch()
                if taken == 0 and full and self._cache is not None and self._cache["ahead"]:
                    loss = self._cache["train_loss"]  # the snapshot's pass at these weights: E, ∂E/∂θ in G
                else:
                    loss = net.loss_and_grad(P, X, T, G, work)  # E and ∂E/∂θ at θ_step_no
                if not isfinite(loss):
                    status = Status.DIVERGED
                    self.message = diverged_message(step_no, "loss", loss, opt.learning_rate)
                    break
                if step_no % hist.stride == 0:
                    hist.append(step_no, loss)
                if step_no % eval_every == 0:
                    self._record(step_no, loss, work, full)
                np.copyto(prev, theta)
                opt.update(params_list, grads_list)
                if not isfinite(float(theta.sum())) and not np.isfinite(theta).all():
                    bad = theta[~np.isfinite(theta)][0]
                    np.copyto(theta, prev)  # keep the last finite weights
                    status = Status.DIVERGED
                    self.message = diverged_message(step_no + 1, "weights", bad, opt.learning_rate)
                    break
                taken += 1
        self.n_iter_ = n + taken
        if full:
            self.epoch_ = self.n_iter_
        if taken:
            self._cache = None
        if status is Status.TRAINING and self.n_iter_ >= p.max_steps:
            status = Status.MAX_STEPS
            self.message = f"Stopped at the step limit ({p.max_steps})."
        self.status = status
        return taken

    def _flat_fractions(self, work: Workspace) -> list[float]:
        """Per hidden layer, from the slopes f'(z) of the last backward pass (see SATURATION_FRACTION)."""
        name = self.params.activation
        out = []
        for S in work.S:
            if name in _MAX_SLOPE:
                out.append(float(np.count_nonzero(S < SATURATION_FRACTION * _MAX_SLOPE[name])) / S.size)
            elif name in ("relu", "leaky_relu"):
                # dead: z <= 0 for every sample of the batch (slope 0, or only the leak)
                out.append(float(np.count_nonzero((S < 1.0).all(axis=0))) / S.shape[1])
            elif name == "step":
                out.append(1.0)
            else:
                out.append(0.0)
        return out

    def _grad_norms(self, grad: np.ndarray) -> list[float]:
        return [math.sqrt(float(np.dot(grad[s], grad[s]))) for s in self._net.weight_slices]

    def _accuracy(self, z: np.ndarray, y: np.ndarray) -> float:
        if len(y) == 0:
            return math.nan
        pred = z.argmax(axis=1) if z.shape[1] > 1 else (z[:, 0] >= 0).astype(np.intp)
        return float(np.count_nonzero(pred == y)) / len(y)

    def _test_scores(self) -> tuple[float, float]:
        if self.n_test_ == 0:
            return math.nan, math.nan
        net = self._net
        z = net.logits(self._P, self._Fte)
        loss = float(net.loss_from_logits(z, self._Tte) + net.penalty(self.theta_))
        return loss, self._accuracy(z, self._yte)

    def _record(self, step_no: int, loss: float, work: Workspace, full: bool) -> None:
        """Metrics, per-layer statistics and the trajectory at θ_step_no (before its update).

        These histories are keyed by the record number step_no // eval_every (History thins by halving
        that), with the step itself as their first field."""
        index = step_no // self.eval_every
        if self.layer_stats_.want(index):
            self.layer_stats_.append(index, step_no, *self._grad_norms(self.grad_), *self._flat_fractions(work))
        if self.metrics_.want(index):
            net = self._net
            z_train = work.Z[-1] if full else net.logits(self._P, self._Ftr)
            train_loss = loss if full else float(net.loss_from_logits(z_train, self._Ttr)
                                                 + net.penalty(self.theta_))
            test_loss, test_acc = self._test_scores()
            self.metrics_.append(index, step_no, train_loss, test_loss, self._accuracy(z_train, self._ytr),
                                 test_acc)
        self.trajectory_.append(index, step_no, self.theta_)

    def fit(self) -> NetworkTrainer:
        while self.status.can_step:
            if self.step(10_000) == 0:
                break
        return self

    # -- the current state, evaluated on the whole training set ---------------------------------------------
    def _evaluate(self) -> dict[str, Any]:
        if self._cache is not None:
            return self._cache
        net = self._net
        # full batch: the pass the next step would make, at the same weights into the same buffers (the
        # step then takes it from here: a snapshot per chunk costs no extra pass); else a gradient of its own
        ahead = self._batch_size() == self.n_train_
        grad = self.grad_ if ahead else np.empty(net.n_params)
        work = net.workspace(self.n_train_)  # the training step's buffers: fresh ones cost page faults each time
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            loss = net.loss_and_grad(self._P, self._Ftr, self._Ttr, net.bind(grad), work)
            test_loss, test_acc = self._test_scores()
            norms = self._grad_norms(grad)
        self._cache = {
            "ahead": ahead,
            "train_loss": loss, "test_loss": test_loss,
            "train_accuracy": self._accuracy(work.Z[-1], self._ytr), "test_accuracy": test_acc,
            "grad_norms": tuple(norms), "flat_fractions": tuple(self._flat_fractions(work)),
            "zero_layers": tuple(i + 1 for i, g in enumerate(norms) if g == 0.0),
        }
        return self._cache

    def _zero_gradient_message(self, zero_layers: tuple[int, ...], flat: tuple[float, ...]) -> str:
        """Why some layers get no gradient (training goes on; those weights just stay put)."""
        if not zero_layers:
            return ""
        p, L = self.params, self._net.n_layers
        names = ", ".join(str(i) for i in zero_layers)
        if p.activation == "step" and L > 1:
            why = ("the binary step is flat on both sides of its jump, so no gradient reaches the hidden "
                   "layers; only the output layer learns. Pick another activation to train them.")
        elif p.init == "zeros":
            why = ("every weight started at 0, so the units of a layer are identical and pass no gradient "
                   "back; pick a random init (xavier, he, uniform) to break the symmetry.")
        elif flat and max(flat) >= 1.0 and p.activation in ("relu", "leaky_relu"):
            why = ("every unit of a hidden layer is dead (z <= 0 for all training points), so nothing flows "
                   "back through it; lower the learning rate or try leaky_relu, and reset.")
        elif flat and max(flat) >= 1.0:
            why = ("the hidden units are saturated (their slope is 0 to machine precision); lower the "
                   "learning rate and reset.")
        else:
            why = "these weights stay where they are for as long as it lasts."
        return f"The gradient is zero for layer(s) {names}: {why}"

    def _rows(self, hist: History, now: tuple[float, ...]) -> np.ndarray:
        """(step, *fields) rows of an eval-step history, ending with the current state."""
        rows = hist.rows()[:, 1:]
        if len(rows) and rows[-1, 0] == self.n_iter_:
            return frozen(rows)
        return frozen(np.vstack([rows, np.array([(self.n_iter_, *now)], dtype=np.float64)]))

    def snapshot(self) -> NetworkSnapshot:
        p = self.params
        common: dict[str, Any] = dict(
            step=self.n_iter_, params_version=self.params_version, status=self.status,
            learning_rate=p.learning_rate, loss_name=p.loss, activation=p.activation, optimizer=p.optimizer,
            classes=tuple(int(c) for c in self.classes_), features=tuple(p.features),
            epoch=self.epoch_, n_train=self.n_train_, n_test=self.n_test_, data_version=self.data_version,
        )
        nan = math.nan
        if self.net_ is None:
            empty = frozen(np.empty((0, 2)))
            return NetworkSnapshot(
                **common, message=self.message, cost=nan, layer_sizes=(), coefs=(), intercepts=(),
                train_loss=nan, test_loss=nan, train_accuracy=nan, test_accuracy=nan, grad_norms=(),
                flat_fractions=(), flat_kind="none", zero_gradient=False, zero_gradient_layers=(),
                loss_history=empty, metrics=frozen(np.empty((0, 5))), layer_stats=empty,
                layer_stat_fields=(), batch_size=0,
            )
        ev = self._evaluate()
        why_zero = self._zero_gradient_message(ev["zero_layers"], ev["flat_fractions"])
        message = " ".join(m for m in (self.message, why_zero) if m)
        if p.init == "zeros" and p.hidden and "symmetry" not in message:
            message = (message + " " if message else "") + (
                "Zero init: all units of a layer start equal and get equal updates, so they stay identical "
                "(the symmetry never breaks).")
        kind = {"sigmoid": "saturated", "tanh": "saturated", "relu": "dead", "leaky_relu": "dead",
                "step": "zero-slope"}.get(p.activation, "none")
        return NetworkSnapshot(
            **common, message=message, cost=ev["train_loss"], layer_sizes=self._net.layer_sizes,
            coefs=tuple(frozen(W) for W in self._P.W), intercepts=tuple(frozen(b) for b in self._P.b),
            train_loss=ev["train_loss"], test_loss=ev["test_loss"], train_accuracy=ev["train_accuracy"],
            test_accuracy=ev["test_accuracy"], grad_norms=ev["grad_norms"],
            flat_fractions=ev["flat_fractions"], flat_kind=kind,
            zero_gradient=bool(ev["zero_layers"]), zero_gradient_layers=ev["zero_layers"],
            loss_history=self.loss_history_.rows(),
            metrics=self._rows(self.metrics_, (ev["train_loss"], ev["test_loss"], ev["train_accuracy"],
                                               ev["test_accuracy"])),
            layer_stats=self._rows(self.layer_stats_, (*ev["grad_norms"], *ev["flat_fractions"])),
            layer_stat_fields=self.layer_stat_fields, batch_size=self._batch_size(),
        )

    # -- predictions and pictures -------------------------------------------------------------------------
    def _require_net(self) -> MLP:
        if self.net_ is None:
            raise ValidationError(f"There is no network to evaluate: {self.message}")
        return self.net_

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities (n, k) for points X (n, 2), columns in the order of ``classes_``."""
        net = self._require_net()
        prob = net.predict_proba(self._P, make_features(np.asarray(X, dtype=np.float64), self.params.features))
        return prob if net.softmax_output else np.hstack([1.0 - prob, prob])

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def grid_features(self, x_range: tuple[float, float], y_range: tuple[float, float], shape: tuple[int, int]
              ) -> np.ndarray:
        """Float32 features of a row-major grid (row = y), cached: the ranges rarely change (the views'
        decision map and unit pictures are computed on it)."""
        key = (tuple(map(float, x_range)), tuple(map(float, y_range)), tuple(shape), tuple(self.params.features))
        F = self._grid_cache.get(key)
        if F is None:
            h, w = shape
            xs = np.linspace(key[0][0], key[0][1], w)
            ys = np.linspace(key[1][0], key[1][1], h)
            pts = np.column_stack([np.tile(xs, h), np.repeat(ys, w)])
            F = make_features(pts, self.params.features, dtype=np.float32)
            if len(self._grid_cache) > 8:
                self._grid_cache.clear()
            self._grid_cache[key] = F
        return F

    def with_params(self, **changes: Any) -> NetworkParams:
        return replace(self.params, **changes)
