"""The Regression tab's control panel: model, cost, optimizer, batch, learning rate, compare, stopping,
presets and data buttons. It only shows params and reports edits: ``edited(dict)`` with the changed
fields of RegressionParams; the tab makes the new params."""

from __future__ import annotations

import math

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gdplay.core.least_squares import MAX_DEGREE, parameter_names
from gdplay.core.optimizers import HYPERPARAMETERS
from gdplay.core.regression import OPTIMIZER_LABELS, REGRESSION_OPTIMIZERS, RegressionParams
from gdplay.ui.regression.presets import PRESETS
from gdplay.ui.widgets.hyperparameters import ROWS, hyperparameter_spins
from gdplay.ui.widgets.log_slider import LogSlider
from gdplay.ui.widgets.playback import PlaybackBar
from gdplay.ui.widgets.tips import OPTIMIZER_TIPS, explain_combo

MODEL_LABELS = {"slope": "slope only  y = w·x", "line": "line  y = m·x + b", "poly": "polynomial",
                "sine": "sine  y = sin(w·x)  (not convex)"}
MODEL_TIPS = {"slope": "One weight, y = w·x: the cost is a curve J(w), drawn with the tangent at every step.",
              "line": "A line y = m·x + b: the cost is a surface over (m, b), drawn with each run's path.",
              "poly": "A polynomial y = c_d·xᵈ + … + c₁·x + c₀ of the degree beside it; the surface is a slice "
                      "through two of its coefficients (chosen under Surface over).",
              "sine": "One weight, y = sin(w·x): not linear in w, so J(w) = (1/N) Σ (yᵢ − sin(w·xᵢ))² has many "
                      "dips (local minima), one for every frequency that lines the sine up with part of your "
                      "points. Gradient descent stops in the dip below its start; the star is the best w of "
                      "the window, found on a fine grid."}
COST_TIPS = {"mse": "Mean squared error E = (1/N) Σ (yᵢ − ŷᵢ)², as in Nedrich's line fit.",
             "sse": "Sum of squared errors E = Σ (yᵢ − ŷᵢ)²: N times the mean, so N times steeper; the same "
                    "learning rate then takes N times larger steps."}
BATCH_LABELS = ("full batch", "stochastic (1 point)", "mini-batch")
BATCH_TIPS = {0: "Full batch: every step uses all N points, the exact gradient of E.",
              1: "Stochastic: every update uses one point, in an order shuffled each epoch (pass over the "
                 "points). Noisy, but N times cheaper per update.",
              2: "Mini-batch: every update uses B points (the box beside it), between the two."}
EDGE_COLOR, BEST_COLOR = "#d62728", "#2ca02c"
TOL_TIP = "Stop when the cost changes by at most this fraction in a step, |ΔE| ≤ tol·E (0: off)"
GRAD_TOL_TIP = "Stop when the gradient is this small, ‖∇E‖ ≤ tol: the bottom is flat (0: off)"


def _combo(items: list[tuple[str, object]]) -> QComboBox:
    box = QComboBox()
    for text, data in items:
        box.addItem(text, data)
    return box


