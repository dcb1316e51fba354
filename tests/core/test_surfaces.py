"""The Surfaces tab's core: every surface's gradient and Hessian against finite differences (and against
the symbolic derivative of its own formula), its known critical points, the basins map against running
each start one at a time, the trainer (optimizers, line searches, noise, live params, sessions)."""

import math

import numpy as np
import pytest

from gdplay.core.expression import Formula
from gdplay.core.optimizers import OPTIMIZERS
from gdplay.core.state import StateError
from gdplay.core.surfaces import (
    DIVERGED,
    NOT_SETTLED,
    SURFACES,
    SurfaceParams,
    SurfaceTrainer,
    basins,
    classify,
    describe_curvature,
    formula_surface,
    views,
)
from gdplay.core.trainer import Status, ValidationError

KEYS = list(SURFACES)


def close(a, b, tol):
    """|a − b| <= tol pointwise (tol may be an array: a relative scale per point)."""
    a, b = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
    bad = ~(np.abs(a - b) <= tol)
    assert not bad.any(), f"{int(bad.sum())} of {bad.size} differ; worst {np.max(np.abs(a - b)):.3g}"


def _points(key, n=30, seed=0):
    (x0, x1), (y0, y1) = SURFACES[key].window
    rng = np.random.default_rng(seed)
    return rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)


@pytest.mark.parametrize("key", KEYS)
def test_gradient_matches_central_differences(key):
    f = SURFACES[key].function
    x, y = _points(key)
    h = 1e-6
    gx, gy = f.gradient(x, y)
    scale = 1 + np.abs(f.value(x, y))
    close(gx, (f.value(x + h, y) - f.value(x - h, y)) / (2 * h), 1e-6 * scale + 1e-6 * np.abs(gx))
    close(gy, (f.value(x, y + h) - f.value(x, y - h)) / (2 * h), 1e-6 * scale + 1e-6 * np.abs(gy))


@pytest.mark.parametrize("key", KEYS)
def test_hessian_matches_central_differences_of_the_gradient(key):
    f = SURFACES[key].function
    x, y = _points(key, seed=1)
    h = 1e-6
    hxx, hxy, hyy = (np.broadcast_to(v, x.shape) for v in f.hessian(x, y))
    gxp, gyp = f.gradient(x + h, y)
    gxm, gym = f.gradient(x - h, y)
    tol = 1e-5 * (1 + np.abs(hxx) + np.abs(hyy) + np.abs(hxy))
    close(hxx, (gxp - gxm) / (2 * h), tol)
    close(hxy, (gyp - gym) / (2 * h), tol)  # ∂(∂f/∂y)/∂x
    gxp, gyp = f.gradient(x, y + h)
    gxm, gym = f.gradient(x, y - h)
    close(hxy, (gxp - gxm) / (2 * h), tol)  # symmetric
    close(hyy, (gyp - gym) / (2 * h), tol)


@pytest.mark.parametrize("key", KEYS)
def test_hand_written_derivatives_equal_the_symbolic_ones_of_the_formula(key):
    """Two independent derivations: the closed forms in surfaces.py and the parser's derivative of the
    formula the tab shows."""
    sd = SURFACES[key]
    typed = Formula.parse(sd.formula)
    x, y = _points(key, seed=2)
    np.testing.assert_allclose(sd.function.value(x, y), typed.value(x, y), rtol=1e-12, atol=1e-9)
    for a, b in zip(sd.function.gradient(x, y), typed.gradient(x, y)):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-8)
    for a, b in zip(sd.function.hessian(x, y), typed.hessian(x, y)):
        np.testing.assert_allclose(np.broadcast_to(a, x.shape), np.broadcast_to(b, x.shape), rtol=1e-10, atol=1e-8)


@pytest.mark.parametrize("key", KEYS)
def test_known_points_have_zero_gradient_and_the_kind_their_name_says(key):
    sd = SURFACES[key]
    assert sd.points
    for p in sd.points:
        gx, gy = sd.function.gradient(np.float64(p.x), np.float64(p.y))
        assert math.hypot(gx, gy) < 1e-9, p
        word = "flat" if "monkey" in p.name else p.name.split(" ")[0 if not p.name.startswith(("global", "local"))
                                                                     else 1]
        assert p.kind == word, p


