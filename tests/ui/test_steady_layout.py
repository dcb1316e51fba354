"""A frame repaints what changed, and does not lay the window out again: a label whose size follows its figure
("step 12,345", "cost 0.0831") changed the control panel's width with every frame, which moved the splitter
and resized and repainted every plot beside it (50-80 ms of the event loop, ten times a second)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QObject

from gdplay.ui.widgets.readout_label import ReadoutLabel

pytestmark = pytest.mark.usefixtures("no_modal_dialogs")  # closing a changed session asks to save it


def test_a_readout_label_keeps_the_room_of_its_widest_text(qtbot):
    label = ReadoutLabel("step 0", room="step 10,000")
    qtbot.addWidget(label)
    roomy = label.sizeHint().width()
    plain = ReadoutLabel("step 10,000")
    qtbot.addWidget(plain)
    assert roomy == plain.sizeHint().width()  # room for the figures to come, from the start
    label.setText("step 7")
    assert label.sizeHint().width() == roomy and label.minimumSizeHint().width() >= plain.minimumSizeHint().width()
    label.setText("step 10,000,000,000")
    wider = label.sizeHint().width()
    assert wider > roomy  # a longer text is not cut: the label grows...
    label.setText("step 8")
    assert label.sizeHint().width() == wider  # ...and does not shrink back


class _Geometry(QObject):
    """Counts the widgets moved or resized, by class."""

    def __init__(self) -> None:
        super().__init__()
        self.changed: list[str] = []

    def eventFilter(self, obj, event):
        if event.type() in (QEvent.Type.Move, QEvent.Type.Resize) and obj.isWidgetType():
            self.changed.append(type(obj).__name__)
        return False


@pytest.mark.parametrize("key", ["network", "regression"])
def test_frames_while_training_move_no_widget(qtbot, window, key):
    """Forty frames of a run at full speed (the step and cost readouts change with each) move or resize no
    widget of the window."""
    from PySide6.QtWidgets import QApplication

    window.select_tab(key)
    tab = window.tab(key)
    tab.playback.limit.setValue(10**9)
    tab.controller.set_rate(None)
    tab.controller.play()
    frames = []
    tab.controller.snapshotReady.connect(lambda snap: frames.append(snap.step))
    qtbot.waitUntil(lambda: len(frames) >= 10, timeout=20000)  # the first frames lay the window out
    watch = _Geometry()
    app = QApplication.instance()
    app.installEventFilter(watch)
    try:
        start = len(frames)
        qtbot.waitUntil(lambda: len(frames) >= start + 40, timeout=30000)
    finally:
        app.removeEventFilter(watch)
        tab.controller.pause()
    assert frames[-1] > frames[start]  # it trained all along: the readouts changed
    assert watch.changed == []


def test_the_playback_readouts_have_room_for_their_widest_figures(qtbot):
    """The cost's six significant digits are widest as 0.000123457 or 1.23457e-05; the step counts to ten
    million in a few seconds of regression at full speed: none of them makes the bar lay out again."""
    from gdplay.ui.widgets.playback import PlaybackBar

    bar = PlaybackBar()
    qtbot.addWidget(bar)
    hints = (bar.iteration_label.sizeHint(), bar.cost_label.sizeHint(), bar.minimumSizeHint())
    for step, cost in ((9_999_999, 0.000123457), (8_888_888, 1.23457e-05), (1, -1.23457e06), (77, 0.693147),
                       (4_444_444, float("nan"))):
        bar.set_progress(step, cost)
        assert (bar.iteration_label.sizeHint(), bar.cost_label.sizeHint(), bar.minimumSizeHint()) == hints


def test_a_readout_label_keeps_its_room_in_a_larger_font(qtbot):
    """Lecture mode enlarges the text: the room is measured again in the new font, not lost (else every
    frame would lay the panel out again, as before the room was kept)."""
    from PySide6.QtGui import QFont

    label = ReadoutLabel("step 0", room="step 10,000")
    plain = ReadoutLabel("step 10,000")
    qtbot.addWidget(label)
    qtbot.addWidget(plain)
    big = QFont(label.font())
    big.setPointSizeF(big.pointSizeF() * 1.6)
    for w in (label, plain):
        w.setFont(big)
    assert label.sizeHint().width() == plain.sizeHint().width() > 0
    assert label.text() == "step 0"
