"""Run a redraw at most so often: at once when it is due, else once when it becomes due (the newest state)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer


class Throttle(QObject):
    """``request()`` calls ``callback()`` now if ``interval_ms`` has passed since the last call, else once
    when it has: the leading edge keeps a change prompt, the trailing one makes sure the last state is
    drawn even when no further request comes (training paused)."""

    def __init__(self, interval_ms: float, callback: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.interval = interval_ms / 1000
        self.callback = callback
        self._last = -math.inf
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)  # a coarse one may fire 5 % early: faster than asked
        self._timer.timeout.connect(self.flush)

    def request(self) -> None:
        wait = self._last + self.interval - time.perf_counter()
        if wait <= 0:
            self.flush()
        elif not self._timer.isActive():
            self._timer.start(max(1, math.ceil(wait * 1000)))

    def flush(self) -> None:
        """Call now (a pending trailing call is then not needed)."""
        self._timer.stop()
        self._last = time.perf_counter()
        self.callback()

    def cancel(self) -> None:
        """Drop a pending trailing call (the owner is shutting down)."""
        self._timer.stop()
