"""The protocol every trainer follows, so one worker, the tests, the benchmarks and the command line can
drive any of them: ``reset()``, ``step(k)``, ``snapshot()``, ``set_params(params, version)``."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np


class Status(str, enum.Enum):
    """Where a run stands. Only ``READY`` and ``TRAINING`` accept more steps."""

    READY = "ready"  # reset, no step taken yet
    TRAINING = "training"
    CONVERGED = "converged"
    MAX_STEPS = "max_steps"
    DIVERGED = "diverged"
    INVALID = "invalid"  # the data cannot be trained on (empty, one class, ...); message says why

    @property
    def can_step(self) -> bool:
        return self in (Status.READY, Status.TRAINING)

    @property
    def finished(self) -> bool:
        return not self.can_step


@dataclass(frozen=True, kw_only=True)
class Snapshot:
    """What a trainer shows of itself at one moment: read-only copies, safe to hand to another thread."""

    step: int
    params_version: int
    status: Status
    message: str
    cost: float


@runtime_checkable
class Trainer(Protocol):
    """A trainer advances by ``step(k)``; ``fit`` is stepping until ``status.finished``."""

    status: Status

    @property
    def n_iter_(self) -> int:
        """Steps taken since the last reset."""
        ...

    def reset(self) -> None: ...

    def step(self, k: int) -> int:
        """Take at most ``k`` steps; stop early when the status leaves TRAINING. Returns steps taken."""
        ...

    def snapshot(self) -> Snapshot: ...

    def set_params(self, params: Any, version: int = 0) -> None:
        """Adopt new hyperparameters between steps. Live ones (learning rate, C) keep the current iterate;
        structural ones reset."""
        ...

    def export_state(self) -> dict[str, Any]:
        """The trained run as JSON-able values."""
        ...

    def import_state(self, state: dict[str, Any]) -> None:
        """Put back a run from ``export_state``; refuses (StateError) one that does not fit."""
        ...


@runtime_checkable
class DataTrainer(Trainer, Protocol):
    """A trainer of points the user places (every tab's but the Surfaces tab's, whose start is a param)."""

    def set_data(self, *args: Any, **kwargs: Any) -> None:
        """New training data (each trainer its own arguments); the run restarts."""
        ...


class EditableTrainer(DataTrainer, Protocol):
    """A trainer that takes point edits one at a time (the regression trainer updates its sums)."""

    def edit(self, cmd: Any, version: int = 0) -> None: ...


class NotReady(Exception):
    """A view or request the trainer cannot answer yet (no model: no data, one class); the message says
    what to do. The training process answers it with a CallFailed, quietly."""


def export_state(trainer: Any) -> dict:
    """The trained run as JSON-able values (a request: sessions and undo keep it)."""
    return trainer.export_state()


def import_state(trainer: Any, state: dict) -> None:
    """Put back a run exported by ``export_state`` (a request)."""
    trainer.import_state(state)


class ValidationError(ValueError):
    """Bad input, with a message that says what is wrong, the value seen and what is allowed."""


def frozen(a: np.ndarray) -> np.ndarray:
    """A read-only copy, for snapshots that cross threads."""
    out = np.array(a, copy=True)
    out.flags.writeable = False
    return out


def diverged_message(step: int, quantity: str, value: float, learning_rate: float) -> str:
    what = "inf" if np.isinf(value) else "nan"
    return (
        f"Training diverged at step {step} ({quantity} became {what}); "
        f"lower the learning rate (now {learning_rate:g})."
    )


def fit(trainer: Trainer, max_calls: int = 1_000_000, chunk: int = 1000) -> Trainer:
    """Step a trainer until it finishes (converged, step limit, diverged or invalid)."""
    for _ in range(max_calls):
        if trainer.status.finished:
            break
        if trainer.step(chunk) == 0:
            break
    return trainer


class ComparedRuns:
    """Stepping for a trainer of several runs side by side from one start (compare mode): ``runs`` each with
    a ``status``; the trainer gives ``_step_run(run, k)`` and ``_update_status()``."""

    status: Status
    runs: list[Any]

    def _step_run(self, run: Any, k: int) -> int:
        raise NotImplementedError

    def _update_status(self) -> None:
        raise NotImplementedError

    def step(self, k: int) -> int:
        """Take up to ``k`` steps on every run that can still step; returns the most any run took."""
        if not self.status.can_step or k <= 0:
            return 0
        self.status = Status.TRAINING
        taken = 0
        for run in self.runs:
            if run.status.can_step:
                taken = max(taken, self._step_run(run, k))
        self._update_status()
        return taken

    def fit(self) -> Any:
        """Step until no run can go on."""
        while self.status.can_step:
            if self.step(100_000) == 0:
                break
        return self
