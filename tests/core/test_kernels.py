"""Kernels against direct loops, the float32 path, σ <-> γ in both conventions, quiet underflow."""

import math
import warnings

import numpy as np
import pytest

from gdplay.core import kernels as K
from gdplay.core.trainer import ValidationError


@pytest.fixture
def points():
    rng = np.random.default_rng(3)
    return rng.normal(size=(7, 3)) * 2, rng.normal(size=(5, 3)) * 2


def loop_kernel(A, B, f):
    return np.array([[f(a, b) for b in B] for a in A])


def test_linear_matches_loop(points):
    A, B = points
    np.testing.assert_allclose(K.kernel_matrix(A, B, "linear"), loop_kernel(A, B, np.dot), rtol=1e-12)


def test_poly_matches_loop(points):
    A, B = points
    want = loop_kernel(A, B, lambda a, b: (0.3 * np.dot(a, b) + 1.5) ** 4)
    np.testing.assert_allclose(K.kernel_matrix(A, B, "poly", gamma=0.3, degree=4, coef0=1.5), want, rtol=1e-12)


def test_rbf_matches_loop(points):
    A, B = points
    want = loop_kernel(A, B, lambda a, b: math.exp(-0.7 * np.sum((a - b) ** 2)))
    np.testing.assert_allclose(K.kernel_matrix(A, B, "rbf", gamma=0.7), want, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("degree", [1, 2, 3, 5, 8])
def test_int_power(degree):
    x = np.linspace(-2, 2, 11)
    np.testing.assert_allclose(K._int_power(x, degree), x**degree, rtol=1e-14)


@pytest.mark.parametrize("kernel", K.KERNELS)
def test_diagonal(points, kernel):
    A, _ = points
    full = K.kernel_matrix(A, A, kernel, gamma=0.2, degree=3, coef0=0.5)
    np.testing.assert_allclose(K.kernel_diagonal(A, kernel, gamma=0.2, degree=3, coef0=0.5), np.diag(full),
                               rtol=1e-12)


def test_float32_rbf_far_from_origin_keeps_precision():
    # ‖a‖² + ‖b‖² − 2a·b cancels badly at 1e3 in float32 unless the points are centred first
    rng = np.random.default_rng(1)
    A = 1e3 + rng.normal(size=(50, 2))
    k64 = K.kernel_matrix(A, A, "rbf", gamma=0.5)
    k32 = K.kernel_matrix(A, A, "rbf", gamma=0.5, dtype=np.float32)
    assert k32.dtype == np.float32
    np.testing.assert_allclose(k32, k64, atol=2e-5)


def test_rbf_underflow_is_quiet():
    A = np.array([[0.0, 0.0], [100.0, 100.0]])
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        k = K.kernel_matrix(A, A, "rbf", gamma=50.0)
        z = K.decision_grid((-1, 101), (-1, 101), (30, 30), A, np.array([1.0, -1.0]), 0.0, "rbf", gamma=50.0)
    assert k[0, 1] == 0.0 and k[0, 0] == 1.0
    assert np.isfinite(z).all()


@pytest.mark.parametrize("kernel", K.KERNELS)
def test_decision_grid_matches_kernel_sum(kernel):
    rng = np.random.default_rng(2)
    sv, coef = rng.normal(size=(20, 2)) * 3, rng.normal(size=20)
    z = K.decision_grid((-4, 5), (-3, 2), (17, 23), sv, coef, 0.25, kernel, gamma=0.3, degree=3, coef0=1.0)
    assert z.shape == (17, 23) and z.dtype == np.float32
    gx, gy = np.meshgrid(np.linspace(-4, 5, 23), np.linspace(-3, 2, 17))
    want = K.kernel_sum(np.column_stack([gx.ravel(), gy.ravel()]), sv, coef, 0.25, kernel, gamma=0.3)
    np.testing.assert_allclose(z, want.reshape(17, 23), rtol=1e-4, atol=1e-4 * np.abs(want).max())


def test_sigma_gamma_conventions():
    # the seed's experiment 2: σ² = 25; its code passes γ = 1/σ² = 0.04, its formula means 1/(2σ²) = 0.02
    assert K.gamma_from_sigma2(25, "code") == pytest.approx(0.04)
    assert K.gamma_from_sigma2(25, "formula") == pytest.approx(0.02)
    assert K.gamma_from_sigma(5, "code") == pytest.approx(0.04)
    for conv in K.GAMMA_CONVENTIONS:
        for s in (0.1, 1.0, 7.0):
            assert K.sigma_from_gamma(K.gamma_from_sigma(s, conv), conv) == pytest.approx(s)
            assert K.sigma2_from_gamma(K.gamma_from_sigma2(s, conv), conv) == pytest.approx(s)
    # the same kernel either way: exp(−‖d‖²/(2σ²)) with γ = 1/(2σ²)
    A = np.array([[0.0, 0.0]])
    B = np.array([[1.0, 2.0]])
    g = K.gamma_from_sigma2(3.0, "formula")
    assert K.kernel_matrix(A, B, "rbf", gamma=g)[0, 0] == pytest.approx(math.exp(-5.0 / 6.0))


def test_formula_strings():
    assert "exp" in K.kernel_formula("rbf") and "γ" in K.kernel_formula("rbf")
    assert set(K.SIGMA_FORMULAS) == set(K.GAMMA_CONVENTIONS)
    text = K.rbf_width_text(0.04)
    assert "σ = 5" in text and "σ = 3.536" in text


def test_bad_arguments():
    with pytest.raises(ValidationError, match="kernel must be one of 'linear', 'poly', 'rbf'; got 'sigmoid'"):
        K.kernel_matrix(np.zeros((1, 2)), np.zeros((1, 2)), "sigmoid")
    with pytest.raises(ValidationError, match="gamma_convention"):
        K.gamma_from_sigma2(1.0, "paper")
    with pytest.raises(ValidationError, match="sigma\\^2 must be a finite number > 0; got 0"):
        K.gamma_from_sigma2(0)
