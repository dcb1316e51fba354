"""The SVM model panel builds its kernel menu, rows and formula from the kernel spec (core/kernels.py): a
kernel added there appears with the rows of exactly the parameters it reads."""

import numpy as np
import pytest

from gdplay.core import kernels as K
from gdplay.core.svm import SVMParams
from gdplay.ui.svm.controls import ModelControls

SIGMOID = K.KernelSpec("sigmoid", "Sigmoid", "K(x, y) = tanh(γ x·y + c₀)", "Sigmoid: a neural network's unit.",
                       ("gamma", "coef0"), "dot",
                       lambda k, gamma, degree, coef0: np.tanh(k * gamma + coef0))


def visible_rows(m: ModelControls) -> set[str]:
    names = ("sigma", "convention", "poly_gamma", "degree", "coef0")
    return {name for name in names if m.form.isRowVisible(getattr(m, name))}


@pytest.mark.parametrize("kernel", K.KERNELS)
def test_only_the_rows_of_what_the_kernel_reads(qtbot, kernel):
    m = ModelControls()
    qtbot.addWidget(m)
    m.kernel.setCurrentIndex(m.kernel.findData(kernel))
    reads = set(K.KERNEL_SPECS[kernel].reads)
    want = {"degree", "coef0"} & reads
    if "gamma" in reads:
        want |= {"sigma", "convention"} if K.KERNEL_SPECS[kernel].base == "sqdist" else {"poly_gamma"}
    assert visible_rows(m) == want
    assert K.KERNEL_SPECS[kernel].formula in m.formula.text()


def test_a_kernel_added_to_the_spec_is_in_the_panel(qtbot, monkeypatch):
    monkeypatch.setitem(K.KERNEL_SPECS, "sigmoid", SIGMOID)
    m = ModelControls()
    qtbot.addWidget(m)
    index = m.kernel.findData("sigmoid")
    assert index >= 0 and "tanh" in m.kernel.itemText(index)
    changes = []
    m.edited.connect(changes.append)
    m.kernel.setCurrentIndex(index)
    assert visible_rows(m) == {"poly_gamma", "coef0"} and "tanh" in m.formula.text()
    m.coef0.setValue(-0.5)
    p = m.params(SVMParams())
    assert (p.kernel, p.coef0) == ("sigmoid", -0.5)
    assert changes == [{"kernel": "sigmoid", "gamma": m.poly_gamma.value()}, {"coef0": -0.5}]
