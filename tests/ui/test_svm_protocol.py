"""The SVM tab on the one protocol from controls to tab: the model panel reports only the params fields the
user changed, view-only choices apart; the tab validates once and never echoes a change back into the panel
that produced it; a change to a finished run resumes it by the training process's rule alone."""

from dataclasses import replace

import pytest
from test_svm_tab import converged, make_tab

from gdplay.core import kernels as K
from gdplay.core.svm import SVMParams
from gdplay.core.trainer import Status
from gdplay.ui.svm.controls import SOLVER_LIMITS, ModelControls


@pytest.fixture
def panel(qtbot):
    m = ModelControls()
    qtbot.addWidget(m)
    edits, views = [], []
    m.edited.connect(edits.append)
    m.viewChanged.connect(views.append)
    return m, edits, views


def test_each_control_reports_only_its_own_fields(panel):
    m, edits, views = panel
    m.show_params(SVMParams(kernel="rbf", gamma=0.04, C=1.0))
    assert edits == views == []  # shown, not edited
    m.C.setValue(3.0)
    m.sigma.setValue(2.0)
    assert edits == [{"C": 3.0}, {"gamma": pytest.approx(K.gamma_from_sigma(2.0, "code"))}]
    edits.clear()
    m.convention.setCurrentIndex(m.convention.findData("formula"))  # how σ is read: not a model change
    assert edits == [] and views == ["convention"]
    m.solver.setCurrentIndex(m.solver.findData("libsvm"))  # the same dual solver, compared live
    assert edits == [] and views == ["convention", "solver"]
    m.kernel.setCurrentIndex(m.kernel.findData("poly"))
    assert edits == [{"kernel": "poly", "gamma": m.poly_gamma.value()}]


def test_a_new_solver_brings_its_step_limit_and_a_kernel_the_primal_cannot_use_brings_the_dual(panel):
    m, edits, _ = panel
    m.show_params(SVMParams(kernel="linear"))
    m.solver.setCurrentIndex(m.solver.findData("primal"))
    assert edits == [{"solver": "primal", "max_steps": SOLVER_LIMITS["primal"]}]
    edits.clear()
    m.kernel.setCurrentIndex(m.kernel.findData("rbf"))
    assert edits == [{"kernel": "rbf", "solver": "dual", "max_steps": SOLVER_LIMITS["dual"], "gamma": m.gamma()}]


@pytest.fixture
def tab(qtbot):
    t = make_tab(qtbot)
    yield t
    assert t.shutdown()


def test_an_edit_is_applied_once_and_not_echoed_back_into_the_panel(qtbot, tab, monkeypatch):
    shown = []
    monkeypatch.setattr(tab.controls, "show_params", lambda p: shown.append(p))
    tab.model.C.setValue(2.5)
    assert tab.params.C == 2.5 and shown == []  # the slider being dragged is not set again
    qtbot.waitUntil(lambda: tab.snapshot is not None and tab.snapshot.params.C == 2.5, timeout=5000)
    tab.set_params(replace(tab.params, C=4.0))  # params from elsewhere (a session, a script): shown
    assert shown and shown[-1].C == 4.0


def test_refused_params_say_why_and_the_panel_shows_the_params_in_force(qtbot, tab):
    before = tab.params
    assert not tab.set_params(replace(before, degree=0, kernel="poly"))
    assert "degree must be an integer" in tab.status_label.text()
    assert tab.params == before and tab.model.kernel_name() == before.kernel


def test_a_change_to_a_converged_run_resumes_it_from_where_it_was(qtbot, tab):
    qtbot.waitUntil(lambda: converged(tab) and not tab.controller.running, timeout=5000)
    step = tab.snapshot.step  # the run has ended; the runner, not the tab, decides that a change resumes it
    tab.model.C.setValue(0.5)
    qtbot.waitUntil(lambda: converged(tab) and tab.snapshot.params.C == 0.5, timeout=10_000)
    assert tab.snapshot.step >= step  # warm start: the run went on, not over


def test_a_change_while_the_user_paused_mid_run_keeps_it_paused(qtbot, tab):
    tab.load_preset("exp2", 0)
    tab.controller.set_rate(20.0)
    tab.controller.play()
    qtbot.waitUntil(lambda: tab.snapshot is not None and tab.snapshot.n_points == 300 and tab.snapshot.step > 3,
                    timeout=5000)
    tab.controller.pause()
    qtbot.waitUntil(lambda: not tab.controller.running, timeout=5000)
    tab.model.C.setValue(2.0)
    qtbot.waitUntil(lambda: tab.snapshot.params.C == 2.0, timeout=5000)
    step = tab.snapshot.step
    qtbot.wait(300)
    assert not tab.controller.running and tab.snapshot.step == step
    assert tab.snapshot.status is not Status.CONVERGED
