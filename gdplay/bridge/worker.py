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
import os
import queue
import threading
import time
from multiprocessing.connection import wait as wait_for
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal, Slot

from gdplay.bridge.runner import Unchanged, child_main, coalesce, restore
from gdplay.core.trainer import Snapshot, Trainer

log = logging.getLogger(__name__)

STOP_SECONDS = 1.5  # how long a training process gets to finish its step before it is ended


def _context() -> mp.context.BaseContext:
    """forkserver: children fork from a clean server started before any Qt thread, not from this
    multi-threaded process; the server preloads numpy and the core so a child starts in milliseconds."""
    # one BLAS thread per trainer: its matrices are small, and a second thread only spins against the GUI
    # for the other core (a 2-8-8-1 network trained 2.5x faster with the window drawing). Read by the
    # server's numpy when it starts, which is after this; the user's own setting wins.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["numpy", "gdplay.core.regression", "gdplay.core.network", "gdplay.core.svm",
                                "gdplay.bridge.runner"])
    return ctx


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
        self._queue: list[tuple] = []  # commands in the order posted
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
    def post(self, cmd: tuple) -> None:
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
    def _take_mail(self) -> tuple[list[tuple], bool]:
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
                    elif hasattr(value, "version"):
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
        thread = QThread.currentThread()
        ctx = _context()
        commands_r, commands_w = ctx.Pipe(duplex=False)
        messages_r, messages_w = ctx.Pipe(duplex=False)
        process = ctx.Process(target=child_main, args=(self._trainer, commands_r, messages_w), daemon=True,
                              name=f"gdplay-{thread.objectName()}")
        try:
            process.start()
            self.pid = process.pid
        except Exception as exc:  # e.g. the trainer cannot be pickled
            log.exception("could not start the training process")
            self.failed.emit(f"Could not start training: {type(exc).__name__}: {exc}")
            return
        finally:
            commands_r.close()
            messages_w.close()
        # commands go through a sender thread: a large command (10,000 points) can fill the pipe, and a relay
        # blocked writing could not read the snapshots the child is blocked writing: a deadlock
        outbox: queue.SimpleQueue = queue.SimpleQueue()
        sender = threading.Thread(target=_send_all, args=(outbox, commands_w), name="gdplay-sender", daemon=True)
        sender.start()
        alive = True
        try:
            while alive:
                cmds, stop = self._take_mail()
                if stop or thread.isInterruptionRequested():
                    break
                for cmd in cmds:
                    outbox.put(cmd)
                ready = wait_for([messages_r, self._wake_r], timeout=0.25)
                if self._wake_r in ready:
                    while self._wake_r.poll():
                        self._wake_r.recv_bytes()
                if messages_r in ready:
                    # read everything that is there; only the newest snapshot is kept
                    while messages_r.poll():
                        try:
                            kind, payload = messages_r.recv()
                        except (EOFError, OSError):
                            alive = False
                            break
                        self._on_message(kind, payload)
            if not alive and not self._stop:
                process.join(0.5)
                self.runningChanged.emit(False)
                self.failed.emit(f"The training process stopped unexpectedly (exit code {process.exitcode}); "
                                 "your data is kept. Reopen the tab's data or restart gdplay to train again.")
        finally:
            outbox.put(("stop",))
            outbox.put(None)  # the sender closes the pipe and ends
            # keep reading until it exits: a process blocked sending a snapshot would never see "stop"
            deadline = time.monotonic() + STOP_SECONDS
            while process.is_alive() and time.monotonic() < deadline:
                try:
                    if messages_r.poll(0.02):
                        messages_r.recv()
                except (EOFError, OSError):
                    process.join(0.5)
                    break
            if process.is_alive():  # stuck in a long step: a child process may be ended, unlike a QThread
                process.terminate()
                process.join(1.0)
            sender.join(1.0)
            messages_r.close()
