"""A small multilayer perceptron for 2-D classification, trained by hand-written backpropagation.

Layers l = 1..L with weights W_l of shape (n_in, n_out) and biases b_l:

    z_l = a_{l-1} W_l + b_l,   a_l = f(z_l) for hidden layers,   a_0 = the input features
    output: one sigmoid unit for two classes, a softmax over k units for k > 2 classes

Losses, averaged over the N samples of a batch (t = target, one-hot for k classes):

    mse    E = (1/N) Σ_n 1/2 Σ_k (t_k - a_k)²        (the seed's E = 1/2 (T - a)², per sample)
    xent   E = -(1/N) Σ_n Σ_k t_k log a_k           computed from the logits z_L: for a sigmoid
           log(1 + e^z) - t z = logaddexp(0, z) - t z, for softmax logsumexp(z) - z_t; finite at any logit
    l2     + (l2/2) Σ_l ‖W_l‖²                      (weights only, not biases)

Backpropagation, δ_l = ∂E/∂z_l:

    δ_L = (a - t)/N for xent (both outputs);  (a - t)·a(1 - a)/N for mse + sigmoid;
          a·(δ - Σ_k a_k δ_k)/N with δ = a - t for mse + softmax
    ∂E/∂W_l = a_{l-1}ᵀ δ_l + l2·W_l,   ∂E/∂b_l = Σ_n δ_l,   δ_{l-1} = (δ_l W_lᵀ) ⊙ f'(z_{l-1})

All parameters live in one flat float64 vector (weights first, then biases) and W_l, b_l are views of
it, so an optimizer updates everything with a handful of vector operations, and the hot loop writes into
preallocated buffers. Training stays in float64 (gradient checks, determinism); the pictures (decision map,
neuron maps) are evaluated in float32, where a 1e-7 relative error is invisible.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from gdplay.core.activations import get_activation, sigmoid, softmax
from gdplay.core.network.params import INITS, LOSSES
from gdplay.core.trainer import ValidationError

if TYPE_CHECKING:
    from gdplay.core.network.trainer import NetworkTrainer


# -- features and targets -----------------------------------------------------------------------------

def make_features(X: np.ndarray, features: Sequence[str] = ("x1", "x2"), dtype: Any = np.float64) -> np.ndarray:
    """The input columns the network sees, computed from the points (x1, x2). Shape (n, len(features))."""
    X = np.asarray(X)
    x1 = X[:, 0].astype(dtype, copy=False)
    x2 = X[:, 1].astype(dtype, copy=False)
    out = np.empty((len(X), len(features)), dtype=dtype)
    make = {
        "x1": lambda: x1, "x2": lambda: x2, "x1^2": lambda: x1 * x1, "x2^2": lambda: x2 * x2,
        "x1*x2": lambda: x1 * x2, "sin x1": lambda: np.sin(x1), "sin x2": lambda: np.sin(x2),
    }
    for j, name in enumerate(features):
        out[:, j] = make[name]()
    return out


def encode_targets(y_index: np.ndarray, n_classes: int) -> np.ndarray:
    """Targets for the output layer: (n, 1) of 0/1 for two classes, one-hot (n, k) for more."""
    y_index = np.asarray(y_index, dtype=np.intp)
    if n_classes == 2:
        return y_index.astype(np.float64)[:, None]
    T = np.zeros((len(y_index), n_classes))
    T[np.arange(len(y_index)), y_index] = 1.0
    return T


# -- the network ----------------------------------------------------------------------------------------

class Bound(NamedTuple):
    """A flat parameter (or gradient) vector and its per-layer views."""

    flat: np.ndarray
    W: list[np.ndarray]
    b: list[np.ndarray]


class Workspace:
    """Preallocated buffers for a forward + backward pass over ``n`` rows."""

    def __init__(self, n: int, sizes: tuple[int, ...], n_weights: int) -> None:
        self.n = n
        self.Z = [np.empty((n, s)) for s in sizes[1:]]  # pre-activations z_l (the last are the logits)
        self.A = [np.empty((n, s)) for s in sizes[1:-1]]  # hidden outputs a_l
        self.S = [np.empty((n, s)) for s in sizes[1:-1]]  # hidden slopes f'(z_l)
        self.D = [np.empty((n, s)) for s in sizes[1:]]  # δ_l = ∂E/∂z_l
        k = sizes[-1]
        self.o1 = np.empty((n, k))
        self.o2 = np.empty((n, k))
        self.col = np.empty((n, 1))
        self.col2 = np.empty((n, 1))
        self.wtmp = np.empty(n_weights)
        self.ones = np.ones(n)


class MLP:
    """The network's shape and maths, without state: parameters are passed in as flat vectors."""

    def __init__(self, layer_sizes: Sequence[int], activation: str = "tanh", loss: str = "xent",
                 l2: float = 0.0, leaky_slope: float = 0.01) -> None:
        sizes = tuple(int(s) for s in layer_sizes)
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValidationError(f"A network needs an input and an output layer of >= 1 unit; got {sizes}.")
        if loss not in LOSSES:
            raise ValidationError(f"The loss must be one of {', '.join(LOSSES)}; got {loss!r}.")
        self.layer_sizes = sizes
        self.n_layers = len(sizes) - 1  # weight layers
        self.activation = get_activation(activation)
        self.loss = loss
        self.l2 = float(l2)
        self.leaky_slope = float(leaky_slope)
        self.softmax_output = sizes[-1] > 1
        shapes = list(itertools.pairwise(sizes))
        w_sizes = [a * b for a, b in shapes]
        self.n_weights = sum(w_sizes)
        self.n_params = self.n_weights + sum(sizes[1:])
        w_off = np.concatenate([[0], np.cumsum(w_sizes)]).astype(int)
        b_off = self.n_weights + np.concatenate([[0], np.cumsum(sizes[1:])]).astype(int)
        self.weight_slices = [slice(int(w_off[i]), int(w_off[i + 1])) for i in range(self.n_layers)]
        self.bias_slices = [slice(int(b_off[i]), int(b_off[i + 1])) for i in range(self.n_layers)]
        self.weight_shapes = shapes
        self._work: dict[int, Workspace] = {}

    # -- parameters --------------------------------------------------------------------------------------
    def bind(self, flat: np.ndarray) -> Bound:
        """Views W_l (n_in, n_out) and b_l (n_out,) into a flat vector of length ``n_params``."""
        W = [flat[s].reshape(shape) for s, shape in zip(self.weight_slices, self.weight_shapes)]
        b = [flat[s] for s in self.bias_slices]
        return Bound(flat, W, b)

    def init_params(self, method: str, rng: np.random.Generator) -> np.ndarray:
        """Initial weights; biases start at 0.

        zeros    W = 0 (every unit of a layer stays identical: the symmetry never breaks)
        uniform  W ~ U(-0.5, 0.5), whatever the layer's size (the classic "small random numbers")
        xavier   W ~ U(-r, r), r = √(6 / (n_in + n_out))   (Glorot & Bengio 2010; for tanh, sigmoid)
        he       W ~ N(0, 2 / n_in)                          (He et al. 2015; for ReLU)
        """
        theta = np.zeros(self.n_params)
        p = self.bind(theta)
        for W, (n_in, n_out) in zip(p.W, self.weight_shapes):
            if method == "zeros":
                continue
            if method == "uniform":
                W[...] = rng.uniform(-0.5, 0.5, size=W.shape)
            elif method == "xavier":
                r = math.sqrt(6.0 / (n_in + n_out))
                W[...] = rng.uniform(-r, r, size=W.shape)
            elif method == "he":
                W[...] = rng.normal(0.0, math.sqrt(2.0 / n_in), size=W.shape)
            else:
                raise ValidationError(f"The init must be one of {', '.join(INITS)}; got {method!r}.")
        return theta

    def workspace(self, n: int) -> Workspace:
        work = self._work.get(n)
        if work is None:
            if len(self._work) > 8:  # batch sizes come and go with a slider; keep a few
                self._work.clear()
            work = self._work[n] = Workspace(n, self.layer_sizes, self.n_weights)
        return work

    # -- forward --------------------------------------------------------------------------------------
    def forward(self, p: Bound, X: np.ndarray) -> list[np.ndarray]:
        """[a_0 = X, a_1, ..., a_{L-1}, z_L]: hidden outputs and the output logits (allocates; any dtype)."""
        act, slope = self.activation, self.leaky_slope
        out = [X]
        a = X
        for i in range(self.n_layers):
            W, b = p.W[i], p.b[i]
            if W.dtype != X.dtype:
                W, b = W.astype(X.dtype), b.astype(X.dtype)
            z = a @ W
            z += b
            if i < self.n_layers - 1:
                act.forward(z, z, slope)
            out.append(z)
            a = z
        return out

    def output(self, z: np.ndarray) -> np.ndarray:
        """Output probabilities from logits: σ(z) for one unit, softmax(z) over the last axis for more."""
        return softmax(z, axis=-1) if self.softmax_output else sigmoid(z)

    def logits(self, p: Bound, X: np.ndarray) -> np.ndarray:
        return self.forward(p, X)[-1]

    def predict_proba(self, p: Bound, X: np.ndarray) -> np.ndarray:
        """(n, 1) P(second class) for two classes, (n, k) class probabilities for more."""
        return self.output(self.logits(p, X))

    def loss_from_logits(self, z: np.ndarray, T: np.ndarray) -> np.ndarray:
        """Mean data loss (no l2) over the rows of z (..., n, k); returns shape (...)."""
        n = z.shape[-2]
        if self.loss == "xent":
            if self.softmax_output:
                s = z - z.max(axis=-1, keepdims=True)
                lse = np.log(np.exp(s).sum(axis=-1, keepdims=True))
                per = lse - s  # -log softmax
                return (per * T).sum(axis=(-2, -1)) / n
            return (np.logaddexp(0.0, z) - T * z).sum(axis=(-2, -1)) / n
        d = self.output(z) - T
        return 0.5 * (d * d).sum(axis=(-2, -1)) / n

    def penalty(self, flat: np.ndarray) -> np.ndarray | float:
        """(l2/2) Σ‖W‖² for one flat vector (or each row of a stack of them)."""
        if self.l2 == 0.0:
            return 0.0 if flat.ndim == 1 else np.zeros(flat.shape[0])
        w = flat[..., : self.n_weights]
        return 0.5 * self.l2 * (w * w).sum(axis=-1)

    def loss_value(self, p: Bound, X: np.ndarray, T: np.ndarray) -> float:
        """E at the parameters p: data loss plus the l2 penalty."""
        return float(self.loss_from_logits(self.logits(p, X), T) + self.penalty(p.flat))

    def loss_values(self, thetas: np.ndarray, X: np.ndarray, T: np.ndarray) -> np.ndarray:
        """E for each row of ``thetas`` (G, n_params): the loss landscape. A plain loop of 2-D matmuls is
        2-3x faster here than numpy's stacked matmul over (G, n_in, n_out) for these small layers."""
        return np.array([self.loss_value(self.bind(th), X, T) for th in thetas], dtype=np.float64)

    # -- forward + backward (the hot loop) ---------------------------------------------------------------
    def loss_and_grad(self, p: Bound, X: np.ndarray, T: np.ndarray, g: Bound, work: Workspace | None = None
                      ) -> float:
        """E at p over the rows of X; writes ∂E/∂θ into g. No allocation once ``work`` exists."""
        if work is None:
            work = self.workspace(X.shape[0])
        act, slope, L = self.activation, self.leaky_slope, self.n_layers
        Z, A, S, D = work.Z, work.A, work.S, work.D
        a = X
        for i in range(L):
            np.matmul(a, p.W[i], out=Z[i])
            Z[i] += p.b[i]
            if i < L - 1:
                a = act.forward(Z[i], A[i], slope)
        loss = self._output_delta(Z[L - 1], T, D[L - 1], work)
        for i in range(L - 1, -1, -1):
            np.matmul((X if i == 0 else A[i - 1]).T, D[i], out=g.W[i])  # ∂E/∂W_l = a_{l-1}ᵀ δ_l
            np.matmul(work.ones, D[i], out=g.b[i])  # ∂E/∂b_l = Σ_n δ_l (1ᵀδ: much faster than sum(axis=0))
            if i > 0:
                np.matmul(D[i], p.W[i].T, out=D[i - 1])  # δ_{l-1} = (δ_l W_lᵀ) ⊙ f'(z_{l-1})
                act.slope(Z[i - 1], A[i - 1], S[i - 1], slope)
                D[i - 1] *= S[i - 1]
        if self.l2:
            w, gw = p.flat[: self.n_weights], g.flat[: self.n_weights]
            loss += 0.5 * self.l2 * float(np.dot(w, w))
            np.multiply(w, self.l2, out=work.wtmp)  # ∂/∂W (l2/2)‖W‖² = l2·W
            gw += work.wtmp
        return loss

    def _output_delta(self, z: np.ndarray, T: np.ndarray, delta: np.ndarray, work: Workspace) -> float:
        """Writes δ_L = ∂E/∂z_L into ``delta``; returns the mean data loss."""
        n = z.shape[0]
        o1, o2 = work.o1, work.o2
        if self.softmax_output:
            col, col2 = work.col, work.col2
            np.max(z, axis=1, keepdims=True, out=col)
            np.subtract(z, col, out=o1)  # s = z - max z
            np.exp(o1, out=o2)
            np.sum(o2, axis=1, keepdims=True, out=col2)
            o2 /= col2  # a = softmax(z)
            if self.loss == "xent":
                # E = mean(log Σ e^s - s_t);  δ = (a - t)/N
                loss = (float(np.log(col2).sum()) - float(np.vdot(T, o1))) / n
                np.subtract(o2, T, out=delta)
            else:
                np.subtract(o2, T, out=o1)  # δ = a - t
                loss = 0.5 * float(np.vdot(o1, o1)) / n
                np.multiply(o2, o1, out=delta)  # a ⊙ (δ - Σ_k a_k δ_k)
                np.sum(delta, axis=1, keepdims=True, out=col)
                o1 -= col
                np.multiply(o2, o1, out=delta)
        else:
            # σ(z) = (1 + tanh(z/2))/2: no overflow for any z
            np.multiply(z, 0.5, out=o2)
            np.tanh(o2, out=o2)
            o2 *= 0.5
            o2 += 0.5
            if self.loss == "xent":
                np.logaddexp(0.0, z, out=o1)  # E = mean(log(1 + e^z) - t z);  δ = (σ(z) - t)/N
                np.multiply(T, z, out=delta)
                o1 -= delta
                loss = float(o1.sum()) / n
                np.subtract(o2, T, out=delta)
            else:
                np.subtract(o2, T, out=o1)  # E = mean(1/2 (a - t)²);  δ = (a - t) a (1 - a)/N
                loss = 0.5 * float(np.vdot(o1, o1)) / n
                np.multiply(o1, o2, out=delta)
                np.subtract(1.0, o2, out=o2)
                delta *= o2
        delta *= 1.0 / n
        return loss

    def gradient(self, theta: np.ndarray, X: np.ndarray, T: np.ndarray) -> tuple[float, np.ndarray]:
        """(E, ∂E/∂θ) at a flat parameter vector (allocates the gradient)."""
        grad = np.empty(self.n_params)
        X = np.ascontiguousarray(X, dtype=np.float64)
        T = np.ascontiguousarray(T, dtype=np.float64)
        loss = self.loss_and_grad(self.bind(theta), X, T, self.bind(grad), self.workspace(X.shape[0]))
        return loss, grad


