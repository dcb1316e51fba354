"""The Surfaces tab's control panel: the surface (or a formula you type), the optimizer and its learning
rate, noise, compare mode, the start, stopping, and the basins map. It only shows params and reports edits:
``edited(dict)`` with the changed fields of SurfaceParams; the tab makes the new params."""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gdplay.core.expression import Formula, FormulaError
from gdplay.core.surfaces import FORMULA, NOISY, SURFACE_OPTIMIZERS, SURFACES, SurfaceParams, run_label
from gdplay.ui.surfaces.presets import PRESETS
from gdplay.ui.widgets.hyperparameters import ROWS, hyperparameter_spins
from gdplay.ui.widgets.log_slider import LogSlider
from gdplay.ui.widgets.playback import PlaybackBar
from gdplay.ui.widgets.tips import OPTIMIZER_TIPS
from gdplay.ui.widgets.wheel_guard import guard_wheel

BASIN_SIZES = (50, 100, 150, 200)
EDGE_COLOR = "#d62728"


def _combo(items: Sequence[tuple[str, object]], tip: str) -> QComboBox:
    box = QComboBox()
    for text, data in items:
        box.addItem(text, data)
    box.setToolTip(tip)
    # the panel's width must not follow the longest item (an experiment's title)
    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    box.setMinimumContentsLength(12)
    return box


