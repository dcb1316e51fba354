"""The SVM core: SMO against scikit-learn on the seed's experiments, the primal solver, invariants, warm
starts, bad data and the snapshot the SVM tab draws."""

import math
import time
import warnings

import numpy as np
import pytest

from gdplay.core import datasets
from gdplay.core import kernels as K
from gdplay.core.svm import (
    HISTORY_FIELDS,
    SVMParams,
    SVMSnapshot,
    SVMTrainer,
    compare_solutions,
    primal_cost_surface,
    primal_objective,
    reference,
    sweep_C,
    sweep_sigma2,
)
from gdplay.core.trainer import Status, Trainer, ValidationError


@pytest.fixture(scope="module")
def exp1():
    X, y = datasets.make_gaussian_pair(50, variance=5, random_state=0)
    return X, np.where(y == 1, 1.0, -1.0)


@pytest.fixture(scope="module")
def exp2():
    X, y = datasets.make_gaussian_pair(150, variance=25, random_state=0)
    return X, np.where(y == 1, 1.0, -1.0), datasets.train_test_split(300, 0.1)


def fitted(X, y, test_mask=None, **kw) -> SVMTrainer:
    t = SVMTrainer(SVMParams(**kw))
    t.set_data(X, y, test_mask=test_mask)
    t.fit()
    return t


def assert_matches(result, ref, linear: bool, w_rtol=0.02, b_atol=0.05):
    d = compare_solutions(result, ref)
    if linear:
        assert d.w_rel <= w_rtol, d
    assert d.b_abs <= b_atol, d
    assert d.dual_rel <= 1e-3, d
    # support sets may differ only by points sitting on the margin (y f ~ 1)
    for i in d.support_symmetric_difference:
        assert abs(ref.y_f[i] - 1.0) <= 5e-3, (i, ref.y_f[i])


# -- against scikit-learn ----------------------------------------------------------------------------------
@pytest.mark.parametrize("C", [1e-3, 1.0, 100.0])
def test_dual_matches_sklearn_linear(exp1, C):
    X, y = exp1
    t = fitted(X, y, C=C)
    assert t.status is Status.CONVERGED
    assert t.kkt_violation_ <= 1e-3
    assert_matches(t.result(), reference(X, y, t.params), linear=True)


@pytest.mark.parametrize("sigma2", [1, 8, 128])
def test_dual_matches_sklearn_rbf(exp2, sigma2):
    X, y, test = exp2
    gamma = K.gamma_from_sigma2(sigma2, "code")
    t = fitted(X, y, test, kernel="rbf", gamma=gamma)
    assert t.status is Status.CONVERGED
    ref = reference(X[~test], y[~test], t.params)
    assert_matches(t.result(), ref, linear=False)
    s = t.snapshot()
    # decision values, accuracies: the same as libsvm's to its tolerance
    np.testing.assert_allclose(s.y_f[~test], ref.y_f, atol=0.02)


@pytest.mark.parametrize(("C", "lr"), [(1e-3, 0.1), (1.0, 1e-3)])
def test_primal_matches_sklearn_linear(exp1, C, lr):
    X, y = exp1
    t = fitted(X, y, C=C, solver="primal", learning_rate=lr, lr_schedule="constant", max_steps=3000, tol=1e-6)
    assert t.status in (Status.MAX_STEPS, Status.CONVERGED)
    ref = reference(X, y, SVMParams(C=C))
    d = compare_solutions(t.result(), ref)
    assert d.w_rel <= 0.02 and d.b_abs <= 0.05, d
    assert t.primal_ == pytest.approx(ref.primal_objective, rel=1e-2)


