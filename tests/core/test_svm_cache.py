"""The dual solver's kernel-row cache, its key (the kernel spec's parameters), shrinking and batched history:
each against the plain computation it replaces."""

from dataclasses import replace

import numpy as np
import pytest

from gdplay.core import datasets
from gdplay.core import kernels as K
from gdplay.core.history import History
from gdplay.core.svm import SVMParams, SVMTrainer, compare_solutions, reference
from gdplay.core.svm import smo as smo_module
from gdplay.core.trainer import Status

ARGS = {"gamma": 0.3, "degree": 3, "coef0": 0.7}


def points(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    X, y = datasets.make_gaussian_pair(n // 2, variance=9.0, random_state=seed)
    return X, np.where(y == 1, 1.0, -1.0)


@pytest.mark.parametrize("kernel", K.KERNELS)
@pytest.mark.parametrize("n", [40, 700])  # every row at once, and row by row
def test_rows_are_the_gram_matrix_rounded_to_float32_with_their_curvatures(kernel, n):
    X, _ = points(n)
    X = X + 3.0  # away from the origin: the RBF path's centring matters
    rows = K.KernelRows(X, kernel, **ARGS)
    full = K.kernel_matrix(X, X, kernel, **ARGS)
    diag = K.kernel_diagonal(X, kernel, **ARGS)
    for i in (0, n // 3, n - 1):
        k, curvature = rows.row(i)
        np.testing.assert_allclose(k, full[i].astype(np.float32), rtol=1e-6, atol=1e-7)
        assert np.array_equal(k, k.astype(np.float32))  # float32 values, as libsvm keeps its rows
        np.testing.assert_allclose(curvature, np.maximum(diag + diag[i] - 2 * k, 1e-12), rtol=1e-9, atol=1e-12)


def test_the_cache_keeps_at_most_its_budget_and_drops_the_least_recently_used():
    X, _ = points(1000)
    rows = K.KernelRows(X, "rbf", gamma=0.5, degree=3, coef0=0.0, budget_bytes=5 * 16 * 1000)
    assert rows.capacity == 5
    first = rows.row(0)
    for i in range(1, 5):
        rows.row(i)
    assert rows.row(0) is first and rows.computed == 5  # a hit: nothing computed
    for i in range(5, 9):
        rows.row(i)
    assert len(rows) == 5 and rows.computed == 9
    rows.row(1)  # used longest ago (0 was used again): dropped, computed again
    assert rows.computed == 10
    assert rows.row(0) is not first or rows.computed == 10


@pytest.mark.parametrize("kernel", K.KERNELS)
@pytest.mark.parametrize("name", K.KERNEL_PARAMETERS)
def test_a_kernel_reads_exactly_the_parameters_its_spec_says(kernel, name):
    """The spec's ``reads`` decides the cache key and the warm start: a parameter listed there must change the
    matrix, one not listed must not (else a live change would keep a stale kernel, or rebuild for nothing)."""
    X, _ = points(30)
    changed = {**ARGS, name: ARGS[name] * 2 + 1}
    differs = not np.array_equal(K.kernel_matrix(X, X, kernel, **ARGS), K.kernel_matrix(X, X, kernel, **changed))
    assert differs == (name in K.KERNEL_SPECS[kernel].reads)
    assert (K.kernel_key(kernel, **ARGS) != K.kernel_key(kernel, **changed)) == differs


def test_a_live_change_rebuilds_the_rows_only_when_the_kernel_reads_it():
    X, y = points(200)
    poly = SVMTrainer(SVMParams(kernel="poly", degree=2, gamma=0.1, coef0=1.0))
    poly.set_data(X, y)
    poly.fit()
    before = poly._rows
    poly.set_params(replace(poly.params, coef0=2.0), 1)
    assert poly._rows is not before and poly._rows.key[-1] == 2.0  # coef0 is in the key: new rows
    poly.fit()
    fresh = SVMTrainer(poly.params)
    fresh.set_data(X, y)
    fresh.fit()
    assert abs(poly.dual_ - fresh.dual_) <= 1e-3 * abs(fresh.dual_)

    rbf = SVMTrainer(SVMParams(kernel="rbf", gamma=0.1, coef0=1.0))
    rbf.set_data(X, y)
    rbf.fit()
    rows, alpha, steps = rbf._rows, rbf.alpha_, rbf.n_iter_
    rbf.set_params(replace(rbf.params, coef0=5.0), 1)  # the RBF kernel does not read coef0
    assert rbf._rows is rows and np.array_equal(rbf.alpha_, alpha) and rbf.n_iter_ == steps
    assert rbf.step(10) == 0 and rbf.status is Status.CONVERGED  # still the optimum: no pair to update


def test_shrinking_leaves_points_out_and_reaches_the_same_optimum(monkeypatch):
    X, y = points(1500, seed=3)
    params = SVMParams(kernel="rbf", gamma=0.2, C=1.0)
    t = SVMTrainer(params)
    t.set_data(X, y)
    smallest = len(y)
    while t.status.can_step:
        t.step(50)
        if t._active is not None:
            smallest = min(smallest, len(t._active))
    assert t.status is Status.CONVERGED
    assert smallest < 0.8 * len(y)  # points were left out for a while
    ref = reference(X, y, params)
    assert compare_solutions(t.result(), ref).dual_rel <= 1e-3
    monkeypatch.setattr(smo_module, "SHRINK_EVERY", 10**9)  # no shrinking: the same problem, the same optimum
    plain = SVMTrainer(params)
    plain.set_data(X, y)
    plain.fit()
    assert plain._active is None and abs(plain.dual_ - t.dual_) <= 1e-3 * abs(t.dual_)


def test_v_stays_exact_for_every_point_while_shrunk():
    X, y = points(1500, seed=3)
    t = SVMTrainer(SVMParams(kernel="rbf", gamma=0.2))
    t.set_data(X, y)
    while t.status.can_step and t._active is None:
        t.step(100)
    assert t._active is not None
    exact = t.y - K.kernel_matrix(t.X, t.X, "rbf", gamma=0.2) @ (t.alpha_ * t.y)
    np.testing.assert_allclose(t._v, exact, atol=1e-5)  # float32 rows: libsvm's precision


def test_batched_history_rows_are_the_objectives_of_each_step():
    X, y = points(300, seed=1)
    t = SVMTrainer(SVMParams(kernel="rbf", gamma=0.1))
    t.set_data(X, y)
    t.step(40)
    h = t.history_.rows()
    assert h[:, 0].tolist() == list(range(41))  # a row per step on a few hundred points
    t2 = SVMTrainer(t.params)
    t2.set_data(X, y)
    for step in (1, 17, 40):
        t2.step(step - t2.n_iter_)
        D, P, b = t2._dual_objectives()
        np.testing.assert_allclose(h[step, 1:4], (D, P, P - D), rtol=1e-12, atol=1e-12)
        assert h[step, 6] == pytest.approx(b, abs=1e-12)


def test_history_extend_is_append_row_by_row():
    rng = np.random.default_rng(0)
    rows = np.column_stack([np.arange(1, 20), rng.normal(size=(19, 2))])
    a, b = History(("p", "q"), capacity=8), History(("p", "q"), capacity=8)
    a.append(0, 1.0, 2.0)
    b.append(0, 1.0, 2.0)
    for chunk in (rows[:3], rows[3:11], rows[11:]):
        a.extend(chunk)
        for r in chunk:
            b.append(int(r[0]), *r[1:])
    np.testing.assert_array_equal(a.rows(), b.rows())
    assert a.stride == b.stride > 1


def test_more_points_than_the_old_full_matrix_allowed():
    X, y = points(6000, seed=2)
    t = SVMTrainer(SVMParams(kernel="linear", C=0.1))
    t.set_data(X, y)
    t.fit()
    assert t.status is Status.CONVERGED
    assert t._rows is not None and len(t._rows) <= t._rows.capacity < 6000 ** 2


SIGMOID = K.KernelSpec("sigmoid", "Sigmoid", "K(x, y) = tanh(γ x·y + c₀)", "Sigmoid: a neural network's unit.",
                       ("gamma", "coef0"), "dot",
                       lambda k, gamma, degree, coef0: np.tanh(np.add(np.multiply(k, gamma, out=k), coef0, out=k),
                                                               out=k))


def test_a_new_kernel_is_one_spec_entry(monkeypatch):
    """libsvm's sigmoid kernel, added as one entry of KERNEL_SPECS and nothing else, trains to libsvm's
    optimum, and a live change of what it reads (c₀) rebuilds its rows while one it does not (degree) is
    structural only."""
    monkeypatch.setitem(K.KERNEL_SPECS, "sigmoid", SIGMOID)
    X, y = points(200, seed=5)
    params = SVMParams(kernel="sigmoid", gamma=0.005, coef0=0.0, C=1.0)
    t = SVMTrainer(params)
    t.set_data(X, y)
    t.fit()
    assert t.status is Status.CONVERGED
    assert compare_solutions(t.result(), reference(X, y, params)).dual_rel <= 1e-3
    rows = t._rows
    t.set_params(replace(params, coef0=-0.5), 1)
    assert t._rows is not rows and t._rows.key == ("sigmoid", 0.005, -0.5)
    t.fit()
    assert compare_solutions(t.result(), reference(X, y, t.params)).dual_rel <= 1e-3


def test_history_rows_every_few_steps_on_many_points_fill_and_thin_the_history():
    """On more than 1,000 points a row is kept every 2^k >= n/1000 steps (4 for 2,400 points); when the history
    is full it thins out (every other row) instead of writing past its end."""
    X, y = points(2400, seed=4)
    t = SVMTrainer(SVMParams(kernel="rbf", gamma=2.0, C=100.0, max_steps=400), history_capacity=16)
    t.set_data(X, y)
    t.fit()
    steps = t.snapshot().history[:, 0]  # the kept rows and the current step
    assert len(steps) <= 17 and (np.diff(steps) > 0).all() and steps[-1] == t.n_iter_
    assert (steps[:-1] % 4 == 0).all() and t.history_.stride & (t.history_.stride - 1) == 0


def test_history_appends_at_a_multiple_of_its_stride_thin_out():
    h = History(("p",), capacity=4)
    for step in range(0, 40, 2):  # every row survives the first doubling of the stride
        h.append(step, float(step))
    steps = h.rows()[:, 0]
    assert len(steps) <= 4 and (steps % h.stride == 0).all() and (np.diff(steps) > 0).all()


def test_a_decision_map_of_thousands_of_support_vectors_is_coarser_not_slower():
    from gdplay.core.svm import SVMTabTrainer
    from gdplay.core.svm import views as V

    assert V.map_shape((120, 160), 300, "rbf") == (120, 160)  # the usual: as asked
    ny, nx = V.map_shape((120, 160), 4000, "poly")
    assert ny < 120 and nx < 160 and ny * nx * 4000 * 8 <= V.MAP_BUDGET * 1.1 and abs(nx / ny - 4 / 3) < 0.1
    assert V.map_shape((120, 120), 10**7, "poly") == (24, 24)  # never below 24 x 24
    X, y = points(3000, seed=6)
    t = SVMTabTrainer(SVMParams(kernel="poly", degree=2, gamma=0.1, C=1e-6))  # every point a support vector
    t.set_data(X, y)
    t.fit()
    m = V.decision_map(t, (-10, 10), (-10, 10), (120, 120))
    assert m.values.shape == V.map_shape((120, 120), len(t.support_), "poly") != (120, 120)
    assert m.x_range == (-10.0, 10.0)  # the same window, in fewer cells


def test_a_run_on_many_points_saves_and_loads_with_its_sparser_history():
    import json

    X, y = points(2400, seed=4)
    params = SVMParams(kernel="rbf", gamma=2.0, C=100.0, max_steps=300)
    t = SVMTrainer(params)
    t.set_data(X, y)
    t.fit()
    state = json.loads(json.dumps(t.export_state(), allow_nan=False))
    u = SVMTrainer(params)
    u.set_data(X, y)
    u.import_state(state)
    np.testing.assert_array_equal(u.snapshot().history, t.snapshot().history)
    np.testing.assert_array_equal(u.alpha_, t.alpha_)


@pytest.mark.parametrize("budget", [200 * 2**20, 4 * 16 * 700])  # every row kept; too few kept: from the points
def test_kernel_times_a_vector_from_the_rows_is_the_matrix_product(budget):
    X, _ = points(700, seed=7)
    rows = K.KernelRows(X, "rbf", gamma=0.3, degree=3, coef0=0.0, budget_bytes=budget)
    u = np.zeros(700)
    u[::7] = np.linspace(-1, 1, 100)
    want = K.kernel_matrix(X, X, "rbf", gamma=0.3) @ u
    np.testing.assert_allclose(rows.times(u), want, rtol=1e-6, atol=1e-6)  # float32 rows
    assert len(rows) <= rows.capacity


def test_a_new_width_reuses_the_distances_and_gives_the_rows_computed_afresh():
    """On a width change (γ) the rows are new, but ‖x − y‖² is not: the trainer keeps those, and the rows it
    builds from them are those computed from the points (to the float32 rows' precision: rows computed
    together and one by one may differ in the last bit of x·y)."""
    X, y = points(1200, seed=8)
    t = SVMTrainer(SVMParams(kernel="rbf", gamma=0.05))
    t.set_data(X, y)
    t.fit()
    t.set_params(replace(t.params, gamma=0.08), 1)
    t.fit()
    rows = t._rows
    assert rows.key == ("rbf", 0.08) and rows.base_reused > 0
    fresh = K.KernelRows(t._Xs, "rbf", 0.08, 3, 1.0)
    for i in list(rows._rows)[:20]:
        np.testing.assert_allclose(rows.row(i)[0], fresh.row(i)[0], rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(rows.row(i)[1], fresh.row(i)[1], rtol=1e-6, atol=1e-7)
    t.set_data(X[:-1], y[:-1])  # other points: nothing kept
    assert t._base_rows == {} or all(len(b) == 0 for b in t._base_rows.values())


def test_the_row_cache_keeps_the_rows_used_last_and_its_memory_bound():
    """libsvm's kernel cache is least-recently-used: with room for 2 rows, reading 0, 1, 0, 2 drops row 1 (not
    0, read again), and the cache never holds more than its room; a row asked for again is not computed
    again. 600 points: more than ALL_AT_ONCE, so rows come one at a time."""
    import numpy as np

    from gdplay.core.kernels import KernelRows

    X = np.random.default_rng(0).normal(size=(600, 2))
    rows = KernelRows(X, "rbf", 0.5, 3, 0.0, budget_bytes=2 * 16 * 600)
    assert rows.capacity == 2
    for i in (0, 1, 0, 2):
        rows.row(i)
    assert list(rows._rows) == [0, 2] and len(rows) == 2 and rows.computed == 3
    rows.row(0)
    assert rows.computed == 3  # kept: not computed again
    rows.row(1)
    assert rows.computed == 4 and list(rows._rows) == [0, 1]


@pytest.mark.parametrize("n", [300, 700])  # every row at once (every_row), and row by row
def test_a_row_times_brought_is_the_row_smo_gets_rounded_with_its_curvatures(n):
    """``times`` keeps the rows it computes as they are (K(α∘y) in float64; their curvatures are not
    computed: SMO selects few of them); a row SMO then asks for is exactly the row it would have computed,
    float32-rounded as libsvm's, with its curvatures."""
    X, _ = points(n, seed=3)
    u = np.zeros(n)
    u[:: 1 if n <= K.KernelRows.ALL_AT_ONCE else 3] = 1.0  # on few points, all: every_row finds them kept
    lazy = K.KernelRows(X, "rbf", gamma=0.3, degree=3, coef0=0.0)
    lazy.times(u)
    assert all(c is None for _, c in lazy._rows.values())  # no curvatures computed for the product
    eager = K.KernelRows(X, "rbf", gamma=0.3, degree=3, coef0=0.0)
    every = lazy.every_row()
    for i in (0, 3, n - 1):  # on many points, brought by times (0, 3) and not (n - 1)
        got = lazy.row(i) if every is None else every[i]
        want = eager.row(i)
        assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])


def test_a_new_width_computes_its_rows_in_the_old_widths_memory_and_the_same_numbers():
    """A drag of the width brings a thousand rows each time: the new cache computes them into the blocks the
    old one's ``times`` filled (``release``), which it empties, and the numbers are those of a cache with
    memory of its own."""
    X, _ = points(1000, seed=4)
    u = np.zeros(1000)
    u[:300] = np.linspace(-1, 1, 300)
    old = K.KernelRows(X, "rbf", gamma=0.3, degree=3, coef0=0.0)
    old.times(u)
    spare = old.release()
    assert len(old) == 0 and len(spare) == 300 // K.KernelRows.BLOCK
    new = K.KernelRows(X, "rbf", gamma=0.5, degree=3, coef0=0.0, spare_blocks=spare)
    alone = K.KernelRows(X, "rbf", gamma=0.5, degree=3, coef0=0.0)
    assert np.array_equal(new.times(u), alone.times(u))
    assert any(np.shares_memory(new._rows[0][0], block) for block in spare)  # computed in the old memory
    assert np.array_equal(new.row(5)[1], alone.row(5)[1])


def test_a_width_change_on_a_trained_run_hands_the_rows_memory_on():
    X, y = points(1200, seed=8)
    t = SVMTrainer(SVMParams(kernel="rbf", gamma=0.05))
    t.set_data(X, y)
    t.fit()
    t.set_params(replace(t.params, gamma=0.06), 1)  # the warm start's K(α∘y) fills blocks
    old = t._rows
    blocks = list(old._blocks)
    assert blocks
    t.set_params(replace(t.params, gamma=0.07), 2)
    assert t._rows is not old and len(old) == 0
    assert any(np.shares_memory(k, b) for k, _ in t._rows._rows.values() for b in blocks)


def test_a_decision_map_in_a_hurry_is_coarser_only_when_it_is_costly():
    """During a drag (``hurry``) the map gets a quarter of the budget: on thousands of support vectors a
    coarser grid over the same window; on a few dozen, the grid asked for."""
    from gdplay.core.svm import SVMTabTrainer
    from gdplay.core.svm import views as V

    X, y = points(3000, seed=6)
    t = SVMTabTrainer(SVMParams(kernel="poly", degree=2, gamma=0.1, C=1e-6))  # every point a support vector
    t.set_data(X, y)
    t.fit()
    full = V.decision_map(t, (-10, 10), (-10, 10), (40, 40))
    hasty = V.decision_map(t, (-10, 10), (-10, 10), (40, 40), hurry=True)
    assert hasty.values.shape < full.values.shape and hasty.x_range == full.x_range
    assert hasty.values.shape == V.map_shape((40, 40), len(t.support_), "poly", V.MAP_BUDGET / 4)
    few = SVMTabTrainer(SVMParams(kernel="rbf", gamma=0.5))
    few.set_data(*points(60, seed=1))
    few.fit()
    assert V.decision_map(few, (-10, 10), (-10, 10), (40, 40), hurry=True).values.shape == (40, 40)