def test_known_minima_values():
    assert SURFACES["rosenbrock"].points[0].value == 0
    assert [round(p.value, 10) for p in SURFACES["himmelblau"].points if p.kind == "minimum"] == [0.0] * 4
    camel = [p.value for p in SURFACES["camel"].points if p.kind == "minimum"]
    assert min(camel) == pytest.approx(-1.0316284535, abs=1e-9)
    assert SURFACES["beale"].points[0].value == pytest.approx(0.0, abs=1e-20)


def test_classify_eigenvalues():
    lo, _hi, kind = classify(np.array([2.0, 2.0, -1.0, 0.0]), np.array([0.0, 0.0, 0.0, 0.0]),
                            np.array([3.0, -2.0, -4.0, 0.0]))
    assert list(kind) == [1, 2, 3, 0]
    np.testing.assert_allclose(lo, [2, -2, -4, 0])
    assert "saddle point" in describe_curvature(
        SurfaceTrainer(SurfaceParams(surface="saddle", initial=(0.0, 0.0))).snapshot().main.curvature, 0.0)


def test_typed_formula_surface_finds_its_critical_points():
    sd = formula_surface("(x**2 - 1)**2 + y**2")
    kinds = sorted((p.kind, round(p.x, 6), round(p.y, 6)) for p in sd.points)
    assert kinds == [("minimum", -1.0, 0.0), ("minimum", 1.0, 0.0), ("saddle", 0.0, 0.0)]


# -- basins ----------------------------------------------------------------------------------------------------
CASES = [("himmelblau", "gd", 0.01), ("himmelblau", "momentum", 0.005), ("camel", "adam", 0.05),
         ("rastrigin", "gd", 2e-3), ("saddle", "gd", 0.1), ("rosenbrock", "nesterov", 1e-3),
         ("himmelblau", "rmsprop", 0.01), ("beale", "armijo", 1.0), ("camel", "exact", 1.0)]


@pytest.mark.parametrize("key, name, lr", CASES)
def test_basins_map_equals_each_start_run_alone(key, name, lr):
    """The vectorised map (starts dropped as they finish, their optimizer state with them) against each
    start stepped alone through the same rules."""
    sd = SURFACES[key]
    n = 7
    whole = basins(sd, name, lr, {}, sd.window[0], sd.window[1], n, 200)
    xs, ys = np.linspace(*sd.window[0], n), np.linspace(*sd.window[1], n)
    for r in range(n):
        for c in range(n):
            alone = basins(sd, name, lr, {}, (xs[c], xs[c]), (ys[r], ys[r]), 1, 200)
            want = alone.labels[0, 0]
            got = whole.labels[r, c]
            if want >= 0:
                assert got >= 0 and whole.points[got].name == alone.points[want].name
            else:
                assert got == want


@pytest.mark.parametrize("key, name, lr", [("himmelblau", "gd", 0.01), ("camel", "momentum", 0.01),
                                           ("himmelblau", "adam", 0.05)])
def test_basins_map_agrees_with_the_trainer(key, name, lr):
    """A settled start of the map ends at the critical point the trainer's run from it converges to."""
    sd = SURFACES[key]
    n = 5
    m = basins(sd, name, lr, {}, sd.window[0], sd.window[1], n, 3000)
    xs, ys = np.linspace(*sd.window[0], n), np.linspace(*sd.window[1], n)
    checked = 0
    for r in range(n):
        for c in range(n):
            label = m.labels[r, c]
            if label < 0:
                continue
            t = SurfaceTrainer(SurfaceParams(surface=key, optimizer=name, learning_rate=lr,
                                             initial=(xs[c], ys[r]), max_steps=3000, grad_tol=1e-7)).fit()
            p = m.points[label]
            assert t.status is Status.CONVERGED
            assert math.hypot(*(t.runs[0].xy - (p.x, p.y))) < 1e-3
            checked += 1
    assert checked >= 20


