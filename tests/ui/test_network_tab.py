"""The Neural network tab with pytest-qt: clicks on the decision map's viewport, presets, live and
structural params, the map view, the worked example, the gradient check, and the error paths."""

import numpy as np
import pytest
from mouse import click
from PySide6.QtCore import QPointF, Qt

from gdplay.core.network import DecisionMap, chain_example_step, held_out_mask
from gdplay.core.trainer import Status
from gdplay.ui.network.tab import NetworkTab
from gdplay.ui.plots.style import configure


def make_tab(qtbot) -> NetworkTab:
    """The tab on screen at full size, as a person sees it (also used by the session tests)."""
    configure()
    t = NetworkTab()
    qtbot.addWidget(t)
    t.resize(1400, 860)
    t.show()
    qtbot.waitExposed(t)
    qtbot.waitUntil(lambda: t.snapshot is not None and bool(t.snapshot.layer_sizes), timeout=5000)
    return t


@pytest.fixture
def tab(qtbot):
    t = make_tab(qtbot)
    yield t
    assert t.shutdown()








def test_clicks_add_points_of_the_current_class_shift_adds_the_next_and_undo(qtbot, tab):
    tab.editor.clear()
    w = tab.map_view.widget
    tab.panel.class_buttons[1].click()  # current class 2 (index 1)
    click(qtbot, w, 1.0, 1.0)
    click(qtbot, w, -1.0, -1.0, modifier=Qt.KeyboardModifier.ShiftModifier)
    assert tab.editor.points.labels.tolist() == [1, 0]  # Shift: the next class, wrapping at 2 classes
    px, _ = tab.map_view.plot.getViewBox().viewPixelSize()
    assert tab.editor.points.xy[0, 0] == pytest.approx(1.0, abs=2 * px)
    tab.panel.n_classes.setValue(3)
    tab.panel.class_buttons[2].click()
    click(qtbot, w, 2.0, -2.0)
    assert tab.editor.points.labels[-1] == 2
    qtbot.waitUntil(lambda: tab.snapshot.data_version == tab.editor.points.version, timeout=3000)
    assert tab.snapshot.classes == (0, 1, 2)
    click(qtbot, w, 2.0, -2.0, Qt.MouseButton.RightButton)
    assert len(tab.editor.points) == 2
    tab.undo()
    assert len(tab.editor.points) == 3
    tab.undo()
    tab.undo()
    assert tab.editor.points.labels.tolist() == [1]


def test_presets_load_with_their_classes(qtbot, tab):
    tab.load_preset("circles")
    assert len(tab.editor.points) == 200
    assert set(tab.editor.points.labels.tolist()) == {0, 1}
    tab.panel.n_classes.setValue(3)
    tab.load_preset("spiral")
    assert set(tab.editor.points.labels.tolist()) == {0, 1, 2}
    qtbot.waitUntil(lambda: tab.snapshot.classes == (0, 1, 2) and tab.snapshot.layer_sizes[-1] == 3, timeout=3000)
    tab.undo()
    assert len(tab.editor.points) == 200


def test_test_split_is_stable_and_sent_with_the_data(qtbot, tab):
    m = held_out_mask(200, 0.2, 0)
    assert m.sum() == 40
    assert (held_out_mask(201, 0.2, 0)[:200] != m).sum() <= 2  # one more point moves at most one membership
    tab.panel.test_fraction.setValue(30)
    qtbot.waitUntil(lambda: tab.snapshot.n_test == 60, timeout=3000)


