"""The Neural network tab's part of a session and its files: params shown in the panel and read back, a
trained run saved and reopened in a new tab (same step, loss, points; it goes on bit-exactly), refused
sessions that change nothing, CSV import and export, history and model export."""

import copy
import json
from dataclasses import fields, replace

import numpy as np
import pytest
from test_network_tab import make_tab  # the tab on screen, as the tab tests make it

from gdplay.core import session as S
from gdplay.core.network import NetworkParams
from gdplay.core.trainer import Status, ValidationError, export_state
from gdplay.ui import session_controls
from gdplay.ui.network.controls import ControlPanel
from gdplay.ui.network.tab import DEFAULT_PARAMS, NetworkTab

PANEL_CASES = [
    NetworkParams(hidden=()),
    NetworkParams(hidden=(3, 5, 7, 9, 11, 13), activation="leaky_relu", leaky_slope=0.05, init="he"),
    NetworkParams(hidden=(16,), activation="sigmoid", loss="mse", init="zeros", seed=42, learning_rate=0.02),
    NetworkParams(optimizer="momentum", momentum=0.95, batch_size=16, l2=0.003),
    NetworkParams(optimizer="nesterov", momentum=0.5, batch_size=1),
    NetworkParams(optimizer="adagrad", epsilon=1e-6, features=("x1", "x1^2", "sin x2")),
    NetworkParams(optimizer="rmsprop", beta2=0.9, epsilon=1e-8, batch_size=100, init="uniform"),
    NetworkParams(optimizer="adam", beta1=0.85, beta2=0.995, epsilon=1e-7, activation="step", l2=1.0,
                  features=("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin x1", "sin x2"), max_steps=5000),
]




@pytest.fixture
def tab(qtbot):
    t = make_tab(qtbot)
    yield t
    assert t.shutdown()


def settled(tab: NetworkTab, step: int) -> bool:
    s = tab.snapshot
    return (s is not None and s.step == step and s.data_version == tab.editor.points.version
            and s.params_version == tab.controller.params_version and not tab.restore_pending)


def run_steps(qtbot, tab: NetworkTab, n: int) -> None:
    """Exactly ``n`` steps from a fresh start, then paused."""
    tab.controller.pause()
    tab.reset()
    tab.controller.step(n)
    qtbot.waitUntil(lambda: settled(tab, n), timeout=10000)


def trained(qtbot, tab: NetworkTab) -> dict:
    replies: list = []
    tab.controller.request(export_state, on_reply=replies.append)
    qtbot.waitUntil(lambda: bool(replies), timeout=5000)
    return replies[0]


def reopen(tab: NetworkTab, state: S.TabState) -> S.TabState:
    """``state`` written to a session file's text and checked back by ``tab``, as File > Open does."""
    doc = S.parse_document(S.to_json(S.Session({"network": state}, "network")).encode())
    return S.parse_session(doc, {"network": tab.check_session}).tabs["network"]


def shows_range(shown: list, saved: list) -> bool:
    """The saved plot range is all visible, one axis exactly (the plot keeps its aspect ratio, and the new
    tab's plot may be shaped a little differently)."""
    (x0, x1), (y0, y1) = saved
    (a0, a1), (b0, b1) = shown
    tol = 1e-6 * max(x1 - x0, y1 - y0)
    fits = a0 <= x0 + tol and a1 >= x1 - tol and b0 <= y0 + tol and b1 >= y1 - tol
    return fits and (max(abs(a0 - x0), abs(a1 - x1)) < tol or max(abs(b0 - y0), abs(b1 - y1)) < tol)


def doc_part(state: S.TabState) -> dict:
    return json.loads(S.to_json(S.Session({"network": state}, "network")))["tabs"]["network"]


# -- the panel ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("params", PANEL_CASES, ids=range(len(PANEL_CASES)))
def test_show_params_reads_back_the_same_params_without_an_edit(qtbot, params):
    panel = ControlPanel(DEFAULT_PARAMS)
    qtbot.addWidget(panel)
    panel.show()
    edits = []
    panel.edited.connect(edits.append)
    panel.dataChanged.connect(lambda: edits.append("data"))
    params = params.validate()
    panel.show_params(params)
    assert panel.network_params(params) == params
    assert edits == []
    assert not panel.leaky_slope.isHidden() == (params.activation == "leaky_relu")
    assert [not s.isHidden() for s in panel.units] == [i < len(params.hidden) for i in range(len(panel.units))]
    used = {"gd": (), "momentum": ("momentum",), "nesterov": ("momentum",), "adagrad": ("epsilon",),
            "rmsprop": ("beta2", "epsilon"), "adam": ("beta1", "beta2", "epsilon")}[params.optimizer]
    assert {k for k, spin in panel.hyper.items() if panel.train_form.isRowVisible(spin)} == set(used)
    assert panel.batch_size.isEnabled() == (params.batch_size > 1)
    assert panel.l2.isEnabled() == (params.l2 > 0)


