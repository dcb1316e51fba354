"""The weights along a run, thinned as it grows: what the loss landscape projects onto its plane."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from gdplay.core.state import StateError, decode_array, encode_array, field


class Trajectory:
    """Flat parameter vectors at recorded steps, thinned like History (every 2nd row when full). ``index``
    counts records (step // eval_every), so thinning works whatever the spacing of the steps."""

    def __init__(self, n_params: int, capacity: int = 256) -> None:
        self.capacity = capacity
        self.index = np.empty(capacity, dtype=np.int64)
        self.steps = np.empty(capacity, dtype=np.int64)
        self.thetas = np.empty((capacity, n_params))
        self.n = 0
        self.stride = 1

    def append(self, index: int, step: int, theta: np.ndarray) -> None:
        if index % self.stride:
            return
        if self.n == self.capacity:
            self.stride *= 2
            keep = np.flatnonzero(self.index[: self.n] % self.stride == 0)
            self.n = len(keep)
            self.index[: self.n] = self.index[keep]
            self.steps[: self.n] = self.steps[keep]
            self.thetas[: self.n] = self.thetas[keep]
            if index % self.stride:
                return
        self.index[self.n] = index
        self.steps[self.n] = step
        self.thetas[self.n] = theta
        self.n += 1

    def encode(self) -> dict[str, Any]:
        n = self.n
        return {"stride": self.stride, "index": encode_array(self.index[:n]), "steps": encode_array(self.steps[:n]),
                "thetas": encode_array(self.thetas[:n])}

    @classmethod
    def decode(cls, obj: Any, what: str, n_params: int, eval_every: int) -> Trajectory:
        """The trajectory ``encode`` saved, checked against the network's size and the trainer's spacing."""
        out = cls(n_params)
        stride = field(obj, "stride", what, int)
        index = decode_array(field(obj, "index", what, Mapping), f"{what} index", "int64", ndim=1)
        n = len(index)
        steps = decode_array(field(obj, "steps", what, Mapping), f"{what} steps", "int64", shape=(n,))
        # not finite-checked: a diverging run may have recorded blown-up weights (loss_landscape drops them)
        thetas = decode_array(field(obj, "thetas", what, Mapping), f"{what} weights", shape=(n, n_params))
        if stride < 1 or stride & (stride - 1):
            raise StateError(f"{what}: 'stride' is {stride}; expected a power of two.")
        if n > out.capacity:
            raise StateError(f"{what} has {n} rows; it can hold at most {out.capacity}.")
        if not ((index >= 0).all() and (index % stride == 0).all() and (np.diff(index) > 0).all()
                and (steps == index * eval_every).all()):
            raise StateError(f"{what} has bad steps: they must be increasing multiples of {eval_every * stride}.")
        out.index[:n], out.steps[:n], out.thetas[:n] = index, steps, thetas
        out.n, out.stride = n, stride
        return out

