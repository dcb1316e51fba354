"""A bounded record of a run: every step while it is short, then every 2nd, 4th, ... step, so a run of
millions of steps still spans its whole length in a fixed amount of memory."""

from __future__ import annotations

import numpy as np


class History:
    """Rows of ``(step, *fields)``. When full, every other row is dropped and the stride doubles.

    ``want(step)`` is cheap, so a hot loop can ask before building a row.
    """

    def __init__(self, fields: tuple[str, ...], capacity: int = 4096) -> None:
        if capacity < 4 or capacity % 2:
            raise ValueError(f"capacity must be an even number >= 4; got {capacity}")
        self.fields = fields
        self.capacity = capacity
        self._data = np.empty((capacity, 1 + len(fields)), dtype=np.float64)
        self._n = 0
        self.stride = 1

    @classmethod
    def load(cls, fields: tuple[str, ...], rows: np.ndarray, stride: int = 1, capacity: int = 4096) -> History:
        """A History holding ``rows`` (what ``rows()`` gave, without a tail) recorded every ``stride`` steps,
        as if appended one by one. Checked: at most ``capacity`` rows of a step and each field, a power-of-two
        stride, and steps that are whole, increasing multiples of it (values may be NaN or inf: a diverged
        run's last rows). Raises ValueError with a sentence that follows the history's name."""
        rows = np.asarray(rows, dtype=np.float64)
        if rows.ndim != 2 or rows.shape[1] != 1 + len(fields):
            raise ValueError(f"has rows of shape {rows.shape}; expected (any, {1 + len(fields)}).")
        if not (isinstance(stride, int) and stride >= 1 and not stride & (stride - 1)):
            raise ValueError(f"has 'stride' {stride!r}; expected a power of two.")
        if len(rows) > capacity:
            raise ValueError(f"has {len(rows)} rows; it can hold at most {capacity}.")
        steps = rows[:, 0]
        if not (np.isfinite(steps).all() and (steps >= 0).all() and (steps % stride == 0).all()
                and (np.diff(steps) > 0).all()):
            raise ValueError(f"has bad steps: they must be increasing whole multiples of its stride ({stride}).")
        h = cls(fields, capacity)
        h._data[: len(rows)] = rows
        h._n = len(rows)
        h.stride = stride
        return h

    @property
    def columns(self) -> tuple[str, ...]:
        """The names of the rows' columns: "step", then the fields."""
        return ("step", *self.fields)

    def __len__(self) -> int:
        return self._n

    def clear(self) -> None:
        self._n = 0
        self.stride = 1

    def want(self, step: int) -> bool:
        return step % self.stride == 0

    def append(self, step: int, *values: float) -> None:
        if step % self.stride:
            return
        if self._n and self._data[self._n - 1, 0] == step:  # the same step twice: keep the newest
            self._data[self._n - 1] = (step, *values)
            return
        if self._n == self.capacity:
            # keep rows whose step is a multiple of the doubled stride; the newest row is re-checked below
            keep = np.ones(self._n, dtype=bool)
            while keep.all():  # rows recorded at a multiple of the stride may all survive one doubling
                self.stride *= 2
                keep = self._data[: self._n, 0] % self.stride == 0
            kept = self._data[: self._n][keep]
            self._n = len(kept)
            self._data[: self._n] = kept
            if step % self.stride:
                return
        self._data[self._n] = (step, *values)
        self._n += 1

    def extend(self, rows: np.ndarray) -> None:
        """``append`` for each row of a (k, 1 + len(fields)) array of increasing steps, in one copy while they
        fit (a solver that records many cheap steps in batches)."""
        rows = np.asarray(rows, dtype=np.float64)
        rows = rows[rows[:, 0] % self.stride == 0]
        if not len(rows):
            return
        if self._n and self._data[self._n - 1, 0] == rows[0, 0]:  # the same step twice: keep the newest
            self._data[self._n - 1] = rows[0]
            rows = rows[1:]
        if len(rows) <= self.capacity - self._n:
            self._data[self._n:self._n + len(rows)] = rows
            self._n += len(rows)
            return
        for row in rows.tolist():  # crossing the capacity: the stride doubles on the way
            self.append(int(row[0]), *row[1:])

    def rows(self, tail: tuple[float, ...] | None = None) -> np.ndarray:
        """A read-only copy of the rows, plus ``tail`` (the current state) if it is not the last row."""
        data = self._data[: self._n]
        if tail is not None and (self._n == 0 or data[-1, 0] != tail[0]):
            data = np.vstack([data, np.asarray(tail, dtype=np.float64)[None, :]])
        else:
            data = data.copy()
        data.flags.writeable = False
        return data
