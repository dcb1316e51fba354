"""Kernels for the SVM tab, vectorised, in scikit-learn's (libsvm's) parameterisation:

    linear      K(x, y) = x·y
    poly        K(x, y) = (γ x·y + coef0)^degree
    rbf         K(x, y) = exp(−γ ‖x − y‖²)

The seed article writes the RBF kernel as exp(−‖x − y‖² / (2σ²)), i.e. γ = 1/(2σ²) ("formula"), but its
code passes γ = 1/σ² to libsvm ("code"). Both conventions are here so the UI can show γ and σ side by side.

Underflow of exp() for far-apart points is expected (it is the kernel being ~0) and never warns.
"""

from __future__ import annotations

import math

import numpy as np

from gdplay.core.trainer import ValidationError

KERNELS = ("linear", "poly", "rbf")
GAMMA_CONVENTIONS = ("formula", "code")

KERNEL_FORMULAS = {
    "linear": "K(x, y) = x·y",
    "poly": "K(x, y) = (γ x·y + c₀)^d",
    "rbf": "K(x, y) = exp(−γ ‖x − y‖²)",
}
SIGMA_FORMULAS = {
    "formula": "γ = 1/(2σ²)  (the article's formula exp(−‖x − y‖²/(2σ²)))",
    "code": "γ = 1/σ²  (the article's code, as passed to libsvm)",
}


def kernel_formula(kernel: str) -> str:
    """The human-readable formula of a kernel, for labels and tooltips."""
    _check_kernel(kernel)
    return KERNEL_FORMULAS[kernel]


def _check_kernel(kernel: str) -> None:
    if kernel not in KERNELS:
        raise ValidationError(f"kernel must be one of {', '.join(map(repr, KERNELS))}; got {kernel!r}.")


def _check_convention(convention: str) -> None:
    if convention not in GAMMA_CONVENTIONS:
        raise ValidationError(
            f"gamma_convention must be one of {', '.join(map(repr, GAMMA_CONVENTIONS))}; got {convention!r}."
        )


def _check_positive(name: str, value: float) -> float:
    if not (isinstance(value, (int, float, np.floating, np.integer)) and math.isfinite(value) and value > 0):
        raise ValidationError(f"{name} must be a finite number > 0; got {value!r}.")
    return float(value)


# -- σ <-> γ ------------------------------------------------------------------------------------------
def gamma_from_sigma2(sigma2: float, convention: str = "formula") -> float:
    """γ for a width σ²: 1/(2σ²) by the article's formula, 1/σ² by its code."""
    _check_convention(convention)
    sigma2 = _check_positive("sigma^2", sigma2)
    return 1.0 / (2.0 * sigma2) if convention == "formula" else 1.0 / sigma2


def sigma2_from_gamma(gamma: float, convention: str = "formula") -> float:
    """σ² for a γ: 1/(2γ) by the article's formula, 1/γ by its code."""
    _check_convention(convention)
    gamma = _check_positive("gamma", gamma)
    return 1.0 / (2.0 * gamma) if convention == "formula" else 1.0 / gamma


def gamma_from_sigma(sigma: float, convention: str = "formula") -> float:
    return gamma_from_sigma2(_check_positive("sigma", sigma) ** 2, convention)


def sigma_from_gamma(gamma: float, convention: str = "formula") -> float:
    return math.sqrt(sigma2_from_gamma(gamma, convention))


def rbf_width_text(gamma: float) -> str:
    """One line for the UI: γ and the σ it means under both conventions."""
    s_formula = sigma_from_gamma(gamma, "formula")
    s_code = sigma_from_gamma(gamma, "code")
    return (f"γ = {gamma:.4g}: σ = {s_formula:.4g} if γ = 1/(2σ²) (formula), "
            f"σ = {s_code:.4g} if γ = 1/σ² (seed's code)")


