"""Polynomial least squares from sufficient statistics, accurate far from the origin.

Every model here is linear in its parameters θ: slope y = w·x, line y = m·x + b, polynomial
y = c_d x^d + ... + c_0. All sums are taken in a local variable u = (x - x_ref)/s_ref, centred near
the data and scaled to their spread, and y is shifted by y_ref; so coordinates of 1e9 do not cancel away
the answer. With φ(u) = (1, u, ..., u^D), a model's parameters map into that basis by a matrix T:
the fitted curve is y_ref + φ(u)·β̃ with β̃ = T θ - y_ref e₀, and

    E(θ) = β̃ᵀ G β̃ - 2 β̃ᵀ h + c,   G = mean φφᵀ,   h = mean φ ỹ,   c = mean ỹ²,   ỹ = y - y_ref
    ∇E(θ) = 2 Tᵀ (G β̃ - h),          ∇²E = 2 Tᵀ G T

(mean squared error; the sum of squared errors is N times each). Adding or deleting a point changes the
sums in O(D), not by a rescan.

Feature scaling optimises in z = (x - a)/s instead of x (a = mean and s = std for line and polynomial;
a = 0 and s = rms for the slope model, which has no intercept to absorb a shift). ``Basis`` holds T for
the optimisation variable and the map R from it back to coefficients in raw units.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from math import comb

import numpy as np

from gdplay.core.trainer import ValidationError

MODELS = ("slope", "line", "poly", "sine")  # sine: y = sin(w·x), not least squares (regression/sine.py)
MAX_DEGREE = 6


def exponents(model: str, degree: int = 2) -> tuple[int, ...]:
    """The powers of x a model's parameters multiply, in the order the parameters are listed."""
    if model in ("slope", "sine"):
        return (1,)
    if model == "line":
        return (1, 0)
    if model == "poly":
        if not 2 <= int(degree) <= MAX_DEGREE:
            raise ValidationError(f"The polynomial degree must be 2 to {MAX_DEGREE}; got {degree!r}.")
        return tuple(range(int(degree), -1, -1))
    raise ValidationError(f"The model must be one of {', '.join(MODELS)}; got {model!r}.")


def parameter_names(model: str, degree: int = 2) -> tuple[str, ...]:
    if model in ("slope", "sine"):
        return ("w",)
    if model == "line":
        return ("m", "b")
    return tuple(f"c{e}" for e in exponents(model, degree))


