"""The SVM tab with pytest-qt: clicks and classes, presets, live C, kernel restarts, the decision-map view,
support-vector rings, the libsvm comparison, the sweeps, one-class data and errors."""

from itertools import pairwise

import numpy as np
import pyqtgraph as pg
import pytest
from mouse import click
from PySide6.QtCore import Qt

from gdplay.bridge import CallFailed
from gdplay.core import datasets
from gdplay.core.svm import ARTICLE_SIGMA2_ACCURACY, Comparison
from gdplay.core.svm import views as svm_views
from gdplay.core.trainer import Status
from gdplay.ui.plots.style import configure
from gdplay.ui.svm.tab import SvmTab


def make_tab(qtbot) -> SvmTab:
    """The tab on screen at full size, as a person sees it (also used by the session tests)."""
    configure()
    t = SvmTab()
    qtbot.addWidget(t)
    t.resize(1400, 860)
    t.show()
    qtbot.waitExposed(t)
    t.controller.set_rate(None)
    t.toggle_play()  # a tab starts paused: the person presses Play
    return t


@pytest.fixture
def tab(qtbot):
    t = make_tab(qtbot)
    yield t
    assert t.shutdown()








def converged(tab, data_version=None):
    s = tab.snapshot
    return s is not None and s.status is Status.CONVERGED and (
        data_version is None or s.data_version == data_version)


def test_clicks_add_the_picked_class_shift_the_other_and_undo(qtbot, tab):
    w = tab.decision.widget
    n = len(tab.editor.points)
    assert tab.data_controls.current_class() == 1  # class +1 is picked at start
    click(qtbot, w, 0.0, 8.0)
    click(qtbot, w, 2.0, -8.0, modifier=Qt.KeyboardModifier.ShiftModifier)
    tab.data_controls.neg_button.click()
    click(qtbot, w, -3.0, 6.0)
    labels = tab.editor.points.labels
    assert len(labels) == n + 3
    assert labels[-3:].tolist() == [1, 0, 0]  # +1, then the other class, then the picked −1
    px, py = tab.decision.plot.getViewBox().viewPixelSize()
    assert tab.editor.points.xy[-1, 0] == pytest.approx(-3.0, abs=2 * px)
    assert tab.editor.points.xy[-1, 1] == pytest.approx(6.0, abs=2 * py)
    qtbot.waitUntil(lambda: tab.snapshot is not None and tab.snapshot.n_points == n + 3, timeout=5000)
    assert tab.snapshot.y[-3:].tolist() == [1.0, -1.0, -1.0]
    tab.undo()
    assert len(tab.editor.points) == n + 2
    click(qtbot, w, -3.0, 6.0, Qt.MouseButton.RightButton)  # nothing there any more: no change
    click(qtbot, w, 2.0, -8.0, Qt.MouseButton.RightButton)
    assert len(tab.editor.points) == n + 1
    tab.undo()
    tab.redo()
    assert len(tab.editor.points) == n + 1


def test_presets_load_with_their_settings_and_held_out_points(qtbot, tab):
    qtbot.waitUntil(lambda: converged(tab), timeout=5000)
    assert tab.snapshot.n_points == 100 and tab.params.kernel == "linear"
    tab.data_controls.select_preset("exp2")
    tab.data_controls.load_button.click()
    assert not tab.controller.running  # Load sets the experiment up, paused
    tab.toggle_play()
    labels = tab.editor.points.labels
    assert len(labels) == 300 and int((labels >= 2).sum()) == 30
    assert tab.params.kernel == "rbf" and tab.params.gamma == pytest.approx(0.04)  # γ = 1/σ², σ² = 25
    assert "γ = 1/σ² = 0.04" in tab.model.width_label.text()
    qtbot.waitUntil(lambda: converged(tab) and tab.snapshot.n_points == 300, timeout=5000)
    s = tab.snapshot
    assert int(s.test_mask.sum()) == 30
    # the article's points and split, and its printed accuracies (93.704 %, 90.000 %)
    exp = datasets.seed_experiment(2)
    np.testing.assert_array_equal(tab.editor.points.xy, exp.X)
    assert round(100 * s.train_accuracy, 3) == 93.704 and round(100 * s.test_accuracy, 3) == 90.0
    assert "30 held out" in tab.data_controls.count_label.text()
    for key in ("circles", "moons", "xor"):
        tab.load_preset(key, seed=3)
        assert len(tab.editor.points) == 200
    tab.undo()  # a preset is one undoable edit
    assert len(tab.editor.points) == 200 and tab.data_controls.undo_button.isEnabled()


