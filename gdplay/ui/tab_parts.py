"""Parts a tab is built of, the same in every tab that has them: the side panel of controls in a scroll area
beside the plots, a box of readouts, the run's state in a line under Play (green, or red and bold when
something went wrong), and ``RunReadouts``, what a tab of runs from one start does with each snapshot
besides its pictures."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QFormLayout, QGroupBox, QHBoxLayout, QLabel, QScrollArea, QSplitter, QWidget

from gdplay.core.trainer import Status
from gdplay.ui.plots.paced import PacedDraw
from gdplay.ui.tab_base import readable
from gdplay.ui.widgets.reflow import fit_side_panel

if TYPE_CHECKING:
    from gdplay.bridge import TrainingController
    from gdplay.ui.widgets.playback import PlaybackBar

READ_INTERVAL_S = 1 / 15  # numbers are read at most ~15 times a second

OK_STYLE = "color: #1a5e1a;"
ERROR_STYLE = "color: #b00020; font-weight: bold;"


def readout_box(title: str, rows: Sequence[tuple[str, str, str]]) -> tuple[QGroupBox, dict[str, QLabel]]:
    """A box of values to read (and select, to copy): one row per (key, label, tooltip); the labels by key."""
    box = QGroupBox(title)
    form = QFormLayout(box)
    labels: dict[str, QLabel] = {}
    for key, text, tip in rows:
        label = QLabel("–")
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setWordWrap(True)
        if tip:
            label.setToolTip(tip)
        labels[key] = label
        form.addRow(text, label)
    return box, labels


def panel_beside_plots(tab: QWidget, panel: QWidget, plots: QWidget, max_panel_width: int,
                       sizes: tuple[int, int] | None = None) -> QSplitter:
    """Fill ``tab`` with the side ``panel`` (scrolled, as wide as its text needs up to ``max_panel_width``)
    and the ``plots`` beside it, which take the room the window gains."""
    scroll = QScrollArea()
    scroll.setWidget(panel)
    scroll.setWidgetResizable(True)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    fit_side_panel(scroll, 0, max_panel_width)
    splitter = QSplitter()
    splitter.addWidget(scroll)
    splitter.addWidget(plots)
    splitter.setStretchFactor(1, 1)
    if sizes is not None:
        splitter.setSizes(list(sizes))
    QHBoxLayout(tab).addWidget(splitter)
    return splitter


def show_state(label: QLabel, text: str, error: bool = False) -> None:
    """The run's state in the status line: red and bold when something went wrong. (Set only when it changes:
    a style sheet set again re-polishes the label, with every frame.)"""
    style = ERROR_STYLE if error else OK_STYLE
    if label.styleSheet() != style:
        label.setStyleSheet(style)
    if label.text() != text:
        label.setText(text)


def went_wrong(snap: Any) -> bool:
    """A run of the snapshot diverged, or its settings are invalid (the status line turns red)."""
    return snap.status in (Status.DIVERGED, Status.INVALID) or any(r.status is Status.DIVERGED for r in snap.runs)


class RunReadouts:
    """Mixed into a TrainingTab (before it) of runs side by side from one start (Regression, Surfaces): with
    each snapshot ``show_run(snap)`` sets the transport, the readouts and the step counter (at most 15 times a
    second while a run trains: numbers that change faster cannot be read; at once when it stops) and the
    status line. The tab calls ``pace_readouts()`` once and defines ``_show_readouts(snap)``; it may say more
    than the run's message (``_status_text``)."""

    controller: TrainingController
    playback: PlaybackBar
    status_label: QLabel

    def pace_readouts(self) -> None:
        parent = self if isinstance(self, QObject) else None
        self._numbers = PacedDraw(self._show_numbers, min_interval_s=READ_INTERVAL_S, parent=parent)

    def show_run(self, snap: Any) -> None:
        self.playback.set_enabled(snap.status is not Status.INVALID)
        self._numbers.request(snap)
        if not self.controller.running or snap.status.finished:
            self._numbers.flush()  # at rest: the numbers where the run stopped, now
        if not self.controller.error:  # an error stays in the status line until Play or Reset
            self._show_message(self._status_text(snap), error=went_wrong(snap))

    def _show_numbers(self, snap: Any) -> None:
        self.playback.set_progress(snap.step, snap.cost)
        self._show_readouts(snap)

    def _show_readouts(self, snap: Any) -> None:
        raise NotImplementedError

    def _status_text(self, snap: Any) -> str:
        return str(snap.message)

    def _show_error(self, html: str) -> None:
        self._show_message(html, error=True)

    def _show_message(self, text: str, error: bool = False) -> None:
        show_state(self.status_label, readable(text), error)