def check_points(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1:
        raise ValidationError(f"x and y must be 1-D arrays of one length; got shapes {x.shape} and {y.shape}.")
    bad = ~(np.isfinite(x) & np.isfinite(y))
    if bad.any():
        i = int(np.argmax(bad))
        raise ValidationError(f"Point {i + 1} is ({x[i]}, {y[i]}); every coordinate must be a finite number.")
    return x, y


class PowerSums:
    """Sums of u^k (k ≤ 2D), u^k·ỹ (k ≤ D) and ỹ² about a reference point; O(D) per added or removed point.

    The reference (x_ref, s_ref, y_ref) is the data's mean and spread when the sums are (re)built, so u
    stays of order one; ``drifted()`` says when edits have moved the data far enough to rebuild.
    """

    def __init__(self, degree: int = MAX_DEGREE) -> None:
        self.degree = degree
        self.x_ref, self.s_ref, self.y_ref = 0.0, 1.0, 0.0
        self.n = 0
        self.su = np.zeros(2 * degree + 1)  # Σ u^k
        self.suy = np.zeros(degree + 1)  # Σ u^k ỹ
        self.syy = 0.0  # Σ ỹ²

    @classmethod
    def from_points(cls, x: np.ndarray, y: np.ndarray, degree: int = MAX_DEGREE) -> PowerSums:
        ps = cls(degree)
        ps.rebuild(x, y)
        return ps

    def rebuild(self, x: np.ndarray, y: np.ndarray) -> None:
        x, y = check_points(x, y)
        n = len(x)
        if n:
            self.x_ref, self.y_ref = float(x.mean()), float(y.mean())
            spread = float(x.std()) if np.ptp(x) > 0 else 0.0  # std of equal floats can be 2e-16
            # a spread whose square underflows is no spread: fall back to 1 so u stays finite
            self.s_ref = spread if spread > 0 and spread * spread > 0 else 1.0
        else:
            self.x_ref, self.s_ref, self.y_ref = 0.0, 1.0, 0.0
        u = (x - self.x_ref) / self.s_ref
        yt = y - self.y_ref
        powers = np.vander(u, 2 * self.degree + 1, increasing=True) if n else np.zeros((0, 2 * self.degree + 1))
        self.n = n
        self.su = powers.sum(axis=0)
        self.suy = powers[:, : self.degree + 1].T @ yt if n else np.zeros(self.degree + 1)
        self.syy = float(yt @ yt)

    def _point(self, x: float, y: float) -> tuple[np.ndarray, float]:
        u = (x - self.x_ref) / self.s_ref
        return u ** np.arange(2 * self.degree + 1), y - self.y_ref

    def add(self, x: float, y: float) -> None:
        p, yt = self._point(x, y)
        self.n += 1
        self.su += p
        self.suy += p[: self.degree + 1] * yt
        self.syy += yt * yt

    def remove(self, x: float, y: float) -> None:
        p, yt = self._point(x, y)
        self.n -= 1
        self.su -= p
        self.suy -= p[: self.degree + 1] * yt
        self.syy -= yt * yt

    def drifted(self) -> bool:
        """True when the mean has moved more than a few spreads from the reference (sums lose digits)."""
        if self.n == 0:
            return False
        mean_u = self.su[1] / self.n
        var_u = self.su[2] / self.n - mean_u * mean_u
        return abs(mean_u) > 4 or not 1e-4 < var_u < 1e4

    def moments(self, d: int) -> tuple[np.ndarray, np.ndarray, float]:
        """(G, h, c) for a basis of degree d: G[i, j] = mean u^(i+j), h[j] = mean u^j ỹ, c = mean ỹ²."""
        n = max(self.n, 1)
        idx = np.arange(d + 1)
        return self.su[idx[:, None] + idx[None, :]] / n, self.suy[: d + 1] / n, self.syy / n


@dataclass(frozen=True)
class Basis:
    """How a model's parameter vector maps into the u-basis of PowerSums (T) and to raw units (R)."""

    model: str
    degree: int
    exps: tuple[int, ...]
    scaled: bool
    shift: float  # a: z = (x - a)/s
    scale: float  # s
    T: np.ndarray  # (D+1, p): β = T θ
    R: np.ndarray  # (p, p): raw coefficients = R θ

    @property
    def D(self) -> int:
        return self.T.shape[0] - 1


def scaling_for(model: str, x: np.ndarray) -> tuple[float, float]:
    """(a, s) of feature scaling for this model and data; (0, 1) when the data cannot be scaled."""
    if len(x) == 0 or model == "sine":  # sin(w·x): scaling x only rescales w, the bumps stay
        return 0.0, 1.0
    if model == "slope":
        s = float(np.sqrt(np.mean(x * x)))
        return 0.0, (s if s > 0 else 1.0)
    s = float(x.std()) if np.ptp(x) > 0 else 0.0
    return float(x.mean()), (s if s > 0 and s * s > 0 else 1.0)


def make_basis(model: str, degree: int, sums: PowerSums, scaled: bool = False,
               scaling: tuple[float, float] = (0.0, 1.0)) -> Basis:
    exps = exponents(model, degree)
    a, s = scaling if scaled else (0.0, 1.0)
    D = max(exps)
    # z = (x - a)/s = alpha + gamma·u with x = x_ref + s_ref·u
    alpha = (sums.x_ref - a) / s
    gamma = sums.s_ref / s
    T = np.zeros((D + 1, len(exps)))
    R = np.zeros((len(exps), len(exps)))
    pos = {e: i for i, e in enumerate(exps)}
    for k, e in enumerate(exps):
        for j in range(e + 1):
            # (alpha + gamma u)^e = Σ_j C(e, j) alpha^(e-j) gamma^j u^j
            T[j, k] = comb(e, j) * alpha ** (e - j) * gamma**j
            # ((x - a)/s)^e = Σ_j C(e, j) (-a)^(e-j) s^(-e) x^j
            if j in pos:
                R[pos[j], k] = comb(e, j) * (-a) ** (e - j) / s**e
    return Basis(model, int(degree), exps, scaled, a, s, T, R)


class Quadratic:
    """The cost E(θ) of one model on one data set, with its gradient, Hessian and minimiser."""

    def __init__(self, sums: PowerSums, basis: Basis, sse: bool = False) -> None:
        self.sums, self.basis = sums, basis
        self.n = sums.n
        self.factor = float(sums.n) if sse else 1.0
        G, h, c = sums.moments(basis.D)
        self.G, self.h, self.c = G, h, c
        T = basis.T
        self.T = T
        self.e0 = np.zeros(basis.D + 1)
        self.e0[0] = sums.y_ref
        self.H = 2.0 * self.factor * (T.T @ G @ T)  # constant Hessian

    def residual_coef(self, theta: np.ndarray) -> np.ndarray:
        return self.T @ theta - self.e0

    def cost(self, theta: np.ndarray) -> float:
        b = self.residual_coef(theta)
        return max(float(b @ self.G @ b - 2.0 * b @ self.h + self.c), 0.0) * self.factor

    def gradient(self, theta: np.ndarray) -> np.ndarray:
        b = self.residual_coef(theta)
        return 2.0 * self.factor * (self.T.T @ (self.G @ b - self.h))

    def cost_grid(self, theta: np.ndarray, i: int, j: int, vi: np.ndarray, vj: np.ndarray) -> np.ndarray:
        """E over a grid where θ_i = vi[col] and θ_j = vj[row], the other parameters as in ``theta``."""
        # β̃ without parameters i and j, summed directly: subtracting them from Tθ would cancel away every
        # digit when θ is huge (a diverged run sits at ~1e150)
        others = np.ones(len(theta), dtype=bool)
        others[[i, j]] = False
        base = self.T[:, others] @ theta[others] - self.e0
        # β̃(row, col) = base + T_i vi + T_j vj; E = β̃ᵀGβ̃ - 2β̃ᵀh + c, expanded so it broadcasts
        Ti, Tj = self.T[:, i], self.T[:, j]
        G, h = self.G, self.h
        const = base @ G @ base - 2 * base @ h + self.c
        li = 2 * (Ti @ G @ base - Ti @ h)
        lj = 2 * (Tj @ G @ base - Tj @ h)
        qii, qjj, qij = Ti @ G @ Ti, Tj @ G @ Tj, 2 * Ti @ G @ Tj
        a, b = vi[None, :], vj[:, None]
        z = const + li * a + lj * b + qii * a * a + qjj * b * b + qij * a * b
        return np.maximum(z, 0.0) * self.factor

    def minimizer(self) -> tuple[np.ndarray, bool]:
        """The least-squares θ and whether it is unique (when not: the solution of least norm in u).

        Solved in the u-basis, where G is well conditioned, then mapped back through T: raw normal
        equations at x ~ 1e9 have a condition number near 1e36 and lose every digit."""
        p = self.T.shape[1]
        if self.n == 0:
            return np.zeros(p), False
        G, h, T = self.G, self.h, self.T
        if T.shape[0] == T.shape[1]:
            w, V = np.linalg.eigh(G)
            keep = w > max(w.max(), 0.0) * 1e-12 * len(w)
            beta = V[:, keep] @ ((V[:, keep].T @ h) / w[keep])  # β̃* = G⁺ h
            return np.linalg.solve(T, beta + self.e0), bool(keep.all())
        # fewer parameters than basis functions (the slope model): TᵀGT θ = Tᵀ(G e₀ + h)
        A = T.T @ G @ T
        rhs = T.T @ (G @ self.e0 + h)
        if not np.all(np.diag(A) > 0):
            return np.zeros(p), False
        return np.linalg.solve(A, rhs), True

    def eigenvalues(self) -> np.ndarray:
        return np.clip(np.linalg.eigvalsh(self.H), 0.0, None)


@dataclass(frozen=True)
class Curvature:
    """What the Hessian says about step sizes: constant-step GD diverges past ``lr_edge`` = 2/λ_max and is
    fastest at ``lr_best`` = 2/(λ_min + λ_max); ``condition`` = λ_max/λ_min is how long the valley is."""

    lambda_min: float
    lambda_max: float
    lr_edge: float
    lr_best: float
    condition: float


def curvature_of(q: Quadratic) -> Curvature | None:
    if q.n == 0:
        return None
    ev = q.eigenvalues()
    lo, hi = float(ev.min()), float(ev.max())
    if not hi > 0:
        return None
    return Curvature(lo, hi, 2.0 / hi, 2.0 / (lo + hi), hi / lo if lo > 0 else math.inf)