def test_C_applies_live_and_the_kernel_restarts(qtbot, tab):
    tab.load_preset("exp2", 0)
    tab.controller.set_rate(None)  # full speed: the preset's pace is for watching, not for a busy test machine
    tab.controller.play()  # (not the Play toggle: its running flag may still be the first preset's)
    qtbot.waitUntil(lambda: converged(tab) and tab.snapshot.n_points == 300, timeout=10_000)
    step = tab.snapshot.step
    assert step > 50
    tab.model.C.setValue(10.0)
    qtbot.waitUntil(lambda: tab.snapshot.params.C == 10.0 and converged(tab), timeout=10_000)
    s = tab.snapshot
    assert s.params.C == 10.0
    assert s.step >= step  # warm start: the count goes on, no restart
    tab.model.sigma.setValue(3.0)  # the width is live as well
    try:
        qtbot.waitUntil(lambda: abs(tab.snapshot.params.gamma - 1 / 9) < 1e-12 and converged(tab), timeout=10_000)
    except Exception:
        s2 = tab.snapshot
        raise AssertionError(f"gamma {s2.params.gamma} {s2.status} step {s2.step} running "
                             f"{tab.controller.running} msg {s2.message!r}") from None
    assert tab.snapshot.params.gamma == pytest.approx(1 / 9) and tab.snapshot.step >= s.step
    tab.controller.set_rate(10.0)  # slow, so the restart is seen before it converges again
    tab.model.kernel.setCurrentIndex(tab.model.kernel.findData("poly"))
    version = tab.controller.params_version
    qtbot.waitUntil(lambda: tab.snapshot.params_version == version, timeout=5000)
    assert tab.snapshot.params.kernel == "poly"
    assert tab.snapshot.step < 50  # a new kernel starts over


def test_decision_map_arrives_with_the_requested_shape_and_follows_the_range(qtbot, tab):
    qtbot.waitUntil(lambda: converged(tab) and "decision" in tab.controller.views, timeout=5000)
    x_range, y_range, shape = tab.decision.view.grid()
    qtbot.waitUntil(lambda: tab.controller.views["decision"].values.shape == shape, timeout=3000)
    tab.decision.plot.getViewBox().setRange(xRange=(-4, 4), yRange=(-3, 3), padding=0)
    tab.controller.step(1)  # a snapshot after the debounce carries the new map
    qtbot.waitUntil(lambda: tab.controller.views["decision"].x_range[0] > -5, timeout=3000)
    m = tab.controller.views["decision"]
    x_range, y_range, shape = tab.decision.view.grid()
    assert m.values.shape == shape and m.values.dtype == np.float32
    assert m.x_range == pytest.approx(x_range) and m.y_range == pytest.approx(y_range)
    # f = 0 and the margins f = ±1 are drawn
    assert not tab.decision.boundary.path().isEmpty()
    assert not tab.decision.margins.path().isEmpty()


def test_support_vectors_are_ringed_and_misclassified_points_marked(qtbot, tab):
    tab.load_preset("exp2", 0)
    tab.toggle_play()
    qtbot.waitUntil(lambda: converged(tab) and tab.snapshot.n_points == 300, timeout=5000)
    s = tab.snapshot
    qtbot.wait(50)
    rings = len(tab.decision.margin_sv) + len(tab.decision.bound_sv)
    assert rings == s.n_support
    assert len(tab.decision.margin_sv) == int(s.margin_mask.sum())
    assert len(tab.decision.bound_sv) == int(s.bound_mask.sum()) > 0
    assert len(tab.decision.wrong) == int(s.misclassified.sum()) > 0
    assert len(tab.hinge_view.sv) == s.n_support and len(tab.hinge_view.points) == s.n_points
    # linear kernel on overlapping data: each violator's slack is drawn, and the margin width is shown
    tab.model.kernel.setCurrentIndex(tab.model.kernel.findData("linear"))
    # the article's overlapping points take SMO ~25,000 pair updates on the linear kernel (1-2 s)
    qtbot.waitUntil(lambda: converged(tab) and tab.snapshot.params.kernel == "linear", timeout=30000)
    s = tab.snapshot
    violators = int(((s.y_f < 1 - 1e-9) & ~s.test_mask).sum())
    x, _ = tab.decision.slack.getData()
    assert violators > 0 and len(x) == 2 * violators
    assert tab.readout["width"].text() == f"{s.margin_width:.4g}"


