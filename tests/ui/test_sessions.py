"""Sessions in the window: save and open with the trained state, the unsaved mark, recent files,
CSV import/export, history and model export, image export, drag and drop, autosave and recovery."""

import json
import os
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QImage
from PySide6.QtWidgets import QMessageBox
from session_helpers import make_window, save, train

from gdplay.core import session as S
from gdplay.ui.document import CLEAN_NAME, Document

pytestmark = pytest.mark.usefixtures("no_modal_dialogs")  # message boxes answer by themselves


def test_save_and_open_bring_back_points_settings_and_the_trained_run(qtbot, window, tmp_path):
    tab = window.tab("regression")
    tab.editor.replace(np.array([[0.0, 1.0], [1.0, 3.1], [2.0, 4.9], [3.0, 7.2]]), None, "four points")
    tab.set_learning_rate(0.02)
    tab.controls.show_residuals.setChecked(True)
    train(qtbot, tab, 40)
    saved = tab.controller.latest
    path = tmp_path / "fit.gdplay.json"
    assert save(qtbot, window, path) is True
    assert window.windowTitle().startswith("fit.gdplay.json") and not window.isWindowModified()

    tab.apply_preset(tab.controls.preset.itemData(1), play=False)  # change everything
    tab.controls.show_residuals.setChecked(False)
    qtbot.waitUntil(lambda: window.isWindowModified(), timeout=3000)
    assert window.open_path(str(path))
    qtbot.waitUntil(lambda: not tab.restore_pending and tab.controller.latest.step == saved.step, timeout=10000)
    snap = tab.controller.latest
    assert snap.cost == saved.cost and np.array_equal(snap.theta, saved.theta)
    assert np.array_equal(snap.history, saved.history, equal_nan=True)
    assert tab.params.learning_rate == 0.02 and tab.controls.show_residuals.isChecked()
    assert np.array_equal(tab.editor.points.xy, [[0.0, 1.0], [1.0, 3.1], [2.0, 4.9], [3.0, 7.2]])
    assert not window.isWindowModified()
    train(qtbot, tab, 10)  # and it goes on from there
    assert tab.controller.latest.step >= saved.step + 10
    tab.undo()  # opening was one edit of the points: undo brings the preset's back
    assert len(tab.editor.points) != 4


def test_an_edit_marks_the_session_unsaved_and_saving_clears_it(qtbot, window, tmp_path):
    assert not window.isWindowModified()
    window.tab("network").editor.replace(np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([0, 1]))
    qtbot.waitUntil(window.isWindowModified, timeout=3000)
    assert "[*]" in window.windowTitle()
    save(qtbot, window, tmp_path / "a.gdplay.json")
    assert not window.isWindowModified()


def test_a_damaged_file_is_refused_whole_and_nothing_changes(qtbot, window, tmp_path):
    tab = window.tab("regression")
    path = tmp_path / "s.gdplay.json"
    save(qtbot, window, path)
    doc = json.loads(path.read_text())
    doc["tabs"]["regression"]["params"]["learning_rate"] = 0.5  # a good change in one tab...
    doc["tabs"]["svm"]["params"]["C"] = -1.0  # one bad value in another tab
    path.write_text(json.dumps(doc))
    before = (tab.editor.points.xy.copy(), tab.params)
    assert not window.open_path(str(path))
    assert "C must be > 0" in window.statusBar().currentMessage()
    assert np.array_equal(tab.editor.points.xy, before[0]) and tab.params == before[1]


def test_a_trained_state_that_does_not_fit_is_refused(qtbot, window, tmp_path):
    tab = window.tab("regression")
    train(qtbot, tab, 5)
    path = tmp_path / "s.gdplay.json"
    save(qtbot, window, path)
    doc = json.loads(path.read_text())
    doc["tabs"]["regression"]["params"]["model"] = "poly"  # 3 coefficients; the saved run has 2
    doc["tabs"]["regression"]["params"]["initial"] = [0.0, 0.0, 0.0]
    path.write_text(json.dumps(doc))
    assert window.document.open(str(path)).startswith("The regression tab's trained state cannot be restored")