def test_decision_grid_equals_sklearn(exp2):
    from sklearn.svm import SVC

    X, y, _ = exp2
    for kernel, gamma in (("rbf", 0.04), ("poly", 0.01), ("linear", 1.0)):
        clf = SVC(kernel=kernel, C=1.0, gamma=gamma, degree=3, coef0=1.0).fit(X, y)
        ref_grid = K.decision_grid((-20, 20), (-15, 25), (41, 31), clf.support_vectors_, clf.dual_coef_[0],
                                   clf.intercept_[0], kernel, gamma=gamma, degree=3, coef0=1.0)
        t = fitted(X, y, kernel=kernel, gamma=gamma)
        grid = t.snapshot().decision_grid((-20, 20), (-15, 25), (41, 31))
        assert grid.dtype == np.float32 and grid.shape == (41, 31)
        for r, c in ((0, 0), (40, 30), (20, 15), (7, 23), (33, 4)):
            xy = np.array([[-20 + 40 * c / 30, -15 + 40 * r / 40]])
            want = clf.decision_function(xy)[0]
            assert ref_grid[r, c] == pytest.approx(want, rel=1e-4, abs=1e-4)  # same model, float32
            assert grid[r, c] == pytest.approx(want, rel=0.02, abs=0.05)  # our solution, to libsvm's tol


def test_decision_grid_is_fast(exp2):
    X, y, _ = exp2
    snap = fitted(X, y, kernel="rbf", gamma=0.04).snapshot()
    assert 50 <= snap.n_support <= 300
    best = math.inf
    for _ in range(5):
        t0 = time.perf_counter()
        snap.decision_grid((-20, 20), (-20, 20), (200, 200))
        best = min(best, time.perf_counter() - t0)
    assert best < 0.05  # ~1 ms here; the bound is loose for loaded machines


# -- invariants ---------------------------------------------------------------------------------------------
def test_flipping_labels_negates_w_and_b(exp1):
    X, y = exp1
    a = fitted(X, y, C=1.0, tol=1e-6)
    b = fitted(X, -y, C=1.0, tol=1e-6)
    np.testing.assert_allclose(b.coef_, -a.coef_, rtol=1e-4)
    assert b.intercept_ == pytest.approx(-a.intercept_, abs=1e-4)
    np.testing.assert_array_equal(a.support_, b.support_)


def test_duplicating_a_support_vector_leaves_the_model(exp1):
    X, y = exp1
    a = fitted(X, y, C=1.0, tol=1e-6)
    s = a.support_[0]
    b = fitted(np.vstack([X, X[s]]), np.r_[y, y[s]], C=1.0, tol=1e-6)
    assert b.status is Status.CONVERGED
    np.testing.assert_allclose(b.coef_, a.coef_, rtol=1e-4)
    assert b.intercept_ == pytest.approx(a.intercept_, abs=1e-4)


def test_large_C_on_separable_data_is_the_hard_margin(exp1):
    X, y = exp1
    t = fitted(X, y, C=1e7)
    s = t.snapshot()
    assert s.status is Status.CONVERGED
    assert (s.y_f >= 1 - 1e-3).all()
    assert s.margin_mask.sum() >= 2 and not s.bound_mask.any()
    np.testing.assert_allclose(s.y_f[s.margin_mask], 1.0, atol=1e-3)
    assert s.margin_width == pytest.approx(2 / np.linalg.norm(s.w))
    assert s.train_accuracy == 1.0 and not s.misclassified.any()


def test_history_dual_rises_and_the_gap_closes(exp2):
    X, y, test = exp2
    s = fitted(X, y, test, kernel="rbf", gamma=0.04).snapshot()
    dual, primal, gap = (s.history_column(f) for f in ("dual", "primal", "gap"))
    assert s.history.shape[1] == 1 + len(HISTORY_FIELDS)
    assert (np.diff(dual) >= -1e-9).all()  # SMO never lowers the dual
    np.testing.assert_allclose(gap, primal - dual)
    assert gap[-1] <= 1e-2 * primal[-1]
    assert s.cost == s.dual_objective == pytest.approx(dual[-1])
    assert np.isnan(s.history_column("w1")).all()  # no w for the RBF kernel


