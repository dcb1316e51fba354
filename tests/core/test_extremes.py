"""Extreme data and settings stay honest: no RuntimeWarning leaks, overflow is a sentence with the state kept
finite where it was, and the SVM's plots get finite numbers."""

import warnings

import numpy as np
import pytest

from gdplay.core.regression import RegressionParams, RegressionTrainer, views
from gdplay.core.svm import SVMParams, SVMTabTrainer
from gdplay.core.svm import views as svm_views
from gdplay.core.trainer import NotReady, Status


@pytest.fixture(autouse=True)
def warnings_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


@pytest.mark.parametrize("initial", [(1e308, 1e308), (1e200, 0.0), (1e154, 1.0)])
@pytest.mark.parametrize("optimizer", ["gd", "adam"])
def test_a_start_point_whose_cost_overflows_is_a_sentence(initial, optimizer):
    t = RegressionTrainer(RegressionParams(initial=initial, optimizer=optimizer, compare=("momentum",)))
    t.set_data(np.array([1.0, 2.0, 3.0]), np.array([2.0, 3.0, 5.0]))
    s = t.snapshot()
    assert s.status is Status.DIVERGED and "The cost at the start point is" in s.message
    assert "choose a start nearer the points" in s.message
    assert t.step(10) == 0
    views.fit_curves(t, (0.0, 4.0))
    views.cost_curve(t, (-1.0, 1.0)) if len(s.main.coef) == 1 else views.surface(t, (0, 1), (-1.0, 1.0), (-1.0, 1.0))


def test_a_far_start_with_a_finite_cost_diverges_with_the_last_finite_state():
    t = RegressionTrainer(RegressionParams(initial=(1e150, 0.0), learning_rate=0.5))
    t.set_data(np.array([1.0, 2.0, 3.0]), np.array([2.0, 3.0, 5.0]))
    t.fit()
    s = t.snapshot()
    assert s.status is Status.DIVERGED and "diverged" in s.message
    assert np.isfinite(s.main.coef).all() and np.isfinite(s.cost)


def overlapping(scale: float, n: int = 60):
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal([1, 1], 1, (n, 2)), rng.normal([-1, -1], 1, (n, 2))]) * scale
    return X, np.r_[np.ones(n), -np.ones(n)]


@pytest.mark.parametrize("kernel", ["rbf", "poly"])
def test_gamma_1e308_is_a_sentence_not_a_warning(kernel):
    X, y = overlapping(1.0)
    t = SVMTabTrainer(SVMParams(kernel=kernel, gamma=1e308))
    t.set_data(X, y)
    t.fit()
    s = t.snapshot()
    if kernel == "poly":
        assert s.status is Status.INVALID and "overflows" in s.message
        with pytest.raises(NotReady, match="overflows"):  # the map says why there is none
            svm_views.decision_map(t, (-3.0, 3.0), (-3.0, 3.0), (20, 20))
    else:
        svm_views.decision_map(t, (-3.0, 3.0), (-3.0, 3.0), (20, 20))


@pytest.mark.parametrize("scale", [1e12, 1e150])
def test_the_primal_surface_of_huge_points_is_finite(scale):
    X, y = overlapping(scale)
    t = SVMTabTrainer(SVMParams(kernel="linear", solver="primal"))
    t.set_data(X, y)
    t.step(50)
    surface = svm_views.primal_surface(t, (20, 20))
    assert np.isfinite(surface.values).all()
    svm_views.decision_map(t, (-3 * scale, 3 * scale), (-3 * scale, 3 * scale), (20, 20))


def test_points_of_1e12_say_why_the_linear_svm_stops_far_from_the_optimum():
    X, y = overlapping(1e12)
    t = SVMTabTrainer(SVMParams(kernel="linear", max_steps=3000))
    t.set_data(X, y)
    t.fit()
    assert t.status is Status.MAX_STEPS
    from gdplay.core.svm import scale_note

    note = scale_note(t.X, t.params)
    assert note.startswith("The points reach 4.") and "Divide the coordinates by about" in note
    # the same points divided by their scale fit, and need no note; nor does the RBF kernel (γ sets its scale)
    t.set_data(X / 1e12, y)
    t.fit()
    assert t.status is Status.CONVERGED and scale_note(t.X, t.params) == ""
    assert scale_note(X, SVMParams(kernel="rbf")) == ""
    assert scale_note(X, SVMParams(kernel="linear", C=1e-30)) == ""  # a C that makes up for the scale


def test_the_command_line_says_it_too(tmp_path, capsys):
    from gdplay.commands import fit_svm

    X, y = overlapping(1e12)
    path = tmp_path / "big.csv"
    path.write_text("".join(f"{a!r},{b!r},{int(c)}\n" for (a, b), c in zip(X.tolist(), y.tolist())))
    assert fit_svm.main(["--data", str(path), "--kernel", "linear", "--C", "1", "--steps", "2000"]) == 0
    out = capsys.readouterr().out
    assert "status: max_steps" in out and "Divide the coordinates by about" in out