def test_libsvm_comparison_is_close_on_experiment_1(qtbot, tab):
    qtbot.waitUntil(lambda: converged(tab), timeout=5000)
    tab.compare_box.button.click()
    qtbot.waitUntil(lambda: tab.comparison is not None, timeout=15000)
    r = tab.comparison
    assert isinstance(r, Comparison)
    assert r.diff.w_rel < 0.02 and r.diff.b_abs < 0.05
    assert len(r.only_ours) == len(r.only_ref) == 0
    assert "libsvm" in tab.compare_box.table.text() and "%" in tab.compare_box.table.text()
    assert len(tab.decision.reference.getData()[0]) > 1  # libsvm's boundary drawn dotted
    # the "libsvm" solver choice: the dual, re-compared with libsvm after each change once it converges
    tab.comparison = None
    tab.model.solver.setCurrentIndex(tab.model.solver.findData("libsvm"))
    tab.model.C.setValue(0.01)
    qtbot.waitUntil(lambda: isinstance(tab.comparison, Comparison) and tab.comparison.params.C == 0.01,
                    timeout=15000)
    assert tab.comparison.diff.w_rel < 0.02
    # switching to the live comparison on a finished run compares it at once (no params change to wait for)
    tab.comparison = None
    tab.model.solver.setCurrentIndex(tab.model.solver.findData("dual"))
    tab.model.C.setValue(0.02)
    qtbot.waitUntil(lambda: converged(tab) and tab.snapshot.params.C == 0.02, timeout=15000)
    assert tab.comparison is None  # the plain dual solver: no comparison of its own
    tab.model.solver.setCurrentIndex(tab.model.solver.findData("libsvm"))
    qtbot.waitUntil(lambda: isinstance(tab.comparison, Comparison) and tab.comparison.params.C == 0.02,
                    timeout=15000)


def test_sweeps_reproduce_the_seeds_shapes(qtbot, tab):
    qtbot.waitUntil(lambda: converged(tab), timeout=5000)
    sweep_page = tab.pages.widget(1)
    assert sweep_page.findChildren(pg.PlotWidget) == []  # built when first needed
    tab.sweep_box.c_button.click()
    qtbot.waitUntil(lambda: "C" in tab.sweeps, timeout=15000)
    assert len(sweep_page.findChildren(pg.PlotWidget)) == 4
    pts = tab.sweeps["C"].points
    n = [p.n_support for p in pts]
    assert [p.C for p in pts] == [1e-5, 1e-3, 1, 10, 100, 1e3, 1e5, 1e7]
    assert n[0] == 100 and n[-1] <= 5 and all(a >= b for a, b in pairwise(n))  # fewer SVs as C grows
    assert len(tab.c_sweep_view.count.getData()[0]) == 8
    assert n == [100, 35, 3, 3, 3, 3, 3, 3]  # the article's points: libsvm's counts on them
    assert tab.sweeps["C"].article_data and len(tab.c_sweep_view.article_count.getData()[0]) == 8
    assert "article's code" in tab.sweep_box.result.text()
    assert tab.pages.currentIndex() == 1
    tab.load_preset("exp2", 0)
    tab.toggle_play()
    qtbot.waitUntil(lambda: converged(tab) and tab.snapshot.n_points == 300, timeout=5000)
    tab.sweep_box.sigma_button.click()
    qtbot.waitUntil(lambda: "sigma2" in tab.sweeps, timeout=15000)
    r = tab.sweeps["sigma2"]
    assert r.n_test == 30 and r.convention == "code"
    pts = r.points
    assert [p.sigma2 for p in pts] == [1, 2, 4, 8, 32, 128]
    assert [p.gamma for p in pts] == pytest.approx([1, 0.5, 0.25, 0.125, 1 / 32, 1 / 128])
    n = [p.n_support for p in pts]
    assert all(a >= b for a, b in pairwise(n))  # wider kernels need fewer support vectors
    assert pts[0].train_accuracy > pts[-1].train_accuracy  # narrow kernels fit the training points closer
    assert "σ² sweep" in tab.sweep_box.result.text()
    # the article's table drawn next to gdplay's, and gdplay's equal to it
    assert r.article_data
    np.testing.assert_allclose(tab.sigma_sweep_view.article_train.getData()[1],
                               [v[0] for v in ARTICLE_SIGMA2_ACCURACY.values()])
    np.testing.assert_allclose([100 * p.test_accuracy for p in pts],
                               [v[1] for v in ARTICLE_SIGMA2_ACCURACY.values()], atol=1e-4)
    assert "article test" in tab.sweep_box.result.text()
    tab.editor.replace(tab.editor.points.xy + 0.5, tab.editor.points.labels, "Move")  # not the article's points
    qtbot.waitUntil(lambda: converged(tab) and tab.snapshot.data_version > r.data_version, timeout=5000)
    del tab.sweeps["sigma2"]
    tab.sweep_box.sigma_button.click()
    qtbot.waitUntil(lambda: "sigma2" in tab.sweeps, timeout=15000)
    assert not tab.sweeps["sigma2"].article_data
    assert tab.sigma_sweep_view.article_train.getData()[0] is None  # nothing drawn


