"""UI updates happen in the GUI thread: the guard tests turn on, and the error hooks that respect it."""

import sys
import threading

import pytest
from session_helpers import make_window

from gdplay import app as gdplay_app
from gdplay.ui import gui_thread


def in_thread(fn):
    errors = []

    def run():
        try:
            fn()
        except BaseException as exc:
            errors.append(exc)

    t = threading.Thread(target=run)
    t.start()
    t.join(5)
    return errors


def test_the_guard_refuses_ui_updates_from_another_thread(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path)
    try:
        errors = in_thread(lambda: w._on_tab_status("from a worker"))
        assert len(errors) == 1 and isinstance(errors[0], gui_thread.WrongThreadError)
        assert "not the GUI thread" in str(errors[0])
        w._on_tab_status("from the GUI thread")  # fine here
        assert w.statusBar().currentMessage() == "from the GUI thread"
    finally:
        w.close()


def test_an_error_in_a_background_thread_reaches_the_status_bar_from_the_gui_thread(qtbot, tmp_path, capsys):
    w = make_window(qtbot, tmp_path)
    try:
        def fail():
            try:
                raise RuntimeError("boom in a relay")
            except RuntimeError:
                gdplay_app._excepthook(*sys.exc_info())

        assert in_thread(fail) == []  # the hook itself touched no widget there
        qtbot.waitUntil(lambda: "boom in a relay" in w.statusBar().currentMessage(), timeout=2000)
        assert "Internal error: RuntimeError: boom in a relay. Your data is kept." in w.statusBar().currentMessage()
        assert "RuntimeError: boom in a relay" in capsys.readouterr().err
    finally:
        w.close()


def test_call_soon_runs_in_the_gui_thread(qtbot):
    seen = []
    assert in_thread(lambda: gui_thread.call_soon(lambda: seen.append(gui_thread.in_gui_thread()))) == []
    qtbot.waitUntil(lambda: seen == [True], timeout=2000)


@pytest.fixture(autouse=True)
def _no_dialogs(monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