def test_learning_rate_applies_live_and_architecture_restarts(qtbot, tab):
    tab.controller.set_rate(None)
    tab.controller.play()
    qtbot.waitUntil(lambda: tab.snapshot.step > 200, timeout=5000)
    tab.panel.learning_rate.setValue(0.05)
    qtbot.waitUntil(lambda: tab.snapshot.learning_rate == 0.05, timeout=3000)
    before = tab.snapshot.step
    assert before > 200 and tab.snapshot.status is Status.TRAINING  # not restarted
    tab.controller.set_rate(20.0)  # slow: the restarted run is seen counting again, far below where it was
    tab.panel.layer_count.setValue(1)
    tab.panel.units[0].setValue(3)
    qtbot.waitUntil(lambda: tab.snapshot.layer_sizes == (2, 3, 1), timeout=3000)
    # restarted from fresh weights: the run starts counting again (3 s at 20 steps a second is < 200 steps)
    assert tab.snapshot.step < before and tab.snapshot.step < 100
    assert tab.snapshot.learning_rate == 0.05
    tab.controller.pause()
    qtbot.waitUntil(lambda: not tab.controller.running, timeout=3000)
    tab.reset()
    qtbot.waitUntil(lambda: tab.snapshot.step == 0, timeout=3000)


def test_decision_map_view_arrives_with_the_requested_shape(qtbot, tab):
    xr, _yr, shape = tab.map_view.view.grid()
    tab._request_views()
    tab.step_once()

    def ready():
        dm = tab.controller.views.get("decision")
        return isinstance(dm, DecisionMap) and dm.probability.shape == shape and dm.x_range == xr

    qtbot.waitUntil(ready, timeout=3000)
    qtbot.waitUntil(lambda: tab.neuron_maps is not None, timeout=3000)
    assert [a.shape[0] for a in tab.neuron_maps.layers] == [8, 8, 1]
    assert tab.map_view.image.image is not None
    pred = tab.controller.views["predicted"]
    assert pred.shape == (len(tab.editor.points),)


def test_worked_example_first_step_shows_the_seeds_numbers(qtbot, tab):
    tab.panel.worked_button.click()
    assert tab.worked_mode
    tab.step_once()  # the S shortcut goes to the example in this mode
    ref = chain_example_step()
    for key in ("z1", "a1", "z2", "a2", "E", "dE_dw2", "dE_db2", "dE_dw1", "w1", "b1", "w2", "b2"):
        v = ref[key]
        text = f"{v:.6f}" if abs(v) >= 1e-3 else f"{v:.6e}"
        assert tab.worked.value(key) == text, key
    assert tab.worked.snapshot.step == 1
    tab.worked.back_button.click()
    assert not tab.worked_mode


def test_gradient_check_reports_a_small_error(qtbot, tab):
    tab.panel.check_button.click()
    qtbot.waitUntil(lambda: tab.gradient_check is not None, timeout=5000)
    assert tab.gradient_check.max_relative_error < 1e-4
    n = tab.gradient_check.n_total
    assert "max relative error" in tab.panel.check_label.text()
    assert f"over {n} parameters at step" in tab.panel.check_label.text()  # all of them, on every point
    from gdplay.core.network import GradientCheck

    tab._on_gradient_check(GradientCheck(1e-8, 64, 5, 1e-5, n_total=5569, n_rows=2000, n_sampled_rows=435))
    assert ("over 64 of the 5,569 parameters (a big network: an even spread), on 435 of the 2,000 points at step 5"
            in tab.panel.check_label.text())


def test_landscape_request_fills_the_view(qtbot, tab):
    tab.request_landscape()
    qtbot.waitUntil(lambda: tab.landscape is not None, timeout=5000)
    assert tab.landscape.loss.shape == (41, 41)


def test_one_class_shows_the_message_and_disables_play(qtbot, tab):
    tab.load_points(np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.5]]), np.array([0, 0, 0]))
    qtbot.waitUntil(lambda: tab.snapshot.status is Status.INVALID, timeout=3000)
    assert "greater than one" in tab.status_label.text()
    assert not tab.playback.play_button.isEnabled()
    tab.editor.clear()
    qtbot.waitUntil(lambda: tab.snapshot.n_train == 0, timeout=3000)
    assert "No training points" in tab.status_label.text()
    assert tab.controller.error is None  # the views did not fail on the missing network