def test_a_newer_session_is_refused_and_left_untouched(qtbot, window, tmp_path):
    path = tmp_path / "new.gdplay.json"
    save(qtbot, window, path)
    doc = json.loads(path.read_text())
    doc["version"] = S.VERSION + 1
    path.write_text(json.dumps(doc))
    before = path.read_bytes()
    assert "newer gdplay" in window.document.open(str(path))
    assert path.read_bytes() == before


def test_recent_files_keep_the_last_ten_and_drop_missing_ones(qtbot, window, tmp_path):
    for i in range(12):
        window.document.add_recent(str(tmp_path / f"{i}.gdplay.json"))
    assert len(window.document.recent()) == 10 and window.document.recent()[0].endswith("11.gdplay.json")
    path = tmp_path / "real.gdplay.json"
    save(qtbot, window, path)
    assert window.document.prune_recent() == [str(path)]
    window._fill_recent_menu()
    assert [a.text() for a in window.recent_menu.actions()] == ["real.gdplay.json"]


def test_closing_with_unsaved_changes_asks_and_cancel_keeps_everything(qtbot, window, monkeypatch):
    tab = window.tab("regression")
    tab.editor.replace(np.array([[1.0, 2.0]]), None)
    qtbot.waitUntil(window.isWindowModified, timeout=3000)
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.Cancel)
    assert not window.close()
    assert asked and "not saved" in asked[0]
    assert window.isVisible() and tab.controller.is_alive() and len(tab.editor.points) == 1
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    assert window.close()
    assert not tab.controller.is_alive()


def test_csv_import_replaces_the_points_undoably_and_a_bad_file_changes_nothing(qtbot, window, tmp_path):
    tab = window.tab("regression")
    before = tab.editor.points.xy.copy()
    good = tmp_path / "good.csv"
    good.write_text("x,y\n1,2\n3,4.5\n-0.0,1e-300\n")
    assert window.import_csv(str(good))
    assert tab.editor.points.xy.tolist() == [[1.0, 2.0], [3.0, 4.5], [-0.0, 1e-300]]
    out = tmp_path / "out.csv"
    assert window.run_export("Export points", str(out), tab.export_points_csv)
    assert out.read_text() == "x,y\n1,2\n3,4.5\n-0.0,1e-300\n"
    bad = tmp_path / "bad.csv"
    bad.write_text("1,2\n3,abc\n")
    assert not window.import_csv(str(bad))
    assert "Line 2, column y: 'abc' is not a number" in window.statusBar().currentMessage()
    assert tab.editor.points.xy.tolist() == [[1.0, 2.0], [3.0, 4.5], [-0.0, 1e-300]]
    tab.undo()
    assert np.array_equal(tab.editor.points.xy, before)


def test_history_and_model_export(qtbot, window, tmp_path):
    tab = window.tab("regression")
    train(qtbot, tab, 30)
    out = tmp_path / "history.csv"
    assert window.run_export("Export history", str(out), tab.export_history_csv)
    rows = out.read_text().splitlines()
    assert rows[0] == "iteration,cost,m,b" and len(rows) >= 30
    last = [float(v) for v in rows[-1].split(",")]
    snap = tab.controller.latest
    assert last[0] == snap.step and last[1] == pytest.approx(snap.cost)
    assert last[2:] == pytest.approx(list(snap.main.coef))
    model = tmp_path / "model.json"
    assert window.run_export("Export model", str(model), tab.export_model_json)
    got = json.loads(model.read_text())
    assert got["coefficients"]["m"] == pytest.approx(snap.main.coef[0]) and got["step"] == snap.step