def test_training_ignores_test_rows(exp2):
    X, y, test = exp2
    a = fitted(X, y, test, kernel="rbf", gamma=0.04)
    b = fitted(X[~test], y[~test], kernel="rbf", gamma=0.04)
    np.testing.assert_allclose(a.alpha_, b.alpha_)
    s = a.snapshot()
    assert not (s.alpha[test] != 0).any() and not test[s.support].any()
    assert 0.8 <= s.test_accuracy <= 1.0 and 0.8 <= s.train_accuracy <= 1.0


# -- live and structural params -------------------------------------------------------------------------------
@pytest.mark.parametrize(("kernel", "C0", "C1"), [("rbf", 1.0, 2.0), ("linear", 1.0, 0.5), ("linear", 1.0, 2.0)])
def test_warm_start_after_changing_C_is_faster(exp2, kernel, C0, C1):
    X, y, test = exp2
    t = fitted(X, y, test, kernel=kernel, C=C0, gamma=0.04)
    n0 = t.n_iter_
    t.set_params(t.with_params(C=C1), version=1)
    assert t.alpha_.max() <= C1 and abs(t.alpha_ @ t.y) <= 1e-9 * C1 * len(t.y)  # feasible
    assert t.status is Status.TRAINING and t.message == ""  # not the old C's "Converged at step …"
    t.fit()
    scratch = fitted(X, y, test, kernel=kernel, C=C1, gamma=0.04)
    assert t.status is Status.CONVERGED
    assert t.n_iter_ - n0 < scratch.n_iter_
    assert t.dual_ == pytest.approx(scratch.dual_, rel=1e-3)
    assert t.snapshot().params_version == 1


def test_live_gamma_change_warm_starts_feasibly_and_converges(exp2):
    X, y, test = exp2
    t = fitted(X, y, test, kernel="rbf", gamma=0.04)
    old_dual = t.snapshot().dual_objective
    t.set_params(t.with_params(gamma=0.125))
    a, yt = t.alpha_, t.y
    assert (a >= 0).all() and (a <= 1.0).all() and abs(a @ yt) < 1e-9  # still a feasible dual point
    assert t.status is Status.TRAINING and t.n_iter_ > 0  # the run goes on, not over
    assert t.snapshot().message == ""  # "Converged at step …" was the old width's, seen while it trained on
    t.fit()
    ref = reference(X[~test], y[~test], t.params)
    assert compare_solutions(t.result(), ref).dual_rel <= 1e-3
    assert t.snapshot().dual_objective != old_dual


@pytest.mark.parametrize("C", [0.8, 1.25, 2.0])
def test_a_small_change_of_C_is_solved_by_the_warm_start_in_few_steps(exp2, C):
    X, y, test = exp2
    t = fitted(X, y, test, kernel="rbf", gamma=0.04)
    steps = t.n_iter_
    t.set_params(t.with_params(C=C))
    t.fit()
    cold = fitted(X, y, test, kernel="rbf", gamma=0.04, C=C)
    assert t.n_iter_ - steps <= cold.n_iter_ // 4  # the active-set polish leaves SMO little to do
    ref = reference(X[~test], y[~test], t.params)
    assert compare_solutions(t.result(), ref).dual_rel <= 1e-3


def test_structural_change_resets(exp1):
    X, y = exp1
    t = fitted(X, y)
    t.set_params(t.with_params(kernel="rbf"))
    assert t.n_iter_ == 0 and t.status is Status.READY and not t.alpha_.any()


def test_step_limit_and_raising_it(exp2):
    X, y, _ = exp2
    t = SVMTrainer(SVMParams(kernel="rbf", gamma=0.04, max_steps=5))
    t.set_data(X, y)
    assert isinstance(t, Trainer)
    assert t.step(100) == 5 and t.status is Status.MAX_STEPS
    assert t.step(1) == 0
    t.set_params(t.with_params(max_steps=10**6))
    assert t.status is Status.TRAINING
    t.fit()
    assert t.status is Status.CONVERGED


# -- primal ---------------------------------------------------------------------------------------------
def test_primal_rejects_nonlinear_kernels():
    with pytest.raises(ValidationError, match="The primal solver works on the linear kernel only; got kernel='rbf'"):
        SVMParams(kernel="rbf", solver="primal").validate()


