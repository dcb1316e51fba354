"""Activation functions and their derivatives, for the hidden layers and the output of the network.

Each derivative is written from what backpropagation already has in hand: the pre-activation z and/or
the output a = f(z) (sigmoid' = a(1 - a), tanh' = 1 - a²), so no extra exp or tanh is spent on it.
Everything works in place (``out=``) so the network's hot loop allocates nothing.

The binary step has slope 0 everywhere (its jump at 0 has no derivative), so no gradient flows through it:
a network with step hidden units can only train its output layer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gdplay.core.trainer import ValidationError

Array = np.ndarray


def sigmoid(z: Array, out: Array | None = None) -> Array:
    """σ(z) = 1 / (1 + e^-z), evaluated as e^-|z| based halves so exp never overflows:
    z >= 0: 1 / (1 + e^-z);  z < 0: e^z / (1 + e^z)."""
    z = np.asarray(z)
    e = np.exp(-np.abs(z))  # in (0, 1]
    num = np.where(z >= 0, 1.0, e).astype(e.dtype, copy=False)
    e += 1.0
    return np.divide(num, e, out=out)


def softmax(z: Array, axis: int = -1) -> Array:
    """softmax(z)_i = e^(z_i - max z) / Σ_j e^(z_j - max z): subtracting the max keeps exp <= 1."""
    z = np.asarray(z)
    s = z - z.max(axis=axis, keepdims=True)
    np.exp(s, out=s)
    s /= s.sum(axis=axis, keepdims=True)
    return s


def log_softmax(z: Array, axis: int = -1) -> Array:
    """log softmax(z) = (z - max z) - log Σ e^(z - max z), finite for any finite logits."""
    z = np.asarray(z)
    s = z - z.max(axis=axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=axis, keepdims=True))


# -- in-place forms used by the network: forward(z, out) writes a; slope(z, a, out) writes f'(z) --------

def _sigmoid_fwd(z: Array, out: Array, slope: float) -> Array:
    return sigmoid(z, out=out)


def _sigmoid_slope(z: Array, a: Array, out: Array, slope: float) -> Array:
    np.subtract(1.0, a, out=out)  # σ' = a (1 - a), at most 1/4
    return np.multiply(out, a, out=out)


def _tanh_fwd(z: Array, out: Array, slope: float) -> Array:
    return np.tanh(z, out=out)


def _tanh_slope(z: Array, a: Array, out: Array, slope: float) -> Array:
    np.multiply(a, a, out=out)  # tanh' = 1 - a², at most 1
    return np.subtract(1.0, out, out=out)


def _relu_fwd(z: Array, out: Array, slope: float) -> Array:
    return np.maximum(z, 0.0, out=out)


def _relu_slope(z: Array, a: Array, out: Array, slope: float) -> Array:
    return np.greater(z, 0.0, out=out)  # 1 for z > 0, else 0 (we take 0 at the kink)


def _leaky_fwd(z: Array, out: Array, slope: float) -> Array:
    # max(z, slope*z) for 0 <= slope < 1
    if out is z:
        return np.maximum(z, z * slope, out=out)
    np.multiply(z, slope, out=out)
    return np.maximum(z, out, out=out)


def _leaky_slope(z: Array, a: Array, out: Array, slope: float) -> Array:
    np.greater(z, 0.0, out=out)  # 1 for z > 0, slope otherwise: slope + (1 - slope)·[z > 0]
    out *= 1.0 - slope
    out += slope
    return out


def _linear_fwd(z: Array, out: Array, slope: float) -> Array:
    np.copyto(out, z)
    return out


def _linear_slope(z: Array, a: Array, out: Array, slope: float) -> Array:
    out.fill(1.0)
    return out


def _step_fwd(z: Array, out: Array, slope: float) -> Array:
    return np.greater_equal(z, 0.0, out=out)  # 1 for z >= 0, else 0


def _step_slope(z: Array, a: Array, out: Array, slope: float) -> Array:
    out.fill(0.0)  # flat on both sides of the jump: no gradient ever flows back
    return out


def _softmax_fwd(z: Array, out: Array, slope: float) -> Array:
    np.copyto(out, softmax(z, axis=-1))
    return out


def _softmax_slope(z: Array, a: Array, out: Array, slope: float) -> Array:
    # diagonal of the Jacobian ∂a_i/∂z_i = a_i (1 - a_i); the full one is diag(a) - a aᵀ (see softmax_jacobian)
    return _sigmoid_slope(z, a, out, slope)


def softmax_jacobian(a: Array) -> Array:
    """∂a_i/∂z_j = a_i (δ_ij - a_j) for one vector of softmax outputs ``a`` (or a stack, last axis)."""
    a = np.asarray(a)
    return a[..., :, None] * (np.eye(a.shape[-1]) - a[..., None, :])


@dataclass(frozen=True)
class Activation:
    """One activation: how to compute it and its slope, and what to say about it in the window."""

    name: str
    label: str
    formula: str
    derivative_formula: str
    range: tuple[float, float]  # the open/closed ends are in ``range_text``
    range_text: str
    forward: Callable[[Array, Array, float], Array]
    slope: Callable[[Array, Array, Array, float], Array]
    zero_gradient: bool = False  # the slope is 0 everywhere
    saturating: bool = False  # flat at both ends (sigmoid, tanh): units can saturate
    hidden: bool = True  # offered for hidden layers

    def __call__(self, z: Array, leaky_slope: float = 0.01) -> Array:
        z = np.asarray(z, dtype=np.float64)
        return self.forward(z, np.empty_like(z), leaky_slope)

    def derivative(self, z: Array, leaky_slope: float = 0.01) -> Array:
        """f'(z) (for softmax: the diagonal a_i (1 - a_i))."""
        z = np.asarray(z, dtype=np.float64)
        a = self(z, leaky_slope)
        return self.slope(z, a, np.empty_like(z), leaky_slope)


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("sigmoid", "Sigmoid", "σ(z) = 1 / (1 + e^-z)", "σ'(z) = σ(z) (1 - σ(z)) <= 1/4",
                   (0.0, 1.0), "(0, 1)", _sigmoid_fwd, _sigmoid_slope, saturating=True),
        Activation("tanh", "Hyperbolic tangent", "tanh(z) = (e^z - e^-z) / (e^z + e^-z)",
                   "tanh'(z) = 1 - tanh²(z) <= 1", (-1.0, 1.0), "(-1, 1)", _tanh_fwd, _tanh_slope,
                   saturating=True),
        Activation("relu", "ReLU", "ReLU(z) = max(0, z)", "ReLU'(z) = 1 if z > 0 else 0",
                   (0.0, np.inf), "[0, ∞)", _relu_fwd, _relu_slope),
        Activation("leaky_relu", "Leaky ReLU", "f(z) = z if z > 0 else slope·z",
                   "f'(z) = 1 if z > 0 else slope", (-np.inf, np.inf), "(-∞, ∞)", _leaky_fwd, _leaky_slope),
        Activation("linear", "Linear", "f(z) = z", "f'(z) = 1", (-np.inf, np.inf), "(-∞, ∞)",
                   _linear_fwd, _linear_slope),
        Activation("step", "Binary step", "f(z) = 1 if z >= 0 else 0", "f'(z) = 0 (no gradient flows)",
                   (0.0, 1.0), "{0, 1}", _step_fwd, _step_slope, zero_gradient=True),
        Activation("softmax", "Softmax", "softmax(z)_i = e^z_i / Σ_j e^z_j",
                   "∂a_i/∂z_j = a_i (δ_ij - a_j)", (0.0, 1.0), "(0, 1), sums to 1 over the layer",
                   _softmax_fwd, _softmax_slope, hidden=False),
    )
}

