"""Tooltips in plain words, with the formula where there is one, for the choices more than one tab offers
(optimizers, activations, losses, inits), and ``explain_combo``, which gives a combo box a tooltip for the
whole choice plus the current item's, and each item in the drop-down its own."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox

from gdplay.core.optimizers import HYPERPARAMETER_SPECS, SPECS

# the optimizers' own words, declared with them (core/optimizers.SPECS)
OPTIMIZER_TIPS = {name: spec.rule for name, spec in SPECS.items()}
HYPER_TIPS = {name: spec.tip for name, spec in HYPERPARAMETER_SPECS.items()}
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

    def show(*_args: object) -> None:
        tip = items.get(combo.currentData())
        combo.setToolTip(f"{about}\n\nNow: {tip}" if tip else about)

    combo.currentIndexChanged.connect(show)  # PySide keeps a connected closure alive with the connection
    show()
