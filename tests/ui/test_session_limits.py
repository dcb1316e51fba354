"""Opening a session is all or nothing: a value the controls cannot hold (a seed or batch size of 2**31, a plot
range of ±1e308) is refused with one sentence before anything changes, and a failure while applying a checked
session puts back what was on screen. The autosave and its folder are the owner's only."""

import json
import os
import stat

import numpy as np
import pytest
from test_sessions import make_window, no_modal_dialogs, save  # noqa: F401 - the fixture is used by name

from gdplay.core import session as S
from gdplay.ui import document as D


@pytest.fixture
def window(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path)
    yield w
    w.document.modified = False
    w.close()


def saved_doc(qtbot, window, tmp_path):
    """A session of the window as it is, saved as the user's file; returns (path, its JSON)."""
    reg = window.tab("regression")
    reg.editor.replace(np.array([[0.0, 1.0], [1.0, 2.0], [2.0, 2.5]]), None, "three points")
    path = tmp_path / "mine.gdplay.json"
    assert save(qtbot, window, path) is True
    return path, json.loads(path.read_text())


def screen(window):
    return {key: (tab.params, tab.editor.points.version, tab.session_state().settings.get("rate"))
            for key, tab in window.tabs_by_key().items()}


@pytest.mark.parametrize(("edit", "message"), [
    (lambda d: d["tabs"]["network"]["params"].update(seed=2**31), "seed is 2147483648; this tab's control takes 0 to"),
    (lambda d: d["tabs"]["regression"]["params"].update(seed=2**31), "seed is 2147483648; this tab's control"),
    (lambda d: d["tabs"]["network"]["params"].update(batch_size=2**31), "batch_size is 2147483648"),
    (lambda d: d["tabs"]["regression"]["params"].update(batch_size=2**40), "batch_size is 1099511627776"),
    (lambda d: d["tabs"]["svm"]["params"].update(degree=15), "degree is 15; this tab's control takes 1 to 10"),
    (lambda d: d["tabs"]["regression"]["params"].update(seed=-1), "seed must be a whole number >= 0"),
    (lambda d: d["tabs"]["svm"]["settings"].update(range=[[-1e308, 1e308], [-1, 1]]), "setting 'range' is"),
    (lambda d: d["tabs"]["regression"]["settings"].update(data_range=[[0, 1e300], [0, 1]]), "'data_range' is"),
    (lambda d: d["tabs"]["svm"]["settings"].update(range=[[0, 1], [-1e30, 1e30]]), "may reach ±1e+12 at most"),
    (lambda d: d["tabs"]["network"]["settings"].update(map_range=[[1, 1 + 1e-15], [0, 1]]), "'map_range' is"),
])
def test_a_value_the_controls_cannot_hold_is_refused_before_anything_changes(qtbot, window, tmp_path, edit,
                                                                            message):
    """The regression tab comes first in a file: it used to be replaced before the network's seed overflowed
    its spin box, and Ctrl+S then wrote that mix over the user's file."""
    path, doc = saved_doc(qtbot, window, tmp_path)
    doc["tabs"]["regression"]["params"]["learning_rate"] = 0.5  # a good change in the first tab
    edit(doc)
    bad = tmp_path / "bad.gdplay.json"
    bad.write_text(json.dumps(doc))
    before, title, saved = screen(window), window.windowTitle(), path.read_bytes()
    assert not window.open_path(str(bad))
    text = window.statusBar().currentMessage()
    assert message in text and "\n" not in text
    assert screen(window) == before and window.windowTitle() == title and not window.isWindowModified()
    assert window.document.path == str(path)
    assert save(qtbot, window, path) is True  # Ctrl+S writes the user's own session back, not a mix
    now, then = json.loads(path.read_text())["tabs"], json.loads(saved)["tabs"]
    for key in S.TAB_KEYS:
        assert now[key]["params"] == then[key]["params"] and now[key]["points"] == then[key]["points"]


def test_a_whole_number_of_4000_digits_is_one_sentence(qtbot, window, tmp_path):
    path, _ = saved_doc(qtbot, window, tmp_path)
    text = path.read_text().replace('"seed": 0', '"seed": ' + "9" * 4000, 1)
    assert "9" * 4000 in text
    path.write_text(text)
    before = screen(window)
    assert not window.open_path(str(path))
    assert "a whole number of 4,000 digits" in window.statusBar().currentMessage()
    assert screen(window) == before


def test_a_failure_while_applying_puts_back_what_was_on_screen(qtbot, window, tmp_path, monkeypatch):
    """Should a checked session still fail half way (a bug), the tabs already changed are put back, the
    title and file stay the user's, and the failure is one sentence."""
    path, doc = saved_doc(qtbot, window, tmp_path)
    other = tmp_path / "other.gdplay.json"
    doc["tabs"]["regression"]["params"]["learning_rate"] = 0.5
    doc["tabs"]["regression"]["points"]["xy"] = [[5.0, 5.0]]
    doc["tabs"]["regression"]["points"]["labels"] = [0]
    doc["tabs"]["regression"]["trained"] = None
    other.write_text(json.dumps(doc))
    reg, svm = window.tab("regression"), window.tab("svm")
    before_params, before_xy = reg.params, reg.editor.points.xy.copy()
    title = window.windowTitle()

    def broken(state, description="Open session"):
        raise OverflowError("int too big to convert")

    monkeypatch.setattr(svm, "apply_session", broken)
    assert not window.open_path(str(other))
    assert "int too big to convert" in window.statusBar().currentMessage()
    assert reg.params == before_params and np.array_equal(reg.editor.points.xy, before_xy)
    assert window.windowTitle() == title and window.document.path == str(path)
    qtbot.waitUntil(lambda: not window.isWindowModified(), timeout=3000)


@pytest.mark.skipif(os.name != "posix", reason="permission bits")
def test_the_autosave_and_its_folder_are_the_owners_only(qtbot, tmp_path, monkeypatch):
    folder = tmp_path / "app-data" / "gdplay"
    monkeypatch.setenv("GDPLAY_DATA_DIR", str(folder))
    old = os.umask(0o022)
    try:
        assert D.data_dir() == folder
    finally:
        os.umask(old)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    w = make_window(qtbot, tmp_path)
    try:
        assert w.document.start_autosave(folder)
        done = []
        w.document.autosave(then=done.append)
        qtbot.waitUntil(lambda: bool(done), timeout=10000)
        assert done == [""]
        assert stat.S_IMODE((folder / D.AUTOSAVE_NAME).stat().st_mode) == 0o600
        S.read_document(folder / D.AUTOSAVE_NAME)
    finally:
        w.close()  # with autosave on, the window first writes its last autosave, then stops the tabs
        qtbot.waitUntil(lambda: w._closed, timeout=15_000)


def test_the_widest_view_allowed_opens_and_draws_cleanly(qtbot, window, tmp_path):
    """±1e12 around points near 1 is within reach; every tab draws it without an error (pyqtgraph's curve
    thinning failed at ±1e30)."""
    path, doc = saved_doc(qtbot, window, tmp_path)
    v = 1e12
    for key, name in (("svm", "range"), ("regression", "data_range"), ("network", "map_range")):
        doc["tabs"][key]["settings"][name] = [[-v, v], [-v, v]]
    path.write_text(json.dumps(doc))
    assert window.open_path(str(path)), window.statusBar().currentMessage()
    for key in ("svm", "regression", "network"):
        window.select_tab(key)
        qtbot.wait(300)