def test_basins_counts_labels_and_outcomes():
    sd = SURFACES["himmelblau"]
    m = basins(sd, "gd", 0.01, {}, sd.window[0], sd.window[1], 40, 300)
    assert m.labels.shape == (40, 40)
    minima = [k for k, p in enumerate(m.points) if p.kind == "minimum"]
    assert sum(m.counts[k] for k in minima) == 1600  # every start finds one of the four minima
    assert all(m.counts[k] > 250 for k in minima)
    big = basins(sd, "gd", 0.05, {}, sd.window[0], sd.window[1], 20, 300)
    assert big.diverged > 0  # too large a rate: starts on the steep walls fly off
    few = basins(sd, "gd", 1e-4, {}, sd.window[0], sd.window[1], 20, 10)
    assert few.not_settled == 400
    saddle = SURFACES["saddle"]
    assert (basins(saddle, "gd", 0.1, {}, (-1, 1), (-1, 1), 10, 300).labels == DIVERGED).all()
    assert NOT_SETTLED in few.labels


def test_rastrigin_basins_find_unnamed_minima():
    sd = SURFACES["rastrigin"]
    m = basins(sd, "gd", 2e-3, {}, (-2.5, 2.5), (-2.5, 2.5), 30, 300)
    found = [p for p in m.points if p.name.startswith("found")]
    assert len(found) >= 20 and all(p.kind == "minimum" for p in found)


# -- the trainer --------------------------------------------------------------------------------------------------
def test_trainer_reaches_a_himmelblau_minimum_and_says_which():
    t = SurfaceTrainer(SurfaceParams(surface="himmelblau", initial=(1.0, 1.0), learning_rate=0.01)).fit()
    snap = t.snapshot()
    assert snap.status is Status.CONVERGED
    np.testing.assert_allclose(snap.main.xy, (3, 2), atol=1e-6)
    assert snap.main.nearest.startswith("minimum A (3, 2)")
    assert snap.main.curvature.kind == "minimum"
    assert "Converged" in snap.message
    h = snap.main.history
    assert h[0, 0] == 0 and h[-1, 0] == snap.step and (np.diff(h[:, 1]) <= 1e-12).all()  # GD goes downhill


@pytest.mark.parametrize("name", [*OPTIMIZERS, "exact", "armijo"])
def test_every_rule_converges_on_a_bowl(name):
    lr = {"gd": 0.1, "momentum": 0.05, "nesterov": 0.05, "adagrad": 0.5, "rmsprop": 0.01, "adam": 0.05}.get(name, 1.0)
    t = SurfaceTrainer(SurfaceParams(surface="formula", formula="x**2 + 3*y**2", optimizer=name, learning_rate=lr,
                                     initial=(2.0, 1.0), max_steps=20000, grad_tol=1e-6)).fit()
    assert t.status is Status.CONVERGED, t.snapshot().message
    np.testing.assert_allclose(t.runs[0].xy, 0, atol=1e-5)


def test_line_searches_go_downhill_on_rosenbrock_faster_than_gd():
    p = SurfaceParams(surface="rosenbrock", initial=(-1.5, 2.0), optimizer="exact", compare=("armijo", "gd"),
                      learning_rate=1e-3, max_steps=1000, grad_tol=1e-8)
    t = SurfaceTrainer(p).fit()
    snap = t.snapshot()
    exact, armijo, gd = snap.runs
    for run in (exact, armijo):
        assert (np.diff(run.history[:, 1]) <= 1e-12).all()
        assert run.cost < gd.cost
        assert run.evaluations > run.step
    assert exact.cost < 1e-2 * gd.cost


def test_plain_gd_on_the_saddle_ridge_stays_and_noise_escapes():
    p = SurfaceParams(surface="saddle", initial=(-1.5, 0.0), learning_rate=0.05, max_steps=3000, grad_tol=1e-8,
                      noise=0.05, compare=("gd",), seed=3)
    t = SurfaceTrainer(p).fit()
    noisy, plain = t.snapshot().runs
    assert noisy.spec == "gd+noise" and plain.spec == "gd"
    assert plain.status is Status.CONVERGED and np.allclose(plain.xy, 0, atol=1e-7)
    assert plain.curvature.kind == "saddle"
    assert noisy.status is Status.DIVERGED and "ran off towards infinity" in noisy.message