def test_image_export_png_at_twice_the_resolution_and_svg(qtbot, window, tmp_path):
    png = tmp_path / "tab.png"
    assert window.save_tab_image(str(png), scale=2.0)
    tab = window.current_tab()
    image = QImage(str(png))
    assert (image.width(), image.height()) == (2 * tab.width(), 2 * tab.height())
    svg = tmp_path / "tab.svg"
    assert window.save_tab_image(str(svg))
    assert b"<svg" in svg.read_bytes()[:2000]
    assert not window.save_tab_image(str(tmp_path / "missing" / "x.png"))
    assert "could not write" in window.statusBar().currentMessage()


def test_dropping_a_csv_imports_it(qtbot, window, tmp_path):
    path = tmp_path / "drop.csv"
    path.write_text("5,6\n7,8\n")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                       Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    tab = window.tab("regression")
    qtbot.waitUntil(lambda: tab.editor.points.xy.tolist() == [[5.0, 6.0], [7.0, 8.0]], timeout=3000)


def test_autosave_recovery_after_a_crash_and_one_instance_per_autosave(qtbot, tmp_path):
    folder = tmp_path / "app-data"
    folder.mkdir()
    first = make_window(qtbot, tmp_path, "a.ini")
    assert first.document.start_autosave(folder)
    first.document.mark_running()
    tab = first.tab("regression")
    tab.editor.replace(np.array([[0.5, 1.5], [2.5, -3.5]]), None)
    done = []
    first.document.autosave(then=done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=10000)
    assert (folder / "autosave.gdplay.json").exists()
    second = Document(first, first.settings)  # another instance: the lock is taken
    assert not second.start_autosave(folder)
    # a crash: the first instance never quits cleanly; its lock goes with its process (here: unlocked)
    first.document.lock.unlock()
    first.document._autosave_timer.stop()
    again = make_window(qtbot, tmp_path, "b.ini")
    assert again.document.start_autosave(folder)
    assert again.document.recovery_available()
    assert again.document.open(str(folder / "autosave.gdplay.json"), remember=False) == ""
    assert again.tab("regression").editor.points.xy.tolist() == [[0.5, 1.5], [2.5, -3.5]]
    quit_done = []
    again.document.quit_cleanly(lambda: quit_done.append(True))
    qtbot.waitUntil(lambda: bool(quit_done), timeout=5000)
    assert (folder / CLEAN_NAME).exists()
    third = Document(again, again.settings)
    assert third.start_autosave(folder) and not third.recovery_available()
    for w in (first, again):
        w.close()  # the last autosave is written first; then the window closes and its threads stop
        qtbot.waitUntil(lambda w=w: w._closed, timeout=5000)
        assert not any(t.controller.is_alive() for t in w.built_tabs().values())


def test_examples_open_and_never_get_overwritten(qtbot, window):
    from gdplay.resources import examples

    items = examples()
    assert len(items) >= 8
    for path, title, description in items:
        before = Path(path).read_bytes()
        assert window.open_example(path), (title, window.statusBar().currentMessage())
        assert window.document.path is None and description
        assert Path(path).read_bytes() == before
    assert os.path.basename(items[0][0]).startswith("01")


def test_a_failing_save_says_so_and_the_session_stays_unsaved(qtbot, window, tmp_path, no_modal_dialogs):
    window.tab("regression").editor.replace(np.array([[1.0, 1.0]]), None)
    qtbot.waitUntil(window.isWindowModified, timeout=3000)
    assert save(qtbot, window, tmp_path / "no such folder" / "s.gdplay.json") is False
    assert any("Could not save" in text and "still open and unsaved" in text for text in no_modal_dialogs)
    assert window.isWindowModified() and window.document.path is None