def test_diverging_learning_rate_is_reported_and_points_survive(qtbot, tab):
    n = len(tab.editor.points)
    tab.panel.activation.setCurrentIndex(tab.panel.activation.findData("linear"))
    tab._send_params()
    tab.panel.learning_rate.setValue(10.0)
    tab.controller.set_rate(None)
    tab.controller.play()
    qtbot.waitUntil(lambda: tab.snapshot.status is Status.DIVERGED, timeout=5000)
    assert "Training diverged at step" in tab.status_label.text()
    assert "lower the learning rate (now 10)" in tab.status_label.text()
    assert len(tab.editor.points) == n
    assert all(np.isfinite(W).all() for W in tab.snapshot.coefs)


def test_diagram_hover_describes_a_weight(qtbot, tab):
    qtbot.waitUntil(lambda: tab.diagram_draws > 0 and len(tab.diagram._weights) > 0, timeout=3000)
    seg = tab.diagram._segments[0]
    mid = QPointF(*((seg[0] + seg[1]) / 2))
    assert tab.diagram.describe(mid).startswith("weight W")
    c = tab.diagram.centres[1][0]
    assert "hidden layer 1, unit 1" in tab.diagram.describe(QPointF(*c))


def test_a_paused_tab_shows_the_landscape_where_the_weights_are_after_each_step(qtbot, tab):
    """Stepping by hand moves the weights: the landscape is computed again at the new step (once), and its
    title names the step it was computed at."""
    tab.controller.pause()
    qtbot.waitUntil(lambda: not tab.controller.running, timeout=5000)
    qtbot.waitUntil(lambda: tab.landscape is not None and tab.landscape.step == tab.snapshot.step, timeout=5000)
    first = tab.landscape.step
    for _ in range(3):
        tab.step_once()
    qtbot.waitUntil(lambda: tab.snapshot.step == first + 3, timeout=5000)
    qtbot.waitUntil(lambda: tab.landscape.step == first + 3 and not tab._landscape_pending, timeout=5000)
    assert f"step {first + 3}" in tab.landscape_view.plot.titleLabel.text


def test_vanishing_gradient_lesson_compares_both_activations_and_marks_step_0(qtbot, tab):
    """Issue 11, section 4: the deep-sigmoid preset shows ReLU's run dashed next to its own, step 0 ringed,
    and a readout that gives the ratio at step 0 and now, and the true per-layer bound ‖W‖/4."""
    view = tab.gradient_view
    tab.load_scenario("sigmoid")
    qtbot.waitUntil(lambda: view.reference is not None, timeout=30000)
    assert view.reference.activation == "relu" and view.reference.rows[0, 0] == 0
    assert view.reference.steps == 3000 and view.reference.rows[-1, 0] == 3000, view.reference.message
    assert view.ref_first.xData is not None and len(view.ref_first.xData) == len(view.reference.rows)
    tab.toggle_play()  # Load sets the lesson up paused
    qtbot.waitUntil(lambda: tab.snapshot is not None and tab.snapshot.step >= 200, timeout=30000)
    tab.controller.pause()
    qtbot.waitUntil(lambda: "at step 0" in view.ratio_text, timeout=5000)
    L = len(tab.snapshot.grad_norms)
    assert len(view.start.getData()[0]) == L  # a ring on each layer's curve at step 0
    assert "‖W‖/4" in view.ratio_text
    first = float(view.ratio_text.split("\n")[1].split()[0])
    assert first < 1e-2  # at step 0 the gradient reaching layer 1 is orders of magnitude smaller
    assert "rises" in view.widget.toolTip() or "rise" in view.widget.toolTip()


def test_rmsprop_shows_and_sends_its_own_decay(qtbot, tab):
    p = tab.panel
    p.optimizer.setCurrentIndex(p.optimizer.findData("rmsprop"))
    assert p.hyper["beta2"].value() == pytest.approx(0.9)
    assert p.network_params(tab.params).beta2 == pytest.approx(0.9)
    p.optimizer.setCurrentIndex(p.optimizer.findData("adam"))
    assert p.network_params(tab.params).beta2 == pytest.approx(0.999)


