"""The optimizers' hyperparameter spin boxes (μ, β₁, β₂, ε), built from core/optimizers' spec for every tab
that offers them: each optimizer shows the rows of the hyperparameters it reads (``ROWS``)."""

from __future__ import annotations

from PySide6.QtWidgets import QDoubleSpinBox

from gdplay.core.optimizers import HYPERPARAMETER_SPECS, SPECS
from gdplay.ui.widgets.tips import HYPER_TIPS

ROWS = {name: tuple(spec.hyperparameters) for name, spec in SPECS.items()}  # the rows each optimizer shows
STEPS = {"momentum": (0.05, 3), "beta1": (0.01, 3), "beta2": (0.001, 4), "epsilon": (1e-8, 10)}  # step, decimals


def hyperparameter_spins(tip_suffix: str = "") -> dict[str, QDoubleSpinBox]:
    """One spin box per hyperparameter, with the spec's range, symbol and tooltip."""
    spins = {}
    for name, h in HYPERPARAMETER_SPECS.items():
        step, decimals = STEPS[name]
        spin = QDoubleSpinBox()
        spin.setRange(h.minimum, h.maximum)
        spin.setSingleStep(step)
        spin.setDecimals(decimals)
        spin.setPrefix(f"{h.symbol} ")
        spin.setToolTip(HYPER_TIPS[name] + tip_suffix)
        spins[name] = spin
    return spins
