"""Runs a core trainer on its own QThread and hands the newest snapshot to the GUI.

Commands from the GUI (params, data, play/pause, step, reset, speed) go into a lock-protected mailbox
where the newest value wins; the worker's loop reads it between chunks of steps. The loop runs steps in
chunks of about 16 ms, then publishes one snapshot. Publishing stores the snapshot in a one-slot box and
emits ``snapshotReady`` only if the GUI has taken the previous one, so at most one signal is ever
queued: training never waits for drawing and the GUI never sees a backlog.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from gdplay.core.trainer import Snapshot, Status, Trainer

log = logging.getLogger(__name__)

CHUNK_SECONDS = 0.016  # one snapshot per ~16 ms of training: 60 frames a second at most
CALL_SECONDS = 0.002  # grow step(k) calls to about this long, so the clock is read rarely


@dataclass
class _Mailbox:
    """What the GUI asked for since the worker last looked. Guarded by ``Worker._lock``."""

    params: tuple[Any, int] | None = None  # (params, version)
    data: tuple[tuple, dict] | None = None  # (args, kwargs) for trainer.set_data
    playing: bool | None = None
    steps: int = 0  # single steps requested while paused
    reset: bool = False
    rate: float | bool | None = False  # steps per second, None = full speed; False = unchanged
    calls: list = field(default_factory=list)  # callables run on the trainer in the worker thread


class TrainingWorker(QObject):
    """Lives on its own QThread; the only object that touches the trainer after start."""

    snapshotReady = Signal()
    failed = Signal(str)
    runningChanged = Signal(bool)

    def __init__(self, trainer: Trainer) -> None:
        super().__init__()
        self._trainer = trainer
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._mail = _Mailbox()
        self._latest: Snapshot | None = None
        self._in_flight = False
        self._playing = False
        self._rate: float | None = None
        self._k = 1  # steps per call, adapted to CALL_SECONDS
        self._stop = False

    # -- called from the GUI thread (cheap, never blocks on training) --------------------------------
    def post(self, **changes: Any) -> None:
        with self._wake:
            m = self._mail
            for key, value in changes.items():
                if key == "steps":
                    m.steps += value
                elif key == "call":
                    m.calls.append(value)
                else:
                    setattr(m, key, value)
            self._wake.notify()

    def stop(self) -> None:
        with self._wake:
            self._stop = True
            self._wake.notify()

    def take_snapshot(self) -> Snapshot | None:
        """The newest snapshot; clears the in-flight flag so the next one is signalled."""
        with self._lock:
            snap, self._in_flight = self._latest, False
            return snap

    # -- the worker thread ---------------------------------------------------------------------------
    def _publish(self) -> None:
        snap = self._trainer.snapshot()
        with self._lock:
            self._latest = snap
            signal = not self._in_flight
            self._in_flight = True
        if signal:
            self.snapshotReady.emit()

    def _set_playing(self, playing: bool) -> None:
        if playing != self._playing:
            self._playing = playing
            self.runningChanged.emit(playing)

    def _apply_mail(self) -> bool:
        """Apply what the GUI asked for; returns whether anything changed the picture."""
        with self._lock:
            mail, self._mail = self._mail, _Mailbox()
        t = self._trainer
        changed = False
        if mail.rate is not False:
            self._rate = mail.rate
            self._rate_start = None
        if mail.data is not None:
            args, kwargs = mail.data
            t.set_data(*args, **kwargs)
            changed = True
            if mail.playing is None:
                mail.playing = True  # an edit re-fits at once
        if mail.params is not None:
            was_finished = t.status.finished and t.status is not Status.INVALID
            t.set_params(*mail.params)
            changed = True
            if was_finished and t.status.finished:
                # the run had ended (limit, converged, diverged): replay it with the new params
                t.reset()
                mail.playing = True if mail.playing is None else mail.playing
        if mail.reset:
            t.reset()
            changed = True
        for call in mail.calls:
            call(t)
            changed = True
        if mail.playing is not None:
            self._set_playing(mail.playing)
            self._rate_start = None
        if mail.steps:
            self._run_steps(mail.steps, deadline=math.inf)
            self._set_playing(False)
            changed = True
        return changed

    def _run_steps(self, budget: int, deadline: float) -> int:
        """Step the trainer until ``budget`` steps are done, the deadline passes or it finishes."""
        t = self._trainer
        done = 0
        thread = QThread.currentThread()
        while done < budget and t.status.can_step:
            k = min(self._k, budget - done)
            t0 = time.perf_counter()
            n = t.step(k)
            dt = time.perf_counter() - t0
            done += n
            if n == 0:
                break
            if dt < CALL_SECONDS / 2 and n == k == self._k:  # grow only when the call size was the limit
                self._k = min(self._k * 2, 1 << 22)
            elif dt > CALL_SECONDS * 2 and self._k > 1:
                self._k //= 2
            if time.perf_counter() >= deadline or thread.isInterruptionRequested():
                break
        return done

    @Slot()
    def run(self) -> None:
        """The loop: apply mail, train one chunk, publish, sleep when idle. Ends on stop()."""
        thread = QThread.currentThread()
        self._rate_start: tuple[float, int] | None = None
        dirty = True
        while not thread.isInterruptionRequested():
            with self._lock:
                if self._stop:
                    break
            try:
                dirty |= self._apply_mail()
                wait = 0.25
                if self._playing and self._trainer.status.can_step:
                    now = time.perf_counter()
                    if self._rate is None:
                        budget = 1 << 62
                    else:
                        if self._rate_start is None:
                            self._rate_start = (now - 1.0 / self._rate, self._trainer.n_iter_)
                        t0, s0 = self._rate_start
                        due = int((now - t0) * self._rate) - (self._trainer.n_iter_ - s0)
                        budget = max(0, min(due, int(self._rate) + 1))
                    if budget:
                        self._run_steps(budget, deadline=now + CHUNK_SECONDS)
                        dirty = True
                    wait = 0.0 if self._rate is None else max(0.0, min(0.25, 1.0 / self._rate))
                if self._playing and self._trainer.status.finished:
                    self._set_playing(False)
                    dirty = True
                if dirty:
                    self._publish()
                    dirty = False
            except Exception as exc:  # a trainer bug stops this tab only, with its message
                self._set_playing(False)
                msg = f"{type(exc).__name__}: {exc}"
                log.exception("trainer failed")
                self.failed.emit(msg)
                wait = 0.25
            if wait > 0:
                with self._wake:
                    if not (self._stop or self._has_mail()):
                        self._wake.wait(wait)
            else:
                time.sleep(0)  # let the GUI thread take the GIL between chunks
        self._set_playing(False)

    def _has_mail(self) -> bool:
        m = self._mail
        return (m.params is not None or m.data is not None or m.playing is not None or m.steps > 0
                or m.reset or m.rate is not False or bool(m.calls))