def test_one_class_shows_the_message_and_disables_play(qtbot, tab):
    tab.set_points(np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.5]]), np.array([1, 1, 1]))
    qtbot.waitUntil(lambda: tab.snapshot is not None and tab.snapshot.n_points == 3
                    and tab.snapshot.status is Status.INVALID, timeout=5000)
    assert "The number of classes has to be greater than one; got 1 class" in tab.status_label.text()
    assert not tab.playback.play_button.isEnabled()
    tab.editor.clear()
    qtbot.waitUntil(lambda: tab.snapshot.n_points == 0, timeout=5000)
    assert "No training points" in tab.status_label.text()
    tab.undo()
    tab.undo()
    qtbot.waitUntil(lambda: converged(tab) and tab.snapshot.n_points == 100, timeout=10_000)
    assert tab.playback.play_button.isEnabled()


def test_an_error_in_the_trainer_keeps_points_and_settings(qtbot, tab):
    qtbot.waitUntil(lambda: converged(tab), timeout=5000)
    tab.model.C.setValue(3.0)
    n = len(tab.editor.points)
    with qtbot.waitSignal(tab.controller.failed, timeout=5000):
        tab.controller.set_data(np.zeros((3, 2, 2)), np.ones(3))  # the trainer refuses 3-D points
    assert "Training stopped by an error" in tab.status_label.text()
    assert "X must be a 2-D array" in tab.status_label.text()
    assert len(tab.editor.points) == n and tab.model.C.value() == 3.0
    tab.reset()
    tab.toggle_play()
    qtbot.waitUntil(lambda: converged(tab) and tab.controller.error is None, timeout=5000)
    # a request that raises is answered with its error (a CallFailed, shown) and training goes on
    tab.controller.request(svm_views.compare_with_libsvm, ref="not a solution", on_reply=tab._on_comparison)
    qtbot.waitUntil(lambda: isinstance(tab.comparison, CallFailed), timeout=5000)
    assert "AttributeError" in tab.compare_box.table.text() and "alpha" in tab.compare_box.table.text()
    assert tab.controller.error is None


def test_primal_solver_is_for_the_linear_kernel_and_draws_its_cost_surface(qtbot, tab):
    qtbot.waitUntil(lambda: converged(tab), timeout=5000)
    primal = tab.model.solver.findData("primal")
    tab.model.solver.setCurrentIndex(primal)
    qtbot.waitUntil(lambda: tab.snapshot.params.solver == "primal" and tab.snapshot.step > 200, timeout=5000)
    qtbot.waitUntil(lambda: tab.controller.views.get("surface") is not None, timeout=3000)
    assert tab.surface_view.heatmap.image.image is not None
    assert len(tab.surface_view.path.getData()[0]) > 1
    tab.model.kernel.setCurrentIndex(tab.model.kernel.findData("rbf"))
    assert tab.model.solver_name() == "dual"  # switched back, and primal is greyed out with the reason
    item = tab.model.solver.model().item(primal)
    assert not item.isEnabled() and "linear kernel" in item.toolTip()


def test_opening_the_sweeps_page_builds_its_four_plots_once(qtbot, tab):
    page = tab.pages.widget(1)
    tab.pages.setCurrentIndex(1)
    plots = page.findChildren(pg.PlotWidget)
    assert len(plots) == 4
    tab.pages.setCurrentIndex(0)
    tab.pages.setCurrentIndex(1)
    assert page.findChildren(pg.PlotWidget) == plots


def test_readouts_show_the_stopping_rule_and_never_a_negative_kkt(qtbot, tab):
    """Issue 11, section 3: "converged" is read next to the rule it means, and C = 1e-5 (every α at C, no
    violating pair) shows a KKT violation of 0, not −1.99."""
    qtbot.waitUntil(lambda: converged(tab), timeout=5000)
    assert "stops at ≤ 0.001" in tab.readout["relgap"].text()
    assert "relative duality gap" in tab.status_label.text()
    tab.set_params(tab.params.__class__(**{**tab.params.__dict__, "C": 1e-5}))
    qtbot.waitUntil(lambda: converged(tab) and tab.snapshot.params.C == 1e-5, timeout=10000)
    assert tab.snapshot.kkt_violation >= 0 and not tab.readout["kkt"].text().startswith("-")