def test_every_plot_offers_export_in_its_menu_and_a_right_click_on_a_point_still_deletes(qtbot, window):
    tab = window.tab("regression")
    for plot in (tab.data_view.plot, tab.surface_view.plot, tab.cost_view.widget.getPlotItem()):
        assert plot.getViewBox().menuEnabled()
        assert "Export..." in [a.text() for a in plot.scene().contextMenu]
    from mouse import click  # the shared mouse helpers of the plot tests

    tab.editor.replace(np.array([[0.0, 0.0], [5.0, 5.0]]), None)
    tab.data_view.plot.getViewBox().setRange(xRange=(-10, 10), yRange=(-10, 10), padding=0)
    click(qtbot, tab.data_view.widget, 5.0, 5.0, Qt.MouseButton.RightButton)
    assert tab.editor.points.xy.tolist() == [[0.0, 0.0]]


GOLDEN = Path(__file__).parent.parent / "data" / "session-v1.gdplay.json"


def test_the_golden_version_1_session_opens_with_its_exact_contents(qtbot, window):
    """A file written by format version 1 (tests/data, never regenerated): every later gdplay must open
    it, migrating if the format moves on, to the same points, params and trained step."""
    assert window.document.open(str(GOLDEN), remember=False) == ""
    reg, net, svm = (window.tab(k) for k in ("regression", "network", "svm"))
    assert reg.editor.points.xy.tolist() == [[0.0, 1.0], [1.0, 2.9], [2.0, 5.2], [3.0, 6.8]]
    assert reg.params.learning_rate == 0.05 and reg.params.optimizer == "momentum"
    assert net.params.hidden == (5, 3) and net.params.activation == "relu"
    assert len(svm.editor.points) == 100 and svm.params.kernel == "rbf" and svm.params.C == 10.0
    assert window.current_key() == "svm"
    for tab, step in ((reg, 25), (net, 40), (svm, 30)):
        qtbot.waitUntil(lambda tab=tab: not tab.restore_pending, timeout=10000)
        try:
            qtbot.waitUntil(lambda tab=tab, step=step: tab.controller.latest is not None
                            and tab.controller.latest.step == step, timeout=10000)
        except Exception:
            snap = tab.controller.latest
            raise AssertionError(f"{tab.key}: step {None if snap is None else snap.step}, status "
                                 f"{None if snap is None else snap.status}, running {tab.controller.running}, "
                                 f"{window.statusBar().currentMessage()!r}") from None


@pytest.mark.parametrize("choice, confirm, restored", [
    ("Restore", None, True),
    ("Discard", QMessageBox.StandardButton.Discard, False),  # discarded for good
    ("Discard", QMessageBox.StandardButton.Cancel, True),  # asked once more: Cancel restores after all
])
def test_the_start_after_a_crash_offers_the_autosave(qtbot, tmp_path, monkeypatch, choice, confirm, restored):
    from gdplay.app import _offer_recovery

    folder = tmp_path / "app-data"
    folder.mkdir()
    doc = {"format": "gdplay-session", "version": 1, "active_tab": "regression",
           "tabs": {"regression": {"params": {}, "points": {"xy": [[1.5, 2.5], [3.0, -1.0]]}}}}
    (folder / "autosave.gdplay.json").write_text(json.dumps(doc))  # no clean mark: a crash
    window = make_window(qtbot, tmp_path)
    assert window.document.start_autosave(folder) and window.document.recovery_available()
    monkeypatch.setattr(QMessageBox, "exec", lambda self: 0)
    monkeypatch.setattr(QMessageBox, "clickedButton",
                        lambda self: next(b for b in self.buttons() if b.text() == choice))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: confirm)
    _offer_recovery(window)
    points = window.tab("regression").editor.points.xy.tolist()
    assert (points == [[1.5, 2.5], [3.0, -1.0]]) is restored
    assert (folder / "autosave.gdplay.json").exists() is restored
    assert not window.document.recovery_available() or restored  # running now: no clean mark yet
    window.close()
    qtbot.waitUntil(lambda: window._closed, timeout=5000)
    assert (folder / "autosave.clean").exists()
