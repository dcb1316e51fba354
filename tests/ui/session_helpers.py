"""Helpers shared by the session tests (test_sessions, test_crash_recovery, test_session_limits, and each
tab's test_*_session): a window as after start-up, training a tab a given number of steps, its trained state,
and a tab's part of a session written to a file's text and checked back. (The fixtures ``window`` and
``no_modal_dialogs`` are in conftest.py.)"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QSettings

from gdplay.core import session as S
from gdplay.core.trainer import export_state
from gdplay.ui.main_window import MainWindow
from gdplay.ui.plots.style import configure
from gdplay.ui.tab_base import TrainingTab


# -- the window ---------------------------------------------------------------------------------------------
def make_window(qtbot: Any, tmp_path: Any, name: str = "gdplay.ini") -> MainWindow:
    configure()
    w = MainWindow(settings=QSettings(str(tmp_path / name), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.tabs  # noqa: B018 - every tab built, as after start-up
    w.document.start_watching()
    return w


def save(qtbot: Any, window: MainWindow, path: Any) -> bool:
    """Save the session to ``path`` as File > Save does; whether it succeeded."""
    done: list[bool] = []
    window.save_session(str(path), then=done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=10000)
    return done[0]


def train(qtbot: Any, tab: TrainingTab, steps: int) -> None:
    """At least ``steps`` more steps taken."""
    start = tab.controller.latest.step if tab.controller.latest else 0
    tab.controller.step(steps)
    qtbot.waitUntil(lambda: tab.controller.latest is not None and tab.controller.latest.step >= start + steps,
                    timeout=10000)


# -- one tab ------------------------------------------------------------------------------------------------
def settled(tab: TrainingTab, step: int | None = None) -> bool:
    """The tab drew a snapshot of its newest params and points (at ``step``), nothing restored pending."""
    s = tab.snapshot  # the snapshot the tab drew
    return (s is not None and (step is None or s.step == step) and s.data_version == tab.editor.points.version
            and s.params_version == tab.controller.params_version and not tab.restore_pending)


def run_steps(qtbot: Any, tab: TrainingTab, n: int) -> None:
    """Exactly ``n`` steps from a fresh start, then paused."""
    tab.controller.pause()
    tab.reset()
    tab.controller.step(n)
    qtbot.waitUntil(lambda: settled(tab, n), timeout=10000)


def trained(qtbot: Any, tab: TrainingTab) -> dict:
    """The tab's trained run, as a save asks its training process for it."""
    replies: list[Any] = []
    tab.controller.request(export_state, on_reply=replies.append)
    qtbot.waitUntil(lambda: bool(replies), timeout=5000)
    assert isinstance(replies[0], dict), replies[0]
    return replies[0]


def reopen(tab: TrainingTab, state: S.TabState) -> S.TabState:
    """``state`` written to a session file's text and checked back by ``tab``, as File > Open does."""
    doc = S.parse_document(S.to_json(S.Session({tab.key: state}, tab.key)).encode())
    return S.parse_session(doc, {tab.key: tab.check_session}).tabs[tab.key]


def doc_part(tab: TrainingTab, state: S.TabState) -> dict:
    """The tab's part of a session file, as JSON objects (to damage before ``check_session``)."""
    return json.loads(S.to_json(S.Session({tab.key: state}, tab.key)))["tabs"][tab.key]


def shows_range(shown: list, saved: list) -> bool:
    """The saved plot range is all visible, one axis exactly (the plot keeps its aspect ratio, and the new
    tab's plot may be shaped a little differently)."""
    (x0, x1), (y0, y1) = saved
    (a0, a1), (b0, b1) = shown
    tol = 1e-6 * max(x1 - x0, y1 - y0)
    fits = a0 <= x0 + tol and a1 >= x1 - tol and b0 <= y0 + tol and b1 >= y1 - tol
    return fits and (max(abs(a0 - x0), abs(a1 - x1)) < tol or max(abs(b0 - y0), abs(b1 - y1)) < tol)