def test_set_params_sends_them_at_once_and_refuses_invalid_ones(qtbot, tab):
    p = replace(DEFAULT_PARAMS, hidden=(5, 3), activation="relu", init="he")
    assert tab.set_params(p)
    assert tab.params == p and not tab._restart_timer.isActive()
    qtbot.waitUntil(lambda: tab.snapshot.layer_sizes == (2, 5, 3, 1), timeout=3000)
    assert not tab.set_params(replace(p, hidden=(0,)))
    assert tab.params == p and "hidden layer" in tab.status_label.text()


# -- a trained run saved and reopened ---------------------------------------------------------------------
def test_a_trained_run_reopens_in_a_new_tab_and_goes_on_exactly(qtbot, tab):
    tab.apply_preset("moons", play=False)
    tab.panel.test_fraction.setValue(30)
    tab.panel.discretise.setChecked(True)
    params = replace(DEFAULT_PARAMS, hidden=(6, 4), optimizer="adam", learning_rate=0.01, beta1=0.9, beta2=0.999,
                     epsilon=1e-8, batch_size=16, l2=1e-3)
    assert tab.set_params(params)
    run_steps(qtbot, tab, 300)
    before = tab.snapshot
    assert before.status is Status.TRAINING and before.n_test == 60
    state = tab.session_state(trained(qtbot, tab))

    other = make_tab(qtbot)
    try:
        other.apply_session(reopen(other, state))
        qtbot.waitUntil(lambda: settled(other, 300), timeout=10000)
        after = other.snapshot
        assert other.params == params and other.panel.network_params(params) == params
        assert np.array_equal(other.editor.points.xy, tab.editor.points.xy)
        assert np.array_equal(other.editor.points.labels, tab.editor.points.labels)
        assert np.array_equal(other._test_mask, tab._test_mask)
        for name in ("cost", "train_loss", "test_loss", "train_accuracy", "test_accuracy", "epoch", "n_test"):
            assert getattr(after, name) == getattr(before, name), name
        assert all(np.array_equal(a, b) for a, b in zip(after.coefs, before.coefs))
        assert np.array_equal(after.metrics, before.metrics)
        settings = session_controls.read_all(other, other.SETTINGS)
        assert shows_range(settings.pop("map_range"), state.settings["map_range"])
        assert settings == {k: v for k, v in state.settings.items() if k != "map_range"}
        assert other.panel.discretise.isChecked() and other.panel.test_fraction.value() == 30

        # one more step on each: the reopened run continues as the original does, to the last bit
        tab.controller.step(1)
        other.controller.step(1)
        qtbot.waitUntil(lambda: settled(tab, 301) and settled(other, 301), timeout=5000)
        assert other.snapshot.cost == tab.snapshot.cost
        other.toggle_play()
        qtbot.waitUntil(lambda: other.snapshot.step > 400, timeout=10000)
        assert other.snapshot.status is Status.TRAINING  # Play went on; it did not start over
    finally:
        assert other.shutdown()


def test_nothing_late_resets_a_restored_run(qtbot, tab):
    """A preset reload and a restart pending when the session opens must not land after the restore."""
    run_steps(qtbot, tab, 120)
    state = tab.session_state(trained(qtbot, tab))
    tab.panel.noise.setValue(0.5)  # starts the debounced preset reload
    tab.panel.units[0].setValue(3)  # starts the debounced restart
    assert tab._data_timer.isActive() and tab._restart_timer.isActive()
    tab.apply_session(reopen(tab, state))
    qtbot.waitUntil(lambda: settled(tab, 120), timeout=5000)
    qtbot.wait(3 * 200)  # past both debounce intervals
    assert tab.snapshot.step == 120 and tab.params == state.params
    assert np.array_equal(tab.editor.points.xy, state.xy)


def test_the_worked_example_page_is_kept_and_stops_when_a_session_hides_it(qtbot, tab):
    tab.set_worked_mode(True)
    worked = tab.session_state(None)
    tab.set_worked_mode(False)
    plain = tab.session_state(None)
    assert (worked.settings["page"], plain.settings["page"]) == (1, 0)
    tab.apply_session(reopen(tab, worked))
    assert tab.worked_mode
    tab.toggle_play()  # the worked example plays, the trainer stays paused
    assert tab.worked.running
    qtbot.waitUntil(lambda: not tab.controller.running, timeout=3000)  # opening paused the trainer
    tab.apply_session(reopen(tab, plain))
    assert not tab.worked_mode and not tab.worked.running


