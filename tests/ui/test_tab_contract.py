"""The seam between a tab and its trainer: TrainingTab's declared contract, the one controls protocol (an
edit from the controls is applied once and not echoed back), and views named as functions of the trainer."""

from dataclasses import dataclass

import pytest
from PySide6.QtCore import Qt

from gdplay.bridge import CallFailed
from gdplay.core.regression import views
from gdplay.core.regression.results import FitCurves
from gdplay.ui.plots.style import configure
from gdplay.ui.regression.tab import RegressionTab
from gdplay.ui.tab_base import TrainingTab


@pytest.fixture
def tab(qtbot):
    configure()
    t = RegressionTab()
    qtbot.addWidget(t)
    yield t
    assert t.shutdown()


@dataclass(frozen=True)
class _Params:
    LIVE = ("learning_rate",)
    learning_rate: float = 0.1


def test_a_tab_that_leaves_out_part_of_the_contract_is_refused_when_its_class_is_made():
    with pytest.raises(TypeError, match="on_snapshot, history_table"):
        class Half(TrainingTab):
            key, title, PARAMS = "half", "Half", _Params

            def set_params(self, params): return True
            def apply_preset(self, key, play=False): ...
            def session_trainer(self, params, xy, labels, settings): ...
            def fit_points_view(self): ...

    with pytest.raises(TypeError, match="define key"):
        class Nameless(TrainingTab):
            title, PARAMS = "Nameless", _Params
            set_params = on_snapshot = apply_preset = session_trainer = history_table = fit_points_view = (
                lambda self, *a: None)

    class NoLive:
        pass

    with pytest.raises(TypeError, match="declares no LIVE"):
        class Unlive(TrainingTab):
            key, title, PARAMS = "unlive", "Unlive", NoLive
            set_params = on_snapshot = apply_preset = session_trainer = history_table = fit_points_view = (
                lambda self, *a: None)


def test_every_tab_of_the_window_keeps_the_contract():
    import importlib

    from gdplay.tabs import TABS

    for spec in TABS:
        module, name = spec.tab_class.split(":")
        cls = getattr(importlib.import_module(module), name)
        assert issubclass(cls, TrainingTab) and (cls.key, cls.title) == (spec.key, spec.title)
        for method in TrainingTab.REQUIRED:
            assert getattr(cls, method) is not getattr(TrainingTab, method), (cls.__name__, method)
        assert isinstance(cls.PARAMS.LIVE, tuple) and set(cls.PARAMS.LIVE) <= set(cls.PARAMS.__dataclass_fields__)


def test_an_edit_from_the_controls_is_applied_once_and_not_echoed_back(qtbot, tab, monkeypatch):
    shown, derived, sent = [], [], []
    monkeypatch.setattr(tab.controls, "show_params", shown.append)
    monkeypatch.setattr(tab.controls, "show_derived", derived.append)
    real_send = tab.controller.set_params
    monkeypatch.setattr(tab.controller, "set_params", lambda p: (sent.append(p), real_send(p))[1])
    tab.controls.edited.emit({"learning_rate": 0.00031})
    assert tab.params.learning_rate == 0.00031 and [p.learning_rate for p in sent] == [0.00031]
    assert shown == [] and [p.learning_rate for p in derived] == [0.00031]  # no echo; what follows, shown
    # a value the params refuse puts the control back to the params in force
    tab.controls.edited.emit({"learning_rate": -1.0})
    assert tab.params.learning_rate == 0.00031 and len(sent) == 1
    assert [p.learning_rate for p in shown] == [0.00031]
    # params from elsewhere (a preset) are shown in the controls
    tab.apply_preset(tab.controls.preset.itemData(1))
    assert shown[-1] == tab.params


def test_a_restarting_edit_from_the_controls_is_one_undo_entry_named_by_the_field(qtbot, tab):
    before = tab.params
    tab.controls.edited.emit({"cost": "sse" if before.cost != "sse" else "mse"})
    assert tab.editor.undo_stack.can_undo() and "Change the cost" in tab.editor.undo_stack.undo_text()
    tab.undo()
    assert tab.params == before


def test_views_are_functions_of_the_trainer_and_a_failed_one_draws_nothing(qtbot, tab):
    tab.controller.set_rate(None)
    tab.controller.step(1)
    qtbot.waitUntil(lambda: tab.view("fit") is not None, timeout=15_000)
    assert isinstance(tab.view("fit"), FitCurves) and tab.view("fit").y.shape[0] == len(tab.snapshot.runs)
    tab.controller.set_view("fit", views.surface, "not axes")  # raises in the training process
    tab.controller.step(1)
    qtbot.waitUntil(lambda: isinstance(tab.controller.views.get("fit"), CallFailed), timeout=15_000)
    assert tab.view("fit") is None
    with pytest.raises(TypeError, match="import by name"):
        tab.controller.set_view("fit", lambda trainer: None)


def test_what_follows_from_an_edit_is_shown_though_the_edit_is_not_echoed(qtbot, tab):
    """Choosing the polynomial model in the panel: the surface's axis choices become its coefficients and
    the start is shown in them (show_derived), without the panel being rewritten (show_params)."""
    c = tab.controls
    c.model.setCurrentIndex(c.model.findData("poly"))
    assert tab.params.model == "poly"
    names = [c.axis_i.itemText(k) for k in range(c.axis_i.count())]
    assert len(names) == tab.params.degree + 1 and c.axis_i.isVisibleTo(c)
    assert c.start_label.text().count("=") == tab.params.degree + 1
    c.model.setCurrentIndex(c.model.findData("line"))
    assert [c.axis_i.itemText(k) for k in range(c.axis_i.count())] == ["m", "b"]


@pytest.mark.parametrize("panel", ["regression", "surfaces"])
def test_each_optimizer_shows_the_hyperparameter_rows_its_spec_reads(qtbot, panel):
    """The menus and rows come from core/optimizers.SPECS: every spec entry is offered, with its rows only."""
    from gdplay.core.optimizers import SPECS
    from gdplay.core.regression import RegressionParams
    from gdplay.core.surfaces import SurfaceParams
    from gdplay.ui.regression.controls import RegressionControls
    from gdplay.ui.surfaces.controls import SurfaceControls

    c = RegressionControls(RegressionParams()) if panel == "regression" else SurfaceControls(SurfaceParams())
    qtbot.addWidget(c)
    offered = [c.optimizer.itemData(i) for i in range(c.optimizer.count())]
    assert offered == list(SPECS)
    for name, spec in SPECS.items():
        c.optimizer.setCurrentIndex(c.optimizer.findData(name))
        shown = {k for k, spin in c.hyper.items() if spin.isVisibleTo(c)}
        assert shown == set(spec.hyperparameters), name
        assert spec.rule in c.optimizer.itemData(c.optimizer.currentIndex(), Qt.ItemDataRole.ToolTipRole), name
