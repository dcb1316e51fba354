"""Every fast kernel path against the formula written out pair by pair, with parameters away from their
defaults and coordinates away from the origin (the cases mutation testing found unchecked: the float32 RBF
path and its centring, coef0 in kernel sums, the diagonal, the separable decision grid)."""

import numpy as np
import pytest

from gdplay.core.kernels import (
    decision_grid,
    gamma_from_sigma,
    gamma_from_sigma2,
    kernel_diagonal,
    kernel_matrix,
    kernel_sum,
    sigma2_from_gamma,
    sigma_from_gamma,
    squared_distances,
)
from gdplay.core.trainer import ValidationError

PARAMS = {"gamma": 0.7, "degree": 2, "coef0": 0.3}


def brute(a, b, kernel, gamma=0.7, degree=2, coef0=0.3):
    if kernel == "linear":
        return float(a @ b)
    if kernel == "poly":
        return float((gamma * (a @ b) + coef0) ** degree)
    return float(np.exp(-gamma * np.sum((a - b) ** 2)))


def brute_matrix(A, B, kernel, **kw):
    return np.array([[brute(a, b, kernel, **kw) for b in B] for a in A])


@pytest.fixture
def points():
    rng = np.random.default_rng(3)
    return rng.normal(size=(7, 2)) + np.array([3.0, -2.0]), rng.normal(size=(5, 2)) + np.array([2.5, -1.0])


@pytest.mark.parametrize("kernel", ["linear", "poly", "rbf"])
def test_the_gram_matrix_is_the_formula(points, kernel):
    A, B = points
    K = kernel_matrix(A, B, kernel, **PARAMS)
    np.testing.assert_allclose(K, brute_matrix(A, B, kernel), rtol=1e-12, atol=1e-14)
    assert K.dtype == np.float64


@pytest.mark.parametrize("kernel", ["linear", "poly", "rbf"])
def test_float32_gram_matrices_are_the_formula_to_float32_precision(points, kernel):
    A, B = points
    K = kernel_matrix(A, B, kernel, dtype=np.float32, **PARAMS)
    assert K.dtype == np.float32
    np.testing.assert_allclose(K, brute_matrix(A, B, kernel), rtol=2e-5, atol=1e-6)


def test_float32_rbf_stays_precise_far_from_the_origin():
    """Near x = 10,000 in float32, ‖a‖² + ‖b‖² − 2a·b cancels to noise unless both sets are shifted first."""
    rng = np.random.default_rng(0)
    A = rng.normal(scale=0.5, size=(20, 2)) + 1e4
    B = rng.normal(scale=0.5, size=(15, 2)) + 1e4
    K = kernel_matrix(A, B, "rbf", gamma=2.0, dtype=np.float32)
    np.testing.assert_allclose(K, brute_matrix(A, B, "rbf", gamma=2.0), atol=1e-5)


def test_squared_distances_far_from_the_origin_and_never_negative():
    rng = np.random.default_rng(1)
    A = rng.normal(size=(6, 3)) + 1e6
    B = rng.normal(size=(4, 3)) + 1e6
    expected = ((A[:, None, :] - B[None, :, :]) ** 2).sum(-1)
    d = squared_distances(A, B)
    np.testing.assert_allclose(d, expected, rtol=1e-7)
    assert (squared_distances(A, A) >= 0).all()


@pytest.mark.parametrize("kernel", ["linear", "poly", "rbf"])
def test_the_diagonal_is_the_gram_matrix_diagonal(points, kernel):
    A, _ = points
    np.testing.assert_allclose(kernel_diagonal(A, kernel, **PARAMS),
                               np.diag(kernel_matrix(A, A, kernel, **PARAMS)), rtol=1e-12)


@pytest.mark.parametrize("kernel", ["linear", "poly", "rbf"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_kernel_sum_in_chunks_is_the_decision_function(points, kernel, dtype):
    Xq, sv = points
    coef = np.array([0.5, -1.2, 0.8, -0.1, 1.0])
    f = kernel_sum(Xq, sv, coef, -0.4, kernel, dtype=dtype, chunk=3, **PARAMS)
    expected = brute_matrix(Xq, sv, kernel) @ coef - 0.4
    assert f.dtype == dtype
    np.testing.assert_allclose(f, expected, rtol=1e-4 if dtype == np.float32 else 1e-12, atol=1e-5)
    assert np.all(kernel_sum(Xq, sv[:0], coef[:0], 1.5, kernel, **PARAMS) == 1.5)  # no support vectors: b


@pytest.mark.parametrize("kernel", ["linear", "poly", "rbf"])
def test_the_decision_grid_is_the_decision_function_at_each_pixel(points, kernel):
    _, sv = points
    coef = np.array([0.5, -1.2, 0.8, -0.1, 1.0])
    z = decision_grid((0.0, 4.0), (-3.0, 1.0), (4, 6), sv, coef, 0.25, kernel, **PARAMS)
    assert z.shape == (4, 6) and z.dtype == np.float32
    xs, ys = np.linspace(0.0, 4.0, 6), np.linspace(-3.0, 1.0, 4)
    pts = np.array([[x, y] for y in ys for x in xs])
    expected = (brute_matrix(pts, sv, kernel) @ coef + 0.25).reshape(4, 6)
    np.testing.assert_allclose(z, expected, rtol=1e-5, atol=1e-5)
    assert np.all(decision_grid((0, 1), (0, 1), (2, 3), sv[:0], coef[:0], -2.0, kernel) == -2.0)


def test_the_decision_grid_needs_2d_data():
    with pytest.raises(ValidationError, match="needs 2-D data; got 3 features"):
        decision_grid((0, 1), (0, 1), (2, 2), np.ones((2, 3)), np.ones(2), 0.0, "poly")


def test_sigma_and_gamma_in_both_conventions():
    # the article's formula exp(-‖x−y‖²/(2σ²)): γ = 1/(2σ²); its code: γ = 1/σ²
    assert gamma_from_sigma2(4.0) == 0.125 and gamma_from_sigma2(4.0, "code") == 0.25
    assert sigma2_from_gamma(0.125) == 4.0 and sigma2_from_gamma(0.25, "code") == 4.0
    assert gamma_from_sigma(2.0) == 0.125 and gamma_from_sigma(2.0, "code") == 0.25
    assert sigma_from_gamma(0.125) == 2.0 and sigma_from_gamma(0.25, "code") == 2.0
    for bad in (0.0, -1.0, float("inf"), float("nan")):
        with pytest.raises(ValidationError, match="must be a finite number > 0"):
            gamma_from_sigma(bad)
    with pytest.raises(ValidationError, match="gamma_convention must be one of"):
        sigma2_from_gamma(1.0, "paper")
