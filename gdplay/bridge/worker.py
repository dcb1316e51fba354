"""The QThread side of one tab's training: relays commands to the trainer's process and hands the newest
snapshot to the GUI.

Commands from the GUI go into a lock-protected mailbox (newest params and data win) and never block the
GUI; this thread forwards them to the training process. Messages from the process are read as they come;
a snapshot is stored in a one-slot box and ``snapshotReady`` is emitted only if the GUI has drawn the
previous one (it calls ``release`` after painting), so at most one signal is ever queued, the GUI never
sees a backlog, and the event loop gets round between frames.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import multiprocessing as mp
import queue
import threading
import time
from multiprocessing.connection import wait as wait_for
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal, Slot

from gdplay.bridge import processes
from gdplay.bridge.commands import (
    CallFailed,
    Command,
    Edit,
    Pause,
    Play,
    Request,
    Reset,
    SetData,
    SetParams,
    SetRate,
    SetView,
    Step,
    Stop,
    call_name,
    coalesce,
)
from gdplay.bridge.runner import Unchanged, restore
from gdplay.core.trainer import Snapshot, Trainer

log = logging.getLogger(__name__)

STOP_SECONDS = 1.5  # how long a training process gets to finish its step before it is ended


def freeze(value: Any) -> Any:
    """Make the arrays of an unpickled snapshot read-only again (they were read-only when sent)."""
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            freeze(getattr(value, f.name))
    elif isinstance(value, (list, tuple)):
        for v in value:
            freeze(v)
    elif isinstance(value, dict):
        for v in value.values():
            freeze(v)
    return value


def _send_all(outbox: queue.SimpleQueue, pipe) -> None:
    """Forward commands to the training process until None; a gone process ends it quietly."""
    try:
        while (cmd := outbox.get()) is not None:
            pipe.send(cmd)
    except (BrokenPipeError, OSError):
        pass
    finally:
        with contextlib.suppress(OSError):
            pipe.close()


class TrainingWorker(QObject):
    """Lives on its own QThread; owns the training process."""

    snapshotReady = Signal()
    failed = Signal(str)
    runningChanged = Signal(bool)
    replyReady = Signal(object, object)  # (tag, result) of a request

    def __init__(self, trainer: Trainer) -> None:
        super().__init__()
        self._trainer = trainer  # sent to the process when the thread starts
        self._lock = threading.Lock()
        self._queue: list[Command] = []  # commands in the order posted
        self._latest: tuple[Snapshot, dict] | None = None
        self._delivered: tuple[Snapshot, dict] | None = None
        self._in_flight = False
        self._stop = False
        self._wake_r, self._wake_w = mp.Pipe(duplex=False)
        self._wake_pending = False
        self._received: dict[str, Any] = {}  # large snapshot fields, sent once (see runner.thin)
        self.snapshots_received = 0  # every snapshot that came through, drawn or not (for scripts/bench)
        self.pid: int | None = None

    # -- called from the GUI thread: cheap, never blocks on training -----------------------------------
    def post(self, cmd: Command) -> None:
        """Queue a command; superseded ones are dropped (see runner.coalesce), the rest keep their order."""
        with self._lock:
            self._queue.append(cmd)
            if len(self._queue) > 64:
                self._queue = coalesce(self._queue)  # a slider dragged while the process is busy
            wake = not self._wake_pending
            self._wake_pending = True
        if wake:
            self._wake_w.send_bytes(b"!")

    def stop(self) -> None:
        with self._lock:
            self._stop = True
        self._wake_w.send_bytes(b"!")

    def take_snapshot(self) -> tuple[Snapshot, dict] | None:
        """The newest (snapshot, views). The flag stays up until ``release()``: the GUI says when it has
        drawn, so frames are handed over at the rate the GUI can paint them."""
        with self._lock:
            return self._latest

    def release(self) -> bool:
        """The GUI has drawn; returns True if a newer snapshot is waiting (then the flag stays up)."""
        with self._lock:
            if self._latest is not None and self._latest is not self._delivered:
                self._delivered = self._latest
                return True
            self._in_flight = False
            return False

    # -- the relay thread ------------------------------------------------------------------------------
    def _take_mail(self) -> tuple[list[Command], bool]:
        with self._lock:
            cmds, self._queue = coalesce(self._queue), []
            self._wake_pending = False
            return cmds, self._stop

    def _on_message(self, kind: str, payload: Any) -> None:
        if kind == "snapshot":
            self.snapshots_received += 1
            with self._lock:
                snap, views = payload
                for name, value in views.items():
                    if isinstance(value, Unchanged):
                        views[name] = self._received.get(f"view:{name}")
                    else:  # any view may come as Unchanged next (a versioned one, or one kept by max_share)
                        self._received[f"view:{name}"] = value
                self._latest = (freeze(restore(snap, self._received)), freeze(views))
                signal = not self._in_flight
                self._in_flight = True
            if signal:
                self.snapshotReady.emit()
        elif kind == "running":
            self.runningChanged.emit(bool(payload))
        elif kind == "failed":
            self.failed.emit(str(payload))
        elif kind == "reply":
            tag, result = payload
            self.replyReady.emit(tag, freeze(result))

    @Slot()
    def run(self) -> None:
        """The relay's life: start a training process, relay until told to stop; if the process dies (or
        cannot start), say so, answer what can be answered, and start a new one with the tab's points and
        settings when the user asks to train again (Reset, Play, Step). Nothing escapes to the event loop."""
        thread = QThread.currentThread()
        name = f"gdplay-{thread.objectName()}"
        replay = Replay()
        first: list[Command] | None = []
        try:
            while True:
                proc = self._start(name)
                if proc is not None and self._relay(proc, replay, first or []) == "stopped":
                    return
                first = self._wait_for_restart(replay)
                if first is None:
                    return
        except Exception as exc:  # a bug here must not leave the tab silently dead
            log.exception("the training relay failed")
            self.failed.emit(f"Training stopped: {type(exc).__name__}: {exc}")

    def _start(self, name: str) -> processes.TrainingProcess | None:
        try:
            proc = processes.start(name, self._trainer)
        except Exception as exc:  # no start method, no process, or a trainer that cannot be pickled
            if not isinstance(exc, processes.start_method.StartMethodError):  # that one is a sentence already
                log.exception("could not start the training process")
            self.failed.emit(f"Could not start training: {type(exc).__name__}: {exc}")
            return None
        self.pid = proc.process.pid
        return proc

    def _wait_for_restart(self, replay: Replay) -> list[Command] | None:
        """No training process: keep the tab's changes for the next one and answer requests at once (a save
        then does not wait for a trainer that is gone) until Reset, Play or Step asks for a new process.
        Returns the commands that asked, or None when the thread is to end."""
        thread = QThread.currentThread()
        while True:
            cmds, stop = self._take_mail()
            if stop or thread.isInterruptionRequested():
                return None
            if any(isinstance(cmd, RESTARTING) for cmd in cmds):
                return cmds
            for cmd in cmds:
                if isinstance(cmd, Request):
                    self.replyReady.emit(cmd.tag, CallFailed(call_name(cmd.call), NO_PROCESS))
                else:
                    replay.record(cmd)
            if wait_for([self._wake_r], timeout=0.25):
                while self._wake_r.poll():
                    self._wake_r.recv_bytes()

    def _relay(self, proc: processes.TrainingProcess, replay: Replay, first: list[Command]) -> str:
        """Forward commands to the process and its messages to the GUI until told to stop ("stopped") or
        the process ends by itself ("died")."""
        thread = QThread.currentThread()
        # commands go through a sender thread: a large command (10,000 points) can fill the pipe, and a relay
        # blocked writing could not read the snapshots the child is blocked writing: a deadlock
        outbox: queue.SimpleQueue = queue.SimpleQueue()
        sender = threading.Thread(target=_send_all, args=(outbox, proc.commands), name="gdplay-sender",
                                  daemon=True)
        sender.start()
        if first:  # a new process after a crash: the tab's data and settings, paused until Play says otherwise
            for cmd in [Pause(), *replay.commands(), *first]:
                replay.record(cmd)
                outbox.put(cmd)
        alive = True
        try:
            while alive:
                cmds, stop = self._take_mail()
                if stop or thread.isInterruptionRequested():
                    break
                for cmd in cmds:
                    replay.record(cmd)
                    outbox.put(cmd)
                ready = wait_for([proc.messages, self._wake_r], timeout=0.25)
                if self._wake_r in ready:
                    while self._wake_r.poll():
                        self._wake_r.recv_bytes()
                if proc.messages in ready:
                    # read everything that is there; only the newest snapshot is kept
                    while proc.messages.poll():
                        try:
                            kind, payload = proc.messages.recv()
                        except (EOFError, OSError):
                            alive = False
                            break
                        self._on_message(kind, payload)
            if not alive:
                proc.process.join(0.5)
                self.runningChanged.emit(False)
                with self._lock:
                    self._received.clear()  # the next process sends every large field again
                self.failed.emit(f"the training process stopped unexpectedly (exit code {proc.process.exitcode}).")
                return "died"
            return "stopped"
        finally:
            outbox.put(Stop())
            outbox.put(None)  # the sender closes the pipe and ends
            # keep reading until it exits: a process blocked sending a snapshot would never see "stop"
            deadline = time.monotonic() + STOP_SECONDS
            while proc.process.is_alive() and time.monotonic() < deadline:
                try:
                    if proc.messages.poll(0.02):
                        proc.messages.recv()
                except (EOFError, OSError):
                    proc.process.join(0.5)
                    break
            sender.join(1.0)
            processes.stop(proc, grace=0.1)  # stuck in a long step: a process may be ended, unlike a QThread


RESTARTING = (Reset, Play, Step)  # what starts a new training process after one ended
NO_PROCESS = "the training process is not running (it stopped unexpectedly); press Reset or Play to start it again"


class Replay:
    """What a new training process needs to stand where the tab is: the newest params, the newest data and
    the point edits since, the views, the rate. Runs, requests and transport are not replayed."""

    def __init__(self) -> None:
        self._params: SetParams | None = None
        self._data: SetData | None = None
        self._edits: list[Edit] = []
        self._views: dict[str, SetView] = {}
        self._rate: SetRate | None = None

    def record(self, cmd: Command) -> None:
        if isinstance(cmd, SetParams):
            self._params = cmd
        elif isinstance(cmd, SetData):
            self._data, self._edits = cmd, []
        elif isinstance(cmd, Edit):
            self._edits.append(cmd)
        elif isinstance(cmd, SetView):
            self._views[cmd.name] = cmd
        elif isinstance(cmd, SetRate):
            self._rate = cmd

    def commands(self) -> list[Command]:
        cmds: list[Command] = [c for c in (self._params, self._data) if c is not None]
        cmds += self._edits
        cmds += self._views.values()
        if self._rate is not None:
            cmds.append(self._rate)
        return cmds
