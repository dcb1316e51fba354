"""What a tab asks of its trainer: commands down to the training process, as frozen dataclasses, and the one
failure type that comes back up in place of a result. Qt-free: the training process imports this module.

The runner dispatches on the command's type (``Runner.apply``); ``coalesce`` drops the superseded ones.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# a view or a request: ``call(trainer, *args, **kwargs)``, a module-level function in core (or a class's
# function, such as ``SomeTrainer.export_state``), sent to the training process by its importable name
Call = Callable[..., Any]


@dataclass(frozen=True)
class LoadTrainer:
    """The first command a training process receives: the trainer it runs."""

    trainer: Any


@dataclass(frozen=True)
class SetParams:
    """New params (newest wins); live ones apply to the current run, structural ones restart it."""

    params: Any
    version: int


@dataclass(frozen=True)
class SetData:
    """``trainer.set_data(*args, **kwargs)``: new training data; the run restarts (and plays unless paused)."""

    args: tuple = ()
    kwargs: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Edit:
    """One point edit (a gdplay.core.points command) for ``trainer.edit``, applied in order."""

    command: Any
    version: int = 0


@dataclass(frozen=True)
class Play:
    pass


@dataclass(frozen=True)
class Pause:
    pass


@dataclass(frozen=True)
class Step:
    """Pause, then take ``n`` steps."""

    n: int = 1


@dataclass(frozen=True)
class Reset:
    """Back to step 0 with the current data and params."""


@dataclass(frozen=True)
class SetRate:
    """Steps per second; None runs at full speed."""

    steps_per_second: float | None


@dataclass(frozen=True)
class SetView:
    """Compute ``view(trainer, *args, **kwargs)`` with every snapshot as the view ``name``; view None
    drops the view. ``max_share`` < 1: while training runs, the view takes at most about this share of the
    process's time (a view that took d seconds is computed again d / max_share seconds later at the
    earliest; the snapshots between carry the last one). A view with a ``hurry`` parameter gets True while
    newer commands wait (a drag): it may answer coarser then."""

    name: str
    view: Call | None
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    max_share: float = 1.0


@dataclass(frozen=True)
class Request:
    """Call ``call(trainer, *args, **kwargs)`` once, between steps; the result comes back with ``tag``."""

    tag: Any
    call: Call
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Stop:
    """End the training process."""


Command = LoadTrainer | SetParams | SetData | Edit | Play | Pause | Step | Reset | SetRate | SetView | Request | Stop


@dataclass(frozen=True)
class CallFailed:
    """Stands in for the result of a view or request that raised, or that no training process could answer:
    the message is the tab's to show, and training goes on."""

    name: str  # the view or request's function
    message: str


def call_name(call: Call | None) -> str:
    """How a view or request is named in messages and logs: its qualified name."""
    return getattr(call, "__qualname__", repr(call))


def check_call(call: Call) -> Call:
    """``call`` if the training process can import it by name; else TypeError (a lambda, a closure, or a
    bound method, which would carry a copy of its object to the other process)."""
    qualname = getattr(call, "__qualname__", "")
    if (not callable(call) or inspect.ismethod(call) or not getattr(call, "__module__", None) or not qualname
            or "<" in qualname):
        raise TypeError(f"{call!r} is not a function the training process can import by name: a view or "
                        "request is a module-level function (or a class's function) taking the trainer first.")
    return call


def coalesce(cmds: list[Command]) -> list[Command]:
    """Drop superseded commands, keeping the order of the rest: all params but the newest, all views but
    the newest of each name, and data replacements and point edits before the newest replacement."""
    last_params = max((i for i, c in enumerate(cmds) if isinstance(c, SetParams)), default=-1)
    last_data = max((i for i, c in enumerate(cmds) if isinstance(c, SetData)), default=-1)
    last_view = {c.name: i for i, c in enumerate(cmds) if isinstance(c, SetView)}
    out = []
    for i, c in enumerate(cmds):
        if (isinstance(c, SetParams) and i != last_params) or (isinstance(c, (SetData, Edit)) and i < last_data) \
                or (isinstance(c, SetView) and last_view[c.name] != i):
            continue
        out.append(c)
    return out
