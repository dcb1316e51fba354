"""Widgets are touched from the GUI thread only (Qt's rule: elsewhere it warns, or crashes later).

``call_soon(fn)`` runs ``fn`` in the GUI thread (queued, whichever thread asks); ``check(what)`` guards a UI
update: with strict checking on (the tests set GDPLAY_STRICT_THREADS=1) an update from another thread raises,
so a slot connected the wrong way, or an error hook run by a background thread, fails the test that hits it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

STRICT_ENV = "GDPLAY_STRICT_THREADS"


class WrongThreadError(AssertionError):
    """A UI update from a thread other than the GUI thread (raised only with strict checking on)."""


def in_gui_thread() -> bool:
    app = QCoreApplication.instance()
    return app is None or QThread.currentThread() is app.thread()


def check(what: str) -> None:
    """Raise WrongThreadError, under strict checking, if this is not the GUI thread."""
    if os.environ.get(STRICT_ENV) == "1" and not in_gui_thread():
        raise WrongThreadError(f"{what} from the thread {threading.current_thread().name!r}, not the GUI thread")


class _Invoker(QObject):
    call = Signal(object)

    @Slot(object)
    def _run(self, fn: Callable[[], None]) -> None:
        fn()


_invoker: _Invoker | None = None
_lock = threading.Lock()


def call_soon(fn: Callable[[], None]) -> None:
    """Run ``fn()`` in the GUI thread: at once there, queued from any other thread."""
    global _invoker
    app = QCoreApplication.instance()
    if app is None:
        return
    if in_gui_thread():
        fn()
        return
    with _lock:
        if _invoker is None:
            invoker = _Invoker()
            invoker.call.connect(invoker._run)  # queued: the receiver lives in the GUI thread
            invoker.moveToThread(app.thread())
            _invoker = invoker
    _invoker.call.emit(fn)
