"""The parts the Regression and Surfaces tabs share: the readout box, the status line, what counts as wrong."""

from types import SimpleNamespace

from PySide6.QtWidgets import QLabel

from gdplay.core.trainer import Status
from gdplay.ui.tab_parts import ERROR_STYLE, OK_STYLE, readout_box, show_state, went_wrong


def test_a_readout_box_has_a_label_per_key_with_its_tip(qtbot):
    box, labels = readout_box("Readouts", (("cost", "cost E", "the cost now"), ("step", "iteration", "")))
    qtbot.addWidget(box)
    assert list(labels) == ["cost", "step"] and labels["cost"].text() == "–"
    assert labels["cost"].toolTip() == "the cost now" and labels["step"].toolTip() == ""


def test_the_status_line_is_red_when_wrong_and_set_only_when_it_changes(qtbot):
    label = QLabel()
    qtbot.addWidget(label)
    show_state(label, "Converged.")
    assert label.styleSheet() == OK_STYLE and label.text() == "Converged."
    show_state(label, "Diverged.", error=True)
    assert label.styleSheet() == ERROR_STYLE and label.text() == "Diverged."


def test_one_diverged_run_of_several_is_wrong():
    def snap(status, *runs):
        return SimpleNamespace(status=status, runs=[SimpleNamespace(status=r) for r in runs])

    assert not went_wrong(snap(Status.TRAINING, Status.TRAINING, Status.CONVERGED))
    assert went_wrong(snap(Status.TRAINING, Status.TRAINING, Status.DIVERGED))  # a compared run diverged
    assert went_wrong(snap(Status.INVALID))
    assert went_wrong(snap(Status.DIVERGED, Status.DIVERGED))