def test_primal_divergence_keeps_last_finite_state(exp1):
    X, y = exp1
    t = fitted(X, y, solver="primal", learning_rate=5.0, lr_schedule="constant", max_steps=100_000)
    s = t.snapshot()
    assert s.status is Status.DIVERGED
    assert s.message.startswith("Training diverged at step") and "learning rate (now 5)" in s.message
    assert np.isfinite(s.w).all() and math.isfinite(s.b)


def test_primal_history_path_and_cost_surface(exp1):
    X, y = exp1
    t = fitted(X, y, solver="primal", learning_rate=1e-3, max_steps=200)
    s = t.snapshot()
    w1, w2, b = (s.history_column(f) for f in ("w1", "w2", "b"))
    assert len(w1) == 201 and w1[0] == 0 and w1[-1] == s.w[0] and w2[-1] == s.w[1] and b[-1] == s.b
    # the dual column is the lower bound D(α̂) <= P* the primal run certifies itself with; no α of its own
    dual = s.history_column("dual")
    assert np.isfinite(dual).all() and (dual <= s.history_column("primal")).all() and np.isnan(s.alpha).all()
    assert s.cost == s.primal_objective == pytest.approx(primal_objective(s.w, s.b, X, y, 1.0))
    z = s.cost_surface((-1, 1), (-0.5, 1.5), shape=(5, 9))
    assert z.shape == (5, 9)
    w1s, w2s = np.linspace(-1, 1, 9), np.linspace(-0.5, 1.5, 5)
    assert z[3, 6] == pytest.approx(primal_objective(np.array([w1s[6], w2s[3]]), s.b, X, y, 1.0))
    np.testing.assert_allclose(primal_cost_surface(X, y, 1.0, s.b, (-1, 1), (-0.5, 1.5), (5, 9), chunk=7), z)


# -- bad data and extreme settings ------------------------------------------------------------------------------
def test_one_class_is_invalid_with_guidance():
    t = SVMTrainer()
    t.set_data(np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([1, 1]))
    s = t.snapshot()
    assert s.status is Status.INVALID
    assert s.message.startswith("The number of classes has to be greater than one; got 1 class.")
    assert "Add points of both classes" in s.message
    assert t.step(10) == 0 and math.isnan(s.b) and s.n_support == 0
    t.set_data(np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([0, 1]))
    assert t.fit().status is Status.CONVERGED


def test_empty_data_is_invalid():
    t = SVMTrainer()
    t.set_data(np.empty((0, 2)), np.empty(0))
    s = t.snapshot()
    assert s.status is Status.INVALID and "Add points of both classes" in s.message
    assert s.history.shape == (0, 7) and s.n_points == 0


def test_only_test_rows_is_invalid():
    t = SVMTrainer()
    t.set_data(np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([0, 1]), test_mask=np.array([True, True]))
    assert t.status is Status.INVALID


@pytest.mark.parametrize("kernel", ["linear", "rbf", "poly"])
def test_same_point_with_both_labels_and_duplicates(kernel):
    X = np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 1.0], [1.0, 1.0], [1.0, 1.0], [-1.0, 2.0]])
    y = np.array([1, -1, 1, 1, 1, -1])
    t = fitted(X, y, kernel=kernel, gamma=0.5)
    assert t.status is Status.CONVERGED
    s = t.snapshot()
    assert np.isfinite(s.y_f).all() and math.isfinite(s.b)


@pytest.mark.parametrize("C", [1e-5, 1e7])
@pytest.mark.parametrize("kernel", ["linear", "rbf"])
def test_extreme_C(exp1, C, kernel):
    X, y = exp1
    t = fitted(X, y, kernel=kernel, C=C, gamma=0.04)
    assert t.status is Status.CONVERGED
    ref = reference(X, y, t.params)
    assert compare_solutions(t.result(), ref).dual_rel <= 1e-3


