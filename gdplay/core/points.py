"""The editable point set and its edit commands. Applying a command returns its inverse, so undo is
applying the inverse, and redo is applying the inverse's inverse. Qt-free: the view only mirrors it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np

from gdplay.core.trainer import ValidationError


@dataclass(frozen=True)
class Add:
    xy: tuple[float, float]
    label: int = 0


@dataclass(frozen=True)
class Insert:
    index: int
    xy: tuple[float, float]
    label: int = 0


@dataclass(frozen=True)
class Delete:
    index: int


@dataclass(frozen=True)
class Move:
    index: int
    xy: tuple[float, float]


@dataclass(frozen=True)
class Replace:
    """Replace every point at once: Clear, a preset, a CSV import."""

    xy: np.ndarray
    labels: np.ndarray
    description: str = "Replace points"


Command = Add | Insert | Delete | Move | Replace
POINT_COMMANDS = (Add, Insert, Delete, Move, Replace)

_DESCRIPTIONS = {Add: "Add point", Insert: "Add point", Delete: "Delete point", Move: "Move point"}


def describe(cmd: Command) -> str:
    return cmd.description if isinstance(cmd, Replace) else _DESCRIPTIONS[type(cmd)]


def _finite_xy(xy: tuple[float, float]) -> tuple[float, float]:
    x, y = float(xy[0]), float(xy[1])
    if not (np.isfinite(x) and np.isfinite(y)):
        raise ValidationError(f"A point must have finite coordinates; got ({x}, {y}).")
    return x, y


class PointSet:
    """Points ``xy`` (n, 2) with integer ``labels`` (n,). ``version`` grows with every change."""

    def __init__(self, xy: np.ndarray | None = None, labels: np.ndarray | None = None) -> None:
        self.xy = np.empty((0, 2)) if xy is None else np.array(xy, dtype=np.float64).reshape(-1, 2)
        self.labels = np.zeros(len(self.xy), dtype=np.int64) if labels is None else np.array(labels, dtype=np.int64)
        self.version = 0

    def __len__(self) -> int:
        return len(self.xy)

    def apply(self, cmd: Command) -> Command:
        """Carry out ``cmd``; return the command that undoes it."""
        if isinstance(cmd, Add):
            cmd = Insert(len(self.xy), cmd.xy, cmd.label)
        if isinstance(cmd, Insert):
            i = int(cmd.index)
            if not 0 <= i <= len(self.xy):
                raise IndexError(f"insert position {i} is outside 0..{len(self.xy)}")
            self.xy = np.insert(self.xy, i, _finite_xy(cmd.xy), axis=0)
            self.labels = np.insert(self.labels, i, int(cmd.label))
            inverse: Command = Delete(i)
        elif isinstance(cmd, Delete):
            i = self._check(cmd.index)
            inverse = Insert(i, (float(self.xy[i, 0]), float(self.xy[i, 1])), int(self.labels[i]))
            self.xy = np.delete(self.xy, i, axis=0)
            self.labels = np.delete(self.labels, i)
        elif isinstance(cmd, Move):
            i = self._check(cmd.index)
            inverse = Move(i, (float(self.xy[i, 0]), float(self.xy[i, 1])))
            self.xy = self.xy.copy()
            self.xy[i] = _finite_xy(cmd.xy)
        elif isinstance(cmd, Replace):
            xy = np.array(cmd.xy, dtype=np.float64).reshape(-1, 2)
            labels = np.array(cmd.labels, dtype=np.int64).reshape(-1)
            if len(xy) != len(labels):
                raise ValidationError(f"Got {len(xy)} points but {len(labels)} labels.")
            if not np.isfinite(xy).all():
                raise ValidationError("The points contain NaN or infinity; every coordinate must be a finite number.")
            inverse = Replace(self.xy, self.labels, cmd.description)
            self.xy, self.labels = xy, labels
        else:  # pragma: no cover - the union above is closed
            raise TypeError(f"not a point command: {cmd!r}")
        self.version += 1
        return inverse

    def _check(self, index: int) -> int:
        i = int(index)
        if not 0 <= i < len(self.xy):
            raise IndexError(f"point {i} does not exist (there are {len(self.xy)})")
        return i

    def nearest(self, x: float, y: float, scale: tuple[float, float] = (1.0, 1.0)) -> tuple[int, float]:
        """Index of the nearest point and its distance, with axes divided by ``scale`` (e.g. pixels per unit)."""
        if not len(self.xy):
            return -1, np.inf
        d = np.hypot((self.xy[:, 0] - x) / scale[0], (self.xy[:, 1] - y) / scale[1])
        i = int(np.argmin(d))
        return i, float(d[i])


Other = TypeVar("Other")  # entries of another kind an UndoStack may hold besides point commands


class UndoStack(Generic[Other]):
    """Undo/redo over a PointSet: each entry is the inverse of what was done, with a description.

    An entry is a point command, applied to the points, or (in a subclass that overrides ``_apply_other``)
    an ``Other``: a tab's whole state, say, whose applying returns the state it replaced."""

    def __init__(self, points: PointSet, limit: int = 1000) -> None:
        self.points = points
        self.limit = limit
        self._undo: list[tuple[str, Command | Other]] = []
        self._redo: list[tuple[str, Command | Other]] = []
        self.last_applied: Command | Other | None = None  # what undo/redo just did

    def push(self, cmd: Command) -> None:
        """Do ``cmd`` and remember how to undo it."""
        self.record(describe(cmd), self.points.apply(cmd))

    def record(self, description: str, inverse: Command | Other) -> None:
        """Remember an edit already made (a finished drag) by its inverse."""
        self._undo.append((description, inverse))
        del self._undo[: -self.limit]
        self._redo.clear()

    def can_undo(self) -> bool:
        return bool(self._undo)

    def can_redo(self) -> bool:
        return bool(self._redo)

    def undo_text(self) -> str:
        return self._undo[-1][0] if self._undo else ""

    def redo_text(self) -> str:
        return self._redo[-1][0] if self._redo else ""

    def _apply(self, entry: Command | Other) -> Command | Other:
        """Carry out an entry; return the entry that undoes it."""
        if isinstance(entry, POINT_COMMANDS):
            return self.points.apply(entry)
        return self._apply_other(entry)

    def _apply_other(self, entry: Other) -> Command | Other:
        raise TypeError(f"not a point command: {entry!r}")

    def undo(self) -> bool:
        if not self._undo:
            return False
        text, inverse = self._undo.pop()
        self._redo.append((text, self._apply(inverse)))
        self.last_applied = inverse
        return True

    def redo(self) -> bool:
        if not self._redo:
            return False
        text, cmd = self._redo.pop()
        self._undo.append((text, self._apply(cmd)))
        self.last_applied = cmd
        return True
