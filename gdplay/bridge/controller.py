"""The GUI-thread handle of one tab's training: owns the QThread and its worker for their whole life."""

from __future__ import annotations

import atexit
import contextlib
import itertools
import math
import sys
import time
import weakref
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal, Slot

from gdplay.bridge import gui_gc
from gdplay.bridge.commands import (
    Call,
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
    check_call,
)
from gdplay.bridge.worker import TrainingWorker
from gdplay.core.trainer import Snapshot, Status, Trainer

# relay threads (one per tab) unpickle snapshots in this process: with the default 5 ms GIL switch
# interval the GUI thread could wait that long each time it gives the GIL up; 1 ms keeps it responsive
GIL_SWITCH_INTERVAL = 0.001
FRAME_MS = 16  # frames are handed to the GUI at most every 16 ms: 60 a second
HIDDEN_FRAME_S = 0.5  # a tab that is not on screen gets a frame every half second
# a frame due within this long after a change, that would show nothing newer than the screen does, waits for
# the snapshot with the change instead (it is a few milliseconds away; see _hold)
HOLD_S = 0.015
_LIVE: weakref.WeakSet = weakref.WeakSet()


@atexit.register
def _stop_all() -> None:
    """Whatever path ends the program (even an uncaught error), no training thread outlives it: Qt aborts
    the process when a running QThread is destroyed."""
    live = list(_LIVE)
    for controller in live:
        with contextlib.suppress(RuntimeError):  # its C++ side may be gone already
            controller.request_stop()
    for controller in live:
        with contextlib.suppress(RuntimeError):
            controller.wait(2000)