def test_huge_C_on_overlapping_data_stays_finite(exp2):
    # libsvm itself needs ~1e9 iterations here; the trainer must just keep going with finite numbers
    X, y, test = exp2
    t = fitted(X, y, test, C=1e7, max_steps=2000)
    s = t.snapshot()
    assert s.status is Status.MAX_STEPS and s.step == 2000
    assert np.isfinite(s.history[:, :4]).all() and np.isfinite(s.w).all() and math.isfinite(s.b)


def test_tiny_rbf_width_is_quiet(exp2):
    X, y, test = exp2
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        t = fitted(X, y, test, kernel="rbf", gamma=1e4)
        s = t.snapshot()
        s.decision_grid((-20, 20), (-20, 20), (50, 50))
    assert s.status is Status.CONVERGED
    assert s.n_support == (~test).sum() and s.train_accuracy == 1.0  # every point is its own island


def test_labels_and_params_validation():
    t = SVMTrainer()
    with pytest.raises(ValidationError, match="Labels must be"):
        t.set_data(np.zeros((3, 2)), np.array([-1, 0, 1]))
    with pytest.raises(ValidationError, match="same number of rows"):
        t.set_data(np.zeros((3, 2)), np.array([0, 1]))
    with pytest.raises(ValidationError, match="NaN or infinity"):
        t.set_data(np.array([[0.0, np.nan], [1, 1]]), np.array([0, 1]))
    with pytest.raises(ValidationError, match=r"^C must be > 0; got 0\.$"):
        SVMParams(C=0).validate()
    with pytest.raises(ValidationError, match=r"^gamma must be > 0; got -1\.$"):
        SVMParams(kernel="rbf", gamma=-1).validate()
    with pytest.raises(ValidationError, match="solver must be one of"):
        SVMParams(solver="newton").validate()
    with pytest.raises(ValidationError, match="degree must be an integer"):
        SVMParams(kernel="poly", degree=2.5).validate()


# -- snapshot ---------------------------------------------------------------------------------------------
def test_snapshot_arrays_are_read_only(exp2):
    X, y, test = exp2
    s = fitted(X, y, test, kernel="rbf", gamma=0.04).snapshot()
    assert isinstance(s, SVMSnapshot)
    for name in ("X", "y", "test_mask", "alpha", "support", "support_vectors", "dual_coef", "margin_mask",
                 "bound_mask", "y_f", "misclassified", "history"):
        arr = getattr(s, name)
        assert not arr.flags.writeable, name
        with pytest.raises(ValueError):
            arr[..., 0] = 0
    assert len(s.alpha) == len(s.y_f) == len(s.margin_mask) == s.n_points == 300
    assert s.n_support == len(s.support) == (s.margin_mask | s.bound_mask).sum()
    # y f on training rows comes from SMO's running v (float32 kernel rows, as libsvm's), the decision
    # function from float64 kernels: equal to the float32 rounding
    np.testing.assert_allclose(s.decision_function(X[s.support]), s.y_f[s.support] * y[s.support], atol=1e-5)


# -- sweeps ---------------------------------------------------------------------------------------------
def test_sweep_C_matches_sklearn(exp1):
    X, y = exp1
    out = sweep_C(X, y)
    assert [p.C for p in out] == [1e-5, 1e-3, 1, 10, 100, 1e3, 1e5, 1e7]
    for p in out:
        ref = reference(X, y, SVMParams(C=p.C))
        assert abs(p.n_support - ref.n_support) <= 1
        assert np.linalg.norm(p.w - ref.coef) <= 0.02 * np.linalg.norm(ref.coef)
    assert out[0].n_support == 100 and out[-1].n_support <= 4  # all points at C = 1e-5; the hard margin


