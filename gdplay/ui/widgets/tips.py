"""Tooltips in plain words, with the formula where there is one, for the choices more than one tab offers
(optimizers, activations, losses, inits), and ``explain_combo``, which gives a combo box a tooltip for the
whole choice plus the current item's, and each item in the drop-down its own."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox

OPTIMIZER_TIPS = {
    "gd": "Gradient descent: θ ← θ − η·∇E. One step down the slope, η times the gradient.",
    "momentum": "Momentum: v ← μ·v − η·∇E, then θ ← θ + v. Steps build up speed along a valley and damp the "
                "zigzag across it.",
    "nesterov": "Nesterov momentum: v ← μ·v − η·∇E(θ + μ·v), θ ← θ + v. Like momentum, but the gradient is "
                "taken where the momentum is about to carry θ (the look-ahead point).",
    "adagrad": "AdaGrad: s ← s + g², θ ← θ − η·g / (√s + ε), per parameter. A parameter whose gradients were "
               "large takes smaller steps; the steps only ever shrink.",
    "rmsprop": "RMSProp: s ← β₂·s + (1 − β₂)·g², θ ← θ − η·g / (√s + ε). AdaGrad with a fading memory, so "
               "steps can grow again.",
    "adam": "Adam: m ← β₁·m + (1 − β₁)·g, s ← β₂·s + (1 − β₂)·g², θ ← θ − η·m̂ / (√ŝ + ε) with m̂, ŝ "
            "corrected for starting at 0. Momentum and RMSProp's scaling together.",
    "exact": "Exact line search: θ ← θ − α·g with the α that makes E lowest along −g, α = gᵀg / gᵀHg (exact "
             "for a quadratic cost with Hessian H). The learning rate is not used.",
    "armijo": "Backtracking line search (Armijo): θ ← θ − α·∇E, trying α = η and halving it until E falls by "
              "at least 10⁻⁴·α·‖∇E‖². Never overshoots, whatever the learning rate.",
}
HYPER_TIPS = {
    "momentum": "Momentum μ: how much of the last step is kept, v ← μ·v − η·∇E (0: plain gradient descent; "
                "0.9: typical).",
    "beta1": "β₁: how slowly Adam's running mean of the gradient forgets, m ← β₁·m + (1 − β₁)·g (typical 0.9).",
    "beta2": "β₂: how slowly the running mean of the squared gradient forgets, s ← β₂·s + (1 − β₂)·g² "
             "(typical 0.999 for Adam, 0.9 for RMSProp).",
    "epsilon": "ε: added to √s so that a step never divides by zero, θ ← θ − η·g / (√s + ε).",
}
ACTIVATION_TIPS = {
    "sigmoid": "Sigmoid σ(z) = 1 / (1 + e⁻ᶻ), between 0 and 1. Its slope σ(1 − σ) is at most 1/4, so the "
               "gradient shrinks at every sigmoid layer it passes back through.",
    "tanh": "tanh f(z) = (eᶻ − e⁻ᶻ) / (eᶻ + e⁻ᶻ), between −1 and 1, centred on 0. Slope 1 − tanh² (at most 1).",
    "relu": "ReLU max(0, z). Slope 1 for z > 0, so the gradient passes back undiminished; 0 for z < 0 "
            "(a unit stuck there stops learning).",
    "leaky_relu": "Leaky ReLU f(z) = max(α·z, z): z for z > 0, α·z below (α is the slope box beside it), so "
                  "no unit is ever completely switched off.",
    "linear": "Linear f(z) = z. Layers of linear units add up to one linear map: the boundary stays a straight "
              "line however deep the network.",
    "step": "Binary step f(z) = 1 if z ≥ 0, else 0. Its slope is 0 everywhere, so no gradient reaches the hidden "
            "layers and they never learn.",
}
LOSS_TIPS = {
    "mse": "Squared error E = ½ (T − a)² per output, averaged over the points (the backprop lesson's error).",
    "xent": "Cross-entropy E = −log(the probability given to the true class), averaged over the points. "
            "Its gradient at the output is simply a − T, so wrong confident answers are corrected fast.",
}
INIT_TIPS = {
    "zeros": "All weights W = 0 (biases always start at 0). Every unit in a layer then gets the same gradient and "
             "stays identical: the symmetry never breaks.",
    "uniform": "Small random weights W ~ U(−0.5, 0.5), whatever the layer's size.",
    "xavier": "Xavier (Glorot): W ~ U(−r, r) with r = √(6 / (n_in + n_out)), so signals keep their size "
              "through tanh and sigmoid layers.",
    "he": "He: W ~ N(0, 2 / n_in), the Xavier idea for ReLU layers (which zero half of their inputs).",
}


def explain_combo(combo: QComboBox, about: str, items: Mapping[Any, str] | None = None) -> None:
    """Tooltips for ``combo``: ``about`` the choice, then the current item's text from ``items`` (by item
    data), kept current; each item's own in the drop-down."""
    items = dict(items or {})
    for i in range(combo.count()):
        tip = items.get(combo.itemData(i))
        if tip:
            combo.setItemData(i, tip, Qt.ItemDataRole.ToolTipRole)

    def show(*_args) -> None:
        tip = items.get(combo.currentData())
        combo.setToolTip(f"{about}\n\nNow: {tip}" if tip else about)

    combo.currentIndexChanged.connect(show)
    combo._gdplay_tip = show  # keep the closure as long as the combo
    show()
