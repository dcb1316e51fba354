"""Drawing that gives way: a plot redrawn from the newest data as often as its cost allows."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QWidget


class PacedDraw(QObject):
    """``request(*args)`` has ``draw(*args)`` run with the newest args in an event-loop turn of its own (so it
    never lengthens the turn that asked, and input and timers get in between), no sooner than ``cost / share``
    after the last draw began. The cost is what that draw took plus the last paint of ``widgets`` (their
    ``last_paint_s``, see plots.style.PlotWidget), measured on the clock: a cheap plot follows every frame; a
    costly one (many long curves, or a machine busy with other work) is redrawn less often, keeping its
    share of the GUI thread's time near ``share``; and never more often than every ``min_interval_s`` (numbers
    that change faster than they can be read). The newest args are always drawn in the end."""

    def __init__(self, draw: Callable[..., None], widgets: Sequence[QWidget] = (), share: float = 0.2,
                 min_interval_s: float = 0.0, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.draw = draw
        self.widgets = tuple(widgets)
        self.share = share
        self.min_interval = min_interval_s
        self.interval = 0.0  # seconds between draws, from the last cost
        self.draws = 0
        self._args: tuple[Any, ...] | None = None
        self._last = -math.inf
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self.flush)

    @property
    def pending(self) -> bool:
        return self._args is not None

    def request(self, *args: Any) -> None:
        self._args = args
        if not self._timer.isActive():
            wait = max(0.0, self._last + self.interval - time.perf_counter())
            self._timer.start(max(1, math.ceil(wait * 1000)))  # at least the next turn of the event loop

    def flush(self) -> None:
        """Draw the newest args now, if any are waiting."""
        self._timer.stop()
        if self._args is None:
            return
        args, self._args = self._args, None
        t0 = time.perf_counter()
        self.draw(*args)
        self.draws += 1
        paint = sum(getattr(w, "last_paint_s", 0.0) for w in self.widgets)
        self._last = t0
        self.interval = max(self.min_interval, (time.perf_counter() - t0 + paint) / self.share)

    def cancel(self) -> None:
        """Drop a waiting draw (the owner is going away)."""
        self._timer.stop()
        self._args = None
