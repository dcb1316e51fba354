"""A tab whose training process died: the message, Reset and Play train again with the tab's points and
settings, a save does not wait for the dead process and says what it could not keep, a session opens."""

import json
import os
import signal
import time

import numpy as np
import pytest
from PySide6.QtWidgets import QMessageBox
from test_sessions import make_window, save, train

from gdplay.core.trainer import Status

KILL = getattr(signal, "SIGKILL", signal.SIGTERM)


@pytest.fixture(autouse=True)
def no_modal_dialogs(monkeypatch):
    answer = QMessageBox.StandardButton
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: answer.Ok)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: answer.Discard)


@pytest.fixture
def window(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path)
    yield w
    w.close()


def trained(qtbot, tab) -> None:
    """Some steps taken (an SVM may converge in fewer than asked)."""
    tab.controller.step(30)
    qtbot.waitUntil(lambda: tab.controller.latest is not None and (
        tab.controller.latest.step >= 30 or tab.controller.latest.status is Status.CONVERGED), timeout=10_000)


def kill_training(qtbot, tab) -> int:
    pid = tab.controller._worker.pid
    os.kill(pid, KILL)
    qtbot.waitUntil(lambda: tab.controller.error is not None, timeout=5000)
    return pid


@pytest.mark.parametrize("key", ["regression", "network", "svm", "surfaces"])
def test_reset_after_the_training_process_died_trains_again_on_the_tabs_points(qtbot, window, key):
    window.select_tab(key)
    tab = window.tab(key)
    trained(qtbot, tab)
    points = tab.editor.points.xy.copy()
    params = tab.params
    pid = kill_training(qtbot, tab)
    assert "stopped unexpectedly" in tab.status_label.text() and "press Reset or Play" in tab.status_label.text()
    tab.reset()
    qtbot.waitUntil(lambda: tab.controller._worker.pid != pid and tab.controller.latest.step == 0, timeout=10_000)
    assert np.array_equal(tab.editor.points.xy, points) and tab.params == params
    tab.toggle_play()
    trained(qtbot, tab)
    assert "stopped unexpectedly" not in tab.status_label.text()


def test_save_without_a_training_process_is_immediate_and_says_the_run_was_lost(qtbot, window, tmp_path):
    tab = window.tab("regression")
    train(qtbot, tab, 30)
    kill_training(qtbot, tab)
    messages = []
    window.document.message.connect(messages.append)
    t0 = time.monotonic()
    path = tmp_path / "after-crash.gdplay.json"
    assert save(qtbot, window, path) is True
    assert time.monotonic() - t0 < 2.5  # not the 5 s export timeout
    doc = json.loads(path.read_text())
    assert doc["tabs"]["regression"].get("trained") is None and doc["tabs"]["regression"]["points"]
    assert doc["tabs"]["network"].get("trained") is not None  # the other tabs' runs are kept
    assert any("not the trained run of the Regression tab" in m for m in messages)


def test_opening_a_session_after_the_training_process_died_restores_its_run(qtbot, window, tmp_path):
    tab = window.tab("regression")
    train(qtbot, tab, 40)
    saved = tab.controller.latest
    path = tmp_path / "before.gdplay.json"
    assert save(qtbot, window, path) is True
    pid = kill_training(qtbot, tab)
    assert window.open_path(str(path)), window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: tab.controller._worker.pid != pid and not tab.restore_pending
                    and tab.controller.latest.step == saved.step, timeout=10_000)
    assert np.array_equal(tab.controller.latest.theta, saved.theta)
