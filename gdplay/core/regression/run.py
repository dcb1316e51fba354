"""One optimizer's run from the shared start: its parameters, optimizer state, history and moving averages."""

from __future__ import annotations

import math
import zlib
from typing import Any

import numpy as np

from gdplay.core import state as saved
from gdplay.core.history import History
from gdplay.core.optimizers import HYPERPARAMETERS, OPTIMIZERS, make_optimizer
from gdplay.core.regression.params import AVERAGE_WINDOWS, RegressionParams, run_label, split_run
from gdplay.core.regression.results import history_fields
from gdplay.core.state import StateError
from gdplay.core.trainer import Status


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
        self.history = History(history_fields(len(theta)), capacity=capacity)
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

        def array(key: str, **checks: Any) -> np.ndarray:
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
