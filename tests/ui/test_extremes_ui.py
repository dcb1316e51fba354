"""Extreme data and settings in the tabs: a start point or γ of 1e308 is a sentence (no traceback, no warning),
points of 1e12 and 1e150 draw cleanly, and a slow libsvm comparison can be cancelled while training goes on."""

from dataclasses import replace

import numpy as np
import pytest
from test_svm_tab import make_tab as make_svm_tab

from gdplay.core.trainer import Status
from gdplay.ui.plots.style import configure
from gdplay.ui.regression.tab import RegressionTab


@pytest.fixture
def regression(qtbot):
    configure()
    t = RegressionTab()
    qtbot.addWidget(t)
    t.resize(1300, 800)
    t.show()
    qtbot.waitExposed(t)
    yield t
    assert t.shutdown()


@pytest.fixture
def svm(qtbot):
    t = make_svm_tab(qtbot)
    yield t
    assert t.shutdown()


def overlapping(scale: float, n: int = 100):
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal([1, 1], 1, (n, 2)), rng.normal([-1, -1], 1, (n, 2))]) * scale
    return X, np.r_[np.ones(n), -np.ones(n)]


def test_a_start_point_of_1e308_is_a_sentence(qtbot, regression):
    regression.set_params(replace(regression.params, initial=(1e308, 1e308)))
    qtbot.waitUntil(lambda: regression.snapshot is not None and regression.snapshot.status is Status.DIVERGED,
                    timeout=5000)
    assert "The cost at the start point is" in regression.snapshot.message
    regression.controller.step(5)  # nothing to take; the plots keep drawing without an error
    qtbot.wait(300)


@pytest.mark.parametrize("kernel", ["rbf", "poly"])
def test_gamma_1e308_is_a_sentence(qtbot, svm, kernel):
    svm.set_params(replace(svm.params, kernel=kernel, gamma=1e308))
    svm.controller.play()
    qtbot.waitUntil(lambda: svm.snapshot is not None and svm.snapshot.params.gamma == 1e308
                    and svm.snapshot.status.finished, timeout=10000)
    if kernel == "poly":
        assert "overflows" in svm.status_label.text()
    qtbot.wait(200)


@pytest.mark.parametrize("scale", [1e12, 1e150])
def test_huge_coordinates_draw_cleanly(qtbot, svm, scale):
    X, y = overlapping(scale)
    svm.set_params(replace(svm.params, kernel="linear", solver="primal"))
    svm.set_points(X, y)
    svm.fit_points_view()
    svm.controller.play()
    qtbot.waitUntil(lambda: svm.snapshot is not None and svm.snapshot.n_points == len(y)
                    and svm.snapshot.step > 20, timeout=10000)
    qtbot.wait(500)  # the surface, hinge and objective plots draw a few times: no error in any


def test_a_slow_libsvm_comparison_can_be_cancelled_while_training_goes_on(qtbot, svm):
    X, y = overlapping(1e12, n=300)  # libsvm takes minutes on these
    svm.set_params(replace(svm.params, kernel="linear", solver="dual"))
    svm.set_points(X, y)
    svm.compare_box.button.click()
    assert svm.compare_box.button.text() == "Cancel libsvm" and "Solving with libsvm" in svm.compare_box.table.text()
    proc = svm._libsvm_job[0]
    assert proc.is_alive()
    svm.controller.step(50)  # the tab's training is not held by the comparison
    qtbot.waitUntil(lambda: svm.snapshot is not None and svm.snapshot.n_points == len(y)
                    and svm.snapshot.step >= 50, timeout=10000)
    assert proc.is_alive()
    svm.compare_box.button.click()
    assert not proc.is_alive() and svm._libsvm_job is None
    assert "Cancelled" in svm.compare_box.table.text() and svm.compare_box.button.text() == "Compare with libsvm"


def test_closing_the_tab_ends_a_running_comparison(qtbot, svm):
    X, y = overlapping(1e12, n=300)
    svm.set_params(replace(svm.params, kernel="linear", solver="dual"))
    svm.set_points(X, y)
    svm.compare_with_libsvm()
    proc = svm._libsvm_job[0]
    assert svm.shutdown()
    assert not proc.is_alive()


def test_a_libsvm_failure_is_a_sentence(qtbot, svm):
    X, y = overlapping(1e150, n=40)  # libsvm's dual coefficients overflow
    svm.set_params(replace(svm.params, kernel="linear", solver="dual"))
    svm.set_points(X, y)
    svm.compare_with_libsvm()
    qtbot.waitUntil(lambda: svm._libsvm_job is None, timeout=20000)
    assert "libsvm could not solve this problem" in svm.compare_box.table.text()


def test_points_of_1e12_say_why_the_fit_is_poor(qtbot, svm):
    X, y = overlapping(1e12)
    svm.set_params(replace(svm.params, kernel="linear", solver="dual", max_steps=3000))
    svm.set_points(X, y)
    svm.controller.play()
    qtbot.waitUntil(lambda: svm.snapshot is not None and svm.snapshot.n_points == len(y)
                    and svm.snapshot.status is Status.MAX_STEPS, timeout=20000)
    text = svm.status_label.text()
    assert "acts as a C of about" in text and "Divide the coordinates by about" in text