# -- refused sessions --------------------------------------------------------------------------------------
def test_check_session_refuses_bad_parts_and_changes_nothing(qtbot, tab):
    run_steps(qtbot, tab, 20)
    good = doc_part(tab.session_state(trained(qtbot, tab)))
    tab.set_params(replace(DEFAULT_PARAMS, learning_rate=0.05))
    version, params = tab.editor.points.version, tab.params
    xy = tab.editor.points.xy.copy()

    def refused(part: dict, match: str) -> None:
        with pytest.raises(ValidationError, match=match):
            S.parse_session({"tabs": {"network": part}}, {"network": tab.check_session})

    bad = copy.deepcopy(good)
    bad["params"]["hidden"] = [8, 0]
    refused(bad, r"network tab's parameters: Each hidden layer must have between 1")
    bad = copy.deepcopy(good)
    bad["points"]["labels"][3] = 4
    refused(bad, r"points have the label 4; this tab takes labels 0 to 3")
    bad = copy.deepcopy(good)
    bad["settings"]["momentum_of_doom"] = 1
    refused(bad, r"unknown setting 'momentum_of_doom'")
    bad = copy.deepcopy(good)
    bad["settings"]["test_share"] = 80
    refused(bad, r"setting 'test_share' is 80")
    bad = copy.deepcopy(good)
    bad["trained"]["weights"][1]["base64"] = bad["trained"]["weights"][1]["base64"][:-8]
    refused(bad, r"trained state cannot be restored: .*W_2 is damaged")
    bad = copy.deepcopy(good)
    bad["params"]["hidden"] = [4]  # a valid network, but not the one the state was trained as
    refused(bad, r"trained state cannot be restored: .*is for layers 2-8-8-1")
    assert tab.editor.points.version == version and tab.params == params
    assert np.array_equal(tab.editor.points.xy, xy)
    assert tab.panel.network_params(tab.params) == params


# -- files ---------------------------------------------------------------------------------------------------------
def test_csv_import_export_import_is_bit_exact_and_raises_the_class_count(qtbot, tab, tmp_path):
    rows = [(0.1, -1 / 3, 0), (1e-300, 2.5e17, 1), (-0.0, 123456.789, 2), (np.pi, -np.e, 3), (7, 8, 1)]
    src = tmp_path / "points.csv"
    src.write_text("x1,x2,label\n" + "\n".join(f"{x!r},{y!r},{c}" for x, y, c in rows) + "\n")
    assert tab.panel.n_classes.value() == 2
    assert tab.import_points_csv(str(src)) == 5
    assert tab.panel.n_classes.value() == 4 and not tab._data_timer.isActive()
    first = tab.editor.points.xy.copy(), tab.editor.points.labels.copy()
    assert first[0].tolist() == [[float(x), float(y)] for x, y, _c in rows]
    out = tmp_path / "out.csv"
    assert tab.export_points_csv(str(out)) == 5
    assert out.read_text().splitlines()[0] == "x1,x2,label"
    tab.editor.clear()
    tab.import_points_csv(str(out))
    assert first[0].view(np.int64).tolist() == tab.editor.points.xy.view(np.int64).tolist()  # same bits
    assert first[1].tolist() == tab.editor.points.labels.tolist() == [0, 1, 2, 3, 1]
    qtbot.waitUntil(lambda: tab.snapshot.classes == (0, 1, 2, 3), timeout=5000)


def test_a_bad_csv_changes_nothing_and_undo_takes_an_import_back(qtbot, tab, tmp_path):
    old = tab.editor.points.xy.copy()
    bad = tmp_path / "bad.csv"
    bad.write_text("x1,x2,label\n1,2,0\n3,four,1\n")
    with pytest.raises(ValidationError, match=r"Line 3, column x2: 'four' is not a number"):
        tab.import_points_csv(str(bad))
    bad.write_text("1,2,0\n3,4,7\n")
    with pytest.raises(ValidationError, match=r"Line 2, column label: 7 is not a class of this tab"):
        tab.import_points_csv(str(bad))
    assert np.array_equal(tab.editor.points.xy, old)
    good = tmp_path / "good.csv"
    good.write_text("1,2,0\n3,4,1\n")
    tab.import_points_csv(str(good))
    assert len(tab.editor.points) == 2
    tab.undo()
    assert np.array_equal(tab.editor.points.xy, old)


def test_history_and_model_export(qtbot, tab, tmp_path):
    tab.panel.test_fraction.setValue(0)  # no held-out rows: test metrics are NaN, the model JSON says null
    run_steps(qtbot, tab, 60)
    hist = tmp_path / "history.csv"
    n = tab.export_history_csv(str(hist))
    lines = hist.read_text().splitlines()
    assert lines[0] == "iteration,train_loss,test_loss,train_accuracy,test_accuracy"
    assert n == len(lines) - 1 >= 6
    its = [float(line.split(",")[0]) for line in lines[1:]]
    assert its == sorted(its) and its[-1] == 60
    model = tmp_path / "model.json"
    tab.export_model_json(str(model))
    m = json.loads(model.read_text())
    assert m["tab"] == "network" and m["step"] == 60 and m["test_accuracy"] is None
    assert m["params"]["hidden"] == [8, 8] and m["layer_sizes"] == [2, 8, 8, 1]
    shapes = [(len(layer["weights"]), len(layer["weights"][0]), len(layer["biases"])) for layer in m["layers"]]
    assert shapes == [(2, 8, 8), (8, 8, 8), (8, 1, 1)]
    assert m["layers"][0]["weights"] == tab.snapshot.coefs[0].tolist()


def test_params_fields_are_all_in_the_panel_cases():
    """Every NetworkParams field is varied by some panel case (a new field needs a case)."""
    base = NetworkParams()
    varied = {f.name for p in PANEL_CASES for f in fields(p) if getattr(p, f.name) != getattr(base, f.name)}
    assert varied == {f.name for f in fields(NetworkParams)}
