"""The shared line searches: the exact one against the closed form on quadratics, Armijo's sufficient
decrease and its backtracking from twice the last step, many problems at once as each one alone."""

import numpy as np

from gdplay.core import line_search, regression


def quadratic(H):
    return lambda Q: 0.5 * np.einsum("in,ij,jn->n", Q, H, Q)


def test_exact_matches_gtg_over_gthg_on_quadratics():
    rng = np.random.default_rng(0)
    for _ in range(5):
        A = rng.normal(size=(3, 3))
        H = A @ A.T + 0.5 * np.eye(3)
        P = rng.normal(size=(3, 40))
        G = H @ P
        alpha, calls = line_search.exact(quadratic(H), P, G, np.full(40, np.nan))
        want = np.sum(G * G, axis=0) / np.einsum("in,ij,jn->n", G, H, G)
        np.testing.assert_allclose(alpha, want, rtol=1e-6)
        assert calls > 40


def test_armijo_gives_sufficient_decrease_and_starts_from_twice_the_last_step():
    H = np.diag([1.0, 100.0])
    f = quadratic(H)
    P = np.array([[1.0, -2.0, 0.0], [1.0, 0.5, 0.0]])
    G = H @ P
    last = np.array([0.5, np.nan, 0.3])
    alpha, _ = line_search.armijo(f, P, G, last)
    g2 = np.sum(G * G, axis=0)
    assert (f(P - alpha * G) <= f(P) - line_search.ARMIJO_C * alpha * g2 + 1e-15).all()
    assert alpha[2] == 0  # a zero gradient: no step
    # 2·0.5 = 1 halved until it decreases enough: a power of two below 1
    assert np.log2(alpha[0]) == round(np.log2(alpha[0])) and alpha[0] <= 1.0
    assert (line_search.ARMIJO_C, line_search.ARMIJO_SHRINK) == (regression.ARMIJO_C, regression.ARMIJO_SHRINK)


def test_many_columns_give_the_same_steps_as_each_alone():
    f = lambda Q: (1 - Q[0]) ** 2 + 100 * (Q[1] - Q[0] ** 2) ** 2  # noqa: E731
    rng = np.random.default_rng(1)
    P = rng.uniform(-2, 2, size=(2, 12))
    G = np.vstack([-2 * (1 - P[0]) - 400 * P[0] * (P[1] - P[0] ** 2), 200 * (P[1] - P[0] ** 2)])
    last = rng.uniform(1e-4, 1e-2, 12)
    for search in (line_search.exact, line_search.armijo):
        together, _ = search(f, P, G, last)
        alone = [search(f, P[:, k: k + 1], G[:, k: k + 1], last[k: k + 1])[0][0] for k in range(12)]
        np.testing.assert_array_equal(together, alone)
