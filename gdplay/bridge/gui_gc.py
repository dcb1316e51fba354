"""Garbage collection in the GUI thread only, while relay threads run Python.

Python's cyclic garbage collector runs in whichever thread happens to allocate. When a relay thread
(pickling a trainer, unpickling a snapshot) triggers it and the garbage holds a Qt object's wrapper (a
deleted plot from an earlier tab, say), the wrapper's destructor disconnects its signals in that thread: Qt
takes a connection mutex there, then PySide waits for the GIL, while the GUI thread, holding the GIL, waits
for the same mutex (Qt shares a pool of them between objects). Both wait forever. This hung the test suite
now and then (the GUI thread stuck in ``QLabel.setTextInteractionFlags``, the relay in ``gc_collect_main``).

So while any relay thread is alive, automatic collection is off and a timer in the GUI thread collects
instead, with the interpreter's own thresholds (as pyqtgraph's GarbageCollector does); when the last relay
ends, automatic collection is back on.
"""

from __future__ import annotations

import gc

import shiboken6
from PySide6.QtCore import QCoreApplication, QThread, QTimer

COLLECT_MS = 500  # a cycle lives at most this long; a generation-0 pass costs well under a millisecond

_holders = 0
_timer: QTimer | None = None
_thresholds = gc.get_threshold()


def hold() -> None:
    """A relay thread is about to start (call from the GUI thread)."""
    global _holders, _timer, _thresholds
    app = QCoreApplication.instance()
    if app is not None and QThread.currentThread() is not app.thread():
        raise RuntimeError("gui_gc.hold() must be called from the GUI thread")
    _holders += 1
    if _holders > 1:
        return
    _thresholds = gc.get_threshold()
    gc.disable()
    if _timer is None or not shiboken6.isValid(_timer):  # (a test session may make a new application)
        _timer = QTimer(app)
        _timer.timeout.connect(collect_due)
    _timer.start(COLLECT_MS)


def release() -> None:
    """A relay thread has ended (call from the GUI thread)."""
    global _holders
    if _holders == 0:
        return
    _holders -= 1
    if _holders == 0:
        if _timer is not None and shiboken6.isValid(_timer):
            _timer.stop()
        gc.enable()


def collect_due() -> None:
    """Collect the generations whose allocation counts passed their thresholds, as automatic collection
    would have, but here in the GUI thread."""
    n0, n1, n2 = gc.get_count()
    t0, t1, t2 = _thresholds
    if n0 > t0:
        gc.collect(0)
        if n1 > t1:
            gc.collect(1)
            if n2 > t2:
                gc.collect(2)