def test_the_diagram_fills_its_box_once_laid_out(qtbot, tab):
    """The diagram's margins for its labels depend on the scale they set: fitted once, fitting again must
    change nothing (two rounds from a stale scale left the network a quarter of its box)."""
    d = tab.diagram
    qtbot.waitUntil(lambda: d._content.isValid(), timeout=5000)
    k = d.transform().m11()
    d._fit()
    assert d.transform().m11() == pytest.approx(k, rel=0.01)
    width = d._content.width() * k
    assert width > 0.6 * d.viewport().width()  # the units span most of the box, not a corner of it


def test_a_paused_network_goes_quiet(qtbot, tab):
    """Asking for the unit pictures makes the training process send a snapshot; a paused tab asked again for
    every one, so it never went quiet (ten snapshots a second for ever, and --screenshot waited 30 s)."""
    tab.controller.step(20)
    qtbot.waitUntil(lambda: tab.snapshot is not None and tab.snapshot.step == 20, timeout=5000)
    qtbot.waitUntil(lambda: tab.neuron_maps is not None, timeout=5000)
    qtbot.wait(600)  # the diagram's last round settles
    before = tab.controller._worker.snapshots_received
    qtbot.wait(1000)
    assert tab.controller._worker.snapshots_received - before <= 1


def test_the_slow_plots_take_turns_while_training_and_both_show_where_a_stopped_run_stands(qtbot, tab):
    """While training, the accuracy and gradient-flow plots are drawn on alternate frames; when the run
    stops, both are drawn from the last snapshot (neither may be left a frame behind)."""
    from gdplay.core.network import NetworkTrainer

    trainer = NetworkTrainer(tab.params)
    trainer.set_data(tab.editor.points.xy, tab.editor.points.labels)
    snaps = []
    for _ in range(4):
        trainer.step(7)
        snaps.append(trainer.snapshot())

    def shown():
        return tab.accuracy_view.train.xData[-1], tab.gradient_view.curves[0].xData[-1]

    tab.on_snapshot(snaps[0])  # paused: both
    assert shown() == (7, 7)
    tab.controller.running = True  # as the training process says while it trains (the tab is paused)
    tab.on_snapshot(snaps[1])
    assert sorted(shown()) == [7, 14]  # one frame each
    tab.on_snapshot(snaps[2])
    assert sorted(shown()) == [14, 21]
    tab.controller.running = False
    tab.on_running(False)  # stopped: both from the last snapshot
    assert shown() == (21, 21)
    tab.on_snapshot(snaps[3])  # a snapshot of a stopped run (a Step): both at once
    assert shown() == (28, 28)


def test_a_big_network_draws_its_decision_map_on_a_coarser_grid(qtbot, tab):
    from gdplay.core.network import FEATURES
    from gdplay.ui.network.tab import map_resolution

    assert map_resolution((2, 8, 8, 1)) == 100  # the default network: the full grid
    assert map_resolution((7, *(32,) * 6, 1)) == 60  # 5,376 weights: ~2e7 multiply-adds a map
    assert map_resolution((7, *(32,) * 6, 1)) < map_resolution((2, *(32,) * 6, 1)) < map_resolution((2, 32, 1))
    tab.set_params(tab.params.__class__(hidden=(32,) * 6, features=FEATURES))

    def coarse_map():
        dm = tab.controller.views.get("decision")
        return isinstance(dm, DecisionMap) and dm.label.shape[1] == 60 and tab.snapshot.layer_sizes[1:-1] == (32,) * 6

    qtbot.waitUntil(coarse_map, timeout=10000)
    tab.set_params(tab.params.__class__(hidden=(4,)))
    qtbot.waitUntil(lambda: tab.controller.views.get("decision") is not None
                    and tab.controller.views["decision"].label.shape[1] == 100, timeout=10000)


