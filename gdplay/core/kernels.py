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
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

import numpy as np

from gdplay.core.trainer import ValidationError

GAMMA_CONVENTIONS = ("formula", "code")
KERNEL_PARAMETERS = ("gamma", "degree", "coef0")  # what a kernel may read from the params


@dataclass(frozen=True)
class KernelSpec:
    """One kernel, declared once. What the UI shows: ``label``, ``formula``, ``tip``. Which parameters it reads
    (``reads``, of gamma, degree, coef0): the row cache's key and the warm start follow from them, so a change
    to one of them rebuilds the kernel's rows and a change to any other keeps them. Its maths: K(x, y) is
    ``of_base`` applied (in place) to a ``base``, x·y ("dot") or ‖x − y‖² ("sqdist"); everything else (the
    matrix in float64 or float32, single rows, the diagonal, a bound on |K|) follows. ``of_base`` must be
    monotone or convex in the base (so |K| is largest at an end of the base's range)."""

    name: str
    label: str
    formula: str
    tip: str
    reads: tuple[str, ...]
    base: str  # "dot" or "sqdist"
    of_base: Callable[[np.ndarray, float, int, float], np.ndarray]  # (base, gamma, degree, coef0), in place

    def key(self, gamma: float, degree: int, coef0: float) -> tuple:
        """What the kernel's values depend on besides the points: its name and the parameters it reads."""
        values = {"gamma": float(gamma), "degree": int(degree), "coef0": float(coef0)}
        return (self.name, *(values[name] for name in self.reads))


def _check_kernel(kernel: str) -> None:
    if kernel not in KERNEL_SPECS:
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