def test_noise_is_reproducible_and_annealed():
    p = SurfaceParams(surface="rastrigin", initial=(3.2, 2.8), learning_rate=2e-3, noise=100.0,
                      noise_schedule="annealed", max_steps=3000, seed=0)
    a, b = SurfaceTrainer(p).fit(), SurfaceTrainer(p).fit()
    np.testing.assert_array_equal(a.runs[0].xy, b.runs[0].xy)
    sigma = a.snapshot().main.history[:, 5]
    assert sigma[1] == pytest.approx(100.0, rel=1e-3) and sigma[-1] < 0.1
    c = SurfaceTrainer(SurfaceParams(**{**p.__dict__, "seed": 1})).fit()
    assert not np.array_equal(a.runs[0].xy, c.runs[0].xy)
    plain = SurfaceTrainer(SurfaceParams(surface="rastrigin", initial=(3.2, 2.8), learning_rate=2e-3)).fit()
    assert a.snapshot().cost < plain.snapshot().cost  # the noisy run wandered to a lower dip


def test_live_learning_rate_keeps_the_point_structural_change_restarts():
    t = SurfaceTrainer(SurfaceParams(surface="rosenbrock", initial=(-1.5, 2.0), learning_rate=1e-3))
    t.step(50)
    xy = t.runs[0].xy.copy()
    t.set_params(SurfaceParams(surface="rosenbrock", initial=(-1.5, 2.0), learning_rate=2e-3), version=2)
    assert t.n_iter_ == 50 and np.array_equal(t.runs[0].xy, xy) and t.runs[0].walker.opt.learning_rate == 2e-3
    assert t.snapshot().params_version == 2
    t.set_params(SurfaceParams(surface="rosenbrock", initial=(0.0, 0.0), learning_rate=2e-3))
    assert t.n_iter_ == 0 and np.array_equal(t.runs[0].xy, (0, 0))
    t.set_params(SurfaceParams(surface="formula", formula="x**2", initial=(0.0, 0.0)))
    assert t.snapshot().formula == "x**2"


def test_divergence_keeps_the_last_finite_point_and_says_why():
    t = SurfaceTrainer(SurfaceParams(surface="himmelblau", initial=(4.5, 4.5), learning_rate=0.1)).fit()
    snap = t.snapshot()
    assert snap.status is Status.DIVERGED and np.isfinite(snap.main.xy).all()
    assert "learning rate 0.1" in snap.message
    t = SurfaceTrainer(SurfaceParams(surface="formula", formula="log(x) + (y - 1)**2", initial=(1.0, 1.0),
                                     learning_rate=2.0)).fit()
    assert t.status is Status.DIVERGED and "left the formula's domain" in t.snapshot().message
    t = SurfaceTrainer(SurfaceParams(surface="formula", formula="log(x)", initial=(-1.0, 1.0)))
    assert t.status is Status.INVALID and "log of a negative number" in t.snapshot().message


def test_bad_params_are_refused_in_one_sentence():
    for bad, words in ((dict(surface="nope"), "The surface must be one of"),
                       (dict(surface="formula", formula="2x"), "without an operator"),
                       (dict(optimizer="sgd"), "The optimizer must be one of"),
                       (dict(optimizer="exact", noise=0.1, compare=("armijo+noise",)), "not with a line search"),
                       (dict(learning_rate=0.0), "learning rate"), (dict(initial=(1.0,)), "two finite"),
                       (dict(noise=-1.0), "noise"), (dict(noise_schedule="cosine"), "schedule")):
        with pytest.raises(ValidationError, match=words):
            SurfaceParams(**bad).validate()