def test_sweep_sigma2_matches_sklearn(exp2):
    from sklearn.svm import SVC

    X, y, test = exp2
    out = sweep_sigma2(X[~test], y[~test], X[test], y[test], sigma2_values=(1, 8, 128))
    for p in out:
        assert p.gamma == pytest.approx(1 / p.sigma2)
        clf = SVC(kernel="rbf", gamma=p.gamma).fit(X[~test], y[~test])
        # support vectors differ only by points tied at the margin (y f = 1 within tol): libsvm stops at
        # tol, a warm start polished by the active-set step lands on the exact optimum
        assert abs(p.n_support - len(clf.support_)) <= max(2, 0.025 * len(clf.support_))
        assert abs(p.train_accuracy - clf.score(X[~test], y[~test])) <= 2 / 270
        assert abs(p.test_accuracy - clf.score(X[test], y[test])) <= 1 / 30 + 1e-9
    formula = sweep_sigma2(X[~test], y[~test], X[test], y[test], sigma2_values=(8,), gamma_convention="formula")
    assert formula[0].gamma == pytest.approx(1 / 16)


def test_new_params_after_divergence_restart(exp1):
    X, y = exp1
    t = fitted(X, y, solver="primal", learning_rate=5.0, lr_schedule="constant", max_steps=100_000)
    assert t.status is Status.DIVERGED
    t.set_params(t.with_params(learning_rate=1e-3, max_steps=50))
    assert t.status is Status.READY and t.n_iter_ == 0
    assert t.fit().status is Status.MAX_STEPS


def test_poly_kernel_overflow_is_reported(exp1):
    X, y = exp1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t = fitted(X, y, kernel="poly", gamma=1e30, degree=20)
    assert t.status is Status.INVALID and "kernel overflows" in t.message
    t.set_params(t.with_params(gamma=0.01, degree=20))
    t.set_params(t.with_params(degree=2))
    assert t.fit().status is Status.CONVERGED


def test_snapshot_after_live_C_shows_the_new_objective(exp1):
    X, y = exp1
    t = fitted(X, y, C=1e-3)
    before = t.snapshot()
    t.set_params(t.with_params(C=2e-3), version=3)
    after = t.snapshot()
    assert after.params_version == 3 and after.step == before.step
    assert after.dual_objective != before.dual_objective and after.history[-1, 0] == before.step


# -- what the SVM tab asks of the trainer (views and requests) ------------------------------------------
def test_tab_views(exp1):
    from gdplay.core.svm import SVMTabTrainer, surface_window
    from gdplay.core.svm import views as V
    from gdplay.core.trainer import NotReady

    X, y = exp1
    t = SVMTabTrainer(SVMParams(solver="primal", learning_rate=1e-3))
    with pytest.raises(NotReady, match="No training points"):  # no data yet: a sentence, nothing to draw
        V.decision_map(t, (-1, 1), (-1, 1), (5, 7))
    t.set_data(X, y)
    t.step(500)
    m = V.decision_map(t, (-10, 10), (-5, 5), (30, 40))
    assert m.values.shape == (30, 40) and m.values.dtype == np.float32
    assert m.values[15, 20] == pytest.approx(float(t.decision_function(np.array([[0.26, 0.17]]))[0]), abs=0.05)
    s = V.primal_surface(t, (20, 20))
    (a0, a1), (b0, b1) = s.w1_range, s.w2_range
    assert a0 <= t.w_[0] <= a1 and b0 <= t.w_[1] <= b1 and a0 <= 0 <= a1
    assert V.primal_surface(t, (20, 20)).version == s.version  # nothing moved: the same surface
    i = int(np.argmin(np.abs(np.linspace(a0, a1, 20) - t.w_[0])))
    j = int(np.argmin(np.abs(np.linspace(b0, b1, 20) - t.w_[1])))
    grid_w = np.array([np.linspace(a0, a1, 20)[i], np.linspace(b0, b1, 20)[j]])
    assert s.values[j, i] == pytest.approx(primal_objective(grid_w, s.b, X, y, 1.0), rel=1e-4)
    rbf = SVMTabTrainer(SVMParams(kernel="rbf"))
    rbf.set_data(X, y)
    with pytest.raises(NotReady, match="linear kernel"):  # no w in the input plane
        V.primal_surface(rbf)
    (x0, x1), (y0, y1) = surface_window(np.array([[0.3, 0.2]]))
    assert x0 < 0 < 0.3 < x1 and y0 < 0 < 0.2 < y1 and x1 - x0 == pytest.approx(0.4)
    assert surface_window(np.array([[0.301, 0.199]])) == surface_window(np.array([[0.3, 0.2]]))  # moves in jumps