def _squared_norms(X: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->i", X, X)


def _poly_of_dot(k: np.ndarray, gamma: float, degree: int, coef0: float) -> np.ndarray:
    k *= gamma
    k += coef0
    with np.errstate(over="ignore", invalid="ignore"):  # overflow shows up as inf; callers check finiteness
        return _int_power(k, int(degree))


def _rbf_of_sqdist(d: np.ndarray, gamma: float, degree: int, coef0: float) -> np.ndarray:
    d *= -gamma
    return np.exp(d, out=d)  # underflow to 0 for far-apart points is right: callers ignore it


KERNEL_SPECS: dict[str, KernelSpec] = {spec.name: spec for spec in (
    KernelSpec("linear", "Linear", "K(x, y) = x·y",
               "Linear K(x, y) = x·y: the boundary w·x + b = 0 is a straight line.",
               (), "dot", lambda k, gamma, degree, coef0: k),
    KernelSpec("poly", "Polynomial", "K(x, y) = (γ x·y + c₀)^d",
               "Polynomial K(x, y) = (γ·x·y + c₀)ᵈ: curved boundaries of degree d.",
               ("gamma", "degree", "coef0"), "dot", _poly_of_dot),
    KernelSpec("rbf", "RBF", "K(x, y) = exp(−γ ‖x − y‖²)",
               "RBF K(x, y) = exp(−γ·‖x − y‖²): each support vector's influence fades with distance; a small "
               "width σ (large γ) gives wiggly boundaries that overfit.",
               ("gamma",), "sqdist", _rbf_of_sqdist),
)}
KERNELS = tuple(KERNEL_SPECS)
KERNEL_FORMULAS = {name: spec.formula for name, spec in KERNEL_SPECS.items()}
SIGMA_FORMULAS = {
    "formula": "γ = 1/(2σ²)  (the article's formula exp(−‖x − y‖²/(2σ²)))",
    "code": "γ = 1/σ²  (the article's code, as passed to libsvm)",
}


def kernel_formula(kernel: str) -> str:
    """The human-readable formula of a kernel, for labels and tooltips."""
    _check_kernel(kernel)
    return KERNEL_SPECS[kernel].formula


def kernel_key(kernel: str, gamma: float = 1.0, degree: int = 3, coef0: float = 1.0) -> tuple:
    """What K(x, y) depends on besides the points: the kernel and the parameters it reads (its spec's
    ``reads``). Two settings with the same key have the same kernel matrix."""
    _check_kernel(kernel)
    return KERNEL_SPECS[kernel].key(gamma, degree, coef0)


def kernel_matrix(A: np.ndarray, B: np.ndarray, kernel: str, gamma: float = 1.0, degree: int = 3,
                  coef0: float = 1.0, dtype: type = np.float64) -> np.ndarray:
    """K[i, j] = K(A[i], B[j]) in ``dtype`` (float64 for training, float32 for decision maps)."""
    _check_kernel(kernel)
    A = np.asarray(A, dtype=np.float64)
    B = np.asarray(B, dtype=np.float64)
    spec = KERNEL_SPECS[kernel]
    with np.errstate(under="ignore"):
        if spec.base == "sqdist":
            if len(B):
                # distances do not change under a shift; shifting before the cast keeps float32 precise
                centre = B.mean(axis=0)
                A, B = A - centre, B - centre
            base = squared_distances(A.astype(dtype, copy=False), B.astype(dtype, copy=False))
        else:
            base = linear_kernel(A.astype(dtype, copy=False), B.astype(dtype, copy=False))
        return spec.of_base(base, dtype(gamma), int(degree), dtype(coef0))


def kernel_diagonal(X: np.ndarray, kernel: str, gamma: float = 1.0, degree: int = 3,
                    coef0: float = 1.0) -> np.ndarray:
    """K(x_i, x_i) without the full matrix."""
    _check_kernel(kernel)
    spec = KERNEL_SPECS[kernel]
    X = np.asarray(X, dtype=np.float64)
    base = _squared_norms(X) if spec.base == "dot" else np.zeros(len(X))
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        return spec.of_base(base, float(gamma), int(degree), float(coef0))


def kernel_magnitude(max_sq_norm: float, kernel: str, gamma: float = 1.0, degree: int = 3,
                     coef0: float = 1.0) -> float:
    """A bound on |K(x, y)| over points with ‖x‖² <= max_sq_norm: |x·y| <= max_sq_norm (Cauchy-Schwarz) and
    ‖x − y‖² <= 4 max_sq_norm, and |of_base| is largest at an end of that range."""
    spec = KERNEL_SPECS[kernel]
    ends = np.array([-max_sq_norm, max_sq_norm] if spec.base == "dot" else [0.0, 4.0 * max_sq_norm])
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        return float(np.abs(spec.of_base(ends, float(gamma), int(degree), float(coef0))).max())


def _round_to_float32(a: np.ndarray) -> None:
    """Round float64 ``a`` to float32 values, in place (through one float32 copy: no new float64 array to
    fault in), as libsvm keeps its kernel rows."""
    np.copyto(a, a.astype(np.float32), casting="same_kind")


class KernelRows:
    """Rows of the training kernel matrix K(X, X), computed when first asked for and kept in a
    least-recently-used cache of bounded memory (libsvm's kernel cache): SMO reads two rows per step and
    comes back to the same few hundred rows again and again, so the n × n matrix is never built.

    Each row is rounded to float32, as libsvm keeps its rows (so SMO takes libsvm's pair updates bit for
    bit), unless float32 cannot hold the kernel's values (``magnitude``); it is stored in float64 for fast
    arithmetic, next to the row's curvatures max(K_ii + K_jj − 2 K_ij, τ) for the working-set selection.
    Rows that ``times`` brings (a warm start's K(α∘y): every support vector's) are kept as computed, and
    rounded, with their curvatures, when SMO first asks for them: most never are.
    ``key`` is the kernel's (``kernel_key``): rows are valid while the points and the key stay."""

    ALL_AT_ONCE = 512  # up to this many points, the first row asked for brings every row
    BLOCK = 64  # rows ``times`` computes together

    def __init__(self, X: np.ndarray, kernel: str, gamma: float, degree: int, coef0: float,
                 budget_bytes: int = 200 * 2**20, tau: float = 1e-12,
                 base_rows: OrderedDict[int, np.ndarray] | None = None,
                 spare_blocks: list[np.ndarray] | None = None) -> None:
        _check_kernel(kernel)
        self.X = np.asarray(X, dtype=np.float64)
        self.spec = KERNEL_SPECS[kernel]
        self.args = (float(gamma), int(degree), float(coef0))
        self.key = self.spec.key(gamma, degree, coef0)
        self.tau = tau
        n = len(self.X)
        self.diagonal = np.ascontiguousarray(kernel_diagonal(self.X, kernel, gamma, degree, coef0))
        with np.errstate(over="ignore"):
            bound = kernel_magnitude(float(_squared_norms(self.X).max(initial=0.0)), kernel, gamma, degree, coef0)
        # the points as kernel_matrix(X[i:i+1], X) sees them, prepared once: a row is then the same numbers
        if self.spec.base == "sqdist" and n:
            centre = self.X.mean(axis=0)
            shifted = self.X - centre
            self._P = shifted - shifted.mean(axis=0)  # squared_distances centres again
            self._norms = _squared_norms(self._P)
        else:
            self._P = self.X
            self._norms = np.empty(0)
        self.finite = bool(np.isfinite(self.diagonal).all())
        self.single = bool(math.isfinite(bound) and bound < float(np.finfo(np.float32).max))
        self.capacity = max(2, budget_bytes // max(1, 16 * n))  # rows: K and the curvatures, float64
        # row i: (K[i], its curvatures, or None until SMO asks for them)
        self._rows: OrderedDict[int, tuple[np.ndarray, np.ndarray | None]] = OrderedDict()
        # rows of the base (x·y or ‖x − y‖²) do not depend on γ, c₀ or d: given a cache of them that outlives
        # this one (the trainer's, per base, for the same points), a new width reuses them (as many rows)
        self._base = base_rows
        # blocks of BLOCK rows ``times`` computed (its rows are views of them), and the memory of an earlier
        # width's blocks (``release``) to compute into: a drag of the width brings a thousand rows or more
        # each time, and fresh memory for them costs about as much as computing them
        self._blocks: list[np.ndarray] = []
        self._spare = [b for b in spare_blocks or () if b.shape == (self.BLOCK, n) and b.dtype == np.float64]
        self.computed = 0  # rows computed (cache misses)
        self.base_reused = 0  # of which from a kept base row
        self.overflowed = False  # a row held inf or NaN (a kernel whose bound said nothing, e.g. c₀ < 0)

    def __len__(self) -> int:
        return len(self._rows)

    def row(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """(K[i], the curvatures max(K_ii + K_jj − 2 K_ij, τ) for every j), read-only by convention."""
        rows = self._rows
        got = rows.get(i)
        if got is not None:
            rows.move_to_end(i)
            if got[1] is None:  # kept by ``times`` as computed: SMO asks for it now, rounded, with curvatures
                Ki = got[0]
                if self.single:
                    _round_to_float32(Ki)
                got = rows[i] = (Ki, self._curvature(np.array([i]), Ki[None, :])[0])
            return cast("tuple[np.ndarray, np.ndarray]", got)
        n = len(self.X)
        if not rows and n <= self.ALL_AT_ONCE and n <= self.capacity:
            # a few hundred points: every row in one go costs less than the hundred or so SMO asks for
            every = np.arange(n)
            K = self._compute(every)
            curvature = self._curvature(every, K)
            for t in range(n):
                rows[t] = (K[t], curvature[t])
            return K[i], curvature[i]
        idx = np.array([i])
        K = self._compute(idx)
        new = rows[i] = (K[0], self._curvature(idx, K)[0])
        if len(rows) > self.capacity:
            rows.popitem(last=False)
        return new

    def _base_block(self, idx: np.ndarray) -> np.ndarray:
        """x·y or ‖x − y‖² for rows idx, as kernel_matrix computes them."""
        P = self._P
        if self.spec.base == "sqdist":
            k = self._norms[idx][:, None] + self._norms[None, :]
            k -= 2.0 * (P[idx] @ P.T)
            np.maximum(k, 0.0, out=k)
            return k
        return P[idx] @ P.T

    def every_row(self) -> list[tuple[np.ndarray, np.ndarray]] | None:
        """Every row, by index, when they are all computed at once (``ALL_AT_ONCE``) and never dropped; None
        otherwise (then ask ``row``)."""
        n = len(self.X)
        if not (n <= self.ALL_AT_ONCE and n <= self.capacity):
            return None
        if len(self._rows) < n:
            self._rows.clear()
            self.row(0)
        rows = self._rows
        if any(r[1] is None for r in rows.values()):  # some brought by ``times``: their curvatures now
            for t in range(n):
                self.row(t)
        return cast("list[tuple[np.ndarray, np.ndarray]]", [rows[t] for t in range(n)])

    def release(self) -> list[np.ndarray]:
        """Drop every row, and hand over the blocks ``times`` computed them in, for the next width's cache
        to compute into (``spare_blocks``)."""
        blocks, self._blocks = self._blocks + self._spare, []
        self._spare = []
        self._rows.clear()
        return blocks

    def _compute(self, idx: np.ndarray, out: np.ndarray | None = None, rounded: bool = True) -> np.ndarray:
        """Kernel rows idx, into ``out`` if given, rounded to float32 as SMO takes them unless not
        ``rounded`` (call under np.errstate(over="ignore", invalid="ignore", under="ignore"): a context per
        row would cost as much as a short row). The same numbers as kernel_matrix(X[idx], X)."""
        self.computed += len(idx)
        base = self._base
        if base is None:
            k = self._base_block(idx)
            if out is not None:
                out[...] = k
                k = out
        else:  # the base rows kept from an earlier width, the others computed (and kept)
            k = out if out is not None else np.empty((len(idx), len(self.X)))
            todo = []
            for r, t in enumerate(idx.tolist()):
                kept = base.get(t)
                if kept is None:
                    todo.append(r)
                    continue
                base.move_to_end(t)
                k[r] = kept
            self.base_reused += len(idx) - len(todo)
            if todo:
                k[todo] = self._base_block(idx[todo])
                for r in todo:
                    base[int(idx[r])] = k[r].copy()  # of_base works in place
                while len(base) > self.capacity:
                    base.popitem(last=False)
        k = self.spec.of_base(k, *self.args)
        if self.single and rounded:  # |K| is bounded below float32's largest: every value is finite
            _round_to_float32(k)
        if not self.single and not np.isfinite(k).all():
            self.overflowed = True
        return k

    def _curvature(self, idx: np.ndarray, k: np.ndarray) -> np.ndarray:
        """max(K_ii + K_jj − 2 K_ij, τ) for rows idx of K (``k``): computed when SMO asks for a row, not for
        the rows a warm start's K(α∘y) brings (most of which SMO never selects)."""
        curvature = self.diagonal[idx][:, None] + self.diagonal[None, :]  # this order: libsvm's rounding
        curvature -= 2.0 * k
        if not self.single and not np.isfinite(curvature).all():
            self.overflowed = True
        return np.maximum(curvature, self.tau, out=curvature)

    def times(self, u: np.ndarray) -> np.ndarray:
        """K @ u from the cached rows (K is symmetric: Σ_t u_t K[t]), computing and keeping the rows it lacks:
        after SMO the support vectors' rows are there, and a warm start's K(α∘y) is then a sum of rows, not
        nnz(u) · n kernel values again. A row SMO took is at its float32 precision, a row computed here at
        float64 until SMO asks for it; ``matvec`` if they cannot all be kept."""
        nz = np.flatnonzero(u)
        if len(nz) > self.capacity:
            return self.matvec(u)
        out = np.zeros(len(self.X))
        rows = self._rows
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            for s in range(0, len(nz), self.BLOCK):
                block = nz[s:s + self.BLOCK]
                missing = np.array([t for t in block.tolist() if t not in rows], dtype=np.intp)
                if len(missing):  # computed together: one pass of numpy calls for up to BLOCK rows
                    whole = len(missing) == self.BLOCK
                    # not rounded: K(α∘y) to float64, and a row SMO asks for is rounded then (``row``)
                    K = self._compute(missing, self._spare.pop() if whole and self._spare else None, rounded=False)
                    if whole and K.base is None:  # its own memory (a polynomial's power is a new array)
                        self._blocks.append(K)
                        if len(self._blocks) * self.BLOCK > 2 * self.capacity:
                            del self._blocks[0]  # rows dropped since: not handed over (held by its rows)
                    for r, t in enumerate(missing.tolist()):
                        rows[t] = (K[r], None)  # rounded, with its curvatures, when SMO asks (``row``)
                    while len(rows) > self.capacity:
                        rows.popitem(last=False)
                    if len(missing) == len(block):  # all new (a new width): the block is at hand
                        out += u[block] @ K
                        continue
                out += u[block] @ np.stack([self._touch(int(t)) for t in block])
        return out

    def _touch(self, i: int) -> np.ndarray:
        """K[i], now the most recently used row (computed again if the block's new rows pushed it out)."""
        got = self._rows.get(i)
        if got is None:
            return self.row(i)[0]
        self._rows.move_to_end(i)
        return got[0]

    def matvec(self, u: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """K[rows] @ u in float64 from the points, over the nonzero entries of u only (the support vectors),
        a block of rows at a time: O(len(rows) · nnz(u)) without the matrix."""
        idx = np.arange(len(self.X)) if rows is None else np.asarray(rows)
        nz = np.flatnonzero(u)
        out = np.zeros(len(idx))
        if not len(nz):
            return out
        Xs, us = self.X[nz], u[nz]
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            for s in range(0, len(idx), 1024):
                out[s:s + 1024] = kernel_matrix(self.X[idx[s:s + 1024]], Xs, self.spec.name, *self.args) @ us
        return out


def kernel_sum(Xq: np.ndarray, support_vectors: np.ndarray, dual_coef: np.ndarray, intercept: float,
               kernel: str, gamma: float = 1.0, degree: int = 3, coef0: float = 1.0,
               dtype: type = np.float64, chunk: int = 1024) -> np.ndarray:
    """f(x) = Σ_s dual_coef_s K(sv_s, x) + b for each row of Xq, in chunks of ~1000 rows: they stay in
    cache, which is 5-10x faster than one big block, and memory stays bounded."""
    Xq = np.asarray(Xq, dtype=np.float64)
    out: np.ndarray = np.empty(len(Xq), dtype=dtype)
    if len(support_vectors) == 0:
        out.fill(intercept)
        return out
    sv = np.asarray(support_vectors, dtype=np.float64)
    with np.errstate(under="ignore"):
        coef: np.ndarray = np.asarray(dual_coef, dtype=np.float64).astype(dtype)
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