# -- one protocol from the panel to the tab -----------------------------------------------------------------
def test_each_control_reports_exactly_the_params_field_it_changed(qtbot):
    from gdplay.ui.network.controls import ControlPanel
    from gdplay.ui.network.tab import DEFAULT_PARAMS

    panel = ControlPanel(DEFAULT_PARAMS)
    qtbot.addWidget(panel)
    edits: list[dict] = []
    panel.edited.connect(edits.append)

    def one_edit(action) -> dict:
        edits.clear()
        action()
        assert len(edits) == 1, edits
        return edits[0]

    assert one_edit(lambda: panel.learning_rate.setValue(0.05)) == {"learning_rate": pytest.approx(0.05)}
    assert one_edit(lambda: panel.optimizer.setCurrentIndex(panel.optimizer.findData("adam"))) == {
        "optimizer": "adam", "momentum": None, "beta1": pytest.approx(0.9), "beta2": pytest.approx(0.999),
        "epsilon": pytest.approx(1e-8)}
    assert one_edit(lambda: panel.hyper["beta1"].setValue(0.8)) == {"beta1": pytest.approx(0.8)}
    assert one_edit(lambda: panel.batch_mode.setCurrentIndex(panel.batch_mode.findData("mini"))) == {"batch_size": 16}
    assert one_edit(lambda: panel.batch_size.setValue(32)) == {"batch_size": 32}
    assert one_edit(lambda: panel.batch_mode.setCurrentIndex(panel.batch_mode.findData("one"))) == {"batch_size": 1}
    assert one_edit(lambda: panel.l2_on.setChecked(True)) == {"l2": pytest.approx(1e-3)}
    assert one_edit(lambda: panel.l2_on.setChecked(False)) == {"l2": 0.0}
    assert one_edit(lambda: panel.layer_count.setValue(3)) == {"hidden": (8, 8, 8)}
    assert one_edit(lambda: panel.units[1].setValue(5)) == {"hidden": (8, 5, 8)}
    assert one_edit(lambda: panel.activation.setCurrentIndex(panel.activation.findData("relu"))) == {
        "activation": "relu"}
    assert one_edit(lambda: panel.leaky_slope.setValue(0.2)) == {"leaky_slope": pytest.approx(0.2)}
    assert one_edit(lambda: panel.loss.setCurrentIndex(panel.loss.findData("mse"))) == {"loss": "mse"}
    assert one_edit(lambda: panel.init.setCurrentIndex(panel.init.findData("he"))) == {"init": "he"}
    assert one_edit(lambda: panel.init_seed.setValue(7)) == {"seed": 7}
    assert one_edit(lambda: panel.features["x1^2"].setChecked(True)) == {"features": ("x1", "x2", "x1^2")}
    edits.clear()
    panel.show_params(DEFAULT_PARAMS)  # params from elsewhere: shown, never reported as an edit
    assert edits == [] and panel.network_params(DEFAULT_PARAMS) == DEFAULT_PARAMS


def test_an_edit_is_validated_once_never_echoed_and_a_restart_carries_the_live_edits_meanwhile(
        qtbot, tab, monkeypatch):
    from gdplay.core.network import NetworkParams

    validated, shown = [], []
    real_validate = NetworkParams.validate
    monkeypatch.setattr(NetworkParams, "validate", lambda self: validated.append(self) or real_validate(self))
    monkeypatch.setattr(tab.panel, "show_params", lambda p: shown.append(p))
    sent = []
    real_set_params = tab.controller.set_params
    monkeypatch.setattr(tab.controller, "set_params", lambda p: sent.append(p) or real_set_params(p))

    tab.panel.learning_rate.setValue(0.2)  # live: at once
    assert tab.params.learning_rate == pytest.approx(0.2) and sent == [tab.params] and len(validated) == 1
    tab.panel.units[0].setValue(3)  # structural: waits for the debounce ...
    tab.panel.units[0].setValue(5)
    tab.panel.learning_rate.setValue(0.05)  # ... and a live edit meanwhile goes with it
    assert len(sent) == 1 and tab._restart_timer.isActive()
    qtbot.waitUntil(lambda: len(sent) == 2, timeout=3000)
    assert sent[1].hidden == (5, 8) and sent[1].learning_rate == pytest.approx(0.05) and tab.params == sent[1]
    assert len(validated) == 2 and shown == []  # once per change sent; nothing put back into the panel


def test_an_invalid_edit_says_why_and_the_panel_shows_the_params_in_force(qtbot, tab):
    before = tab.params
    tab.on_controls_edited({"hidden": (0,)})  # beyond what the spin boxes allow: as a broken control would send
    tab._send_params()
    assert tab.params == before and "hidden layer" in tab.status_label.text()
    assert tab.panel.network_params(before) == before


