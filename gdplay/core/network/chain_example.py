"""The seed's worked example: two sigmoid neurons in a chain, x -> (w1, b1) -> (w2, b2) -> a2, stepped by
hand-written backpropagation on E = 1/2 (T - a2)², with every intermediate value kept for the lesson."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from types import MappingProxyType
from typing import Any

import numpy as np

from gdplay.core import state as saved
from gdplay.core.history import History
from gdplay.core.network.params import STATE_FORMAT, _is_int, _is_real
from gdplay.core.state import StateError, decode_array, decode_history, encode_array, encode_history, field
from gdplay.core.trainer import Snapshot, Status, ValidationError, diverged_message

CHAIN_EXAMPLE: Mapping[str, float] = MappingProxyType(
    {"x": 0.1, "w1": 0.15, "b1": 0.4, "w2": 0.45, "b2": 0.65, "T": 0.25, "learning_rate": 0.4})


def _sigmoid1(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def chain_example_step(state: Mapping[str, float] | None = None) -> dict[str, float]:
    """One forward pass, backpropagation and update of x -> (w1, b1, σ) -> (w2, b2, σ) -> a2 with
    E = 1/2 (T - a2)². Missing keys of ``state`` take the seed's numbers (CHAIN_EXAMPLE).

    Returns every intermediate value; w1, b1, w2, b2 are the updated weights (the old ones are
    ``w1_old``, ...)."""
    s = {**CHAIN_EXAMPLE, **(state or {})}
    x, T, lr = s["x"], s["T"], s["learning_rate"]
    w1, b1, w2, b2 = s["w1"], s["b1"], s["w2"], s["b2"]
    z1 = w1 * x + b1
    a1 = _sigmoid1(z1)
    z2 = w2 * a1 + b2
    a2 = _sigmoid1(z2)
    E = 0.5 * (T - a2) ** 2
    dE_da2 = -(T - a2)
    da2_dz2 = a2 * (1.0 - a2)
    dE_dz2 = dE_da2 * da2_dz2
    dE_dw2 = dE_dz2 * a1  # = -(T - a2) a2 (1 - a2) a1
    dE_db2 = dE_dz2
    dE_da1 = dE_dz2 * w2
    da1_dz1 = a1 * (1.0 - a1)
    dE_dz1 = dE_da1 * da1_dz1
    dE_dw1 = dE_dz1 * x
    dE_db1 = dE_dz1
    return {
        "x": x, "T": T, "learning_rate": lr,
        "w1_old": w1, "b1_old": b1, "w2_old": w2, "b2_old": b2,
        "z1": z1, "a1": a1, "z2": z2, "a2": a2, "E": E,
        "dE_da2": dE_da2, "da2_dz2": da2_dz2, "dE_dz2": dE_dz2, "dE_dw2": dE_dw2, "dE_db2": dE_db2,
        "dE_da1": dE_da1, "da1_dz1": da1_dz1, "dE_dz1": dE_dz1, "dE_dw1": dE_dw1, "dE_db1": dE_db1,
        "w1": w1 - lr * dE_dw1, "b1": b1 - lr * dE_db1, "w2": w2 - lr * dE_dw2, "b2": b2 - lr * dE_db2,
    }


def chain_error(state: Mapping[str, float] | None = None) -> float:
    """E = 1/2 (T - a2)² at the given weights (no update)."""
    s = {**CHAIN_EXAMPLE, **(state or {})}
    a2 = _sigmoid1(s["w2"] * _sigmoid1(s["w1"] * s["x"] + s["b1"]) + s["b2"])
    return 0.5 * (s["T"] - a2) ** 2


_CHAIN_WEIGHTS = ("w1", "b1", "w2", "b2")
_CHAIN_STEP_KEYS = tuple(chain_example_step())  # the names of every value of a step, in a fixed order


@dataclass(frozen=True)
class ChainParams:
    """The worked example's numbers. ``learning_rate`` and ``max_steps`` apply live; the rest restart."""

    x: float = 0.1
    T: float = 0.25
    w1: float = 0.15
    b1: float = 0.4
    w2: float = 0.45
    b2: float = 0.65
    learning_rate: float = 0.4
    max_steps: int = 100_000

    def validate(self) -> ChainParams:
        for f in fields(self):
            v = getattr(self, f.name)
            if not _is_real(v):
                raise ValidationError(f"{f.name} must be a finite number; got {v!r}.")
        if self.learning_rate <= 0:
            raise ValidationError(f"The learning rate must be a positive finite number; got {self.learning_rate!r}.")
        if not _is_int(self.max_steps) or self.max_steps < 1:
            raise ValidationError(f"The step limit must be an integer >= 1; got {self.max_steps!r}.")
        return self

    def state(self) -> dict[str, float]:
        return {k: getattr(self, k) for k in ("x", "T", "w1", "b1", "w2", "b2", "learning_rate")}


