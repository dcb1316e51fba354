"""Fixtures of the window tests: the window as after start-up, and message boxes that answer by themselves
(a module that shows them uses ``pytestmark = pytest.mark.usefixtures("no_modal_dialogs")``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox
from session_helpers import make_window

from gdplay.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot: Any, tmp_path: Any) -> Iterator[MainWindow]:
    """The window with every tab built (a module may define its own ``window``), closed after the test."""
    w = make_window(qtbot, tmp_path)
    yield w
    w.close()


@pytest.fixture
def no_modal_dialogs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A message box would wait for a click forever: warnings answer OK, questions Discard, and what they
    would have said is recorded."""
    said: list[str] = []
    answer = QMessageBox.StandardButton
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: said.append(a[2]) or answer.Ok)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: said.append(a[2]) or answer.Discard)
    return said