def gradient_check(model: MLP | NetworkTrainer, X: np.ndarray | None = None, T: np.ndarray | None = None,
                   eps: float = 1e-5, theta: np.ndarray | None = None, atol: float = 1e-6,
                   indices: Sequence[int] | np.ndarray | None = None) -> float:
    """The largest relative error |g - ĝ| / max(|g| + |ĝ|, atol) between backprop's g and the central
    difference ĝ_i = (E(θ + ε e_i) - E(θ - ε e_i)) / 2ε, over every parameter (or those in ``indices``).

    ``model`` is an MLP (then give ``theta``, ``X`` = the feature matrix and ``T`` = the targets) or a
    NetworkTrainer (its current weights and training rows unless given). ``atol`` keeps gradients that
    are 0 up to rounding (~1e-10) from counting as large relative errors.
    """
    if not isinstance(model, MLP):  # a NetworkTrainer
        if model.net_ is None:
            raise ValidationError(f"The trainer has nothing to check: {model.message}")
        net = model.net_
        theta = model.theta_ if theta is None else theta
        X = model._Ftr if X is None else X
        T = model._Ttr if T is None else T
    else:
        net = model
        if theta is None or X is None or T is None:
            raise ValidationError("gradient_check on an MLP needs theta, X and T.")
    theta = np.array(theta, dtype=np.float64)
    X = np.ascontiguousarray(X, dtype=np.float64)
    T = np.ascontiguousarray(T, dtype=np.float64)
    _, analytic = net.gradient(theta, X, T)
    which = np.arange(net.n_params) if indices is None else np.asarray(indices, dtype=np.intp)
    analytic = analytic[which]
    numeric = np.empty_like(analytic)
    for k, i in enumerate(which):
        old = theta[i]
        theta[i] = old + eps
        up = net.loss_value(net.bind(theta), X, T)
        theta[i] = old - eps
        down = net.loss_value(net.bind(theta), X, T)
        theta[i] = old
        numeric[k] = (up - down) / (2 * eps)
    err = np.abs(analytic - numeric) / np.maximum(np.abs(analytic) + np.abs(numeric), atol)
    return float(err.max())



def backward_gain_bounds(coefs: Sequence[np.ndarray], activation: str) -> tuple[float, ...]:
    """How much a gradient can grow at most on each backward step between hidden layers. Backprop carries
    δ_(l−1) = f'(z_(l−1)) ∘ (W_l δ_l), so ‖δ_(l−1)‖ <= max f' · ‖W_l‖₂ · ‖δ_l‖ for each weight layer W_l
    after the first (``coefs[1:]``, spectral norms). The sigmoid's slope is at most 1/4, so its factor is at
    most ‖W_l‖/4: below 1 unless the weights are large (not 1/4 itself); ReLU's is ‖W_l‖."""
    slope = {"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0, "linear": 1.0}.get(activation, math.nan)
    out = []
    for W in coefs[1:]:
        W = np.asarray(W, dtype=np.float64)
        norm = float(np.linalg.norm(W, 2)) if W.size and np.isfinite(W).all() else math.nan
        out.append(slope * norm)
    return tuple(out)