@dataclass(frozen=True, kw_only=True)
class ChainSnapshot(Snapshot):
    """``last_step``: every value of the most recent step (empty before the first); ``weights``: the
    current w1, b1, w2, b2; ``error_history``: rows (step, E at the weights after that many steps)."""

    learning_rate: float
    weights: Mapping[str, float]
    last_step: Mapping[str, float]
    error_history: np.ndarray


class ChainExample:
    """Steps the two-neuron chain by hand-written backpropagation and records the error per step."""

    def __init__(self, params: ChainParams | None = None, history_capacity: int = 4096) -> None:
        self.params = (params or ChainParams()).validate()
        self.params_version = 0
        self.error_history_ = History(("E",), capacity=history_capacity)
        self.reset()

    def reset(self) -> None:
        self.state_ = self.params.state()
        self.n_iter_ = 0
        self.last_step_: dict[str, float] = {}
        self.error_history_.clear()
        self.error_ = chain_error(self.state_)
        self.error_history_.append(0, self.error_)
        self.status = Status.READY
        self.message = ""

    def set_params(self, params: ChainParams, version: int = 0) -> None:
        params = params.validate()
        old, self.params = self.params, params
        self.params_version = version
        if replace(old, learning_rate=params.learning_rate, max_steps=params.max_steps) != params:
            self.reset()
            return
        self.state_["learning_rate"] = params.learning_rate
        if self.status is Status.MAX_STEPS and self.n_iter_ < params.max_steps:
            self.status = Status.TRAINING

    def step(self, k: int = 1) -> int:
        if not self.status.can_step or k <= 0:
            return 0
        self.status = Status.TRAINING
        taken = 0
        limit = min(k, self.params.max_steps - self.n_iter_)
        while taken < limit:
            out = chain_example_step(self.state_)
            new = {key: out[key] for key in ("w1", "b1", "w2", "b2")}
            err = chain_error({**self.state_, **new})
            if not all(map(math.isfinite, (*new.values(), err))):
                self.status = Status.DIVERGED
                self.message = diverged_message(self.n_iter_ + taken + 1, "error", math.nan,
                                                self.state_["learning_rate"])
                break
            self.last_step_ = out
            self.state_.update(new)
            taken += 1
            self.error_ = err
            self.error_history_.append(self.n_iter_ + taken, err)
        self.n_iter_ += taken
        if self.status is Status.TRAINING and self.n_iter_ >= self.params.max_steps:
            self.status = Status.MAX_STEPS
            self.message = f"Stopped at the step limit ({self.params.max_steps})."
        return taken

    def fit(self) -> ChainExample:
        while self.status.can_step and self.step(10_000):
            pass
        return self

    def export_state(self) -> dict[str, Any]:
        """The weights, step, status and error history (x, T and the learning rate are params). The last
        step's values go as one array (in chain_example_step's order): they need not be finite."""
        last = self.last_step_
        return {
            "kind": "chain", "format": STATE_FORMAT, "step": self.n_iter_, "status": self.status.value,
            "message": self.message, "weights": {k: self.state_[k] for k in _CHAIN_WEIGHTS},
            "last_step": encode_array(np.array([last[k] for k in _CHAIN_STEP_KEYS])) if last else None,
            "error_history": encode_history(self.error_history_),
        }

    def import_state(self, state: Mapping[str, Any]) -> None:
        """Restore ``export_state``'s result (same params); all checked first, all or nothing."""
        what = "The worked example state"
        saved.check_header(state, "chain", STATE_FORMAT, what)
        step = saved.count(state, "step", what)
        status = saved.decode_status(state, what, allow_invalid=False)
        message = field(state, "message", what, str)
        ww = f"{what}'s weights"
        stored = field(state, "weights", what, Mapping)
        weights = {k: field(stored, k, ww, float) for k in _CHAIN_WEIGHTS}
        if not all(map(math.isfinite, weights.values())):
            raise StateError(f"{ww} contain NaN or infinity; every weight must be a finite number.")
        last = field(state, "last_step", what, (Mapping, type(None)))
        if last is not None:
            values = decode_array(last, f"{what}'s last step", shape=(len(_CHAIN_STEP_KEYS),))
            last = dict(zip(_CHAIN_STEP_KEYS, values.tolist()))
        h = self.error_history_
        history = decode_history(field(state, "error_history", what, Mapping), f"{what}'s error history",
                                 h.fields, h.capacity)
        self.state_.update(weights)
        self.n_iter_, self.status, self.message = step, status, message
        self.last_step_ = last or {}
        self.error_history_ = history
        self.error_ = chain_error(self.state_)  # what step and reset store: E at the current weights

    def snapshot(self) -> ChainSnapshot:
        return ChainSnapshot(
            step=self.n_iter_, params_version=self.params_version, status=self.status, message=self.message,
            cost=self.error_, learning_rate=self.state_["learning_rate"],
            weights=MappingProxyType({k: self.state_[k] for k in ("w1", "b1", "w2", "b2")}),
            last_step=MappingProxyType(dict(self.last_step_)),
            error_history=self.error_history_.rows(),
        )
