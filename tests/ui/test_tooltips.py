"""Every control explains itself (issue 12, §3): a tooltip in plain words on every button, check box,
combo box, slider, spin box and line edit of every tab, and names taken from the articles' subjects, not
internal labels."""

import re

import pytest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QScrollBar,
    QTabBar,
    QWidget,
)

from gdplay.resources import examples, resource_path
from gdplay.ui.network.tab import NetworkTab
from gdplay.ui.plots.style import configure
from gdplay.ui.regression.tab import RegressionTab
from gdplay.ui.svm.tab import SvmTab

INTERNAL = re.compile(r"\(00[0-9]\)|\bseed's\b|\bthe seed\b(?! of)", re.IGNORECASE)


@pytest.fixture(params=[RegressionTab, NetworkTab, SvmTab], ids=["regression", "network", "svm"])
def tab(request, qtbot):
    configure()
    t = request.param()
    qtbot.addWidget(t)
    t.resize(1280, 800)
    t.show()
    qtbot.waitExposed(t)
    if isinstance(t, SvmTab):
        t.pages.setCurrentIndex(1)  # the Sweeps page builds its plots when first shown
    yield t
    assert t.shutdown()


def controls(root: QWidget) -> list[QWidget]:
    """Everything a person can click, type into or drag (a spin box's or combo box's own line edit and the
    scroll bars of plots and panels are parts of other controls)."""
    out = []
    for w in root.findChildren(QWidget):
        if isinstance(w, QScrollBar):
            continue
        if isinstance(w, QLineEdit) and isinstance(w.parentWidget(), (QAbstractSpinBox, QComboBox)):
            continue
        if isinstance(w, (QAbstractButton, QComboBox, QAbstractSlider, QAbstractSpinBox, QLineEdit)):
            out.append(w)
    return out


def name(w: QWidget) -> str:
    text = w.text() if isinstance(w, (QAbstractButton, QLineEdit)) else ""
    return f"{type(w).__name__} {text!r} {w.accessibleName()!r} in {type(w.parentWidget()).__name__}"


def test_every_control_of_every_tab_has_a_tooltip(tab):
    found = controls(tab)
    assert len(found) > 20
    missing = [name(w) for w in found if w.isEnabled() and not w.toolTip().strip()]
    assert not missing, "controls without a tooltip:\n" + "\n".join(missing)
    # disabled ones too: they are enabled by other choices, and then they must say what they do (Qt's own
    # tab-bar scroll arrows and table corner are not gdplay's controls)
    missing = [name(w) for w in found if not w.toolTip().strip()
               and not isinstance(w.parentWidget(), (QTabBar, QAbstractItemView))]
    assert not missing, "disabled controls without a tooltip:\n" + "\n".join(missing)


def test_choices_explain_each_item_with_its_formula(tab):
    """A combo box's tooltip says what the current choice does; the drop-down shows each item's own."""
    from PySide6.QtCore import Qt

    formulas = {"optimizer": "←", "activation": "(", "loss": "E", "init": "W", "kernel": "K(x, y)",
                "cost": "Σ", "model": "y ="}
    checked = 0
    for combo in tab.findChildren(QComboBox):
        for attr, mark in formulas.items():
            owner = getattr(tab, "controls", None) or getattr(tab, "panel", None)
            if tab.__class__ is SvmTab:
                owner = tab.model
            if getattr(owner, attr, None) is combo:
                checked += 1
                for i in range(combo.count()):
                    tip = combo.itemData(i, Qt.ItemDataRole.ToolTipRole)
                    assert tip and mark in tip, (attr, combo.itemText(i), tip)
                assert mark in combo.toolTip()
    assert checked >= 1


def test_no_internal_labels_in_the_window(tab):
    texts = []
    for w in tab.findChildren(QWidget):
        texts.append(w.toolTip())
        if isinstance(w, (QLabel, QAbstractButton)):
            texts.append(w.text())
        if isinstance(w, QGroupBox):
            texts.append(w.title())
        if isinstance(w, QComboBox):
            texts += [w.itemText(i) for i in range(w.count())]
    bad = [t for t in texts if INTERNAL.search(t)]
    assert not bad, bad


def test_examples_and_readme_use_the_articles_subjects():
    names = [title + " " + text for _path, title, text in examples()]
    assert not [n for n in names if INTERNAL.search(n)]
    assert any("Nedrich" in n for n in names)
    readme = (resource_path().parent / "README.md").read_text(encoding="utf-8")
    assert not INTERNAL.findall(readme)