def test_tab_requests_raise_a_sentence_or_answer(exp1):
    from gdplay.core.svm import SVMTabTrainer
    from gdplay.core.svm import views as V
    from gdplay.core.trainer import NotReady

    X, y = exp1
    t = SVMTabTrainer(SVMParams())
    t.set_data(X[:3], np.ones(3))
    for request in (V.compare_with_libsvm, V.sweep_C_here, V.sweep_sigma2_here):
        with pytest.raises(NotReady, match="got 1 class"):
            request(t)
    t.set_data(X, y, test_mask=np.arange(100) % 10 == 0)
    t.fit()
    r = V.compare_with_libsvm(t, (-10, 10), (-10, 10), (20, 20))
    assert r.diff.w_rel < 0.02 and r.ref_map is not None and r.ref_map.values.shape == (20, 20)
    assert set(r.support_ref) <= set(np.flatnonzero(np.arange(100) % 10 != 0))  # rows as given
    with pytest.raises(NotReady, match="points changed"):
        V.compare_with_libsvm(t, ref=reference(X[::2], y[::2], t.params))
    c = V.sweep_C_here(t)
    assert c.points[0].n_support == 90 and not c.article_data
    s = V.sweep_sigma2_here(t, gamma_convention="formula", C=2.0)
    assert s.n_test == 10 and s.points[0].gamma == 0.5 and s.C == 2.0


# -- "converged" means the optimum was reached (issue 11, section 3) -----------------------------------------
@pytest.mark.parametrize("C", [1e-5, 1.0, 1e3, 1e7])
def test_dual_converged_means_a_small_relative_gap_and_kkt_is_never_negative(C):
    from gdplay.core.datasets import seed_experiment
    from gdplay.core.svm import relative_gap

    exp = seed_experiment(1)
    t = fitted(exp.X, exp.y, C=C)
    assert t.status is Status.CONVERGED
    assert relative_gap(t.primal_, t.dual_) <= t.params.tol  # was 1,667 at C = 1e7 with the KKT rule alone
    assert t.kkt_violation_ >= 0.0  # was −1.99 at C = 1e-5 (no pair left to violate)
    s = t.snapshot()
    assert s.kkt_violation >= 0.0 and "relative duality gap" in s.message


@pytest.mark.parametrize("C", [1e-3, 1.0, 10.0])
def test_primal_at_default_settings_reaches_the_duals_optimum(C):
    from gdplay.core.datasets import seed_experiment

    exp = seed_experiment(1)
    dual = fitted(exp.X, exp.y, C=C, tol=1e-8)
    t = fitted(exp.X, exp.y, C=C, solver="primal")
    assert t.status is Status.CONVERGED, t.message
    assert (t.primal_ - dual.primal_) / max(1.0, dual.primal_) <= t.params.tol  # P within tol of P*
    assert t.dual_ <= dual.dual_ + 1e-12  # D(α̂) is a true lower bound
    if C >= 1:  # 3 at C = 1 (was 0 or 2, flickering); at C = 1e-3 a tol of 1e-3 of max(1, P) leaves points
        assert t.support_.tolist() == dual.support_.tolist()  # within reach of the margin undecided
    else:
        assert abs(len(t.support_) - len(dual.support_)) <= 3


def test_primal_says_plainly_when_it_stops_before_the_optimum():
    from gdplay.core.datasets import seed_experiment

    exp = seed_experiment(1)
    t = fitted(exp.X, exp.y, C=1e7, solver="primal", max_steps=2000)
    assert t.status is Status.MAX_STEPS
    assert "before the optimum" in t.message and "relative duality gap" in t.message
