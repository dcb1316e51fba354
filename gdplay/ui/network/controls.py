"""The Neural network tab's control panel: data, network, training, views. It only shows params and reports
edits; the tab decides (validates, debounces a restart, sends).

Signals: ``edited(dict)`` with the NetworkParams fields the user changed ({name: new value}; the learning
rate, optimizer and batch apply at once, the layers, activation, loss, init, seed and inputs restart the run),
``dataChanged()`` (preset, count, noise, seed, classes), ``splitChanged()`` (test fraction),
``classChanged(int)`` (the class clicks add). ``show_params(params)`` shows params that came from elsewhere
(a preset, undo, a session) without emitting anything."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QSignalBlocker, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gdplay.core.network import FEATURES, MAX_HIDDEN_LAYERS, MAX_UNITS, NetworkParams
from gdplay.core.optimizers import HYPERPARAMETERS, LABELS
from gdplay.ui.network.presets import PRESET_TIPS, PRESETS
from gdplay.ui.plots.style import CLASS_COLORS
from gdplay.ui.widgets.log_slider import LogSlider
from gdplay.ui.widgets.playback import PlaybackBar
from gdplay.ui.widgets.tips import ACTIVATION_TIPS, HYPER_TIPS, INIT_TIPS, LOSS_TIPS, OPTIMIZER_TIPS, explain_combo

FEATURE_TIPS = {"x1": "the first coordinate x₁", "x2": "the second coordinate x₂", "x1^2": "x₁ squared",
                "x2^2": "x₂ squared", "x1*x2": "the product x₁·x₂", "sin x1": "sin x₁", "sin x2": "sin x₂"}
ACTIVATION_LABELS = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "leaky ReLU",
                     "linear": "linear", "step": "binary step"}
LOSS_LABELS = {"mse": "squared error ½(T − a)²", "xent": "cross-entropy"}
INIT_LABELS = {"zeros": "zeros", "uniform": "small uniform ±0.5", "xavier": "Xavier (Glorot)", "he": "He"}
FEATURE_LABELS = {"x1": "x₁", "x2": "x₂", "x1^2": "x₁²", "x2^2": "x₂²", "x1*x2": "x₁·x₂",
                  "sin x1": "sin x₁", "sin x2": "sin x₂"}
BATCH_MODES = ("full", "mini", "one")
HYPER_SPECS = {  # name -> (label, min, max, step, decimals)
    "momentum": ("momentum", 0.0, 0.999, 0.05, 3),
    "beta1": ("β₁", 0.0, 0.999, 0.01, 3),
    "beta2": ("β₂ (decay)", 0.0, 0.9999, 0.001, 4),
    "epsilon": ("ε", 1e-10, 1e-2, 1e-8, 10),
}


def _clamped(slider: LogSlider, value: float) -> float:
    return min(max(value, slider.minimum), slider.maximum)


def _combo(items: dict[str, str], current: str) -> QComboBox:
    box = QComboBox()
    for key, label in items.items():
        box.addItem(label, key)
    box.setCurrentIndex(list(items).index(current))
    return box


class ControlPanel(QWidget):
    edited = Signal(dict)
    dataChanged = Signal()
    splitChanged = Signal()
    classChanged = Signal(int)

    def __init__(self, params: NetworkParams, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._build_training(params)
        self._build_network(params)
        self._build_data()
        self._build_views()
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_label.setMinimumHeight(36)

        intro = QLabel("Train a small network by backpropagation on points you place. Click the decision map "
                       "to add a point of the current class (Shift+click: the next class), right-click to "
                       "delete, drag to move.")
        intro.setWordWrap(True)
        self.worked_button = QPushButton("Backprop by hand: two neurons")
        self.worked_button.setToolTip("The backprop lesson's worked example: x → σ → σ with x = 0.1, target 0.25, "
                                      "every chain-rule value in a table, one Step at a time")
        self.vanish_sigmoid = QPushButton("Deep sigmoid")
        self.vanish_sigmoid.setToolTip("Set up XOR with 5 hidden layers of 8 sigmoid units (Xavier init, squared "
                                       "error), paused: press Play. The gradient reaching the first layers is "
                                       "thousands of times smaller (vanishing gradient: σ′ ≤ 1/4 per layer).")
        self.vanish_relu = QPushButton("Same with ReLU")
        self.vanish_relu.setToolTip("Set up the same network with ReLU and He init, paused: press Play. The "
                                    "gradient reaches every layer.")
        try_box = QGroupBox("Try this")
        try_layout = QVBoxLayout(try_box)
        vg = QHBoxLayout()
        vg.addWidget(QLabel("Vanishing gradient:"))
        vg.addWidget(self.vanish_sigmoid)
        vg.addWidget(self.vanish_relu)
        try_layout.addLayout(vg)
        try_layout.addWidget(self.worked_button)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(try_box)
        layout.addWidget(self.status_label)
        layout.addWidget(self.train_box)
        layout.addWidget(self.network_box)
        layout.addWidget(self.data_box)
        layout.addWidget(self.views_box)
        layout.addStretch(1)
        self.show_params(params)
        self._on_preset_changed(emit=False)

    # -- training ------------------------------------------------------------------------------------
    def _build_training(self, p: NetworkParams) -> None:
        self.train_box = QGroupBox("Training")
        v = QVBoxLayout(self.train_box)
        self.playback = PlaybackBar()
        v.addWidget(self.playback)
        form = QFormLayout()
        self.train_form = form
        self.learning_rate = LogSlider(1e-4, 10.0, p.learning_rate, name="learning rate")
        self.learning_rate.setToolTip("Learning rate η: each step moves every weight by −η·∂E/∂w. Applies at "
                                      "once; the weights are kept.")
        form.addRow("Learning rate", self.learning_rate)
        self.optimizer = _combo(dict(LABELS), p.optimizer)
        explain_combo(self.optimizer, "How each step is made from the gradient g = ∂E/∂w (applies at once; the "
                      "weights are kept, the rule's memory starts afresh).", OPTIMIZER_TIPS)
        form.addRow("Optimizer", self.optimizer)
        self.hyper: dict[str, QDoubleSpinBox] = {}
        for name, (label, lo, hi, step, dec) in HYPER_SPECS.items():
            spin = QDoubleSpinBox()
            spin.setRange(lo, hi)
            spin.setDecimals(dec)
            spin.setSingleStep(step)
            spin.setValue(0.9 if name in ("momentum", "beta1") else (0.999 if name == "beta2" else 1e-8))
            spin.valueChanged.connect(lambda v, name=name: self.edited.emit({name: v}))
            spin.setToolTip(HYPER_TIPS[name] + " Applies at once.")
            self.hyper[name] = spin
            form.addRow(label, spin)
        batch_row = QHBoxLayout()
        self.batch_mode = _combo({"full": "full batch", "mini": "mini-batch of", "one": "one sample (SGD)"},
                                 "full")
        self.batch_size = QSpinBox()
        self.batch_size.setRange(2, 1024)
        self.batch_size.setValue(16)
        self.batch_size.setToolTip("Rows per mini-batch step")
        explain_combo(self.batch_mode, "How many points each step's gradient uses (applies at once).",
                      {"full": "Full batch: all training points, the exact gradient.",
                       "mini": "Mini-batch: the number of rows beside it, in an order shuffled every epoch.",
                       "one": "One sample per step (stochastic gradient descent): noisy but cheap."})
        batch_row.addWidget(self.batch_mode, 1)
        batch_row.addWidget(self.batch_size)
        form.addRow("Batch", batch_row)
        l2_row = QHBoxLayout()
        self.l2_on = QCheckBox()
        self.l2 = LogSlider(1e-5, 1.0, 1e-3, name="L2 penalty")
        self.l2_on.setToolTip("Weight decay: add (λ/2)·Σ‖W‖² to the loss, pulling every weight towards 0 "
                              "(smoother boundaries)")
        self.l2.setToolTip("The L2 penalty λ in E + (λ/2)·Σ‖W‖² (weights only, not biases). Applies at once.")
        l2_row.addWidget(self.l2_on)
        l2_row.addWidget(self.l2, 1)
        form.addRow("L2 penalty", l2_row)
        v.addLayout(form)
        self.readout = QLabel("–")
        self.readout.setWordWrap(True)
        self.readout.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        v.addWidget(self.readout)

        self.learning_rate.valueChanged.connect(lambda v: self.edited.emit({"learning_rate": v}))
        self.optimizer.currentIndexChanged.connect(self._on_optimizer_changed)
        self.batch_mode.currentIndexChanged.connect(self._on_batch_mode_changed)
        self.batch_size.valueChanged.connect(lambda _v: self.edited.emit({"batch_size": self.batch()}))
        self.l2_on.toggled.connect(self._on_l2_toggled)
        self.l2.valueChanged.connect(self._on_l2_value)

    def _show_optimizer_rows(self) -> dict[str, float]:
        used = HYPERPARAMETERS[self.optimizer.currentData()]
        for name, spin in self.hyper.items():
            self.train_form.setRowVisible(spin, name in used)
            if name == "beta2" and name in used:  # one default per rule: RMSProp's decay 0.9, Adam's 0.999
                spin.blockSignals(True)
                spin.setValue(used[name])
                spin.blockSignals(False)
        return used

    @Slot()
    def _on_optimizer_changed(self, *_args) -> None:
        used = self._show_optimizer_rows()
        self.edited.emit({"optimizer": self.optimizer.currentData(), **self._hyperparameters(used)})

    def _hyperparameters(self, used: Mapping[str, float]) -> dict[str, float | None]:
        """The rule's hyperparameters as its rows show them; None for those it does not use."""
        return {k: (self.hyper[k].value() if k in used else None) for k in HYPER_SPECS}

    @Slot()
    def _on_batch_mode_changed(self, *_args) -> None:
        self.batch_size.setEnabled(self.batch_mode.currentData() == "mini")
        self.edited.emit({"batch_size": self.batch()})

    def _l2(self) -> float:
        return self.l2.value() if self.l2_on.isChecked() else 0.0

    @Slot(bool)
    def _on_l2_toggled(self, _on: bool) -> None:
        self.l2.setEnabled(self.l2_on.isChecked())
        self.edited.emit({"l2": self._l2()})

    @Slot(float)
    def _on_l2_value(self, _v: float) -> None:
        if self.l2_on.isChecked():
            self.edited.emit({"l2": self._l2()})

    # -- network -------------------------------------------------------------------------------------
    def _build_network(self, p: NetworkParams) -> None:
        self.network_box = QGroupBox("Network")
        form = QFormLayout(self.network_box)
        self.network_form = form
        layers_row = QHBoxLayout()
        self.layer_count = QSpinBox()
        self.layer_count.setRange(0, MAX_HIDDEN_LAYERS)
        self.layer_count.setValue(len(p.hidden))
        self.layer_count.setToolTip("Hidden layers (0 to 6)")
        layers_row.addWidget(self.layer_count)
        layers_row.addWidget(QLabel("× units:"))
        self.units: list[QSpinBox] = []
        for i in range(MAX_HIDDEN_LAYERS):
            spin = QSpinBox()
            spin.setRange(1, MAX_UNITS)
            spin.setValue(p.hidden[i] if i < len(p.hidden) else (p.hidden[-1] if p.hidden else 4))
            spin.setToolTip(f"Units in hidden layer {i + 1} (1 to {MAX_UNITS})")
            spin.setButtonSymbols(QSpinBox.ButtonSymbols.NoButtons)
            spin.setMaximumWidth(34)
            spin.valueChanged.connect(lambda _v: self.edited.emit({"hidden": self.hidden()}))
            layers_row.addWidget(spin)
            self.units.append(spin)
        layers_row.addStretch(1)
        form.addRow("Hidden layers", layers_row)
        act_row = QHBoxLayout()
        self.activation = _combo(ACTIVATION_LABELS, p.activation)
        self.leaky_slope = QDoubleSpinBox()
        self.leaky_slope.setRange(0.0, 0.99)
        self.leaky_slope.setDecimals(3)
        self.leaky_slope.setSingleStep(0.01)
        self.leaky_slope.setValue(p.leaky_slope)
        self.leaky_slope.setPrefix("slope ")
        self.leaky_slope.setToolTip("Leaky ReLU's slope α for z < 0 (a change starts the run over)")
        explain_combo(self.activation, "The activation f of the hidden units, a = f(z) (a change starts the "
                      "run over).", ACTIVATION_TIPS)
        act_row.addWidget(self.activation, 1)
        act_row.addWidget(self.leaky_slope)
        form.addRow("Activation", act_row)
        self.loss = _combo(LOSS_LABELS, p.loss)
        explain_combo(self.loss, "The loss E that backpropagation minimises; the output is a sigmoid for two "
                      "classes, a softmax for more (a change starts the run over).", LOSS_TIPS)
        form.addRow("Loss", self.loss)
        init_row = QHBoxLayout()
        self.init = _combo(INIT_LABELS, p.init)
        self.init_seed = QSpinBox()
        self.init_seed.setRange(0, 99_999)
        self.init_seed.setValue(p.seed)
        self.init_seed.setPrefix("seed ")
        self.init_seed.setToolTip("Seed of the random initial weights (the same seed, the same start)")
        explain_combo(self.init, "How the weights start (a change starts the run over).", INIT_TIPS)
        init_row.addWidget(self.init, 1)
        init_row.addWidget(self.init_seed)
        form.addRow("Init", init_row)
        grid = QGridLayout()
        self.features: dict[str, QCheckBox] = {}
        for i, f in enumerate(FEATURES):
            box = QCheckBox(FEATURE_LABELS[f])
            box.setChecked(f in p.features)
            box.setToolTip(f"Feed {FEATURE_TIPS[f]} to the network as an input (a change starts the run over)")
            box.toggled.connect(self._on_feature_toggled)
            grid.addWidget(box, i // 4, i % 4)
            self.features[f] = box
        form.addRow("Inputs", grid)

        self.layer_count.valueChanged.connect(self._on_layer_count_changed)
        self.activation.currentIndexChanged.connect(self._on_activation_changed)
        self.leaky_slope.valueChanged.connect(lambda v: self.edited.emit({"leaky_slope": v}))
        self.loss.currentIndexChanged.connect(lambda _i: self.edited.emit({"loss": self.loss.currentData()}))
        self.init.currentIndexChanged.connect(lambda _i: self.edited.emit({"init": self.init.currentData()}))
        self.init_seed.valueChanged.connect(lambda v: self.edited.emit({"seed": v}))

    @Slot()
    def _on_layer_count_changed(self, *_args, emit: bool = True) -> None:
        n = self.layer_count.value()
        for i, spin in enumerate(self.units):
            spin.setVisible(i < n)
        if emit:
            self.edited.emit({"hidden": self.hidden()})

    @Slot()
    def _on_activation_changed(self, *_args, emit: bool = True) -> None:
        self.leaky_slope.setVisible(self.activation.currentData() == "leaky_relu")
        if emit:
            self.edited.emit({"activation": self.activation.currentData()})

    @Slot(bool)
    def _on_feature_toggled(self, _on: bool) -> None:
        if not any(b.isChecked() for b in self.features.values()):
            box = self.sender()
            assert isinstance(box, QCheckBox)
            box.blockSignals(True)
            box.setChecked(True)  # the network needs at least one input
            box.blockSignals(False)
            return
        self.edited.emit({"features": tuple(f for f, b in self.features.items() if b.isChecked())})

    # -- data ----------------------------------------------------------------------------------------
    def _build_data(self) -> None:
        self.data_box = QGroupBox("Data")
        v = QVBoxLayout(self.data_box)
        form = QFormLayout()
        self.preset = _combo({k: lab for k, (lab, *_r) in PRESETS.items()}, "xor")
        explain_combo(self.preset, "The kind of points to generate (at once, paused: then press Play).",
                      PRESET_TIPS)
        form.addRow("Preset", self.preset)
        row = QHBoxLayout()
        self.count = QSpinBox()
        self.count.setRange(4, 5000)
        self.count.setValue(200)
        self.count.setPrefix("n ")
        self.count.setToolTip("How many points to generate")
        self.noise = QDoubleSpinBox()
        self.noise.setRange(0.0, 3.0)
        self.noise.setSingleStep(0.05)
        self.noise.setPrefix("noise ")
        self.noise.setToolTip("How far the points scatter from the clean shape")
        self.data_seed = QSpinBox()
        self.data_seed.setRange(0, 99_999)
        self.data_seed.setPrefix("seed ")
        self.data_seed.setToolTip("Seed of the random points and of which are held out (the same seed, the "
                                  "same points)")
        for w in (self.count, self.noise, self.data_seed):
            row.addWidget(w)
        form.addRow(row)
        class_row = QHBoxLayout()
        self.n_classes = QSpinBox()
        self.n_classes.setRange(2, 4)
        self.n_classes.setValue(2)
        self.n_classes.setToolTip("Classes for clicks and for the blobs and spiral presets")
        class_row.addWidget(self.n_classes)
        class_row.addWidget(QLabel("click adds:"))
        self.class_group = QButtonGroup(self)
        self.class_group.setExclusive(True)
        self.class_buttons: list[QToolButton] = []
        for i, colour in enumerate(CLASS_COLORS):
            b = QToolButton()
            b.setText(str(i + 1))
            b.setCheckable(True)
            b.setToolTip(f"Clicks add class {i + 1} (Shift+click adds the next class)")
            b.setStyleSheet(f"QToolButton {{ background: {colour}; color: white; font-weight: bold; "
                            f"border: 2px solid white; min-width: 22px; }} "
                            f"QToolButton:checked {{ border: 2px solid black; }} "
                            f"QToolButton:disabled {{ background: #dddddd; color: #999999; }}")
            self.class_group.addButton(b, i)
            class_row.addWidget(b)
            self.class_buttons.append(b)
        self.class_buttons[0].setChecked(True)
        class_row.addStretch(1)
        form.addRow("Classes", class_row)
        split_row = QHBoxLayout()
        self.test_fraction = QSlider(Qt.Orientation.Horizontal)
        self.test_fraction.setRange(0, 50)
        self.test_fraction.setValue(20)
        self.test_fraction.setToolTip("Share of the points held out for testing (drawn hollow): the network "
                                      "never trains on them, so their accuracy shows how well it generalises")
        self.test_label = QLabel()
        self.test_label.setMinimumWidth(110)
        split_row.addWidget(self.test_fraction, 1)
        split_row.addWidget(self.test_label)
        form.addRow("Test share", split_row)
        v.addLayout(form)
        buttons = QHBoxLayout()
        self.load_button = QPushButton("Load preset")
        self.load_button.setToolTip("Generate the preset's points again with this count, noise and seed, paused "
                                    "at step 0 (Ctrl+Z brings back what was here, training included)")
        self.undo_button = QPushButton("Undo")
        self.redo_button = QPushButton("Redo")
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Remove every point (Ctrl+Z brings them back, training included)")
        for button in (self.load_button, self.undo_button, self.redo_button, self.clear_button):
            buttons.addWidget(button)
        v.addLayout(buttons)

        self.preset.currentIndexChanged.connect(lambda *_: self._on_preset_changed())
        self.load_button.clicked.connect(self.dataChanged)
        for w in (self.count, self.noise, self.data_seed):
            w.valueChanged.connect(self.dataChanged)
        self.n_classes.valueChanged.connect(self._on_n_classes_changed)
        self.class_group.idClicked.connect(self.classChanged)
        self.test_fraction.valueChanged.connect(self._on_test_fraction_changed)
        self._on_n_classes_changed(emit=False)
        self._on_test_fraction_changed(emit=False)

    def _on_preset_changed(self, emit: bool = True) -> None:
        _label, noise, count, _k = PRESETS[self.preset.currentData()]
        with QSignalBlocker(self.noise), QSignalBlocker(self.count):
            self.noise.setValue(noise)
            self.count.setValue(count)
        if emit:
            self.dataChanged.emit()

    def _on_n_classes_changed(self, *_args, emit: bool = True) -> None:
        k = self.n_classes.value()
        for i, b in enumerate(self.class_buttons):
            b.setEnabled(i < k)
        if self.class_group.checkedId() >= k:
            self.class_buttons[0].setChecked(True)
            self.classChanged.emit(0)
        if emit and PRESETS[self.preset.currentData()][3]:
            self.dataChanged.emit()

    def _on_test_fraction_changed(self, *_args, emit: bool = True) -> None:
        self.test_label.setText(f"{self.test_fraction.value()} % held out")
        if emit:
            self.splitChanged.emit()

    # -- views ---------------------------------------------------------------------------------------
    def _build_views(self) -> None:
        self.views_box = QGroupBox("Views and checks")
        form = QFormLayout(self.views_box)
        self.discretise = QCheckBox("Discretise the decision map (class colours only)")
        self.discretise.setToolTip("Paint each pixel in the colour of its predicted class only, without the "
                                   "shading that shows how sure the network is")
        form.addRow(self.discretise)
        self.show_test = QCheckBox("Show test points (squares)")
        self.show_test.setChecked(True)
        self.show_test.setToolTip("Draw the held-out test points on the decision map; untick to see only the "
                                  "points the network trains on")
        form.addRow(self.show_test)
        self.landscape_method = _combo({"random": "random directions", "pca": "PCA of the path"}, "pca")
        explain_combo(self.landscape_method, "The loss landscape is the loss on a plane through the current "
                      "weights w: E(w + α·d₁ + β·d₂). This picks the directions d₁, d₂.",
                      {"random": "Two random directions, scaled to each layer's weights.",
                       "pca": "The two directions the training path moved most along (principal components of "
                              "the weights so far): the path lies nearly in the plane."})
        form.addRow("Landscape slice", self.landscape_method)
        land_row = QHBoxLayout()
        self.landscape_button = QPushButton("Refresh landscape")
        self.landscape_button.setToolTip("Compute the loss on a 2-D slice through the current weights")
        self.landscape_auto = QCheckBox("every 3 s while training")
        self.landscape_auto.setToolTip("Compute the landscape again every 3 seconds while training runs")
        land_row.addWidget(self.landscape_button)
        land_row.addWidget(self.landscape_auto)
        land_row.addStretch(1)
        form.addRow(land_row)
        self.check_button = QPushButton("Gradient check")
        self.check_button.setToolTip("Compare backprop's gradient with central differences at the current weights")
        self.check_label = QLabel("compare backprop with finite differences")
        self.check_label.setWordWrap(True)
        form.addRow(self.check_button, self.check_label)

    def use_status_label(self, label: QLabel) -> None:
        """Show the tab's status line (the run's state and errors) in place of this panel's own."""
        label.setWordWrap(True)
        label.setMinimumHeight(self.status_label.minimumHeight())
        layout = self.layout()
        assert layout is not None
        layout.replaceWidget(self.status_label, label)
        self.status_label.deleteLater()
        self.status_label = label

    # -- values ----------------------------------------------------------------------------------------
    def hidden(self) -> tuple[int, ...]:
        return tuple(s.value() for s in self.units[: self.layer_count.value()])

    def batch(self) -> int:
        mode = self.batch_mode.currentData()
        return 0 if mode == "full" else (1 if mode == "one" else self.batch_size.value())

    def network_params(self, base: NetworkParams) -> NetworkParams:
        """The params the controls show (``base`` for what they do not hold: the step limit). The tab never
        reads the controls back (it keeps the params and applies edits to them); this is for checks."""
        opt = self.optimizer.currentData()
        return NetworkParams(
            hidden=self.hidden(), activation=self.activation.currentData(), leaky_slope=self.leaky_slope.value(),
            loss=self.loss.currentData(), init=self.init.currentData(), seed=self.init_seed.value(),
            optimizer=opt, learning_rate=self.learning_rate.value(), batch_size=self.batch(), l2=self._l2(),
            features=tuple(f for f, b in self.features.items() if b.isChecked()), max_steps=base.max_steps,
            **self._hyperparameters(HYPERPARAMETERS[opt]))

    def show_params(self, p: NetworkParams) -> None:
        """Put ``p`` into the controls without emitting an edit, with the rows that depend on them (the
        optimizer's hyperparameters, the batch size, the L2 slider, the units per layer, the leaky slope)
        shown as the handlers would. Afterwards ``network_params(p) == p``, up to what the controls cannot
        hold: a value beyond a control's range is clamped, an unused hyperparameter reads back as None
        and a used one of None as the rule's default (the same optimizer either way)."""
        used = HYPERPARAMETERS[p.optimizer]
        mode = "full" if p.batch_size == 0 else ("one" if p.batch_size == 1 else "mini")
        widgets = (self.optimizer, *self.hyper.values(), self.batch_mode, self.batch_size, self.l2_on,
                   self.layer_count, *self.units, self.activation, self.leaky_slope, self.loss, self.init,
                   self.init_seed, *self.features.values())
        for w in widgets:
            w.blockSignals(True)
        try:
            self.learning_rate.setValue(_clamped(self.learning_rate, p.learning_rate), emit=False)
            self.optimizer.setCurrentIndex(self.optimizer.findData(p.optimizer))
            for name, value in used.items():
                self.hyper[name].setValue(value if getattr(p, name) is None else getattr(p, name))
            self.batch_mode.setCurrentIndex(self.batch_mode.findData(mode))
            if mode == "mini":
                self.batch_size.setValue(p.batch_size)
            self.l2_on.setChecked(p.l2 > 0)
            if p.l2 > 0:
                self.l2.setValue(_clamped(self.l2, p.l2), emit=False)
            self.layer_count.setValue(len(p.hidden))
            for unit_box, units in zip(self.units, p.hidden):
                unit_box.setValue(units)
            for combo, key in ((self.activation, p.activation), (self.loss, p.loss), (self.init, p.init)):
                combo.setCurrentIndex(combo.findData(key))
            self.leaky_slope.setValue(p.leaky_slope)
            self.init_seed.setValue(p.seed)
            for f, check in self.features.items():
                check.setChecked(f in p.features)
        finally:
            for w in widgets:
                w.blockSignals(False)
        for name, spin in self.hyper.items():
            self.train_form.setRowVisible(spin, name in used)
        self.batch_size.setEnabled(mode == "mini")
        self.l2.setEnabled(p.l2 > 0)
        for i, unit_box in enumerate(self.units):
            unit_box.setVisible(i < len(p.hidden))
        self.leaky_slope.setVisible(p.activation == "leaky_relu")
