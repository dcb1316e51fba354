"""Training processes: start one for a tab; under spawn, start them ahead (spares, one per tab while the
window is built) so a tab's first frame does not wait for a fresh interpreter to import numpy and the core.

A process is started empty and receives its trainer as its first command (``runner.serve``), so a spare
can start before anyone knows which trainer it will run. Under forkserver no spares are needed: the server
has everything imported, and a child forks from it in milliseconds.
"""

from __future__ import annotations

import atexit
import contextlib
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from typing import Any

from gdplay.bridge import start_method
from gdplay.bridge.commands import LoadTrainer
from gdplay.bridge.runner import serve


@dataclass
class TrainingProcess:
    """A started training process and our ends of its two one-way pipes."""

    process: BaseProcess
    commands: Connection  # we write
    messages: Connection  # we read

    def close(self) -> None:
        for end in (self.commands, self.messages):
            with contextlib.suppress(OSError):
                end.close()


_lock = threading.Lock()
_spares: list[TrainingProcess] = []


def _new(ctx: BaseContext, name: str, preload: tuple[str, ...]) -> TrainingProcess:
    commands_r, commands_w = ctx.Pipe(duplex=False)
    messages_r, messages_w = ctx.Pipe(duplex=False)
    # every concrete context (fork, forkserver, spawn) has Process; typeshed gives it to those only
    process = ctx.Process(target=serve, args=(commands_r, messages_w, preload), daemon=True,  # type: ignore[attr-defined]
                          name=name)
    try:
        process.start()
    except BaseException:
        commands_w.close()
        messages_r.close()
        raise
    finally:
        commands_r.close()
        messages_w.close()
    return TrainingProcess(process, commands_w, messages_r)


def start(name: str, trainer: Any) -> TrainingProcess:
    """A training process running ``trainer`` (a spare one if there is one). Raises StartMethodError,
    OSError, or the pickling error of a trainer that cannot cross into a process."""
    ctx = start_method.context()
    proc = None
    with _lock:
        while _spares and proc is None:
            candidate = _spares.pop(0)
            if candidate.process.is_alive():
                proc = candidate
            else:
                candidate.close()
    if proc is None:
        proc = _new(ctx, name, ())
    try:
        proc.commands.send(LoadTrainer(trainer))
    except BaseException:
        stop(proc)
        raise
    return proc


def _add_spare(ctx: BaseContext) -> None:
    with contextlib.suppress(Exception):  # a spare is only a head start; without one a tab starts its own
        proc = _new(ctx, "gdplay-trainer", start_method.PRELOAD)
        with _lock:
            _spares.append(proc)


def warm_up(count: int) -> int:
    """Under spawn, start ``count`` processes now: they import numpy and the core while the window is built,
    and the tabs take them. Elsewhere nothing. Returns how many were started."""
    try:
        ctx = start_method.context()
    except start_method.StartMethodError:
        return 0  # the first tab reports it
    if ctx.get_start_method() != "spawn":
        return 0
    for _ in range(count):
        _add_spare(ctx)
    return count


def stop(proc: TrainingProcess, grace: float = 1.0) -> None:
    """End a process that has been told to stop (or never got a trainer): close its pipes, give it ``grace``
    seconds to exit, then terminate it."""
    proc.close()
    proc.process.join(grace)
    if proc.process.is_alive():
        proc.process.terminate()
        proc.process.join(1.0)


@atexit.register
def discard_spares() -> None:
    """End the spares nobody took (a spare's command pipe closing makes it exit)."""
    with _lock:
        spares, _spares[:] = list(_spares), []
    for proc in spares:
        stop(proc, grace=0.5)