def test_the_network_tab_keeps_the_training_tab_contract_and_says_why_a_request_has_no_answer(qtbot, tab):
    from gdplay.ui.tab_base import TrainingTab

    assert isinstance(tab, TrainingTab)
    for name in TrainingTab.REQUIRED:
        assert getattr(type(tab), name) is not getattr(TrainingTab, name), name
    tab.editor.clear()
    qtbot.waitUntil(lambda: tab.snapshot.n_train == 0, timeout=3000)
    tab.request_gradient_check()  # no network: the trainer's own sentence comes back (a CallFailed)
    qtbot.waitUntil(lambda: tab.panel.check_label.text().startswith("Nothing to check: No training points"),
                    timeout=3000)
    assert tab.view("decision") is None and tab.controller.error is None


def test_a_debounced_restart_from_the_panel_is_one_undo_entry_named_by_its_field(qtbot, tab):
    before = tab.params
    tab.panel.units[0].setValue(3)
    tab.panel.units[0].setValue(5)  # typing: one restart, one entry
    tab.panel.activation.setCurrentIndex(tab.panel.activation.findData("relu"))
    qtbot.waitUntil(lambda: tab.params.hidden == (5, 8) and tab.params.activation == "relu", timeout=3000)
    stack = tab.editor.undo_stack
    assert stack.can_undo() and "Change the layers" in stack.undo_text()
    tab.undo()
    assert tab.params == before and tab.panel.network_params(before) == before
    assert not stack.can_undo() or "Change the layers" not in stack.undo_text()


def test_a_change_made_while_training_shows_in_the_loss_first_and_the_rest_a_moment_later(qtbot, tab):
    """Drawing gives way to input: the first frame with a new learning rate draws the loss and the status
    only (a cheap frame), the map, readouts and slow plots follow just after, from the newest snapshot."""
    from gdplay.core.network import NetworkTrainer

    trainer = NetworkTrainer(tab.params)
    trainer.set_data(tab.editor.points.xy, tab.editor.points.labels)
    trainer.step(5)
    before = trainer.snapshot()
    trainer.set_params(trainer.with_params(learning_rate=0.05), version=before.params_version + 1)
    trainer.step(5)
    after = trainer.snapshot()
    tab.controller.running = True  # as the training process says while it trains (the tab is paused)
    tab.on_snapshot(before)
    tab.on_snapshot(before)  # the same params: drawn whole
    assert tab.panel.readout.text().startswith(f"train loss {before.train_loss:.4g}")
    tab.on_snapshot(after)  # a new learning rate: the loss now, the rest a moment later
    assert tab.loss_view.train.xData[-1] == 10
    assert tab.panel.readout.text().startswith(f"train loss {before.train_loss:.4g}")
    assert tab._rest_timer.isActive()
    tab.controller.running = False  # (the tab's own paused process may send a snapshot meanwhile: the newest)
    qtbot.waitUntil(lambda: not tab._rest_timer.isActive(), timeout=1000)
    assert tab.panel.readout.text().startswith(f"train loss {tab.snapshot.train_loss:.4g}")


def test_a_big_network_draws_fewer_frames_so_training_keeps_the_cpu(qtbot, tab):
    """Drawing degrades, not training: above BIG_NETWORK_WEIGHTS the tab asks for a frame at most every
    BIG_NETWORK_FRAME_MS (the bench's 6 x 32 edge: 36 frames a second, training at 82-85 % of headless);
    a small network keeps the controller's 60 a second."""
    from gdplay.core.network import FEATURES
    from gdplay.ui.network.tab import BIG_NETWORK_FRAME_MS

    assert tab.controller.frame_ms is None  # the default 2-8-8-1
    tab.set_params(tab.params.__class__(hidden=(32,) * 6, features=FEATURES))
    assert tab.controller.frame_ms == BIG_NETWORK_FRAME_MS
    tab.set_params(tab.params.__class__(hidden=(8, 8)))
    assert tab.controller.frame_ms is None