class TrainingController(QObject):
    """Play/pause/step/reset, live params and data for one trainer, which runs in its own process
    behind a relay QThread (see gdplay.bridge.runner for why a process).

    Signals (all in the GUI thread): ``snapshotReady(snapshot)`` with the newest snapshot only,
    ``failed(message)`` when the trainer raised, ``runningChanged(bool)``. A request's answer goes to its
    ``on_reply``.
    """

    snapshotReady = Signal(object)
    failed = Signal(str)
    runningChanged = Signal(bool)

    def __init__(self, trainer: Trainer, name: str = "training", parent: QObject | None = None) -> None:
        super().__init__(parent)
        if sys.getswitchinterval() > GIL_SWITCH_INTERVAL:
            sys.setswitchinterval(GIL_SWITCH_INTERVAL)
        self._versions = itertools.count(1)
        self.params_version = 0
        self.latest: Snapshot | None = None
        self._shown: tuple | None = None
        self._frame_started = 0.0
        self.visible = True
        # the shortest time between two frames; a tab whose frames are costly (a big network) sets it longer,
        # so that drawing gives way to training and input (the picture degrades, not the training)
        self.frame_ms: int | None = None  # None: FRAME_MS
        self.views: dict[str, Any] = {}  # results of set_view (or CallFailed), computed with the latest snapshot
        self._requests = itertools.count(1)
        self._on_reply: dict[int, Callable[[Any], None] | None] = {}  # request number -> its on_reply
        self.running = False
        self.error: str | None = None
        # strong references for the whole life of the thread: a worker with no Python reference is
        # garbage-collected after moveToThread and training silently never starts
        # one timer hands frames over: after a paint it releases the next one; for a hidden tab whose
        # frame came early it shows that frame when it is due (a timer may fire a little early)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._on_timer)
        self._show_when_due = False
        self._wanted = (0, 0)  # (params version, data version) of the newest change handed over
        self._wanted_at = -math.inf
        self._thread = QThread()
        self._thread.setObjectName(name)
        self._worker = TrainingWorker(trainer)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._thread.finished.connect(self._release_gc)
        self._gc_held = True
        gui_gc.hold()  # the relay runs Python: from now on, garbage is collected in this thread only
        self._worker.snapshotReady.connect(self._on_worker_snapshot)
        self._worker.replyReady.connect(self._on_worker_reply)
        self._worker.failed.connect(self._on_worker_failed)
        self._worker.runningChanged.connect(self._on_worker_running)
        self._thread.start()
        _LIVE.add(self)

    # -- commands ----------------------------------------------------------------------------------
    def play(self) -> None:
        self.error = None
        self._worker.post(Play())

    def pause(self) -> None:
        # paused from now on, as far as the GUI's next decision goes (Play right after Load, say): the
        # process's own word comes a moment later, and a "running" still on its way must not make the next
        # Play toggle pause again
        self.running = False
        self._worker.post(Pause())

    def toggle(self) -> None:
        """Play/pause. Play after a run has ended (limit, converged, diverged) starts it over."""
        if self.running:
            self.pause()
            return
        snap = self.latest
        if snap is not None and snap.status.finished and snap.status is not Status.INVALID:
            self.reset()
        self.play()

    def step(self, n: int = 1) -> None:
        self.error = None
        self._worker.post(Step(int(n)))

    def reset(self) -> None:
        """Back to step 0 with the current data and params; after a training process died (or could not
        start), a new one is started with them."""
        self.error = None
        self._worker.post(Reset())

    def set_rate(self, steps_per_second: float | None) -> None:
        """Steps per second; None runs at full speed."""
        self._worker.post(SetRate(steps_per_second))

    def set_params(self, params: Any) -> int:
        """Hand over new params (newest wins); returns their version, which snapshots echo back."""
        self.params_version = next(self._versions)
        self._want(params=self.params_version)
        self._worker.post(SetParams(params, self.params_version))
        return self.params_version

    def set_data(self, *args: Any, **kwargs: Any) -> None:
        """New training data for ``trainer.set_data``; the run restarts and plays."""
        self._want(data=int(kwargs.get("version", 0)))
        self._worker.post(SetData(args, kwargs))

    def edit(self, command: Any, version: int = 0) -> None:
        """One point edit (a gdplay.core.points command) for ``trainer.edit``, applied in order after any
        data replacement; the run restarts and plays."""
        self._want(data=int(version))
        self._worker.post(Edit(command, version))

    def _want(self, params: int | None = None, data: int | None = None) -> None:
        p, d = self._wanted
        self._wanted = (p if params is None else params, d if data is None else data)
        self._wanted_at = time.perf_counter()

    def set_view(self, name: str, view: Call | None, *args: Any, max_share: float = 1.0, **kwargs: Any) -> None:
        """Compute ``view(trainer, *args, **kwargs)`` with every snapshot from now on, as ``views[name]``
        (e.g. a decision map over the plot's range; a CallFailed if it could not); view None stops it. An
        expensive view can be given ``max_share`` < 1 of the training process's time (see SetView)."""
        if view is not None:
            check_call(view)
        self._worker.post(SetView(name, view, args, kwargs, max_share))

    def set_visible(self, visible: bool) -> None:
        """Whether the tab is on screen: hidden tabs take frames rarely, so the visible one has the GUI."""
        self.visible = visible
        if visible and self._worker.take_snapshot() is not self._shown:
            self._show_when_due = True  # show the newest at once
            self._timer.start(0)

    def request(self, call: Call, *args: Any, on_reply: Callable[[Any], None] | None = None, **kwargs: Any) -> None:
        """Call ``call(trainer, *args, **kwargs)`` between steps; its result (or a CallFailed) is handed to
        ``on_reply`` in the GUI thread, and the next snapshot shows any change it made."""
        number = next(self._requests)
        self._on_reply[number] = on_reply
        self._worker.post(Request(number, check_call(call), args, kwargs))

    # -- life ------------------------------------------------------------------------------------------
    def is_alive(self) -> bool:
        return self._thread.isRunning()

    def request_stop(self) -> None:
        """Ask the thread to end after the current step; returns at once (see ``wait``)."""
        self._thread.requestInterruption()
        self._worker.stop()
        self._thread.quit()  # directly: a queued quit would deadlock with wait() below

    def wait(self, timeout_ms: int = 2000) -> bool:
        ended = self._thread.wait(timeout_ms)
        if ended:
            self._release_gc()
        return ended

    @Slot()
    def _release_gc(self) -> None:
        if self._gc_held:
            self._gc_held = False
            gui_gc.release()

    def shutdown(self, timeout_ms: int = 2000) -> bool:
        """Stop the thread: interrupt, quit, wait (bounded). Never terminate(). Returns True if it ended."""
        if not self._thread.isRunning():
            self._release_gc()
            return True
        self.request_stop()
        return self.wait(timeout_ms)

    # -- from the worker ---------------------------------------------------------------------------
    @Slot()
    def _on_worker_snapshot(self) -> None:
        frame = self._worker.take_snapshot()
        if frame is None:
            return
        now = time.perf_counter()
        # a hidden tab draws a few frames a second (its readouts stay fresh), a visible one every frame
        wait = 0.0 if self.visible else HIDDEN_FRAME_S - (now - self._frame_started)
        if wait > 0:  # not yet: keep the frame (newer ones replace it) and show it when due
            self._show_when_due = True
            self._timer.start(max(1, math.ceil(wait * 1000)))
            return
        self._show_when_due = False
        if self.visible and self._hold(frame[0], now):
            if self._worker.release():  # a newer one came in meanwhile: look at that one
                self._on_worker_snapshot()
                return
            # the next arrival signals at once; if the change has not come by then, show what there is
            self._show_when_due = True
            self._timer.start(max(1, math.ceil((self._wanted_at + HOLD_S - now) * 1000)))
            return
        if frame is not self._shown:
            self._shown = frame
            self.latest, self.views = frame
            self._frame_started = now
            self.snapshotReady.emit(self.latest)
        # hand over the next frame only after this one is painted (a timer runs after the paint requests
        # the handlers posted), and not sooner than a 60 Hz frame: the event loop idles between frames
        elapsed_ms = (time.perf_counter() - self._frame_started) * 1000
        # a hidden tab sleeps till it is due
        interval = (self.frame_ms or FRAME_MS) if self.visible else HIDDEN_FRAME_S * 1000
        self._timer.start(max(1, int(interval - elapsed_ms)))

    def _hold(self, snap: Any, now: float) -> bool:
        """Whether to skip this frame for one that shows the user's latest change: it was handed over less
        than HOLD_S ago, this snapshot does not have it yet, and it has no change the screen lacks either
        (only more steps). Drawing it would take the frame slot, and the change would wait a frame more.
        A stream of changes (a dragged slider) is not held up: each frame then has a newer one."""
        if now - self._wanted_at >= HOLD_S or self._shown is None:
            return False
        have = (snap.params_version, getattr(snap, "data_version", 0))
        want = self._wanted
        if have[0] >= want[0] and have[1] >= want[1]:
            return False
        on_screen = self._shown[0]
        return have == (on_screen.params_version, getattr(on_screen, "data_version", 0))

    @Slot()
    def _on_timer(self) -> None:
        if self._show_when_due or self._worker.release():
            self._on_worker_snapshot()

    @Slot(object, object)
    def _on_worker_reply(self, tag: Any, result: Any) -> None:
        on_reply = self._on_reply.pop(tag, None)
        if on_reply is not None:
            on_reply(result)

    @Slot(str)
    def _on_worker_failed(self, message: str) -> None:
        self.error = message
        self.failed.emit(message)

    @Slot(bool)
    def _on_worker_running(self, running: bool) -> None:
        self.running = running
        self.runningChanged.emit(running)
