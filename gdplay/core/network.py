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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np

from gdplay.core.activations import (
    ACTIVATIONS,
    HIDDEN_ACTIVATIONS,
    get_activation,
    sigmoid,
    softmax,
)
from gdplay.core.history import History
from gdplay.core.optimizers import OPTIMIZERS, Optimizer, make_optimizer
from gdplay.core.state import (
    StateError,
    decode_array,
    decode_history,
    decode_rng,
    encode_array,
    encode_history,
    encode_rng,
    field,
)
from gdplay.core.trainer import Snapshot, Status, ValidationError, diverged_message, frozen

LOSSES: tuple[str, ...] = ("mse", "xent")
INITS: tuple[str, ...] = ("zeros", "uniform", "xavier", "he")
FEATURES: tuple[str, ...] = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin x1", "sin x2")
MAX_HIDDEN_LAYERS = 6
MAX_UNITS = 32
STATE_FORMAT = 1  # export_state's layout; import_state reads only this one

# A sigmoid/tanh unit counts as saturated when its slope f'(z) is under 10% of the function's largest
# slope: σ' < 0.025 (σ < 0.026 or > 0.974, |z| > 3.6) and tanh' < 0.1 (|tanh| > 0.949, |z| > 1.8).
SATURATION_FRACTION = 0.1
_MAX_SLOPE = {"sigmoid": 0.25, "tanh": 1.0}


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
                   eps: float = 1e-5, theta: np.ndarray | None = None, atol: float = 1e-6) -> float:
    """The largest relative error |g - ĝ| / max(|g| + |ĝ|, atol) between backprop's g and the central
    difference ĝ_i = (E(θ + ε e_i) - E(θ - ε e_i)) / 2ε, over every parameter.

    ``model`` is an MLP (then give ``theta``, ``X`` = the feature matrix and ``T`` = the targets) or a
    NetworkTrainer (its current weights and training rows unless given). ``atol`` keeps gradients that
    are 0 up to rounding (~1e-10) from counting as large relative errors.
    """
    if isinstance(model, NetworkTrainer):
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
    numeric = np.empty_like(analytic)
    for i in range(net.n_params):
        old = theta[i]
        theta[i] = old + eps
        up = net.loss_value(net.bind(theta), X, T)
        theta[i] = old - eps
        down = net.loss_value(net.bind(theta), X, T)
        theta[i] = old
        numeric[i] = (up - down) / (2 * eps)
    err = np.abs(analytic - numeric) / np.maximum(np.abs(analytic) + np.abs(numeric), atol)
    return float(err.max())


# -- parameters ---------------------------------------------------------------------------------------------

def _is_int(v: Any) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def _is_real(v: Any) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) and math.isfinite(v)


@dataclass(frozen=True)
class NetworkParams:
    """Hyperparameters of a network run.

    Live (the weights are kept): ``learning_rate``, ``l2``, ``batch_size``, ``optimizer`` and its
    ``momentum``/``beta1``/``beta2``/``epsilon`` (a new optimizer starts with fresh state), ``max_steps``.
    Structural (the run restarts from new weights): ``hidden``, ``activation``, ``leaky_slope``, ``loss``,
    ``init``, ``seed``, ``features``.

    ``batch_size`` 0 is full batch; b >= 1 takes batches of b rows from an order shuffled every epoch
    (1 is stochastic gradient descent). ``momentum``, ``beta1``, ``beta2``, ``epsilon`` of None take the
    optimizer's defaults (RMSProp's decay beta2 = 0.9, Adam's 0.999).
    """

    hidden: tuple[int, ...] = (4,)
    activation: str = "tanh"
    leaky_slope: float = 0.01
    loss: str = "xent"
    init: str = "xavier"
    seed: int = 0
    optimizer: str = "gd"
    learning_rate: float = 0.1
    momentum: float | None = None
    beta1: float | None = None
    beta2: float | None = None
    epsilon: float | None = None
    batch_size: int = 0
    l2: float = 0.0
    features: tuple[str, ...] = ("x1", "x2")
    max_steps: int = 100_000

    STRUCTURAL = ("hidden", "activation", "leaky_slope", "loss", "init", "seed", "features")

    def optimizer_hyperparameters(self) -> dict[str, float]:
        return {k: v for k in ("momentum", "beta1", "beta2", "epsilon") if (v := getattr(self, k)) is not None}

    def validate(self) -> NetworkParams:
        h = self.hidden
        if not isinstance(h, (tuple, list)) or not all(_is_int(w) for w in h):
            raise ValidationError(f"The hidden layers must be a tuple of unit counts; got {h!r}.")
        if len(h) > MAX_HIDDEN_LAYERS:
            raise ValidationError(
                f"The number of hidden layers must be between 0 and {MAX_HIDDEN_LAYERS}; got {len(h)}.")
        if any(not 1 <= w <= MAX_UNITS for w in h):
            raise ValidationError(f"Each hidden layer must have between 1 and {MAX_UNITS} units; got {tuple(h)}.")
        if self.activation not in HIDDEN_ACTIVATIONS:
            raise ValidationError(
                f"The activation must be one of {', '.join(HIDDEN_ACTIVATIONS)}; got {self.activation!r}.")
        if not _is_real(self.leaky_slope) or not 0.0 <= self.leaky_slope < 1.0:
            raise ValidationError(f"The leaky ReLU slope must be in [0, 1); got {self.leaky_slope!r}.")
        if self.loss not in LOSSES:
            raise ValidationError(f"The loss must be one of {', '.join(LOSSES)}; got {self.loss!r}.")
        if self.init not in INITS:
            raise ValidationError(f"The init must be one of {', '.join(INITS)}; got {self.init!r}.")
        if not _is_int(self.seed) or self.seed < 0:
            raise ValidationError(f"The seed must be an integer >= 0; got {self.seed!r}.")
        if self.optimizer not in OPTIMIZERS:
            raise ValidationError(f"The optimizer must be one of {', '.join(OPTIMIZERS)}; got {self.optimizer!r}.")
        make_optimizer(self.optimizer, self.learning_rate, **self.optimizer_hyperparameters())  # checks ranges
        if not _is_int(self.batch_size) or self.batch_size < 0:
            raise ValidationError(
                f"The batch size must be an integer >= 0 (0 = full batch); got {self.batch_size!r}.")
        if not _is_real(self.l2) or self.l2 < 0:
            raise ValidationError(f"The l2 penalty must be a finite number >= 0; got {self.l2!r}.")
        f = self.features
        if not isinstance(f, (tuple, list)) or not f:
            raise ValidationError(f"Pick at least one input feature from {', '.join(FEATURES)}; got {f!r}.")
        bad = [x for x in f if x not in FEATURES]
        if bad:
            raise ValidationError(f"Unknown feature {bad[0]!r}; the features are {', '.join(FEATURES)}.")
        if len(set(f)) != len(f):
            raise ValidationError(f"Each feature may appear once; got {tuple(f)}.")
        if not _is_int(self.max_steps) or self.max_steps < 1:
            raise ValidationError(f"The step limit must be an integer >= 1; got {self.max_steps!r}.")
        return self

    def structural_change(self, other: NetworkParams) -> bool:
        return any(getattr(self, k) != getattr(other, k) for k in self.STRUCTURAL)