HIDDEN_ACTIVATIONS: tuple[str, ...] = tuple(n for n, a in ACTIVATIONS.items() if a.hidden)


def get_activation(name: str) -> Activation:
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise ValidationError(
            f"The activation must be one of {', '.join(ACTIVATIONS)}; got {name!r}."
        ) from None


@dataclass(frozen=True)
class ActivationCurve:
    """f and f' sampled on a grid of z, for the activation plot."""

    name: str
    z: Array
    value: Array
    derivative: Array
    range_text: str
    formula: str
    derivative_formula: str


def activation_curve(name: str, z_range: tuple[float, float] = (-6.0, 6.0), n: int = 241,
                     leaky_slope: float = 0.01) -> ActivationCurve:
    """f(z) and f'(z) on ``n`` points. Softmax is shown as one output against a second logit fixed at 0,
    softmax([z, 0])_0 = σ(z), with the diagonal slope a (1 - a)."""
    act = get_activation(name)
    z = np.linspace(float(z_range[0]), float(z_range[1]), int(n))
    if name == "softmax":
        a = softmax(np.column_stack([z, np.zeros_like(z)]))[:, 0]
        d = a * (1.0 - a)
    else:
        a = act(z, leaky_slope)
        d = act.derivative(z, leaky_slope)
    for arr in (z, a, d):
        arr.flags.writeable = False
    return ActivationCurve(name, z, a, d, act.range_text, act.formula, act.derivative_formula)