def test_views_are_cached_until_what_they_show_changes():
    t = SurfaceTrainer(SurfaceParams(surface="himmelblau"))
    g = views.surface_grid(t, (-5, 5), (-5, 5), (50, 60))
    assert g.values.shape == (50, 60) and views.surface_grid(t, (-5, 5), (-5, 5), (50, 60)) is g
    b = views.basins_map(t, (-5, 5), (-5, 5), 20)
    t.step(10)
    assert views.basins_map(t, (-5, 5), (-5, 5), 20) is b
    assert views.surface_grid(t, (-5, 5), (-5, 5), (50, 60)) is g  # a step changes neither picture
    t.set_params(SurfaceParams(surface="himmelblau", learning_rate=0.02))
    b2 = views.basins_map(t, (-5, 5), (-5, 5), 20)
    assert b2 is not b and b2.version > b.version and b2.learning_rate == 0.02
    assert views.surface_grid(t, (-5, 5), (-5, 5), (50, 60)) is g  # nor does a learning rate the grid
    t.set_params(SurfaceParams(surface="himmelblau", learning_rate=0.02, basins_steps=7))
    b3 = views.basins_map(t, (-5, 5), (-5, 5), 20)
    assert b3 is not b2 and b3.steps == 7
    assert views.basins_map(t, (-4, 5), (-5, 5), 20).x_range == (-4.0, 5.0)  # a new window, a new map
    t.set_params(SurfaceParams(surface="rosenbrock"))
    g2 = views.surface_grid(t, (-5, 5), (-5, 5), (50, 60))
    assert g2.version > g.version and g2.values[0, 0] != g.values[0, 0]  # a new surface, a new grid
    bad = SurfaceTrainer(SurfaceParams(surface="formula", formula="sqrt(x)", initial=(1.0, 0.0)))
    problem = views.surface_grid(bad, (-1, 1), (-1, 1), (10, 10)).problem
    assert problem is not None and "sqrt of a negative number" in problem


def test_session_state_round_trip_goes_on_identically():
    p = SurfaceParams(surface="rastrigin", initial=(3.2, 2.8), learning_rate=2e-3, noise=2.0,
                      compare=("adam", "armijo"), seed=5, max_steps=600)
    a = SurfaceTrainer(p)
    a.step(200)
    b = SurfaceTrainer(p)
    import json
    b.import_state(json.loads(json.dumps(a.export_state())))
    a.fit()
    b.fit()
    for ra, rb in zip(a.runs, b.runs):
        np.testing.assert_array_equal(ra.xy, rb.xy)
        np.testing.assert_array_equal(ra.history.rows(), rb.history.rows())
    other = SurfaceTrainer(SurfaceParams(surface="himmelblau"))
    with pytest.raises(StateError, match="surface"):
        other.import_state(a.export_state())
    state = a.export_state()
    state["runs"][0]["xy"]["shape"] = [3]
    with pytest.raises(StateError):
        SurfaceTrainer(p).import_state(state)


def test_trainers_pickle_for_the_training_process():
    """The trainer crosses to its process by pickle (spawn or forkserver): a typed formula included."""
    import pickle

    p = SurfaceParams(surface="formula", formula="sin(x)*cos(y) + 0.1*(x**2 + y**2)", initial=(1.0, 2.0),
                      compare=("adam+noise",), noise=0.1)
    a = SurfaceTrainer(p)
    a.step(5)
    b = pickle.loads(pickle.dumps(a))
    a.step(50)
    b.step(50)
    for ra, rb in zip(a.runs, b.runs):
        np.testing.assert_array_equal(ra.xy, rb.xy)


def test_basins_of_flat_and_floorless_formulas():
    flat = formula_surface("0*x + 1")
    m = basins(flat, "gd", 0.1, {}, (-3, 3), (-3, 3), 40, 50)
    assert flat.points == ()  # a plateau: no isolated critical points
    assert m.not_settled == 0 and len(m.points) == 101  # settled everywhere: 100 named places, one for the rest
    assert m.points[-1].name.startswith("one of") and m.counts[-1] == 1600 - 100
    slope = formula_surface("x + y")
    assert (basins(slope, "gd", 5.0, {}, (-3, 3), (-3, 3), 10, 3000).labels == DIVERGED).all()  # runs off
    kink = formula_surface("abs(x) + abs(y)")
    assert basins(kink, "gd", 0.1, {}, (-3, 3), (-3, 3), 10, 300).not_settled == 100  # it rattles round 0