# -- what the window shows ------------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class NetworkSnapshot(Snapshot):
    """A run at one moment. ``cost`` is the training loss at the current weights (full training set).
    Arrays are read-only copies; layer indices in names and messages count weight layers from 1."""

    learning_rate: float
    loss_name: str
    activation: str
    optimizer: str
    layer_sizes: tuple[int, ...]  # (n_features, *hidden, n_outputs); () when there is no network
    classes: tuple[int, ...]
    features: tuple[str, ...]
    coefs: tuple[np.ndarray, ...]  # W_l, shape (n_in, n_out)
    intercepts: tuple[np.ndarray, ...]  # b_l, shape (n_out,)
    train_loss: float
    test_loss: float  # nan without test rows
    train_accuracy: float
    test_accuracy: float
    grad_norms: tuple[float, ...]  # ‖∂E/∂W_l‖ over the whole training set, per weight layer
    flat_fractions: tuple[float, ...]  # per hidden layer: saturated (sigmoid/tanh) or dead (ReLU) share
    flat_kind: str  # "saturated" | "dead" | "zero-slope" (binary step) | "none" (linear)
    zero_gradient: bool  # some weight layer gets exactly zero gradient
    zero_gradient_layers: tuple[int, ...]
    loss_history: np.ndarray  # rows (step, batch loss): every step (thinned when long)
    metrics: np.ndarray  # rows (step, train_loss, test_loss, train_accuracy, test_accuracy)
    layer_stats: np.ndarray  # rows (step, *layer_stat_fields)
    layer_stat_fields: tuple[str, ...]  # grad_norm_1..L, then flat_1..L-1 (batch values)
    epoch: int
    batch_size: int  # rows per step actually used
    n_train: int
    n_test: int
    data_version: int


class GradientFlowReference(NamedTuple):
    """Another run's ‖∂E/∂W_l‖ per layer: rows (step, layer 1, ..., output layer)."""

    activation: str
    init: str
    rows: np.ndarray
    steps: int
    message: str = ""  # why it stopped early (a diverged run), else ""


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


@dataclass(frozen=True)
class DecisionMap:
    """Predictions on a grid; ``[i, j]`` is at y = y_values[i], x = x_values[j] (row-major, row = y).

    ``probability``: P(classes[1]) for two classes, the winning class's probability for more.
    ``label``: the index into ``classes`` of the predicted class."""

    x_range: tuple[float, float]
    y_range: tuple[float, float]
    probability: np.ndarray
    label: np.ndarray
    classes: tuple[int, ...]


@dataclass(frozen=True)
class NeuronMaps:
    """Every unit's output over the plane, for the network diagram: ``layers[l]`` has shape
    (units, size, size), hidden layers first, the output probabilities last; ``levels[l]`` is a (lo, hi)
    colour range for each (the activation's range, or the data's for unbounded ones)."""

    x_range: tuple[float, float]
    y_range: tuple[float, float]
    layers: tuple[np.ndarray, ...]
    levels: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class LossLandscape:
    """E on the plane θ + α·d1 + β·d2 through the current weights: ``loss[i, j]`` at β = betas[i],
    α = alphas[j]. ``path`` is the recorded trajectory projected onto the plane (least squares), with
    ``path_loss`` the true loss at those weights (off the plane it can differ from the surface)."""

    method: str  # "random" (filter-normalised, Li et al. 2018) or "pca" (of the trajectory)
    alphas: np.ndarray
    betas: np.ndarray
    loss: np.ndarray
    path: np.ndarray  # (m, 2)
    path_steps: np.ndarray  # (m,)
    path_loss: np.ndarray  # (m,)
    explained: tuple[float, float]  # PCA: share of the trajectory's variance along d1, d2; nan for random
    message: str = ""
    step: int = -1  # the training step of the weights it was computed at


@dataclass(frozen=True)
class GradientCheck:
    """The largest relative error between backprop's gradient and central differences (``gradient_check``)
    over ``n_params`` parameters, at step ``step``."""

    max_relative_error: float
    n_params: int
    step: int
    eps: float


class _Trajectory:
    """Flat parameter vectors at recorded steps, thinned like History (every 2nd row when full). ``index``
    counts records (step // eval_every), so thinning works whatever the spacing of the steps."""

    def __init__(self, n_params: int, capacity: int = 256) -> None:
        self.capacity = capacity
        self.index = np.empty(capacity, dtype=np.int64)
        self.steps = np.empty(capacity, dtype=np.int64)
        self.thetas = np.empty((capacity, n_params))
        self.n = 0
        self.stride = 1

    def append(self, index: int, step: int, theta: np.ndarray) -> None:
        if index % self.stride:
            return
        if self.n == self.capacity:
            self.stride *= 2
            keep = np.flatnonzero(self.index[: self.n] % self.stride == 0)
            self.n = len(keep)
            self.index[: self.n] = self.index[keep]
            self.steps[: self.n] = self.steps[keep]
            self.thetas[: self.n] = self.thetas[keep]
            if index % self.stride:
                return
        self.index[self.n] = index
        self.steps[self.n] = step
        self.thetas[self.n] = theta
        self.n += 1

    def encode(self) -> dict[str, Any]:
        n = self.n
        return {"stride": self.stride, "index": encode_array(self.index[:n]), "steps": encode_array(self.steps[:n]),
                "thetas": encode_array(self.thetas[:n])}

    @classmethod
    def decode(cls, obj: Any, what: str, n_params: int, eval_every: int) -> _Trajectory:
        """The trajectory ``encode`` saved, checked against the network's size and the trainer's spacing."""
        out = cls(n_params)
        stride = field(obj, "stride", what, int)
        index = decode_array(field(obj, "index", what, Mapping), f"{what} index", "int64", ndim=1)
        n = len(index)
        steps = decode_array(field(obj, "steps", what, Mapping), f"{what} steps", "int64", shape=(n,))
        # not finite-checked: a diverging run may have recorded blown-up weights (loss_landscape drops them)
        thetas = decode_array(field(obj, "thetas", what, Mapping), f"{what} weights", shape=(n, n_params))
        if stride < 1 or stride & (stride - 1):
            raise StateError(f"{what}: 'stride' is {stride}; expected a power of two.")
        if n > out.capacity:
            raise StateError(f"{what} has {n} rows; it can hold at most {out.capacity}.")
        if not ((index >= 0).all() and (index % stride == 0).all() and (np.diff(index) > 0).all()
                and (steps == index * eval_every).all()):
            raise StateError(f"{what} has bad steps: they must be increasing multiples of {eval_every * stride}.")
        out.index[:n], out.steps[:n], out.thetas[:n] = index, steps, thetas
        out.n, out.stride = n, stride
        return out


# -- saved states: checks shared by both trainers ---------------------------------------------------------

def _check_kind(state: Any, kind: str, what: str) -> None:
    saved = field(state, "kind", what, str)
    if saved != kind:
        raise StateError(f"{what} is a saved {saved!r} state, not a {kind!r} one.")
    fmt = field(state, "format", what, int)
    if fmt != STATE_FORMAT:
        raise StateError(f"{what} has format {fmt}; this version of gdplay reads format {STATE_FORMAT}.")


