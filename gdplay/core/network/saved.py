"""A network run saved and restored (sessions, undo): ``export_state`` / ``import_state`` of NetworkTrainer,
as a mixin. Everything learned since the last reset, JSON-able and bit-exact; restoring checks it all first."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from gdplay.core import state as saved
from gdplay.core.history import History
from gdplay.core.network.mlp import MLP, Bound
from gdplay.core.network.params import STATE_FORMAT
from gdplay.core.network.trajectory import Trajectory
from gdplay.core.optimizers import Optimizer
from gdplay.core.state import (
    StateError,
    decode_array,
    decode_history,
    decode_rng,
    encode_array,
    encode_history,
    encode_rng,
    field,
)
from gdplay.core.trainer import Status

if TYPE_CHECKING:
    from gdplay.core.network.params import NetworkParams


class SavedRun:
    """The state NetworkTrainer keeps, as far as saving it goes."""

    params: NetworkParams
    net_: MLP | None
    message: str
    status: Status
    n_iter_: int
    epoch_: int
    n_train_: int
    n_test_: int
    eval_every: int
    theta_: np.ndarray
    optimizer_: Optimizer
    loss_history_: History
    metrics_: History
    layer_stats_: History
    trajectory_: Trajectory
    _P: Bound
    _shuffle_rng: np.random.Generator
    _pos: int
    _order: np.ndarray | None
    _cache: dict[str, Any] | None

    def export_state(self) -> dict[str, Any]:
        """Everything learned since the last reset, JSON-able (arrays and the shuffling generator encoded
        bit-exact), so that ``import_state`` on a trainer with the same params and data continues exactly.
        Not saved, because params and data rebuild them: the features, targets, classes and the optimizer's
        hyperparameters; nor the scratch buffers (gradient, previous weights, caches)."""
        net = self.net_
        state: dict[str, Any] = {"kind": "network", "format": STATE_FORMAT,
                                 "layer_sizes": [] if net is None else list(net.layer_sizes)}
        if net is None:
            return state  # invalid data: nothing learned, and reset rebuilds the status and message
        opt = self.optimizer_
        return state | {
            "n_train": self.n_train_, "n_test": self.n_test_, "eval_every": self.eval_every,
            "step": self.n_iter_, "epoch": self.epoch_, "status": self.status.value, "message": self.message,
            "weights": [encode_array(W) for W in self._P.W], "biases": [encode_array(b) for b in self._P.b],
            # the rule's arrays for theta (its one parameter array), None before the first update; the
            # last one is scratch space, saved anyway so this need not know each rule's layout
            "optimizer": {"name": opt.name, "t": opt.t,
                          "arrays": None if opt._state is None else [encode_array(a) for a in opt._state[0]]},
            "batches": {"rng": encode_rng(self._shuffle_rng), "position": self._pos,
                        "order": None if self._order is None else encode_array(self._order)},
            "loss_history": encode_history(self.loss_history_), "metrics": encode_history(self.metrics_),
            "layer_stats": encode_history(self.layer_stats_), "trajectory": self.trajectory_.encode(),
        }

    def import_state(self, state: Mapping[str, Any]) -> None:
        """Restore ``export_state``'s result on a trainer given the same params and data. Everything is
        checked before anything changes: on a StateError (a ValidationError) the trainer is as it was."""
        what = "The network state"
        saved.check_header(state, "network", STATE_FORMAT, what)
        net = self.net_
        here = () if net is None else net.layer_sizes
        sizes = field(state, "layer_sizes", what, list)
        if sizes != list(here):
            now = "-".join(map(str, here)) if here else f"no network ({self.message})"
            raise StateError(f"{what} is for layers {'-'.join(map(str, sizes)) or 'none'}; the current "
                             f"settings and data make {now}.")
        if net is None:
            return
        counts = (saved.count(state, "n_train", what), saved.count(state, "n_test", what))
        if counts != (self.n_train_, self.n_test_):
            raise StateError(f"{what} was trained on {counts[0]} points with {counts[1]} held out; the current "
                             f"data has {self.n_train_} with {self.n_test_} held out.")
        if (every := saved.count(state, "eval_every", what)) != self.eval_every:
            raise StateError(f"{what} recorded metrics every {every} steps; this trainer every {self.eval_every}.")
        step, epoch = saved.count(state, "step", what), saved.count(state, "epoch", what)
        status, message = saved.decode_status(state, what, allow_invalid=False), field(state, "message", what, str)
        L = net.n_layers
        W = [decode_array(w, f"{what}'s W_{i + 1}", shape=shape, finite=True)
             for i, (w, shape) in enumerate(zip(saved.items(state, "weights", what, L), net.weight_shapes))]
        b = [decode_array(v, f"{what}'s b_{i + 1}", shape=(n,), finite=True)
             for i, (v, n) in enumerate(zip(saved.items(state, "biases", what, L), net.layer_sizes[1:]))]

        ow, opt = f"{what}'s optimizer", self.optimizer_
        o = field(state, "optimizer", what, Mapping)
        if (name := field(o, "name", ow, str)) != opt.name:
            raise StateError(f"{ow} is {name!r}; the settings say {opt.name!r}.")
        t = saved.count(o, "t", ow)
        arrays = field(o, "arrays", ow, (list, type(None)))
        if (arrays is None) != (t == 0):  # the rule's arrays exist from its first update on
            raise StateError(f"{ow} has taken {t} steps but {'no' if arrays is None else 'some'} state arrays.")
        if arrays is not None:
            want = len(opt._new_state(self.theta_))
            if len(arrays) != want:
                raise StateError(f"{ow} has {len(arrays)} state arrays; {opt.name} keeps {want}.")
            arrays = tuple(decode_array(a, f"{ow} array {i + 1}", shape=(net.n_params,))  # may hold inf
                           for i, a in enumerate(arrays))

        bw = f"{what}'s batch order"
        batches = field(state, "batches", what, Mapping)
        rng = decode_rng(field(batches, "rng", bw, Mapping), f"{bw} random generator")
        pos = saved.count(batches, "position", bw)
        order = field(batches, "order", bw, (Mapping, type(None)))
        if order is not None:
            order = decode_array(order, bw, "int64", shape=(self.n_train_,)).astype(np.intp)
            if not np.array_equal(np.sort(order), np.arange(self.n_train_)):
                raise StateError(f"{bw} is not a shuffle of the {self.n_train_} training points.")

        histories = [decode_history(field(state, key, what, Mapping), f"{what}'s {key}", h.fields, h.capacity)
                     for key, h in (("loss_history", self.loss_history_), ("metrics", self.metrics_),
                                    ("layer_stats", self.layer_stats_))]
        trajectory = Trajectory.decode(field(state, "trajectory", what, Mapping), f"{what}'s trajectory",
                                        net.n_params, self.eval_every)

        # all checked: now change the trainer (theta in place, so the W_l, b_l views stay bound)
        self.theta_[:] = np.concatenate([*(w.ravel() for w in W), *b])
        self.n_iter_, self.epoch_, self.status, self.message = step, epoch, status, message
        opt.t, opt._state = t, None if arrays is None else [arrays]
        self._shuffle_rng, self._pos, self._order = rng, pos, order
        self.loss_history_, self.metrics_, self.layer_stats_ = histories
        self.trajectory_ = trajectory
        self._cache = None