class RegressionControls(QWidget):
    """Signals: ``edited(dict)`` (params fields), ``presetRequested(str)``, ``dataRequested(str)``
    ("seed", "line", "clear"), ``undoRequested()``, ``redoRequested()``, ``viewChanged()`` (display
    options: residuals, least squares, surface axes, moving-average window)."""

    edited = Signal(dict)
    presetRequested = Signal(str)
    dataRequested = Signal(str)
    undoRequested = Signal()
    redoRequested = Signal()
    viewChanged = Signal()

    def __init__(self, params: RegressionParams, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._updating = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)

        intro = QLabel("Gradient descent on least squares. Click the data plot to add a point, right-click to "
                       "delete, drag to move; click the surface to start from there.")
        intro.setWordWrap(True)
        layout.addWidget(intro)

        # presets
        box = QGroupBox("Experiments")
        column = QVBoxLayout(box)
        row = QHBoxLayout()
        self.preset = _combo([(p.title, p.key) for p in PRESETS])
        explain_combo(self.preset, "Ready-made experiments from the articles: pick one and press Load.",
                      {p.key: p.description for p in PRESETS})
        self.load_preset = QPushButton("Load")
        self.load_preset.setToolTip("Set the chosen experiment up: its data, every setting and the speed, paused "
                                    "at step 0; then press Play. Ctrl+Z brings back what was here, training "
                                    "included.")
        row.addWidget(self.preset, 1)
        row.addWidget(self.load_preset)
        column.addLayout(row)
        self.preset_text = QLabel()
        self.preset_text.setWordWrap(True)
        self.preset_text.setStyleSheet("color: #444;")
        column.addWidget(self.preset_text)
        layout.addWidget(box)

        # training
        box = QGroupBox("Training")
        v = QVBoxLayout(box)
        self.training_layout = v
        self.playback = PlaybackBar()
        v.addWidget(self.playback)
        form = QFormLayout()
        self.learning_rate = LogSlider(1e-6, 10.0, params.learning_rate, name="learning rate")
        self.learning_rate.setToolTip("Learning rate η: each step moves the parameters by −η·∇E. Too small "
                                      "crawls; past the red mark 2/λmax every step overshoots and the run "
                                      "diverges. Applies at once, the run goes on.")
        form.addRow("Learning rate", self.learning_rate)
        self.lr_hint = QLabel()
        self.lr_hint.setWordWrap(True)
        form.addRow("", self.lr_hint)
        self.optimizer = _combo([(OPTIMIZER_LABELS[n], n) for n in REGRESSION_OPTIMIZERS])
        explain_combo(self.optimizer, "How each step is made from the gradient ∇E (a change starts the run over).",
                      OPTIMIZER_TIPS)
        form.addRow("Optimizer", self.optimizer)
        self.hyper = hyperparameter_spins(" Applies at once.")
        hyper_row = QHBoxLayout()
        for spin in self.hyper.values():
            hyper_row.addWidget(spin)
        self.hyper_row = QWidget()
        self.hyper_row.setLayout(hyper_row)
        hyper_row.setContentsMargins(0, 0, 0, 0)
        form.addRow("", self.hyper_row)
        batch_row = QHBoxLayout()
        self.batch = _combo([(t, i) for i, t in enumerate(BATCH_LABELS)])
        self.batch_size = QSpinBox()
        self.batch_size.setRange(2, 1_000_000)
        self.batch_size.setValue(10)
        self.batch_size.setPrefix("B = ")
        self.batch_size.setToolTip("B: points per mini-batch update")
        explain_combo(self.batch, "How many points each update uses (applies at once).", BATCH_TIPS)
        batch_row.addWidget(self.batch, 1)
        batch_row.addWidget(self.batch_size)
        form.addRow("Batch", batch_row)
        self.average = _combo([("10 updates", 10), ("100 updates", 100), ("1000 updates", 1000)])
        self.average.setCurrentIndex(1)
        self.average.setToolTip("The cost of a stochastic or mini-batch run jumps with each point; the cost plot "
                                "also draws its average over the last 10, 100 or 1000 updates.")
        form.addRow("Average over", self.average)
        v.addLayout(form)
        compare_box = QGroupBox("Compare with (same start, same rate)")
        grid = QGridLayout(compare_box)
        self.compare: dict[str, QCheckBox] = {}
        for k, name in enumerate(REGRESSION_OPTIMIZERS):
            check = QCheckBox(OPTIMIZER_LABELS[name])
            check.setToolTip(f"Also run this from the same start at the same learning rate, drawn on every "
                             f"plot beside the main run.\n{OPTIMIZER_TIPS[name]}")
            self.compare[name] = check
            grid.addWidget(check, k // 2, k % 2)
        self.compare_sgd = QCheckBox("gradient descent, stochastic")
        self.compare_sgd.setToolTip("Also run plain gradient descent with one point per update (order shuffled "
                                    "every epoch) from the same start, beside the main run.")
        grid.addWidget(self.compare_sgd, len(REGRESSION_OPTIMIZERS) // 2, 0, 1, 2)
        v.addWidget(compare_box)
        layout.addWidget(box)

        # model
        box = QGroupBox("Model and cost")
        form = QFormLayout(box)
        row = QHBoxLayout()
        self.model = _combo([(MODEL_LABELS[m], m) for m in ("slope", "line", "poly", "sine")])
        self.degree = QSpinBox()
        self.degree.setRange(2, MAX_DEGREE)
        self.degree.setPrefix("degree ")
        self.degree.setToolTip("Degree d of the polynomial y = c_d·xᵈ + … + c₀ (a change starts the run over)")
        explain_combo(self.model, "The model fitted to the points (a change starts the run over).", MODEL_TIPS)
        row.addWidget(self.model, 1)
        row.addWidget(self.degree)
        form.addRow("Model", row)
        self.cost = _combo([("mean squared error  (1/N) Σ r²", "mse"), ("sum of squared errors  Σ r²", "sse")])
        explain_combo(self.cost, "The cost E that gradient descent minimises, with residuals yᵢ − ŷᵢ (a change "
                      "starts the run over).", COST_TIPS)
        form.addRow("Cost", self.cost)
        self.scale = QCheckBox("standardize x (feature scaling)")
        self.scale.setToolTip("Feature scaling: descend in z = (x − mean) / std instead of x. The long valley "
                              "becomes a round bowl and one learning rate suits every direction. Coefficients "
                              "are still reported in raw units.")
        form.addRow("", self.scale)
        axes_row = QHBoxLayout()
        self.axis_i = QComboBox()
        self.axis_j = QComboBox()
        self.axis_i.setToolTip("The coefficient along the surface's horizontal axis (the others are held at "
                               "their current values)")
        self.axis_j.setToolTip("The coefficient along the surface's vertical axis (the others are held at "
                               "their current values)")
        self.axes_and = QLabel("and")
        axes_row.addWidget(self.axis_i)
        axes_row.addWidget(self.axes_and)
        axes_row.addWidget(self.axis_j)
        self.axes_label = QLabel("Surface over")
        form.addRow(self.axes_label, axes_row)
        self.start_label = QLabel()
        form.addRow("Start", self.start_label)
        layout.addWidget(box)

        # stopping
        box = QGroupBox("Stopping")
        form = QFormLayout(box)
        self.max_steps = self.playback.limit  # the step limit sits with Play, as in every tab
        self.tol = QLineEdit()
        self.tol.setToolTip(TOL_TIP)
        form.addRow("Cost change ≤", self.tol)
        self.grad_tol = QLineEdit()
        self.grad_tol.setToolTip(GRAD_TOL_TIP)
        form.addRow("‖∇E‖ ≤", self.grad_tol)
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setToolTip("Seed of the random order in which stochastic and mini-batch runs visit the points "
                             "(the same seed, the same run)")
        form.addRow("Seed", self.seed)
        layout.addWidget(box)

        # data
        box = QGroupBox("Data")
        v = QVBoxLayout(box)
        row = QHBoxLayout()
        self.seed_data = QPushButton("Nedrich's data")
        self.seed_data.setToolTip("The 100 points of Nedrich's line fit (the gradient-descent article); the "
                                  "settings stay as they are")
        self.line_data = QPushButton("Random line")
        self.line_data.setToolTip("50 new random points around the line y = 1.5·x + 2")
        self.undo = QPushButton("Undo")
        self.redo = QPushButton("Redo")
        self.clear = QPushButton("Clear")
        self.clear.setToolTip("Remove every point (Ctrl+Z brings them back, training included)")
        for b in (self.seed_data, self.line_data, self.clear):
            row.addWidget(b)
        v.addLayout(row)
        row = QHBoxLayout()
        row.addWidget(self.undo)
        row.addWidget(self.redo)
        v.addLayout(row)
        self.show_reference = QCheckBox("least-squares line")
        self.show_reference.setToolTip("Draw the exact least-squares answer (from the normal equations), dashed: "
                                       "where gradient descent is heading")
        self.show_reference.setChecked(True)
        self.show_residuals = QCheckBox("residuals")
        self.show_residuals.setToolTip("Draw each point's residual yᵢ − ŷᵢ, the vertical gap to the fitted line "
                                       "that the cost squares and adds up")
        row = QHBoxLayout()
        row.addWidget(self.show_reference)
        row.addWidget(self.show_residuals)
        v.addLayout(row)
        layout.addWidget(box)
        layout.addStretch(1)

        self._connect()
        self.show_params(params)
        self._on_preset_changed()

    # -- wiring ----------------------------------------------------------------------------------------
    def _connect(self) -> None:
        self.learning_rate.valueChanged.connect(lambda v: self._emit(learning_rate=v))
        self.optimizer.currentIndexChanged.connect(self._on_optimizer_changed)
        for name, spin in self.hyper.items():
            spin.valueChanged.connect(lambda v, name=name: self._emit(**{name: v}))
        self.batch.currentIndexChanged.connect(self._on_batch_changed)
        self.batch_size.valueChanged.connect(self._on_batch_changed)
        for check in (*self.compare.values(), self.compare_sgd):
            check.toggled.connect(self._on_compare_changed)
        self.model.currentIndexChanged.connect(self._on_model_changed)
        self.degree.valueChanged.connect(self._on_model_changed)
        self.cost.currentIndexChanged.connect(lambda _i: self._emit(cost=self.cost.currentData()))
        self.scale.toggled.connect(lambda on: self._emit(scale=on))
        self.max_steps.valueChanged.connect(lambda v: self._emit(max_steps=v))
        self.tol.editingFinished.connect(lambda: self._on_tolerance(self.tol, "tol"))
        self.grad_tol.editingFinished.connect(lambda: self._on_tolerance(self.grad_tol, "grad_tol"))
        self.seed.valueChanged.connect(lambda v: self._emit(seed=v))
        self.preset.currentIndexChanged.connect(self._on_preset_changed)
        self.load_preset.clicked.connect(lambda: self.presetRequested.emit(self.preset.currentData()))
        self.seed_data.clicked.connect(lambda: self.dataRequested.emit("seed"))
        self.line_data.clicked.connect(lambda: self.dataRequested.emit("line"))
        self.clear.clicked.connect(lambda: self.dataRequested.emit("clear"))
        self.undo.clicked.connect(self.undoRequested)
        self.redo.clicked.connect(self.redoRequested)
        for w in (self.show_reference, self.show_residuals):
            w.toggled.connect(self.viewChanged)
        for combo in (self.axis_i, self.axis_j, self.average):
            combo.currentIndexChanged.connect(self._on_view_combo)

    def _emit(self, **changes) -> None:
        if not self._updating:
            self.edited.emit(changes)

    @Slot()
    def _on_view_combo(self, *_args) -> None:
        if not self._updating:
            self.viewChanged.emit()

    @Slot()
    def _on_optimizer_changed(self, *_args) -> None:
        name = self.optimizer.currentData()
        self._show_hyper(name)
        changes: dict = {"optimizer": name}
        if name in ("exact", "armijo") and self.batch.currentIndex() != 0:
            changes["batch_size"] = 0  # line searches need the full-batch cost
            self._show_quietly(lambda: self.batch.setCurrentIndex(0))
            self.batch_size.setVisible(False)
        self._emit(**changes)

    def _show_quietly(self, change) -> None:
        """A widget set by another's edit (the panel shows what it emits; the tab does not echo it)."""
        self._updating = True
        try:
            change()
        finally:
            self._updating = False

    @Slot()
    def _on_batch_changed(self, *_args) -> None:
        mode = self.batch.currentIndex()
        self.batch_size.setVisible(mode == 2)
        size = (0, 1, self.batch_size.value())[mode]
        changes: dict = {"batch_size": size}
        if size and self.optimizer.currentData() in ("exact", "armijo"):
            changes["optimizer"] = "gd"  # a line search needs the full batch: fall back to plain steps
            self._show_quietly(lambda: self.optimizer.setCurrentIndex(self.optimizer.findData("gd")))
            self._show_hyper("gd")
        self._emit(**changes)

    @Slot()
    def _on_compare_changed(self, *_args) -> None:
        names = [n for n, c in self.compare.items() if c.isChecked()]
        if self.compare_sgd.isChecked():
            names.append("gd/1")
        self._emit(compare=tuple(names))

    @Slot()
    def _on_model_changed(self, *_args) -> None:
        model = self.model.currentData()
        self.degree.setVisible(model == "poly")
        changes: dict = {"model": model, "degree": self.degree.value()}
        changes["initial"] = {"line": (-1.0, 0.0), "slope": (0.2,), "sine": (0.6,)}.get(model)
        if model == "sine":  # the exact line search is for quadratic costs
            self.compare["exact"].setChecked(False)  # (re-emits compare without it)
            if self.optimizer.currentData() == "exact":
                self.optimizer.setCurrentIndex(self.optimizer.findData("armijo"))
        self._emit(**changes)

    def _on_tolerance(self, edit: QLineEdit, name: str) -> None:
        try:
            value = float(edit.text() or 0)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and value >= 0):
            edit.setStyleSheet("QLineEdit { background: #ffd6d6; }")
            edit.setToolTip(f"A tolerance must be a number >= 0 (0 turns it off); got {edit.text()!r}.")
            return
        edit.setStyleSheet("")
        edit.setToolTip(TOL_TIP if name == "tol" else GRAD_TOL_TIP)
        self._emit(**{name: value})

    @Slot()
    def _on_preset_changed(self, *_args) -> None:
        key = self.preset.currentData()
        for p in PRESETS:
            if p.key == key:
                self.preset_text.setText(p.description)

    def _show_hyper(self, name: str) -> None:
        shown = ROWS.get(name, ())
        for key, spin in self.hyper.items():
            spin.setVisible(key in shown)
        spin = self.hyper["beta2"]
        own = HYPERPARAMETERS.get(name, {}).get("beta2")
        if own is not None and spin.value() in (0.9, 0.999):  # showing a rule's default: show this rule's
            spin.blockSignals(True)
            spin.setValue(own)
            spin.blockSignals(False)
        self.hyper_row.setVisible(bool(shown))

    # -- showing params ------------------------------------------------------------------------------
    def show_params(self, p: RegressionParams) -> None:
        """Put every widget in the state of ``p`` without emitting edits."""
        self._updating = True
        try:
            self.learning_rate.setValue(min(max(p.learning_rate, 1e-6), 10.0), emit=False)
            self.optimizer.setCurrentIndex(self.optimizer.findData(p.optimizer))
            self._show_hyper(p.optimizer)
            for name, spin in self.hyper.items():
                value = getattr(p, name)
                if value is None:  # β₂ unset: show the optimizer's own default (RMSProp 0.9, Adam 0.999)
                    value = HYPERPARAMETERS.get(p.optimizer, {}).get(name, 0.999)
                spin.setValue(value)
            mode = 0 if p.batch_size == 0 else (1 if p.batch_size == 1 else 2)
            self.batch.setCurrentIndex(mode)
            if mode == 2:
                self.batch_size.setValue(p.batch_size)
            self.batch_size.setVisible(mode == 2)
            for name, check in self.compare.items():
                check.setChecked(name in p.compare)
            self.compare_sgd.setChecked("gd/1" in p.compare)
            self.model.setCurrentIndex(self.model.findData(p.model))
            self.degree.setValue(p.degree)
            self.degree.setVisible(p.model == "poly")
            self.cost.setCurrentIndex(self.cost.findData(p.cost))
            self.scale.setChecked(p.scale)
            self.max_steps.setValue(int(min(p.max_steps, self.max_steps.maximum())))  # a spin box is 32-bit
            self.tol.setText(f"{p.tol:g}")
            self.grad_tol.setText(f"{p.grad_tol:g}")
            self.seed.setValue(int(p.seed))
        finally:
            self._updating = False
        self.show_derived(p)

    def show_derived(self, p: RegressionParams) -> None:
        """What follows from ``p`` but is no control of it: the surface's axis choices, the start."""
        self._updating = True
        try:
            names = parameter_names(p.model, p.degree)
            for combo, default in ((self.axis_i, 0), (self.axis_j, 1)):
                keep = combo.currentIndex()
                combo.clear()
                combo.addItems(list(names))
                ok = 0 <= keep < len(names) and combo.count() > 2
                combo.setCurrentIndex(keep if ok else min(default, len(names) - 1))
            multi = p.model == "poly"
            self.axis_i.setVisible(multi)
            self.axis_j.setVisible(multi)
            self.axes_and.setVisible(multi)
            self.axes_label.setVisible(multi)
            start = p.start()
            self.start_label.setText(", ".join(f"{n} = {v:.4g}" for n, v in zip(names, start)))
        finally:
            self._updating = False

    def surface_axes(self) -> tuple[int, int]:
        i, j = self.axis_i.currentIndex(), self.axis_j.currentIndex()
        if i < 0 or j < 0 or i == j:
            return (0, 1)
        return (i, j)

    def average_window(self) -> int:
        return int(self.average.currentData())

    def show_learning_rate_marks(self, edge: float | None, best: float | None, lr: float) -> None:
        marks = []
        if edge is not None:
            marks.append((edge, EDGE_COLOR))
        if best is not None:
            marks.append((best, BEST_COLOR))
        self.learning_rate.set_marks(marks)
        if edge is None:
            self.lr_hint.setText("")
            return
        text = (f"<span style='color:{EDGE_COLOR}'>▲</span> edge of divergence 2/λmax = {edge:.3g} &nbsp; "
                f"<span style='color:{BEST_COLOR}'>▲</span> best constant step 2/(λmin+λmax) = {best:.3g}")
        if lr > edge:
            text += f"<br><b style='color:{EDGE_COLOR}'>The learning rate is past the edge: plain gradient " \
                    "descent will diverge.</b>"
        self.lr_hint.setText(text)