def _count(obj: Any, key: str, what: str) -> int:
    value = field(obj, key, what, int)
    if value < 0:
        raise StateError(f"{what}: {key!r} is {value}; expected a whole number >= 0.")
    return value


def _status(obj: Any, what: str) -> Status:
    """A trainer that has something to restore can be anything but INVALID (that comes from the data)."""
    value = field(obj, "status", what, str)
    allowed = [s.value for s in Status if s is not Status.INVALID]
    if value not in allowed:
        raise StateError(f"{what}: 'status' is {value!r}; expected one of {', '.join(allowed)}.")
    return Status(value)


def _items(obj: Any, key: str, what: str, n: int) -> list[Any]:
    items = field(obj, key, what, list)
    if len(items) != n:
        raise StateError(f"{what} has {len(items)} {key}; expected {n}.")
    return items


# -- the trainer ----------------------------------------------------------------------------------------------

class NetworkTrainer:
    """Trains an MLP on 2-D points with one optimizer update per ``step`` (one batch).

    Learned state: ``coefs_`` / ``intercepts_`` (views of the flat ``theta_``), ``n_iter_``, ``classes_``.
    Histories: ``loss_history_`` (batch loss every step), ``metrics_`` (train/test loss and accuracy every
    ``eval_every`` steps), ``layer_stats_`` (per-layer gradient norm and saturated/dead share, same steps).
    """

    MAP_CHUNK = 8192  # grid rows per forward pass in decision_map

    def __init__(self, params: NetworkParams | None = None, history_capacity: int = 4096,
                 eval_every: int = 10) -> None:
        self.params = (params or NetworkParams()).validate()
        self.params_version = 0
        self.data_version = 0
        self.history_capacity = history_capacity
        self.eval_every = int(eval_every)
        self._X = np.empty((0, 2))
        self._labels = np.empty(0, dtype=np.int64)
        self._test_mask = np.zeros(0, dtype=bool)
        self._grid_cache: dict[tuple, np.ndarray] = {}
        self.reset()

    # -- data and params -----------------------------------------------------------------------------------
    def set_data(self, X: np.ndarray, labels: np.ndarray, version: int = 0,
                 test_mask: np.ndarray | None = None) -> None:
        """New points (n, 2) with integer labels; rows where ``test_mask`` is True are held out."""
        X = np.asarray(X, dtype=np.float64)
        labels = np.asarray(labels)
        if X.ndim != 2 or X.shape[1] != 2 or (len(X) == 0 and X.size):
            raise ValidationError(f"X must have shape (n, 2); got {X.shape}.")
        if labels.shape != (len(X),):
            raise ValidationError(f"labels must have shape ({len(X)},) to match X; got {labels.shape}.")
        if len(X) and not np.isfinite(X).all():
            raise ValidationError("The points contain NaN or infinity; every coordinate must be a finite number.")
        if labels.dtype.kind == "f":
            bad = labels[~np.isfinite(labels) | (np.mod(labels, 1) != 0)] if labels.size else labels
            if bad.size:
                raise ValidationError(f"Labels must be integers; got {float(bad[0])!r}.")
        elif labels.dtype.kind not in "iub":
            raise ValidationError(f"Labels must be integers; got an array of {labels.dtype}.")
        mask = np.zeros(len(X), dtype=bool) if test_mask is None else np.asarray(test_mask, dtype=bool)
        if mask.shape != (len(X),):
            raise ValidationError(f"test_mask must have shape ({len(X)},); got {mask.shape}.")
        self._X, self._labels, self._test_mask = X.copy(), labels.astype(np.int64), mask.copy()
        self.data_version = version
        self.reset()

    def set_params(self, params: NetworkParams, version: int = 0) -> None:
        params = params.validate()
        old, self.params = self.params, params
        self.params_version = version
        if params.structural_change(old) or self.net_ is None:
            self.reset()
            return
        self.net_.l2 = float(params.l2)
        opt = self.optimizer_
        if params.optimizer != old.optimizer:
            self.optimizer_ = self._make_optimizer()  # keep the weights, start the new rule's state afresh
        else:
            for k, v in self._make_optimizer().hyperparameters().items():
                setattr(opt, k, v)  # learning rate and the rule's hyperparameters, state kept
        if params.batch_size != old.batch_size:
            self._order, self._pos = None, 0
        if self.status is Status.MAX_STEPS and self.n_iter_ < params.max_steps:
            self.status = Status.TRAINING  # a raised limit lets a finished run go on
        elif self.status.can_step and self.n_iter_ >= params.max_steps:
            self.status = Status.MAX_STEPS
            self.message = f"Stopped at the step limit ({params.max_steps})."
        self._cache = None

    def _make_optimizer(self) -> Optimizer:
        p = self.params
        return make_optimizer(p.optimizer, p.learning_rate, **p.optimizer_hyperparameters())

    # -- the protocol -------------------------------------------------------------------------------------
    def reset(self) -> None:
        p = self.params
        self.n_iter_ = 0
        self.epoch_ = 0
        self.message = ""
        self.net_: MLP | None = None
        self._cache = None
        self.classes_ = np.unique(self._labels)
        train = ~self._test_mask
        n_train = int(train.sum())
        self.n_train_, self.n_test_ = n_train, int(self._test_mask.sum())
        train_classes = np.unique(self._labels[train])
        if n_train == 0:
            self.status = Status.INVALID
            self.message = ("No training points yet: add points of at least two classes on the data plot "
                            "(or pick a preset)." if len(self._X) == 0 else
                            "Every point is held out for testing: lower the test fraction so some are left "
                            "to train on.")
            return
        if len(train_classes) < 2:
            self.status = Status.INVALID
            self.message = (f"The number of classes has to be greater than one; got 1 class. "
                            f"Add points of a second class (all training points have label "
                            f"{int(train_classes[0])}).")
            return
        k = len(self.classes_)
        y_index = np.searchsorted(self.classes_, self._labels)
        F = make_features(self._X, p.features)
        T = encode_targets(y_index, k)
        te = self._test_mask
        self._Ftr, self._Ttr, self._ytr = (np.ascontiguousarray(a[train]) for a in (F, T, y_index))
        self._Fte, self._Tte, self._yte = (np.ascontiguousarray(a[te]) for a in (F, T, y_index))
        sizes = (len(p.features), *p.hidden, 1 if k == 2 else k)
        net = self.net_ = MLP(sizes, p.activation, p.loss, p.l2, p.leaky_slope)
        self.theta_ = net.init_params(p.init, np.random.default_rng(p.seed))
        self.grad_ = np.zeros(net.n_params)
        self._P, self._G = net.bind(self.theta_), net.bind(self.grad_)
        self._prev = self.theta_.copy()
        self._full_work = net.workspace(n_train)
        self._shuffle_rng = np.random.default_rng([p.seed, 1])  # its own stream: batch size leaves init alone
        self._order, self._pos = None, 0
        self.optimizer_ = self._make_optimizer()
        L = net.n_layers
        self.layer_stat_fields = (*(f"grad_norm_{i}" for i in range(1, L + 1)),
                                  *(f"flat_{i}" for i in range(1, L)))
        cap = self.history_capacity
        self.loss_history_ = History(("loss",), capacity=cap)
        self.metrics_ = History(("step", "train_loss", "test_loss", "train_accuracy", "test_accuracy"),
                                capacity=cap)
        self.layer_stats_ = History(("step", *self.layer_stat_fields), capacity=cap)
        self.trajectory_ = _Trajectory(net.n_params)
        self.status = Status.READY

    @property
    def coefs_(self) -> list[np.ndarray]:
        return [] if self.net_ is None else self._P.W

    @property
    def intercepts_(self) -> list[np.ndarray]:
        return [] if self.net_ is None else self._P.b

    def _batch_size(self) -> int:
        b = self.params.batch_size
        return self.n_train_ if b == 0 or b >= self.n_train_ else b

    def _next_batch(self) -> tuple[np.ndarray, np.ndarray, Workspace]:
        b = self._batch_size()
        if b == self.n_train_:
            return self._Ftr, self._Ttr, self._full_work
        if self._order is None or self._pos >= self.n_train_:
            self._order = self._shuffle_rng.permutation(self.n_train_)
            self._pos = 0
        rows = self._order[self._pos : self._pos + b]
        self._pos += b
        if self._pos >= self.n_train_:  # an epoch is a completed pass over the training rows
            self.epoch_ += 1
        return self._Ftr[rows], self._Ttr[rows], self.net_.workspace(len(rows))

    def step(self, k: int) -> int:
        """Take up to ``k`` optimizer updates (one batch each); returns how many were taken."""
        if not self.status.can_step or k <= 0:
            return 0
        self.status = Status.TRAINING
        p, net, opt = self.params, self.net_, self.optimizer_
        P, G, theta, prev = self._P, self._G, self.theta_, self._prev
        params_list, grads_list = (theta,), (self.grad_,)
        hist, eval_every = self.loss_history_, self.eval_every
        full = self._batch_size() == self.n_train_
        n = self.n_iter_
        limit = min(k, p.max_steps - n)
        isfinite = math.isfinite
        taken = 0
        status = Status.TRAINING
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            while taken < limit:
                step_no = n + taken
                if full:
                    X, T, work = self._Ftr, self._Ttr, self._full_work
                else:
                    X, T, work = self._next_batch()
                loss = net.loss_and_grad(P, X, T, G, work)  # E and ∂E/∂θ at θ_step_no
                if not isfinite(loss):
                    status = Status.DIVERGED
                    self.message = diverged_message(step_no, "loss", loss, opt.learning_rate)
                    break
                if step_no % hist.stride == 0:
                    hist.append(step_no, loss)
                if step_no % eval_every == 0:
                    self._record(step_no, loss, work, full)
                np.copyto(prev, theta)
                opt.update(params_list, grads_list)
                if not isfinite(float(theta.sum())) and not np.isfinite(theta).all():
                    bad = theta[~np.isfinite(theta)][0]
                    np.copyto(theta, prev)  # keep the last finite weights
                    status = Status.DIVERGED
                    self.message = diverged_message(step_no + 1, "weights", bad, opt.learning_rate)
                    break
                taken += 1
        self.n_iter_ = n + taken
        if full:
            self.epoch_ = self.n_iter_
        if taken:
            self._cache = None
        if status is Status.TRAINING and self.n_iter_ >= p.max_steps:
            status = Status.MAX_STEPS
            self.message = f"Stopped at the step limit ({p.max_steps})."
        self.status = status
        return taken

    def _flat_fractions(self, work: Workspace) -> list[float]:
        """Per hidden layer, from the slopes f'(z) of the last backward pass (see SATURATION_FRACTION)."""
        name = self.params.activation
        out = []
        for S in work.S:
            if name in _MAX_SLOPE:
                out.append(float(np.count_nonzero(S < SATURATION_FRACTION * _MAX_SLOPE[name])) / S.size)
            elif name in ("relu", "leaky_relu"):
                # dead: z <= 0 for every sample of the batch (slope 0, or only the leak)
                out.append(float(np.count_nonzero((S < 1.0).all(axis=0))) / S.shape[1])
            elif name == "step":
                out.append(1.0)
            else:
                out.append(0.0)
        return out

    def _grad_norms(self, grad: np.ndarray) -> list[float]:
        return [math.sqrt(float(np.dot(grad[s], grad[s]))) for s in self.net_.weight_slices]

    def _accuracy(self, z: np.ndarray, y: np.ndarray) -> float:
        if len(y) == 0:
            return math.nan
        pred = z.argmax(axis=1) if z.shape[1] > 1 else (z[:, 0] >= 0).astype(np.intp)
        return float(np.count_nonzero(pred == y)) / len(y)

    def _test_scores(self) -> tuple[float, float]:
        if self.n_test_ == 0:
            return math.nan, math.nan
        z = self.net_.logits(self._P, self._Fte)
        loss = float(self.net_.loss_from_logits(z, self._Tte) + self.net_.penalty(self.theta_))
        return loss, self._accuracy(z, self._yte)

    def _record(self, step_no: int, loss: float, work: Workspace, full: bool) -> None:
        """Metrics, per-layer statistics and the trajectory at θ_step_no (before its update).

        These histories are keyed by the record number step_no // eval_every (History thins by halving
        that), with the step itself as their first field."""
        index = step_no // self.eval_every
        if self.layer_stats_.want(index):
            self.layer_stats_.append(index, step_no, *self._grad_norms(self.grad_), *self._flat_fractions(work))
        if self.metrics_.want(index):
            net = self.net_
            z_train = work.Z[-1] if full else net.logits(self._P, self._Ftr)
            train_loss = loss if full else float(net.loss_from_logits(z_train, self._Ttr)
                                                 + net.penalty(self.theta_))
            test_loss, test_acc = self._test_scores()
            self.metrics_.append(index, step_no, train_loss, test_loss, self._accuracy(z_train, self._ytr),
                                 test_acc)
        self.trajectory_.append(index, step_no, self.theta_)

    def fit(self) -> NetworkTrainer:
        while self.status.can_step:
            if self.step(10_000) == 0:
                break
        return self

    # -- saved sessions -------------------------------------------------------------------------------------
    def export_state(self) -> dict[str, Any]:
        """Everything learned since the last reset, JSON-able (arrays and the shuffling generator encoded
        bit-exact), so that ``import_state`` on a trainer with the same params and data continues exactly.
        Not saved, because params and data rebuild them: the features, targets, classes and the optimizer's
        hyperparameters; nor the scratch buffers (gradient, previous weights, caches)."""
        net = self.net_
        state: dict[str, Any] = {"kind": "network", "format": STATE_FORMAT,
                                 "layer_sizes": [] if net is None else list(net.layer_sizes)}
        if net is None:
            return state  # invalid data: nothing learned, and reset rebuilds the status and message
        opt = self.optimizer_
        return state | {
            "n_train": self.n_train_, "n_test": self.n_test_, "eval_every": self.eval_every,
            "step": self.n_iter_, "epoch": self.epoch_, "status": self.status.value, "message": self.message,
            "weights": [encode_array(W) for W in self._P.W], "biases": [encode_array(b) for b in self._P.b],
            # the rule's arrays for theta (its one parameter array), None before the first update; the
            # last one is scratch space, saved anyway so this need not know each rule's layout
            "optimizer": {"name": opt.name, "t": opt.t,
                          "arrays": None if opt._state is None else [encode_array(a) for a in opt._state[0]]},
            "batches": {"rng": encode_rng(self._shuffle_rng), "position": self._pos,
                        "order": None if self._order is None else encode_array(self._order)},
            "loss_history": encode_history(self.loss_history_), "metrics": encode_history(self.metrics_),
            "layer_stats": encode_history(self.layer_stats_), "trajectory": self.trajectory_.encode(),
        }

    def import_state(self, state: Mapping[str, Any]) -> None:
        """Restore ``export_state``'s result on a trainer given the same params and data. Everything is
        checked before anything changes: on a StateError (a ValidationError) the trainer is as it was."""
        what = "The network state"
        _check_kind(state, "network", what)
        net = self.net_
        here = () if net is None else net.layer_sizes
        saved = field(state, "layer_sizes", what, list)
        if saved != list(here):
            now = "-".join(map(str, here)) if here else f"no network ({self.message})"
            raise StateError(f"{what} is for layers {'-'.join(map(str, saved)) or 'none'}; the current "
                             f"settings and data make {now}.")
        if net is None:
            return
        counts = (_count(state, "n_train", what), _count(state, "n_test", what))
        if counts != (self.n_train_, self.n_test_):
            raise StateError(f"{what} was trained on {counts[0]} points with {counts[1]} held out; the current "
                             f"data has {self.n_train_} with {self.n_test_} held out.")
        if (every := _count(state, "eval_every", what)) != self.eval_every:
            raise StateError(f"{what} recorded metrics every {every} steps; this trainer every {self.eval_every}.")
        step, epoch = _count(state, "step", what), _count(state, "epoch", what)
        status, message = _status(state, what), field(state, "message", what, str)
        L = net.n_layers
        W = [decode_array(w, f"{what}'s W_{i + 1}", shape=shape, finite=True)
             for i, (w, shape) in enumerate(zip(_items(state, "weights", what, L), net.weight_shapes))]
        b = [decode_array(v, f"{what}'s b_{i + 1}", shape=(n,), finite=True)
             for i, (v, n) in enumerate(zip(_items(state, "biases", what, L), net.layer_sizes[1:]))]

        ow, opt = f"{what}'s optimizer", self.optimizer_
        o = field(state, "optimizer", what, Mapping)
        if (name := field(o, "name", ow, str)) != opt.name:
            raise StateError(f"{ow} is {name!r}; the settings say {opt.name!r}.")
        t = _count(o, "t", ow)
        arrays = field(o, "arrays", ow, (list, type(None)))
        if (arrays is None) != (t == 0):  # the rule's arrays exist from its first update on
            raise StateError(f"{ow} has taken {t} steps but {'no' if arrays is None else 'some'} state arrays.")
        if arrays is not None:
            want = len(opt._new_state(self.theta_))
            if len(arrays) != want:
                raise StateError(f"{ow} has {len(arrays)} state arrays; {opt.name} keeps {want}.")
            arrays = tuple(decode_array(a, f"{ow} array {i + 1}", shape=(net.n_params,))  # may hold inf
                           for i, a in enumerate(arrays))

        bw = f"{what}'s batch order"
        batches = field(state, "batches", what, Mapping)
        rng = decode_rng(field(batches, "rng", bw, Mapping), f"{bw} random generator")
        pos = _count(batches, "position", bw)
        order = field(batches, "order", bw, (Mapping, type(None)))
        if order is not None:
            order = decode_array(order, bw, "int64", shape=(self.n_train_,)).astype(np.intp)
            if not np.array_equal(np.sort(order), np.arange(self.n_train_)):
                raise StateError(f"{bw} is not a shuffle of the {self.n_train_} training points.")

        histories = [decode_history(field(state, key, what, Mapping), f"{what}'s {key}", h.fields, h.capacity)
                     for key, h in (("loss_history", self.loss_history_), ("metrics", self.metrics_),
                                    ("layer_stats", self.layer_stats_))]
        trajectory = _Trajectory.decode(field(state, "trajectory", what, Mapping), f"{what}'s trajectory",
                                        net.n_params, self.eval_every)

        # all checked: now change the trainer (theta in place, so the W_l, b_l views stay bound)
        self.theta_[:] = np.concatenate([*(w.ravel() for w in W), *b])
        self.n_iter_, self.epoch_, self.status, self.message = step, epoch, status, message
        opt.t, opt._state = t, None if arrays is None else [arrays]
        self._shuffle_rng, self._pos, self._order = rng, pos, order
        self.loss_history_, self.metrics_, self.layer_stats_ = histories
        self.trajectory_ = trajectory
        self._cache = None

    # -- the current state, evaluated on the whole training set ---------------------------------------------
    def _evaluate(self) -> dict[str, Any]:
        if self._cache is not None:
            return self._cache
        net = self.net_
        grad = np.empty(net.n_params)
        work = net.workspace(self.n_train_)  # the training step's buffers: fresh ones cost page faults each time
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            loss = net.loss_and_grad(self._P, self._Ftr, self._Ttr, net.bind(grad), work)
            test_loss, test_acc = self._test_scores()
            norms = self._grad_norms(grad)
        self._cache = {
            "train_loss": loss, "test_loss": test_loss,
            "train_accuracy": self._accuracy(work.Z[-1], self._ytr), "test_accuracy": test_acc,
            "grad_norms": tuple(norms), "flat_fractions": tuple(self._flat_fractions(work)),
            "zero_layers": tuple(i + 1 for i, g in enumerate(norms) if g == 0.0),
        }
        return self._cache

    def _zero_gradient_message(self, zero_layers: tuple[int, ...], flat: tuple[float, ...]) -> str:
        """Why some layers get no gradient (training goes on; those weights just stay put)."""
        if not zero_layers:
            return ""
        p, L = self.params, self.net_.n_layers
        names = ", ".join(str(i) for i in zero_layers)
        if p.activation == "step" and L > 1:
            why = ("the binary step is flat on both sides of its jump, so no gradient reaches the hidden "
                   "layers; only the output layer learns. Pick another activation to train them.")
        elif p.init == "zeros":
            why = ("every weight started at 0, so the units of a layer are identical and pass no gradient "
                   "back; pick a random init (xavier, he, uniform) to break the symmetry.")
        elif flat and max(flat) >= 1.0 and p.activation in ("relu", "leaky_relu"):
            why = ("every unit of a hidden layer is dead (z <= 0 for all training points), so nothing flows "
                   "back through it; lower the learning rate or try leaky_relu, and reset.")
        elif flat and max(flat) >= 1.0:
            why = ("the hidden units are saturated (their slope is 0 to machine precision); lower the "
                   "learning rate and reset.")
        else:
            why = "these weights stay where they are for as long as it lasts."
        return f"The gradient is zero for layer(s) {names}: {why}"

    def _rows(self, hist: History, now: tuple[float, ...]) -> np.ndarray:
        """(step, *fields) rows of an eval-step history, ending with the current state."""
        rows = hist.rows()[:, 1:]
        if len(rows) and rows[-1, 0] == self.n_iter_:
            return frozen(rows)
        return frozen(np.vstack([rows, np.array([(self.n_iter_, *now)], dtype=np.float64)]))

    def snapshot(self) -> NetworkSnapshot:
        p = self.params
        common = dict(
            step=self.n_iter_, params_version=self.params_version, status=self.status,
            learning_rate=p.learning_rate, loss_name=p.loss, activation=p.activation, optimizer=p.optimizer,
            classes=tuple(int(c) for c in self.classes_), features=tuple(p.features),
            epoch=self.epoch_, n_train=self.n_train_, n_test=self.n_test_, data_version=self.data_version,
        )
        nan = math.nan
        if self.net_ is None:
            empty = frozen(np.empty((0, 2)))
            return NetworkSnapshot(
                **common, message=self.message, cost=nan, layer_sizes=(), coefs=(), intercepts=(),
                train_loss=nan, test_loss=nan, train_accuracy=nan, test_accuracy=nan, grad_norms=(),
                flat_fractions=(), flat_kind="none", zero_gradient=False, zero_gradient_layers=(),
                loss_history=empty, metrics=frozen(np.empty((0, 5))), layer_stats=empty,
                layer_stat_fields=(), batch_size=0,
            )
        ev = self._evaluate()
        why_zero = self._zero_gradient_message(ev["zero_layers"], ev["flat_fractions"])
        message = " ".join(m for m in (self.message, why_zero) if m)
        if p.init == "zeros" and p.hidden and "symmetry" not in message:
            message = (message + " " if message else "") + (
                "Zero init: all units of a layer start equal and get equal updates, so they stay identical "
                "(the symmetry never breaks).")
        kind = {"sigmoid": "saturated", "tanh": "saturated", "relu": "dead", "leaky_relu": "dead",
                "step": "zero-slope"}.get(p.activation, "none")
        return NetworkSnapshot(
            **common, message=message, cost=ev["train_loss"], layer_sizes=self.net_.layer_sizes,
            coefs=tuple(frozen(W) for W in self._P.W), intercepts=tuple(frozen(b) for b in self._P.b),
            train_loss=ev["train_loss"], test_loss=ev["test_loss"], train_accuracy=ev["train_accuracy"],
            test_accuracy=ev["test_accuracy"], grad_norms=ev["grad_norms"],
            flat_fractions=ev["flat_fractions"], flat_kind=kind,
            zero_gradient=bool(ev["zero_layers"]), zero_gradient_layers=ev["zero_layers"],
            loss_history=self.loss_history_.rows(),
            metrics=self._rows(self.metrics_, (ev["train_loss"], ev["test_loss"], ev["train_accuracy"],
                                               ev["test_accuracy"])),
            layer_stats=self._rows(self.layer_stats_, (*ev["grad_norms"], *ev["flat_fractions"])),
            layer_stat_fields=self.layer_stat_fields, batch_size=self._batch_size(),
        )

    # -- predictions and pictures -------------------------------------------------------------------------
    def _require_net(self) -> MLP:
        if self.net_ is None:
            raise ValidationError(f"There is no network to evaluate: {self.message}")
        return self.net_

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities (n, k) for points X (n, 2), columns in the order of ``classes_``."""
        net = self._require_net()
        prob = net.predict_proba(self._P, make_features(np.asarray(X, dtype=np.float64), self.params.features))
        return prob if net.softmax_output else np.hstack([1.0 - prob, prob])

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def _grid(self, x_range: tuple[float, float], y_range: tuple[float, float], shape: tuple[int, int]
              ) -> np.ndarray:
        """Float32 features of a row-major grid (row = y), cached: the ranges rarely change."""
        key = (tuple(map(float, x_range)), tuple(map(float, y_range)), tuple(shape), tuple(self.params.features))
        F = self._grid_cache.get(key)
        if F is None:
            h, w = shape
            xs = np.linspace(*key[0], w)
            ys = np.linspace(*key[1], h)
            pts = np.column_stack([np.tile(xs, h), np.repeat(ys, w)])
            F = make_features(pts, self.params.features, dtype=np.float32)
            if len(self._grid_cache) > 8:
                self._grid_cache.clear()
            self._grid_cache[key] = F
        return F

    def decision_map(self, x_range: tuple[float, float], y_range: tuple[float, float],
                     shape: tuple[int, int] = (100, 100)) -> DecisionMap:
        """The classifier over a grid of the plane (float32)."""
        net = self._require_net()
        h, w = shape
        F = self._grid(x_range, y_range, shape)
        z = np.empty((len(F), net.layer_sizes[-1]), dtype=np.float32)
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            # chunks of rows that stay in cache and below BLAS's threading threshold: a 200x200 grid in one
            # go is 2-20x slower on a busy 2-core machine
            for s in range(0, len(F), self.MAP_CHUNK):
                z[s : s + self.MAP_CHUNK] = net.logits(self._P, F[s : s + self.MAP_CHUNK])
            if net.softmax_output:
                prob = net.output(z)
                label = prob.argmax(axis=1)
                p = prob.max(axis=1)
            else:
                p = sigmoid(z[:, 0])
                label = (z[:, 0] >= 0).astype(np.intp)
        label = label.reshape(h, w).astype(np.int8)  # <= 127 classes: an eighth of the bytes to send per frame
        return DecisionMap(tuple(x_range), tuple(y_range), frozen(p.reshape(h, w)), frozen(label),
                           tuple(int(c) for c in self.classes_))

    def neuron_maps(self, x_range: tuple[float, float], y_range: tuple[float, float], size: int = 24
                    ) -> NeuronMaps:
        """Each hidden unit's a_l and the output probabilities over a size x size grid."""
        net = self._require_net()
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            outs = net.forward(self._P, self._grid(x_range, y_range, (size, size)))
            outs[-1] = net.output(outs[-1])
        layers, levels = [], []
        act = ACTIVATIONS[self.params.activation]
        for i, a in enumerate(outs[1:]):
            layers.append(frozen(a.T.reshape(a.shape[1], size, size)))
            lo, hi = (0.0, 1.0) if i == len(outs) - 2 else act.range
            if not (math.isfinite(lo) and math.isfinite(hi)):
                lo, hi = float(a.min()), float(a.max())
                hi = hi if hi > lo else lo + 1.0
            levels.append((float(lo), float(hi)))
        return NeuronMaps(tuple(x_range), tuple(y_range), tuple(layers), tuple(levels))

    def _random_directions(self, seed: int) -> np.ndarray:
        """Two filter-normalised random directions: per unit (column of W_l) the direction has the norm of
        that unit's incoming weights; biases get 0 (Li et al., "Visualizing the loss landscape", 2018)."""
        net = self.net_
        rng = np.random.default_rng([self.params.seed, 2, seed])
        dirs = np.zeros((2, net.n_params))
        for d in dirs:
            r = rng.standard_normal(net.n_params)
            for s, shape in zip(net.weight_slices, net.weight_shapes):
                Rd = r[s].reshape(shape)
                Wt = self.theta_[s].reshape(shape)
                scale = np.linalg.norm(Wt, axis=0) / np.linalg.norm(Rd, axis=0)
                scale[scale == 0] = 1.0 / np.sqrt(shape[0])  # zero weights: a unit-norm column instead
                d[s] = (Rd * scale).ravel()
        return dirs

    # one errstate for all of it: after divergence the weights may be finite but near overflow, and their
    # norms, projections and losses overflow (an inf total falls back to random directions, inf losses show)
    @np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore")
    def loss_landscape(self, method: str = "random", shape: tuple[int, int] = (31, 31), span: float = 1.0,
                       seed: int = 0) -> LossLandscape:
        """E over a 2-D slice through the current weights (training rows, l2 included).

        ``random``: filter-normalised random directions, α, β in [-span, span] (widened to hold the path).
        ``pca``: the top two principal directions of the recorded trajectory about the current weights;
        the grid spans the projected path with a margin."""
        net = self._require_net()
        if method not in ("random", "pca"):
            raise ValidationError(f"The landscape method must be 'random' or 'pca'; got {method!r}.")
        tr = self.trajectory_
        steps = tr.steps[: tr.n].copy()
        thetas = tr.thetas[: tr.n]
        if not len(steps) or steps[-1] != self.n_iter_:
            steps = np.append(steps, self.n_iter_)
            thetas = np.vstack([thetas, self.theta_])
        keep = np.isfinite(thetas).all(axis=1)  # a diverging run may have recorded blown-up weights
        steps, thetas = steps[keep], thetas[keep]
        rel = thetas - self.theta_
        keep = np.isfinite(rel).all(axis=1)
        steps, thetas, rel = steps[keep], thetas[keep], rel[keep]
        message = ""
        explained = (math.nan, math.nan)
        if method == "pca":
            try:
                _, sv, vt = np.linalg.svd(rel, full_matrices=False)
            except np.linalg.LinAlgError:
                sv, vt = np.zeros(0), None
            total = float((sv**2).sum())
            if not math.isfinite(total) or len(steps) < 3 or len(sv) < 2 or total == 0.0 or sv[1] <= 1e-12 * sv[0]:
                message = "The path is too short (or straight) for two principal directions; showing random ones."
                method = "random"
            else:
                dirs = vt[:2]
                explained = (float(sv[0] ** 2 / total), float(sv[1] ** 2 / total))
        if method == "random":
            dirs = self._random_directions(seed)
        gram = dirs @ dirs.T
        try:
            coords = np.linalg.lstsq(gram, dirs @ rel.T, rcond=None)[0].T  # (m, 2) least-squares projection
        except np.linalg.LinAlgError:
            coords = np.zeros((len(rel), 2))
        reach = np.abs(coords).max(axis=0) * 1.2 if len(coords) else np.zeros(2)
        if method == "random":
            half = np.maximum(reach, span)
        else:
            half = np.where(reach > 0, reach, span)
        h, w = shape
        alphas = np.linspace(-half[0], half[0], w)
        betas = np.linspace(-half[1], half[1], h)
        # row-major: grid row i*w + j is θ + α_j d1 + β_i d2
        grid = self.theta_ + np.tile(alphas, h)[:, None] * dirs[0] + np.repeat(betas, w)[:, None] * dirs[1]
        loss = net.loss_values(grid, self._Ftr, self._Ttr).reshape(h, w)
        path_loss = net.loss_values(thetas, self._Ftr, self._Ttr)
        return LossLandscape(method, frozen(alphas), frozen(betas), frozen(loss), frozen(coords),
                             frozen(steps), frozen(path_loss), explained, message, step=self.n_iter_)

    def reference_gradient_flow(self, activation: str, init: str, steps: int) -> GradientFlowReference:
        """The same network, data and settings trained from scratch with another activation and
        initialisation for ``steps`` steps: its per-layer gradient norms, to draw next to this run's (the
        vanishing-gradient lesson compares sigmoid and ReLU on one screen)."""
        other = NetworkTrainer(replace(self.params, activation=activation, init=init),
                               history_capacity=self.history_capacity, eval_every=self.eval_every)
        other.set_data(self._X, self._labels, test_mask=self._test_mask)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            while other.status.can_step and other.n_iter_ < steps:
                if other.step(min(500, steps - other.n_iter_)) == 0:
                    break
        snap = other.snapshot()
        L = len(snap.layer_sizes) - 1 if snap.layer_sizes else 0
        rows = snap.layer_stats[:, : 1 + L] if L else np.empty((0, 1))
        return GradientFlowReference(activation, init, frozen(np.array(rows)), snap.step,
                                     snap.message if snap.step < steps else "")

    def if_ready(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """``self.method(*args, **kwargs)``, or None while there is no network to evaluate (empty or
        one-class data): the window's per-snapshot views go through this, so an invalid data set shows its
        message instead of stopping the trainer with an error."""
        if self.net_ is None:
            return None
        return getattr(self, method)(*args, **kwargs)

    def predict_index(self, X: np.ndarray) -> np.ndarray:
        """The index into ``classes_`` of the predicted class of each point (n, 2)."""
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            return self.predict_proba(X).argmax(axis=1)

    def check_gradient(self, eps: float = 1e-5) -> GradientCheck:
        """Backprop's gradient against central differences at the current weights (see gradient_check)."""
        net = self._require_net()
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            err = gradient_check(self, eps=eps)
        return GradientCheck(err, net.n_params, self.n_iter_, eps)

    def with_params(self, **changes: Any) -> NetworkParams:
        return replace(self.params, **changes)


# -- the seed's worked example: two sigmoid neurons in a chain --------------------------------------------

CHAIN_EXAMPLE: Mapping[str, float] = MappingProxyType(
    {"x": 0.1, "w1": 0.15, "b1": 0.4, "w2": 0.45, "b2": 0.65, "T": 0.25, "learning_rate": 0.4})


def _sigmoid1(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def chain_example_step(state: Mapping[str, float] | None = None) -> dict[str, float]:
    """One forward pass, backpropagation and update of x -> (w1, b1, σ) -> (w2, b2, σ) -> a2 with
    E = 1/2 (T - a2)². Missing keys of ``state`` take the seed's numbers (CHAIN_EXAMPLE).

    Returns every intermediate value; w1, b1, w2, b2 are the updated weights (the old ones are
    ``w1_old``, ...)."""
    s = {**CHAIN_EXAMPLE, **(state or {})}
    x, T, lr = s["x"], s["T"], s["learning_rate"]
    w1, b1, w2, b2 = s["w1"], s["b1"], s["w2"], s["b2"]
    z1 = w1 * x + b1
    a1 = _sigmoid1(z1)
    z2 = w2 * a1 + b2
    a2 = _sigmoid1(z2)
    E = 0.5 * (T - a2) ** 2
    dE_da2 = -(T - a2)
    da2_dz2 = a2 * (1.0 - a2)
    dE_dz2 = dE_da2 * da2_dz2
    dE_dw2 = dE_dz2 * a1  # = -(T - a2) a2 (1 - a2) a1
    dE_db2 = dE_dz2
    dE_da1 = dE_dz2 * w2
    da1_dz1 = a1 * (1.0 - a1)
    dE_dz1 = dE_da1 * da1_dz1
    dE_dw1 = dE_dz1 * x
    dE_db1 = dE_dz1
    return {
        "x": x, "T": T, "learning_rate": lr,
        "w1_old": w1, "b1_old": b1, "w2_old": w2, "b2_old": b2,
        "z1": z1, "a1": a1, "z2": z2, "a2": a2, "E": E,
        "dE_da2": dE_da2, "da2_dz2": da2_dz2, "dE_dz2": dE_dz2, "dE_dw2": dE_dw2, "dE_db2": dE_db2,
        "dE_da1": dE_da1, "da1_dz1": da1_dz1, "dE_dz1": dE_dz1, "dE_dw1": dE_dw1, "dE_db1": dE_db1,
        "w1": w1 - lr * dE_dw1, "b1": b1 - lr * dE_db1, "w2": w2 - lr * dE_dw2, "b2": b2 - lr * dE_db2,
    }


def chain_error(state: Mapping[str, float] | None = None) -> float:
    """E = 1/2 (T - a2)² at the given weights (no update)."""
    s = {**CHAIN_EXAMPLE, **(state or {})}
    a2 = _sigmoid1(s["w2"] * _sigmoid1(s["w1"] * s["x"] + s["b1"]) + s["b2"])
    return 0.5 * (s["T"] - a2) ** 2


_CHAIN_WEIGHTS = ("w1", "b1", "w2", "b2")
_CHAIN_STEP_KEYS = tuple(chain_example_step())  # the names of every value of a step, in a fixed order


@dataclass(frozen=True)
class ChainParams:
    """The worked example's numbers. ``learning_rate`` and ``max_steps`` apply live; the rest restart."""

    x: float = 0.1
    T: float = 0.25
    w1: float = 0.15
    b1: float = 0.4
    w2: float = 0.45
    b2: float = 0.65
    learning_rate: float = 0.4
    max_steps: int = 100_000

    def validate(self) -> ChainParams:
        for f in fields(self):
            v = getattr(self, f.name)
            if not _is_real(v):
                raise ValidationError(f"{f.name} must be a finite number; got {v!r}.")
        if self.learning_rate <= 0:
            raise ValidationError(f"The learning rate must be a positive finite number; got {self.learning_rate!r}.")
        if not _is_int(self.max_steps) or self.max_steps < 1:
            raise ValidationError(f"The step limit must be an integer >= 1; got {self.max_steps!r}.")
        return self

    def state(self) -> dict[str, float]:
        return {k: getattr(self, k) for k in ("x", "T", "w1", "b1", "w2", "b2", "learning_rate")}


@dataclass(frozen=True, kw_only=True)
class ChainSnapshot(Snapshot):
    """``last_step``: every value of the most recent step (empty before the first); ``weights``: the
    current w1, b1, w2, b2; ``error_history``: rows (step, E at the weights after that many steps)."""

    learning_rate: float
    weights: Mapping[str, float]
    last_step: Mapping[str, float]
    error_history: np.ndarray


class ChainExample:
    """Steps the two-neuron chain by hand-written backpropagation and records the error per step."""

    def __init__(self, params: ChainParams | None = None, history_capacity: int = 4096) -> None:
        self.params = (params or ChainParams()).validate()
        self.params_version = 0
        self.error_history_ = History(("E",), capacity=history_capacity)
        self.reset()

    def reset(self) -> None:
        self.state_ = self.params.state()
        self.n_iter_ = 0
        self.last_step_: dict[str, float] = {}
        self.error_history_.clear()
        self.error_ = chain_error(self.state_)
        self.error_history_.append(0, self.error_)
        self.status = Status.READY
        self.message = ""

    def set_params(self, params: ChainParams, version: int = 0) -> None:
        params = params.validate()
        old, self.params = self.params, params
        self.params_version = version
        if replace(old, learning_rate=params.learning_rate, max_steps=params.max_steps) != params:
            self.reset()
            return
        self.state_["learning_rate"] = params.learning_rate
        if self.status is Status.MAX_STEPS and self.n_iter_ < params.max_steps:
            self.status = Status.TRAINING

    def step(self, k: int = 1) -> int:
        if not self.status.can_step or k <= 0:
            return 0
        self.status = Status.TRAINING
        taken = 0
        limit = min(k, self.params.max_steps - self.n_iter_)
        while taken < limit:
            out = chain_example_step(self.state_)
            new = {key: out[key] for key in ("w1", "b1", "w2", "b2")}
            err = chain_error({**self.state_, **new})
            if not all(map(math.isfinite, (*new.values(), err))):
                self.status = Status.DIVERGED
                self.message = diverged_message(self.n_iter_ + taken + 1, "error", math.nan,
                                                self.state_["learning_rate"])
                break
            self.last_step_ = out
            self.state_.update(new)
            taken += 1
            self.error_ = err
            self.error_history_.append(self.n_iter_ + taken, err)
        self.n_iter_ += taken
        if self.status is Status.TRAINING and self.n_iter_ >= self.params.max_steps:
            self.status = Status.MAX_STEPS
            self.message = f"Stopped at the step limit ({self.params.max_steps})."
        return taken

    def fit(self) -> ChainExample:
        while self.status.can_step and self.step(10_000):
            pass
        return self

    def export_state(self) -> dict[str, Any]:
        """The weights, step, status and error history (x, T and the learning rate are params). The last
        step's values go as one array (in chain_example_step's order): they need not be finite."""
        last = self.last_step_
        return {
            "kind": "chain", "format": STATE_FORMAT, "step": self.n_iter_, "status": self.status.value,
            "message": self.message, "weights": {k: self.state_[k] for k in _CHAIN_WEIGHTS},
            "last_step": encode_array(np.array([last[k] for k in _CHAIN_STEP_KEYS])) if last else None,
            "error_history": encode_history(self.error_history_),
        }

    def import_state(self, state: Mapping[str, Any]) -> None:
        """Restore ``export_state``'s result (same params); all checked first, all or nothing."""
        what = "The worked example state"
        _check_kind(state, "chain", what)
        step, status, message = _count(state, "step", what), _status(state, what), field(state, "message", what, str)
        ww = f"{what}'s weights"
        saved = field(state, "weights", what, Mapping)
        weights = {k: field(saved, k, ww, float) for k in _CHAIN_WEIGHTS}
        if not all(map(math.isfinite, weights.values())):
            raise StateError(f"{ww} contain NaN or infinity; every weight must be a finite number.")
        last = field(state, "last_step", what, (Mapping, type(None)))
        if last is not None:
            values = decode_array(last, f"{what}'s last step", shape=(len(_CHAIN_STEP_KEYS),))
            last = dict(zip(_CHAIN_STEP_KEYS, values.tolist()))
        h = self.error_history_
        history = decode_history(field(state, "error_history", what, Mapping), f"{what}'s error history",
                                 h.fields, h.capacity)
        self.state_.update(weights)
        self.n_iter_, self.status, self.message = step, status, message
        self.last_step_ = last or {}
        self.error_history_ = history
        self.error_ = chain_error(self.state_)  # what step and reset store: E at the current weights

    def snapshot(self) -> ChainSnapshot:
        return ChainSnapshot(
            step=self.n_iter_, params_version=self.params_version, status=self.status, message=self.message,
            cost=self.error_, learning_rate=self.state_["learning_rate"],
            weights=MappingProxyType({k: self.state_[k] for k in ("w1", "b1", "w2", "b2")}),
            last_step=MappingProxyType(dict(self.last_step_)),
            error_history=self.error_history_.rows(),
        )