def _note(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: #444;")
    return label


class SurfaceControls(QWidget):
    """Signals: ``edited(dict)`` (params fields), ``presetRequested(str)``, ``viewChanged()`` (the basins
    map's display options)."""

    edited = Signal(dict)
    presetRequested = Signal(str)
    viewChanged = Signal()

    def __init__(self, params: SurfaceParams, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._updating = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        intro = QLabel("Gradient descent on surfaces with several minima, saddles and curved valleys. Click the "
                       "map to start from there; the basins map colours every start by the minimum it reaches.")
        intro.setWordWrap(True)
        layout.addWidget(intro)

        # experiments
        box = QGroupBox("Experiments")
        v = QVBoxLayout(box)
        row = QHBoxLayout()
        self.preset = _combo([(p.title, p.key) for p in PRESETS], "A ready-made experiment: pick one, then Load")
        self.load_preset = QPushButton("Load")
        self.load_preset.setToolTip("Set up the chosen experiment (surface, optimizers, start, speed); then Play")
        row.addWidget(self.preset, 1)
        row.addWidget(self.load_preset)
        v.addLayout(row)
        self.preset_text = _note()
        v.addWidget(self.preset_text)
        layout.addWidget(box)

        # training
        box = QGroupBox("Training")
        v = QVBoxLayout(box)
        self.training_layout = v
        self.playback = PlaybackBar()
        v.addWidget(self.playback)
        form = QFormLayout()
        self.learning_rate = LogSlider(1e-5, 10.0, params.learning_rate, name="learning rate")
        self.learning_rate.setToolTip("Learning rate lr: each step moves −lr·∇f (log scale). The red marks are "
                                      "2/λmax at the known minima: past one, plain GD cannot settle there.")
        self.learning_rate.slider.setToolTip(self.learning_rate.toolTip())
        form.addRow("Learning rate", self.learning_rate)
        self.lr_hint = _note()
        form.addRow("", self.lr_hint)
        self.optimizer = _combo([(run_label(n), n) for n in SURFACE_OPTIMIZERS], "The update rule of the main run")
        for i, n in enumerate(SURFACE_OPTIMIZERS):
            self.optimizer.setItemData(i, OPTIMIZER_TIPS[n], Qt.ItemDataRole.ToolTipRole)
        form.addRow("Optimizer", self.optimizer)
        self.hyper = hyperparameter_spins(" Applies at once.")
        hyper_row = QHBoxLayout()
        for spin in self.hyper.values():
            hyper_row.addWidget(spin)
        self.hyper_row = QWidget()
        self.hyper_row.setLayout(hyper_row)
        hyper_row.setContentsMargins(0, 0, 0, 0)
        form.addRow("", self.hyper_row)
        noise_row = QHBoxLayout()
        self.noise = QDoubleSpinBox()
        self.noise.setRange(0.0, 1000.0)
        self.noise.setDecimals(3)
        self.noise.setSingleStep(0.01)
        self.noise.setPrefix("σ ")
        self.noise.setToolTip("Noisy gradient descent: each step uses ∇f + σ·N(0, I), Gaussian noise of scale σ "
                              "(0: plain). Applies to the main run and to compared runs marked + noise.")
        self.schedule = _combo([("constant", "constant"), ("annealed", "annealed")],
                               "Constant σ, or annealed: σ shrinks linearly to zero at the step limit, "
                               "σₜ = σ·(1 − t/limit)")
        noise_row.addWidget(self.noise, 1)
        noise_row.addWidget(self.schedule)
        form.addRow("Noise", noise_row)
        v.addLayout(form)
        compare_box = QGroupBox("Compare with (same start, same rate)")
        grid = QGridLayout(compare_box)
        self.compare: dict[str, QCheckBox] = {}
        for k, name in enumerate((*SURFACE_OPTIMIZERS, "gd" + NOISY)):
            check = QCheckBox(run_label(name).replace("backtracking (Armijo)", "Armijo backtracking")
                              .replace("gradient descent", "GD"))
            check.setToolTip(f"Also run {run_label(name)} from the same start: {OPTIMIZER_TIPS[name.split('+')[0]]}"
                             + (" plus the noise σ" if name.endswith(NOISY) else ""))
            self.compare[name] = check
            grid.addWidget(check, k // 2, k % 2)
        v.addWidget(compare_box)
        layout.addWidget(box)

        # surface
        box = QGroupBox("Surface")
        v = QVBoxLayout(box)
        self.surface = _combo([(s.title, s.key) for s in SURFACES.values()] + [("Your formula…", FORMULA)],
                              "The function f(x, y) that gradient descent minimises")
        v.addWidget(self.surface)
        row = QHBoxLayout()
        self.formula = QLineEdit()
        self.formula.setPlaceholderText("f(x, y), e.g. (x**2 - 1)**2 + y**2")
        self.formula.setToolTip("Type f in x and y: + − * / ** (or ^), parentheses, numbers, pi, e and sin cos tan "
                                "exp log sqrt abs tanh. Press Enter to use it.")
        self.apply_formula = QPushButton("Use")
        self.apply_formula.setToolTip("Use the typed formula (Enter does the same)")
        row.addWidget(self.formula, 1)
        row.addWidget(self.apply_formula)
        self.formula_row = QWidget()
        self.formula_row.setLayout(row)
        row.setContentsMargins(0, 0, 0, 0)
        v.addWidget(self.formula_row)
        self.formula_note = _note()
        self.formula_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        v.addWidget(self.formula_note)
        self.surface_text = _note()
        v.addWidget(self.surface_text)
        layout.addWidget(box)

        # start and stopping
        box = QGroupBox("Start and stopping")
        form = QFormLayout(box)
        self.start = QLineEdit()
        self.start.setToolTip("Where every run starts, as x, y (or click the map). Press Enter to use it.")
        form.addRow("Start x, y", self.start)
        self.max_steps = QSpinBox()
        self.max_steps.setRange(1, 1_000_000_000)
        self.max_steps.setGroupSeparatorShown(True)
        self.max_steps.setToolTip("Stop every run after this many steps")
        form.addRow("Step limit", self.max_steps)
        self.grad_tol = QLineEdit()
        self.grad_tol.setToolTip("Converged when the gradient's length ‖∇f‖ is at most this (0: never)")
        form.addRow("‖∇f‖ ≤", self.grad_tol)
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setToolTip("Seed of the noise: the same seed gives the same noisy walk")
        form.addRow("Seed", self.seed)
        layout.addWidget(box)

        # basins
        box = QGroupBox("Basins of attraction")
        v = QVBoxLayout(box)
        self.show_basins = QCheckBox("show the basins map")
        self.show_basins.setToolTip("Colour every start of a grid over the view by the minimum the main optimizer "
                                    "reaches from it at the current learning rate (no noise); recomputed when "
                                    "the rate, the optimizer or the view changes")
        v.addWidget(self.show_basins)
        row = QHBoxLayout()
        self.basins_size = _combo([(f"{n} × {n} starts", n) for n in BASIN_SIZES],
                                  "How many starts the map runs: n × n over the visible window (a line search: at most "
                                  "60 × 60, as each of its steps tries many step sizes)")
        self.basins_size.setCurrentIndex(BASIN_SIZES.index(150))
        self.basins_steps = QSpinBox()
        self.basins_steps.setRange(1, 100_000)
        self.basins_steps.setPrefix("≤ ")
        self.basins_steps.setSuffix(" steps")
        self.basins_steps.setToolTip("Each start runs at most this many steps; one still moving then is "
                                     "'not settled' (white)")
        row.addWidget(self.basins_size, 1)
        row.addWidget(self.basins_steps)
        v.addLayout(row)
        self.basins_legend = _note("")
        self.basins_legend.setTextFormat(Qt.TextFormat.RichText)
        # a new map every few frames while the rate is dragged: its table's width must not refit the panel (and
        # with it resize every plot) each time; it takes the panel's width
        self.basins_legend.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        v.addWidget(self.basins_legend)
        layout.addWidget(box)
        layout.addStretch(1)

        guard_wheel(self)
        self._connect()
        self.show_params(params)
        self._on_preset_changed()

    # -- wiring ----------------------------------------------------------------------------------------
    def _connect(self) -> None:
        self.learning_rate.valueChanged.connect(lambda v: self._emit(learning_rate=v))
        self.optimizer.currentIndexChanged.connect(self._on_optimizer_changed)
        for name, spin in self.hyper.items():
            spin.valueChanged.connect(lambda v, name=name: self._emit(**{name: v}))
        self.noise.valueChanged.connect(lambda v: self._emit(noise=v))
        self.schedule.currentIndexChanged.connect(lambda _i: self._emit(noise_schedule=self.schedule.currentData()))
        for check in self.compare.values():
            check.toggled.connect(self._on_compare_changed)
        self.surface.currentIndexChanged.connect(self._on_surface_changed)
        self.formula.returnPressed.connect(self._on_formula_entered)
        self.apply_formula.clicked.connect(self._on_formula_entered)
        self.start.editingFinished.connect(self._on_start_entered)
        self.max_steps.valueChanged.connect(lambda v: self._emit(max_steps=v))
        self.grad_tol.editingFinished.connect(self._on_grad_tol)
        self.seed.valueChanged.connect(lambda v: self._emit(seed=v))
        self.basins_steps.valueChanged.connect(lambda v: self._emit(basins_steps=v))
        self.preset.currentIndexChanged.connect(self._on_preset_changed)
        self.load_preset.clicked.connect(lambda: self.presetRequested.emit(self.preset.currentData()))
        self.show_basins.toggled.connect(self._on_view)
        self.basins_size.currentIndexChanged.connect(self._on_view)

    def _emit(self, **changes) -> None:
        if not self._updating:
            self.edited.emit(changes)

    @Slot()
    def _on_view(self, *_args) -> None:
        if not self._updating:
            self.viewChanged.emit()

    @Slot()
    def _on_optimizer_changed(self, *_args) -> None:
        name = self.optimizer.currentData()
        self._show_hyper(name)
        self._emit(optimizer=name)

    @Slot()
    def _on_compare_changed(self, *_args) -> None:
        self._emit(compare=tuple(n for n, c in self.compare.items() if c.isChecked()))

    @Slot()
    def _on_surface_changed(self, *_args) -> None:
        key = self.surface.currentData()
        self.formula_row.setVisible(key == FORMULA)
        if key == FORMULA:
            self._on_formula_entered()
            return
        sd = SURFACES[key]
        self._emit(surface=key, initial=sd.start, learning_rate=sd.learning_rate)

    @Slot()
    def _on_formula_entered(self) -> None:
        text = self.formula.text()
        try:
            Formula.parse(text)
        except FormulaError as exc:
            self.show_formula_error(str(exc))
            return
        self.formula.setStyleSheet("")
        self._emit(surface=FORMULA, formula=text.strip())

    def show_formula_error(self, message: str) -> None:
        self.formula.setStyleSheet("QLineEdit { background: #ffd6d6; }")
        self.formula_note.setStyleSheet("color: #b00020;")
        self.formula_note.setText(message)

    @Slot()
    def _on_start_entered(self) -> None:
        from gdplay.core.surfaces import point_from_text
        from gdplay.core.trainer import ValidationError

        try:
            xy = point_from_text(self.start.text())
        except ValidationError as exc:
            self.start.setStyleSheet("QLineEdit { background: #ffd6d6; }")
            self.start.setToolTip(str(exc))
            return
        self.start.setStyleSheet("")
        self._emit(initial=xy)

    @Slot()
    def _on_grad_tol(self) -> None:
        try:
            value = float(self.grad_tol.text() or 0)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and value >= 0):
            self.grad_tol.setStyleSheet("QLineEdit { background: #ffd6d6; }")
            self.grad_tol.setToolTip(
                f"A tolerance must be a number >= 0 (0 turns it off); got {self.grad_tol.text()!r}.")
            return
        self.grad_tol.setStyleSheet("")
        self._emit(grad_tol=value)

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
        self.hyper_row.setVisible(bool(shown))

    # -- showing params ------------------------------------------------------------------------------
    def show_params(self, p: SurfaceParams) -> None:
        """Put every widget in the state of ``p`` without emitting edits."""
        self._updating = True
        try:
            self.surface.setCurrentIndex(self.surface.findData(p.surface))
            self.formula_row.setVisible(p.surface == FORMULA)
            if p.surface == FORMULA:
                self.formula.setText(p.formula)
                self.formula.setStyleSheet("")
            self.learning_rate.setValue(min(max(p.learning_rate, 1e-5), 10.0), emit=False)
            self.optimizer.setCurrentIndex(self.optimizer.findData(p.optimizer))
            self._show_hyper(p.optimizer)
            for name, spin in self.hyper.items():
                spin.setValue(getattr(p, name))
            self.noise.setValue(p.noise)
            self.schedule.setCurrentIndex(self.schedule.findData(p.noise_schedule))
            for name, check in self.compare.items():
                check.setChecked(name in p.compare)
            self.start.setText(f"{p.initial[0]:.4g}, {p.initial[1]:.4g}")
            self.start.setStyleSheet("")
            self.max_steps.setValue(int(min(p.max_steps, self.max_steps.maximum())))
            self.grad_tol.setText(f"{p.grad_tol:g}")
            self.grad_tol.setStyleSheet("")
            self.seed.setValue(int(p.seed))
            self.basins_steps.setValue(int(p.basins_steps))
        finally:
            self._updating = False

    def basins_grid(self) -> int:
        return int(self.basins_size.currentData())

    def show_surface(self, title: str, formula: str, text: str, problem: str | None) -> None:
        self.surface_text.setText(text)
        if problem:
            self.formula_note.setStyleSheet("color: #b00020;")
            self.formula_note.setText(f"f = {formula}. Undefined somewhere in view: {problem} Those points are "
                                      "left out of the picture.")
        else:
            self.formula_note.setStyleSheet("color: #444;")
            self.formula_note.setText(f"f(x, y) = {formula}")

    def show_edges(self, edges: list[float], lr: float, optimizer: str) -> None:
        """Marks under the learning-rate slider at 2/λmax of each known minimum, and a sentence."""
        edges = sorted({round(e, 12) for e in edges if math.isfinite(e) and e > 0})
        self.learning_rate.set_marks([(e, EDGE_COLOR) for e in edges])
        if not edges:
            self.lr_hint.setText("")
            return
        text = (f"<span style='color:{EDGE_COLOR}'>▲</span> 2/λmax at the minima: "
                + ", ".join(f"{e:.3g}" for e in edges[:6]) + (" …" if len(edges) > 6 else ""))
        past = [e for e in edges if lr > e]
        if past and optimizer == "gd":
            text += (f"<br><b style='color:{EDGE_COLOR}'>Past {len(past)} of them: plain gradient descent cannot "
                     "settle in those minima.</b>")
        self.lr_hint.setText(text)