# -- Gram matrices --------------------------------------------------------------------------------------
def squared_distances(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """‖a − b‖² for every pair, as ‖a‖² + ‖b‖² − 2 a·b (clipped at 0: rounding can make it −1e-16).

    Both sets are shifted by B's mean first, so large coordinates do not cancel away the distances
    (this matters in float32)."""
    if len(B):
        centre = B.mean(axis=0)
        A, B = A - centre, B - centre
    d = np.einsum("ij,ij->i", A, A)[:, None] + np.einsum("ij,ij->i", B, B)[None, :]
    d -= 2.0 * (A @ B.T)
    np.maximum(d, 0.0, out=d)
    return d


def linear_kernel(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    return A @ B.T


def _int_power(base: np.ndarray, degree: int) -> np.ndarray:
    """base**degree by repeated squaring in place of the slow generic pow (degree is a small integer)."""
    result = None
    p = base
    while degree:
        if degree & 1:
            result = p.copy() if result is None else result * p
        degree >>= 1
        if degree:
            p = p * p
    return result if result is not None else np.ones_like(base)


def polynomial_kernel(A: np.ndarray, B: np.ndarray, gamma: float, coef0: float, degree: int) -> np.ndarray:
    """(γ a·b + coef0)^degree."""
    k = A @ B.T
    k *= gamma
    k += coef0
    with np.errstate(over="ignore", invalid="ignore"):  # overflow shows up as inf; callers check finiteness
        return _int_power(k, int(degree))


def rbf_kernel(A: np.ndarray, B: np.ndarray, gamma: float) -> np.ndarray:
    """exp(−γ ‖a − b‖²); underflow to 0 is the right answer for far-apart points."""
    d = squared_distances(A, B)
    d *= -gamma
    with np.errstate(under="ignore"):
        return np.exp(d, out=d)


def kernel_matrix(A: np.ndarray, B: np.ndarray, kernel: str, gamma: float = 1.0, degree: int = 3,
                  coef0: float = 1.0, dtype: type = np.float64) -> np.ndarray:
    """K[i, j] = K(A[i], B[j]) in ``dtype`` (float64 for training, float32 for decision maps)."""
    _check_kernel(kernel)
    A = np.asarray(A, dtype=np.float64)
    B = np.asarray(B, dtype=np.float64)
    with np.errstate(under="ignore"):
        if kernel == "rbf" and len(B):
            # distances do not change under a shift; shifting before the cast keeps float32 precise
            centre = B.mean(axis=0)
            return rbf_kernel((A - centre).astype(dtype), (B - centre).astype(dtype), dtype(gamma))
        A, B = A.astype(dtype, copy=False), B.astype(dtype, copy=False)
        if kernel == "poly":
            return polynomial_kernel(A, B, dtype(gamma), dtype(coef0), degree)
        if kernel == "rbf":
            return rbf_kernel(A, B, dtype(gamma))
        return linear_kernel(A, B)


def kernel_diagonal(X: np.ndarray, kernel: str, gamma: float = 1.0, degree: int = 3,
                    coef0: float = 1.0) -> np.ndarray:
    """K(x_i, x_i) without the full matrix."""
    _check_kernel(kernel)
    X = np.asarray(X, dtype=np.float64)
    sq = np.einsum("ij,ij->i", X, X)
    if kernel == "linear":
        return sq
    if kernel == "poly":
        with np.errstate(over="ignore", invalid="ignore"):
            return _int_power(gamma * sq + coef0, int(degree))
    return np.ones(len(X))


def kernel_sum(Xq: np.ndarray, support_vectors: np.ndarray, dual_coef: np.ndarray, intercept: float,
               kernel: str, gamma: float = 1.0, degree: int = 3, coef0: float = 1.0,
               dtype: type = np.float64, chunk: int = 1024) -> np.ndarray:
    """f(x) = Σ_s dual_coef_s K(sv_s, x) + b for each row of Xq, in chunks of ~1000 rows: they stay in
    cache, which is 5-10x faster than one big block, and memory stays bounded."""
    Xq = np.asarray(Xq, dtype=np.float64)
    out = np.empty(len(Xq), dtype=dtype)
    if len(support_vectors) == 0:
        out.fill(intercept)
        return out
    sv = np.asarray(support_vectors, dtype=np.float64)
    with np.errstate(under="ignore"):
        coef = np.asarray(dual_coef, dtype=np.float64).astype(dtype)
        for start in range(0, len(Xq), chunk):
            k = kernel_matrix(Xq[start:start + chunk], sv, kernel, gamma, degree, coef0, dtype=dtype)
            out[start:start + chunk] = k @ coef
    out += dtype(intercept)
    return out


def decision_grid(x_range: tuple[float, float], y_range: tuple[float, float], shape: tuple[int, int],
                  support_vectors: np.ndarray, dual_coef: np.ndarray, intercept: float, kernel: str,
                  gamma: float = 1.0, degree: int = 3, coef0: float = 1.0) -> np.ndarray:
    """f on a (rows = y, columns = x) grid, float32, for 2-D data.

    RBF separates over the two axes, exp(−γ((x−s₁)² + (y−s₂)²)) = exp(−γ(x−s₁)²)·exp(−γ(y−s₂)²),
    so the whole grid is one (ny × m)(m × nx) matrix product over the m support vectors."""
    _check_kernel(kernel)
    with np.errstate(under="ignore"):  # values ~1e-300 cast to float32 become 0: harmless
        return _decision_grid(x_range, y_range, shape, support_vectors, dual_coef, intercept, kernel,
                              gamma, degree, coef0)


def _decision_grid(x_range: tuple[float, float], y_range: tuple[float, float], shape: tuple[int, int],
                   support_vectors: np.ndarray, dual_coef: np.ndarray, intercept: float, kernel: str,
                   gamma: float, degree: int, coef0: float) -> np.ndarray:
    ny, nx = int(shape[0]), int(shape[1])
    xs = np.linspace(x_range[0], x_range[1], nx)
    ys = np.linspace(y_range[0], y_range[1], ny)
    sv = np.asarray(support_vectors, dtype=np.float64)
    coef = np.asarray(dual_coef, dtype=np.float64)
    if len(sv) == 0:
        return np.full((ny, nx), intercept, dtype=np.float32)
    if sv.shape[1] != 2:
        raise ValidationError(f"decision_grid needs 2-D data; got {sv.shape[1]} features.")
    if kernel == "linear":
        w = coef @ sv
        z = (w[1] * ys)[:, None] + (w[0] * xs)[None, :] + intercept
        return z.astype(np.float32)
    if kernel == "rbf":
        ex = np.exp(-gamma * (xs[None, :] - sv[:, :1]) ** 2)  # (m, nx)
        ey = np.exp(-gamma * (ys[None, :] - sv[:, 1:]) ** 2)  # (m, ny)
        z = (ey * coef[:, None]).T @ ex
        z += intercept
        return z.astype(np.float32)
    gx, gy = np.meshgrid(xs, ys)
    pts = np.column_stack([gx.ravel(), gy.ravel()])
    z = kernel_sum(pts, sv, coef, intercept, kernel, gamma, degree, coef0, dtype=np.float32)
    return z.reshape(ny, nx)
