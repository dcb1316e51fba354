"""The Neural network tab: points you place in 2-4 classes, a small network trained by backpropagation in
its own process, and what happens inside it: the decision map, loss and accuracy, the gradient reaching
each layer, every unit's output in a diagram, the activation, and the loss landscape. A second page steps
the backprop lesson's two-neuron chain by hand."""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Mapping
from dataclasses import fields, replace
from typing import Any

import numpy as np
from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from gdplay.bridge import CallFailed
from gdplay.core.network import (
    DecisionMap,
    GradientCheck,
    GradientFlowReference,
    LossLandscape,
    NetworkParams,
    NetworkSnapshot,
    NetworkTrainer,
    NeuronMaps,
    held_out_mask,
    make_dataset,
    views,
)
from gdplay.core.trainer import Status, ValidationError
from gdplay.ui.network.controls import ControlPanel
from gdplay.ui.network.diagram import NetworkDiagram, map_size
from gdplay.ui.network.plots import (
    AccuracyView,
    ActivationView,
    DecisionMapView,
    GradientFlowView,
    LandscapeView,
    LayerProfileView,
    LossView,
)
from gdplay.ui.network.presets import PRESETS as DATA_PRESETS
from gdplay.ui.network.worked import WorkedExample
from gdplay.ui.plots.style import track_cursor
from gdplay.ui.tab_base import TrainingTab, readable
from gdplay.ui.throttle import Throttle
from gdplay.ui.widgets.point_editor import bind_undo_buttons
from gdplay.ui.widgets.reflow import Arrangement, fit_side_panel, plot_area
from gdplay.ui.widgets.wheel_guard import guard_wheel

DEFAULT_PARAMS = NetworkParams(hidden=(8, 8), activation="tanh", loss="xent", init="xavier", seed=0,
                               optimizer="gd", learning_rate=0.3, max_steps=200_000)
HISTORY_CAPACITY = 1024  # plenty for a plot a few hundred pixels wide, and 4x less to send per frame than 4096
RESTART_DEBOUNCE_MS = 200  # structural changes (layers, activation, ...) restart the run after this pause
DIAGRAM_INTERVAL_MS = 100  # the network diagram redraws at most ~10 times a second
REST_AFTER_CHANGE_MS = 5  # a change's first frame shows the loss; the map and plots this much later
LANDSCAPE_INTERVAL_MS = 3000
# the unit pictures are asked for when the diagram is due, not with every snapshot; one at a time (a reply
# lost with a training process that died is given up after this long)
NEURON_MAPS_TIMEOUT_S = 1.0
# the decision map and the per-point predictions come with the snapshots, but in a big network they would
# cost as much as training: they may take this share of the training process's time (see SetView). A small
# network's map costs well under a millisecond and comes with every frame; at 6 x 32 units these give ~16 maps
# a second and keep drawing's cost to training under a fifth (0.08 and 0.04 left it at 75-86 %, by host noise)
DECISION_MAP_SHARE = 0.05
PREDICTIONS_SHARE = 0.025
# ... and a big network's map is computed on a coarser grid, so that it still comes ten times a second or more
# within that share: about this many multiply-adds a map (~5 ms), between 40 and 100 cells across
MAP_WORK = 2e7
MAP_RESOLUTION = (40, 100)
# a network of more weights than this draws at most ~35 frames a second instead of 60: each frame costs tens of
# milliseconds of drawing (map, diagram, plots) that the training process needs more on two cores
BIG_NETWORK_WEIGHTS = 1000
BIG_NETWORK_FRAME_MS = 28


def frame_interval_ms(params: NetworkParams) -> int | None:
    """The shortest time between frames for this network: longer for a big one (see BIG_NETWORK_WEIGHTS);
    None for the controller's own (60 a second)."""
    sizes = (len(params.features), *params.hidden, 1)
    weights = sum(a * b for a, b in itertools.pairwise(sizes))
    return BIG_NETWORK_FRAME_MS if weights > BIG_NETWORK_WEIGHTS else None


def map_resolution(layer_sizes: tuple[int, ...]) -> int:
    """Cells across the decision map for a network of these layer sizes (a forward pass costs about
    Σ n_in·n_out multiply-adds a cell)."""
    weights = sum(a * b for a, b in itertools.pairwise(layer_sizes))
    lo, hi = MAP_RESOLUTION
    return int(np.clip(math.isqrt(int(MAP_WORK / max(weights, 1))), lo, hi))
# the controls a session keeps besides the params, in the order they are put back: the preset before the
# count and noise it would reset; the map's range last (loading points fits it)
SESSION_SETTINGS = {"rate": "panel.playback", "preset": "panel.preset", "count": "panel.count",
                    "noise": "panel.noise", "data_seed": "panel.data_seed", "classes": "panel.n_classes",
                    "test_share": "panel.test_fraction", "discretise": "panel.discretise",
                    "landscape": "panel.landscape_method", "landscape_auto": "panel.landscape_auto",
                    "show_test": "panel.show_test",
                    "page": "stack", "map_range": "map_view.plot"}  # page 1: the worked example
PRESET_NAMES = {k: v[0] for k, v in DATA_PRESETS.items()}
CHANGE_NAMES = {"hidden": "Change the layers", "activation": "Change the activation",
                "leaky_slope": "Change the leaky slope", "loss": "Change the loss", "init": "Change the init",
                "seed": "Change the init seed", "features": "Change the inputs"}
MAP_KEY = ("<small>Fill: the class the network predicts · outline: the point's true class · "
           "<b>■</b> square: held-out test point (never trained on) · ● round: training point · "
           "black line: the decision boundary</small>")
VANISHING = {  # scenario -> (activation, init); both: XOR, 5 hidden layers of 8, squared error, GD 0.1
    "sigmoid": ("sigmoid", "xavier"),
    "relu": ("relu", "he"),
}


def _fmt(v: float, pct: bool = False) -> str:
    if not math.isfinite(v):
        return "–"
    return f"{v:.1%}" if pct else f"{v:.4g}"


# params shown in a spin box, checked against its range when a session is opened
SESSION_PARAM_CONTROLS = {"seed": ("panel.init_seed", ()), "batch_size": ("panel.batch_size", (0, 1))}


class NetworkTab(TrainingTab):
    """Points in classes, the decision map, the network diagram, loss, accuracy, gradient flow, the loss
    landscape; a second page steps the worked two-neuron chain."""

    title = "Neural network"
    key = "network"
    PARAMS = NetworkParams
    SETTINGS = SESSION_SETTINGS
    PARAM_CONTROLS = SESSION_PARAM_CONTROLS
    UNDO_SETTINGS = ("preset", "count", "noise", "data_seed", "classes")
    CHANGE_NAMES = CHANGE_NAMES
    N_CLASSES = 4

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.params = DEFAULT_PARAMS
        self.snapshot: NetworkSnapshot | None = None
        self.landscape: LossLandscape | None = None
        self.gradient_check: GradientCheck | None = None

        self.panel = self.controls = ControlPanel(self.params)
        self.playback = self.panel.playback
        self.map_view = DecisionMapView()
        self.editor = self.map_view.editor
        self.loss_view = LossView()
        self.accuracy_view = AccuracyView()
        self.gradient_view = GradientFlowView()
        self.profile_view = LayerProfileView()
        self.activation_view = ActivationView()
        self.landscape_view = LandscapeView()
        self.diagram = NetworkDiagram()
        self.worked = WorkedExample()
        self._test_mask = np.zeros(0, dtype=bool)
        self._classes: tuple[int, ...] = ()

        self._restart_timer = QTimer(self)
        self._restart_timer.setSingleShot(True)
        self._restart_timer.setInterval(RESTART_DEBOUNCE_MS)
        self._restart_timer.timeout.connect(self._send_params)
        self._data_timer = QTimer(self)
        self._data_timer.setSingleShot(True)
        self._data_timer.setInterval(RESTART_DEBOUNCE_MS)
        self._data_timer.timeout.connect(self.load_preset)
        self._diagram = Throttle(DIAGRAM_INTERVAL_MS, self._draw_diagram, self)
        self._landscape_timer = QTimer(self)
        self._landscape_timer.setInterval(LANDSCAPE_INTERVAL_MS)
        self._landscape_timer.timeout.connect(self._on_landscape_timer)
        self._landscape_pending = False
        self._landscape_key: tuple | None = None  # (params, points) versions the landscape was asked at
        self._landscape_asked_at = -1  # the step the last landscape request was made at
        self.neuron_maps: NeuronMaps | None = None  # the newest unit pictures (a reply to request_neuron_maps)
        self._neurons_key: tuple | None = None  # what they were asked for: weights (step, versions), range, size
        self._neurons_asked_at: float | None = None  # when the request in flight was sent
        self.neuron_map_requests = 0  # counted for tests and the bench
        self._map_shown: DecisionMap | None = None  # the decision map last drawn
        self.diagram_draws = 0  # counted for the bench
        self._frame = 0  # snapshots drawn while training (the slow plots take turns)
        self._drawn_params: int | None = None  # the params version of the snapshot drawn last
        self._rest_timer = QTimer(self)  # the rest of a change's first frame, drawn just after it
        self._rest_timer.setSingleShot(True)
        self._rest_timer.setInterval(REST_AFTER_CHANGE_MS)
        self._rest_timer.timeout.connect(self._draw_rest)
        self._pending: NetworkParams | None = None  # the panel's edits waiting for the restart debounce
        self._reference_for: tuple[str, tuple[str, str]] | None = None  # the scenario's comparison run, to ask

        # last: a failure while building the widgets must not leave a training thread behind
        self.start_training(NetworkTrainer(self.params, history_capacity=HISTORY_CAPACITY))
        self.panel.use_status_label(self.status_label)
        self.controller.set_params(self.params)
        self.controller.pause()  # a tab nobody has opened does not train; Play (or Space) starts it

        self._build_layout()
        self._connect()
        guard_wheel(self.panel)
        guard_wheel(self.worked)
        self.playback.set_limit(self.params.max_steps)
        self._on_panel_class_count(self.panel.n_classes.value())
        self.activation_view.set_activation(self.params.activation, self.params.leaky_slope)
        self.load_preset()
        self.forget_undo()

    # -- layout ------------------------------------------------------------------------------------
    def _build_layout(self) -> None:
        scroll = QScrollArea()
        scroll.setWidget(self.panel)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        fit_side_panel(scroll, 0, 460)

        diagram_box = QWidget()
        dv = QVBoxLayout(diagram_box)
        dv.setContentsMargins(0, 0, 0, 0)
        dv.setSpacing(2)
        caption = QLabel("<small><b>Network</b>: each unit's output over the plane (blue low, red high); lines "
                         "are weights, <span style='color:#d62728'>red +</span>, "
                         "<span style='color:#1f77b4'>blue −</span>, width |w|. Hover for values.</small>")
        caption.setWordWrap(True)  # <small>: a step below the window's text, whatever its size
        dv.addWidget(caption)
        dv.addWidget(self.diagram, 1)

        curves = QSplitter(Qt.Orientation.Vertical)
        curves.addWidget(self.loss_view.widget)
        curves.addWidget(self.accuracy_view.widget)
        curves.setStretchFactor(0, 3)
        curves.setStretchFactor(1, 2)
        small = QSplitter(Qt.Orientation.Vertical)
        small.addWidget(self.profile_view.widget)
        small.addWidget(self.activation_view.widget)
        small.setStretchFactor(0, 3)
        small.setStretchFactor(1, 2)

        m = QWidget()  # the decision map with its key under it
        mv = QVBoxLayout(m)
        mv.setContentsMargins(0, 0, 0, 0)
        mv.setSpacing(2)
        mv.addWidget(self.map_view.widget, 1)
        key = QLabel(MAP_KEY)
        key.setWordWrap(True)
        key.setToolTip("How to read the decision map")
        mv.addWidget(key)
        g, land = self.gradient_view.widget, self.landscape_view.widget
        # three columns, or two (large text on a narrow screen: the plots scroll down)
        plots = plot_area([
            Arrangement([(m, 0, 0, 1, 1), (diagram_box, 0, 1, 1, 1), (curves, 0, 2, 1, 1), (g, 1, 0, 1, 1),
                         (small, 1, 1, 1, 1), (land, 1, 2, 1, 1)], {0: 11, 1: 9}, {0: 4, 1: 3, 2: 3}),
            Arrangement([(m, 0, 0, 1, 1), (diagram_box, 0, 1, 1, 1), (curves, 1, 0, 1, 1), (g, 1, 1, 1, 1),
                         (small, 2, 0, 1, 1), (land, 2, 1, 1, 1)], {}, {0: 1, 1: 1}),
        ])

        main = QSplitter()
        main.addWidget(scroll)
        main.addWidget(plots)
        main.setStretchFactor(1, 1)
        self.stack = QStackedWidget()
        self.stack.addWidget(main)
        self.stack.addWidget(self.worked)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.stack)

    def _connect(self) -> None:
        self.connect_training()  # snapshots, running, errors, transport, the panel's edits
        c, p = self.controller, self.panel
        self.playback.limitChanged.connect(self.set_step_limit)
        c.set_rate(self.playback.rate())
        p.dataChanged.connect(self._data_timer.start)
        p.splitChanged.connect(self._on_points_changed)
        p.classChanged.connect(self._on_panel_class_changed)
        p.n_classes.valueChanged.connect(self._on_panel_class_count)
        p.learning_rate.rejected.connect(self.statusMessage)
        p.undo_button.clicked.connect(self.undo)
        p.redo_button.clicked.connect(self.redo)
        p.clear_button.clicked.connect(self.clear_points)
        p.discretise.toggled.connect(self._on_panel_discretise)
        p.show_test.toggled.connect(self._on_show_test)
        p.landscape_button.clicked.connect(self.request_landscape)
        p.landscape_auto.toggled.connect(self._on_panel_landscape_auto)
        p.check_button.clicked.connect(self.request_gradient_check)
        p.worked_button.clicked.connect(lambda: self.set_worked_mode(True))
        p.vanish_sigmoid.clicked.connect(lambda: self.load_scenario("sigmoid"))
        p.vanish_relu.clicked.connect(lambda: self.load_scenario("relu"))
        self.worked.closeRequested.connect(lambda: self.set_worked_mode(False))
        self.stack.currentChanged.connect(self._on_page_changed)
        self.worked.statusMessage.connect(self.statusMessage)
        self.editor.pointsChanged.connect(self._on_points_changed)
        bind_undo_buttons(self.editor, self.panel.undo_button, self.panel.redo_button)
        self.map_view.view.rangeChanged.connect(self._request_views)
        self.diagram.hovered.connect(self.statusMessage)
        track_cursor(self.map_view.widget, self._describe_map_point, self.statusMessage.emit)
        track_cursor(self.loss_view.widget, lambda x, y: f"iteration {x:,.0f}, loss {10 ** y:.4g}",
                     self.statusMessage.emit)
        track_cursor(self.gradient_view.widget, lambda x, y: f"iteration {x:,.0f}, ‖∂E/∂W‖ {10 ** y:.3g}",
                     self.statusMessage.emit)
        track_cursor(self.accuracy_view.widget, lambda x, y: f"iteration {x:,.0f}, accuracy {y:.1%}",
                     self.statusMessage.emit)
        track_cursor(self.landscape_view.widget, self._describe_landscape_point, self.statusMessage.emit)

    def _describe_map_point(self, x: float, y: float) -> str:
        text = f"x₁ = {x:.4g}, x₂ = {y:.4g}"
        dm = self.view("decision")
        if isinstance(dm, DecisionMap):
            (x0, x1), (y0, y1) = dm.x_range, dm.y_range
            rows, cols = dm.probability.shape
            j = round((x - x0) / max(x1 - x0, 1e-12) * (cols - 1))
            i = round((y - y0) / max(y1 - y0, 1e-12) * (rows - 1))
            if 0 <= i < rows and 0 <= j < cols:
                cls = dm.classes[int(dm.label[i, j])] + 1
                p = float(dm.probability[i, j])
                text += (f", P(class {dm.classes[1] + 1}) = {p:.3f}" if len(dm.classes) == 2
                         else f", class {cls} with P = {p:.3f}")
        return text

    def _describe_landscape_point(self, a: float, b: float) -> str:
        land = self.landscape
        text = f"α = {a:.3g}, β = {b:.3g}"
        if land is not None:
            j = int(np.clip(np.searchsorted(land.alphas, a), 0, len(land.alphas) - 1))
            i = int(np.clip(np.searchsorted(land.betas, b), 0, len(land.betas) - 1))
            text += f", E ≈ {land.loss[i, j]:.4g}"
        return text

    # -- commands (also bound to shortcuts by the main window) ---------------------------------------
    @property
    def worked_mode(self) -> bool:
        return self.stack.currentIndex() == 1

    def toggle_play(self) -> None:
        self.worked.toggle_play() if self.worked_mode else super().toggle_play()

    def step_once(self) -> None:
        self.worked.step_once() if self.worked_mode else super().step_once()

    def reset(self) -> None:
        self.worked.reset() if self.worked_mode else super().reset()

    def shutdown(self, timeout_ms: int = 2000) -> bool:
        for t in (self._restart_timer, self._data_timer, self._landscape_timer, self._rest_timer):
            t.stop()
        self._diagram.cancel()
        self.worked.pause()
        return super().shutdown(timeout_ms)

    def set_worked_mode(self, on: bool) -> None:
        if on == self.worked_mode:
            return
        if on:
            self.controller.pause()
            self.stack.setCurrentIndex(1)
            self.statusMessage.emit("Worked example: Step (S) runs one forward pass, backpropagation and update.")
        else:
            self.worked.pause()
            self.stack.setCurrentIndex(0)

    @Slot(int)
    def _on_page_changed(self, index: int) -> None:
        if index == 0:
            self.worked.pause()  # hidden (a session may switch pages directly): it must not play on unseen

    def set_learning_rate(self, value: float) -> None:
        self.panel.learning_rate.setValue(value)

    def load_points(self, xy: np.ndarray, labels: np.ndarray, description: str = "Load points") -> None:
        self.editor.replace(np.asarray(xy, dtype=float), np.asarray(labels, dtype=np.int64), description)
        self.map_view.view.fit_view(self.editor.points.xy)
        self._request_views()

    def clear_points(self) -> None:
        with self.undoable("Clear points"):
            self.editor.clear()

    def load_preset(self, name: str | None = None) -> None:
        """Generate the preset chosen in the panel (or ``name``) with its count, noise and seed: one undoable
        change, set up paused (Play trains it)."""
        self._data_timer.stop()
        p = self.panel
        with self.undoable(f"Load {PRESET_NAMES.get(name or p.preset.currentData(), 'points')}"):
            self.controller.pause()
            self._load_preset(name)

    def _load_preset(self, name: str | None) -> None:
        p = self.panel
        if name is not None and name != p.preset.currentData():
            p.preset.blockSignals(True)
            p.preset.setCurrentIndex(p.preset.findData(name))
            p.preset.blockSignals(False)
            p._on_preset_changed(emit=False)
        name = p.preset.currentData()
        n, noise, seed, k = p.count.value(), p.noise.value(), p.data_seed.value(), p.n_classes.value()
        xy, y = make_dataset(name, n, noise, seed, k)
        self.load_points(xy, y, f"Load {p.preset.currentText()}")

    def apply_preset(self, key: str, play: bool = False) -> None:
        """A data preset ("xor", "blobs", "circles", "moons", "spiral", "gaussian_pair") or an experiment
        ("deep-sigmoid", "deep-relu") or the worked example ("worked"), as the window's --preset and menus name
        them; paused unless ``play``."""
        self.controller.pause()  # first: commands apply in order
        if key == "worked":
            self.set_worked_mode(True)
            return
        self.set_worked_mode(False)
        if key.startswith("deep-"):
            activation = key.removeprefix("deep-")
            if activation not in VANISHING:
                raise KeyError(key)
            self.load_scenario(activation)
        else:
            if self.panel.preset.findData(key) < 0:
                raise KeyError(key)
            self.load_preset(key)
        self.controller.pause() if not play else self.controller.play()

    def load_scenario(self, activation: str) -> None:
        """The vanishing-gradient pair: XOR, 5 hidden layers of 8, squared error, GD 0.1; sigmoid (Xavier)
        or ReLU (He). One undoable change, set up paused at full speed: Play trains it."""
        act, init = VANISHING[activation]
        with self.undoable(f"Load deep {'sigmoid' if act == 'sigmoid' else 'ReLU'}"):
            self.controller.pause()
            self._load_scenario(act, init)
        self.statusMessage.emit(f"Deep {'sigmoid' if act == 'sigmoid' else 'ReLU'} network on XOR, set up: press "
                                "Play and watch the gradient flow plot (layer 1 is the darkest curve; dashed: the "
                                "other activation).")

    def _load_scenario(self, act: str, init: str) -> None:
        p = self.panel
        p.data_seed.blockSignals(True)
        p.data_seed.setValue(0)
        p.data_seed.blockSignals(False)
        self.load_preset("xor")
        self.set_params(replace(self.params, hidden=(8, 8, 8, 8, 8), activation=act, init=init, loss="mse",
                                optimizer="gd", momentum=None, beta1=None, beta2=None, epsilon=None,
                                learning_rate=0.1, batch_size=0))
        self.controller.set_rate(None)
        self.playback.set_rate(None, emit=False)
        # the other activation's run on the same network and data, drawn dashed for comparison
        # asked for once the trainer has this scenario's points and network (see _on_controller_snapshot)
        self.gradient_view.set_reference(None)
        self._reference_for = (act, VANISHING["relu" if act == "sigmoid" else "sigmoid"])

    def set_params(self, params: NetworkParams) -> bool:
        """Adopt ``params`` (validated once), show them unless the panel produced them, and send them at
        once; False, saying why (and the panel back to the params in force), if refused."""
        try:
            params = params.validate()
        except ValidationError as exc:
            self._show_error(str(exc))
            self.panel.show_params(self.params)
            return False
        if self._from_controls is None:  # params from elsewhere supersede a restart pending from the panel
            self._restart_timer.stop()
            self._pending = None
        self.show_params(params)
        self.playback.set_limit(params.max_steps)
        self.params = params
        self.controller.set_params(params)
        self.controller.frame_ms = frame_interval_ms(params)
        self.activation_view.set_activation(params.activation, params.leaky_slope)
        return True

    # -- sessions and files (the rest is TrainingTab's) ------------------------------------------------
    def session_trainer(self, params: NetworkParams, xy: np.ndarray, labels: np.ndarray,
                        settings: Mapping[str, Any]) -> NetworkTrainer:
        """A trainer as the controller's would be after these settings: same history, same held-out rows."""
        p = self.panel
        fraction = settings.get("test_share", p.test_fraction.value()) / 100
        seed = settings.get("data_seed", p.data_seed.value())
        trainer = NetworkTrainer(params, history_capacity=HISTORY_CAPACITY)
        trainer.set_data(xy, labels, test_mask=held_out_mask(len(xy), fraction, seed))
        return trainer

    def flush_pending(self) -> None:
        """Send now what the debounce timers would send later, so that nothing lands after a restored
        trained state and resets it: pending params go out; a pending preset reload (from a data setting
        just written) is dropped, the points being the session's; the points go out again with the
        held-out rows of the test share and seed now in the panel (in whatever order they were written)."""
        if self._restart_timer.isActive():
            self._send_params()
        self._data_timer.stop()
        self._on_points_changed()

    def fit_points_view(self) -> None:
        self.map_view.view.fit_view(self.editor.points.xy)

    def history_table(self) -> tuple[tuple[str, ...], np.ndarray]:
        header = ("iteration", "train_loss", "test_loss", "train_accuracy", "test_accuracy")
        snap = self.snapshot
        return header, (np.empty((0, 5)) if snap is None else np.asarray(snap.metrics))

    def model_summary(self) -> dict:
        out = super().model_summary()
        snap = self.snapshot
        if snap is not None and snap.layer_sizes:
            out["layer_sizes"] = list(snap.layer_sizes)
            out["features"] = list(snap.features)
            out["classes"] = list(snap.classes)
            out["layers"] = [{"weights": W.tolist(), "biases": b.tolist()}  # W: (units in, units out)
                             for W, b in zip(snap.coefs, snap.intercepts)]
            for k in ("train_accuracy", "test_accuracy"):  # None without held-out points (not NaN: JSON)
                v = getattr(snap, k)
                out[k] = v if math.isfinite(v) else None
        return out

    def request_landscape(self) -> None:
        self._landscape_key = (self.controller.params_version, self.editor.points.version)
        self._landscape_pending = True
        self._landscape_asked_at = self.snapshot.step if self.snapshot is not None else -1
        self.controller.request(views.loss_landscape, self.panel.landscape_method.currentData(), (41, 41),
                                on_reply=self._on_landscape)

    def request_gradient_check(self) -> None:
        self.panel.check_label.setText("checking…")
        self.controller.request(views.check_gradient, on_reply=self._on_gradient_check)

    # -- params and data -----------------------------------------------------------------------------
    def set_step_limit(self, steps: int) -> None:
        """Live; a structural change still waiting for its debounce carries it along."""
        self.params = replace(self.params, max_steps=int(steps))
        self.playback.set_limit(self.params.max_steps)
        if self._pending is not None:
            self._pending = replace(self._pending, max_steps=self.params.max_steps)
        else:
            self.controller.set_params(self.params)

    @Slot(dict)
    def on_controls_edited(self, changes: dict[str, Any]) -> None:
        """Fields the user changed in the panel: the learning rate, optimizer and batch apply at once; the
        layers, activation, loss, init, seed and inputs restart the run after RESTART_DEBOUNCE_MS (typing
        "16" in a box restarts once), carrying the live edits made meanwhile."""
        self._pending = replace(self._pending or self.params, **changes)
        if self._pending.structural_change(self.params):
            self._restart_timer.start()
        elif not self._restart_timer.isActive():
            self._send_params()

    @Slot()
    def _send_params(self) -> None:
        """Apply the panel's pending edits: the one controls path (validated once, not echoed, a restart
        one undo entry named by the first restarting field)."""
        self._restart_timer.stop()
        params, self._pending = self._pending, None
        if params is None:
            return
        changes = {f.name: getattr(params, f.name) for f in fields(params)
                   if getattr(params, f.name) != getattr(self.params, f.name)}
        if changes:
            super().on_controls_edited(changes)

    @Slot(int)
    def _on_panel_class_changed(self, index: int) -> None:
        self.editor.current_class = index

    @Slot(int)
    def _on_panel_class_count(self, k: int) -> None:
        self.editor.n_classes = k
        self.editor.current_class = min(self.editor.current_class, k - 1)

    @Slot()
    def _on_points_changed(self) -> None:
        pts = self.editor.points
        self._cover_classes(int(pts.labels.max(initial=0)) + 1)
        self._test_mask = held_out_mask(len(pts), self.panel.test_fraction.value() / 100, self.panel.data_seed.value())
        xy, labels = pts.xy.copy(), pts.labels.copy()
        self.controller.set_data(xy, labels, version=pts.version, test_mask=self._test_mask)
        self.controller.set_view("predicted", views.predicted_class, xy, max_share=PREDICTIONS_SHARE)
        self._show_points(xy, labels, None)

    def _show_points(self, xy: np.ndarray, labels: np.ndarray, predicted: np.ndarray | None) -> None:
        """The points on the map: all, or (show test points off) only those the network trains on."""
        mask = self._test_mask
        if not self.panel.show_test.isChecked() and len(mask) == len(xy):
            keep = ~mask
            xy, labels, mask = xy[keep], labels[keep], mask[keep]
            predicted = None if predicted is None else predicted[keep]
        self.map_view.set_points(xy, labels, mask, predicted)

    @Slot(bool)
    def _on_show_test(self, _on: bool) -> None:
        snap, pts = self.snapshot, self.editor.points
        pred = self.view("predicted")
        predicted = None
        if (snap is not None and isinstance(pred, np.ndarray) and len(pred) == len(pts)
                and snap.data_version == pts.version and len(snap.classes)):
            predicted = np.asarray(snap.classes)[pred]
        if len(self._test_mask) == len(pts):
            self._show_points(pts.xy, pts.labels, predicted)

    def _cover_classes(self, k: int) -> None:
        """Raise the class count to cover the points' labels (an import, a session), without the preset
        reload a user's change of it would start."""
        box = self.panel.n_classes
        if k > box.value():
            box.blockSignals(True)
            box.setValue(min(k, box.maximum()))
            box.blockSignals(False)
            self.panel._on_n_classes_changed(emit=False)
            self._on_panel_class_count(box.value())

    @Slot()
    def _request_views(self) -> None:
        xr, yr, shape = self.map_view.view.grid()
        self.controller.set_view("decision", views.decision_map, xr, yr, shape, max_share=DECISION_MAP_SHARE)
        if self.snapshot is not None and self.snapshot.layer_sizes:
            self.request_neuron_maps()  # the pictures over the new range

    @Slot(bool)
    def _on_panel_discretise(self, on: bool) -> None:
        self.map_view.discretise = on
        dm = self.view("decision")
        if isinstance(dm, DecisionMap):
            self.map_view.set_map(dm)

    @Slot(bool)
    def _on_panel_landscape_auto(self, on: bool) -> None:
        if on:
            self._landscape_timer.start()
            self.request_landscape()
        else:
            self._landscape_timer.stop()

    @Slot()
    def _on_landscape_timer(self) -> None:
        if self.controller.running and not self._landscape_pending and not self.worked_mode:
            self.request_landscape()

    # -- from the controller ---------------------------------------------------------------------------
    def _draw_slow_plots(self, snap: NetworkSnapshot) -> None:
        self.accuracy_view.update(snap)
        self.gradient_view.update(snap)

    def on_running(self, running: bool) -> None:
        if not running and self.snapshot is not None:
            self._draw_slow_plots(self.snapshot)  # stopped: both show where the run stands
            self._refresh_landscape_if_moved(self.snapshot)  # paused or finished: its landscape too

    def request_neuron_maps(self) -> bool:
        """Ask the training process for every unit's picture over the map's range (coarser in a big network);
        the reply updates the diagram. Not while one is in flight; returns whether it asked."""
        now = time.perf_counter()
        if self._neurons_asked_at is not None and now - self._neurons_asked_at < NEURON_MAPS_TIMEOUT_S:
            return False
        snap = self.snapshot
        xr, yr, _shape = self.map_view.view.grid()
        size = map_size(snap.layer_sizes if snap is not None else self.params.hidden)
        # the pictures of these weights over this range are asked for once: a request makes the training
        # process send a snapshot, which made a paused tab ask again, ten times a second, for ever
        key = None if snap is None else (snap.step, snap.params_version, snap.data_version, tuple(xr), tuple(yr),
                                         size)
        if key is not None and key == self._neurons_key and self.neuron_maps is not None:
            return False
        self._neurons_key = key
        self._neurons_asked_at = now
        self.neuron_map_requests += 1
        self.controller.request(views.neuron_maps, xr, yr, size, on_reply=self._on_neuron_maps)
        return True

    # -- replies (a value, or a CallFailed: no network yet, the training process gone) --------------------
    def _on_neuron_maps(self, result: NeuronMaps | CallFailed) -> None:
        self._neurons_asked_at = None
        snap = self.snapshot
        if snap is not None:
            self.diagram.set_structure(snap.layer_sizes, snap.features)
            self.diagram.set_values(snap.coefs, snap.intercepts)
        if isinstance(result, NeuronMaps):
            self.neuron_maps = result
            self.diagram.set_maps(result)

    def _on_landscape(self, result: LossLandscape | CallFailed) -> None:
        self._landscape_pending = False
        self.landscape = result if isinstance(result, LossLandscape) else None
        self.landscape_view.set_landscape(self.landscape, self.landscape.step if self.landscape else None)
        if self.snapshot is not None:
            self._refresh_landscape_if_moved(self.snapshot)
        # (its message, random directions instead of PCA, is said in the landscape's own box: a status line
        # left from an earlier landscape would contradict the box)

    def _on_restore_reply(self, result: object) -> None:
        super()._on_restore_reply(result)
        if not self._landscape_pending:
            self.request_landscape()  # the landscape around the restored weights, not the fresh ones

    def _on_reference_flow(self, result: GradientFlowReference | CallFailed) -> None:
        self.gradient_view.set_reference(result if isinstance(result, GradientFlowReference) else None)

    def _on_gradient_check(self, result: GradientCheck | CallFailed) -> None:
        label = self.panel.check_label
        if not isinstance(result, GradientCheck):
            label.setText(f"Nothing to check: {result.message}")
            return
        self.gradient_check = result
        e = result.max_relative_error
        kinks = self.params.activation in ("relu", "leaky_relu", "step")
        verdict = "backprop agrees" if e < 1e-4 else (
            "check the kinks: ReLU/step slopes jump at 0" if kinks else "they disagree")
        over = f"{result.n_params:,} parameters" if result.n_params == result.n_total else \
            f"{result.n_params:,} of the {result.n_total:,} parameters (a big network: an even spread)"
        if result.n_sampled_rows:
            over += f", on {result.n_sampled_rows:,} of the {result.n_rows:,} points"
        label.setText(f"max relative error <b>{e:.2e}</b> over {over} at step {result.step:,}: {verdict}")

    @Slot(object)
    def on_snapshot(self, snap: NetworkSnapshot) -> None:
        self.snapshot = snap
        wanted = self._reference_for
        if wanted and snap.activation == wanted[0] and snap.data_version == self.editor.points.version \
                and snap.layer_sizes:
            self._reference_for = None
            self.controller.request(views.reference_gradient_flow, *wanted[1], 3000, on_reply=self._on_reference_flow)
        self.playback.set_progress(snap.step, snap.cost)
        self.playback.set_enabled(snap.status is not Status.INVALID)
        self._show_status(snap)
        self.loss_view.update(snap)
        changed = snap.params_version != self._drawn_params
        self._drawn_params = snap.params_version
        if changed and self.controller.running:
            # the first frame of a change made while training (a new learning rate) shows it in the loss
            # and the status only: a cheap frame, on screen sooner on a busy machine; the rest follows
            self._rest_timer.start()
            return
        self._rest_timer.stop()
        self._draw_rest(snap)

    def _draw_rest(self, snap: NetworkSnapshot | None = None) -> None:
        """Everything but the loss and the status: readouts, map, points, the slow plots, the diagram."""
        snap = snap or self.snapshot
        if snap is None:
            return
        self.panel.readout.setText(
            f"train loss {_fmt(snap.train_loss)}, accuracy {_fmt(snap.train_accuracy, True)}\n"
            f"test loss {_fmt(snap.test_loss)}, accuracy {_fmt(snap.test_accuracy, True)}  "
            f"({snap.n_train} train / {snap.n_test} test)\n"
            f"epoch {snap.epoch:,}, {snap.batch_size} rows per step")
        if snap.classes != self._classes:
            self._classes = snap.classes
            self.map_view.set_classes(snap.classes)
        if snap.layer_sizes and map_resolution(snap.layer_sizes) != self.map_view.view.resolution:
            self.map_view.view.resolution = map_resolution(snap.layer_sizes)
            self._request_views()  # the map on the grid this network can afford
        dm = self.view("decision")
        dm = dm if isinstance(dm, DecisionMap) and snap.layer_sizes else None
        if dm is not self._map_shown:  # a map kept between snapshots (max_share) is not drawn again
            self._map_shown = dm
            self.map_view.set_map(dm)
        pts = self.editor.points
        pred = self.view("predicted")
        if (isinstance(pred, np.ndarray) and len(pred) == len(pts) and snap.data_version == pts.version
                and len(snap.classes)):
            predicted = np.asarray(snap.classes)[pred]
        else:
            predicted = None
        if len(self._test_mask) == len(pts):
            self._show_points(pts.xy, pts.labels, predicted)
        if self.controller.running:
            # while training, the accuracy and gradient-flow plots take turns, each drawn every other frame:
            # a frame repaints two plots, not three (they change slowly; the loss is drawn every frame)
            self._frame += 1
            (self.accuracy_view if self._frame % 2 else self.gradient_view).update(snap)
        else:
            self._draw_slow_plots(snap)
        self._refresh_landscape_if_moved(snap)
        self.landscape_view.set_stale(self._landscape_key != (self.controller.params_version,
                                                              self.editor.points.version)
                                      and not self._landscape_pending)
        self._diagram.request()

    def _refresh_landscape_if_moved(self, snap: NetworkSnapshot) -> None:
        """Paused with weights the landscape was not computed at (a Step, a restored session): compute it
        again, once per step (a failing computation is not asked for again and again)."""
        if (not self.controller.running and not self._landscape_pending and not self.worked_mode
                and snap.status not in (Status.DIVERGED, Status.INVALID) and snap.layer_sizes
                and snap.step != self._landscape_asked_at
                and (self.landscape is None or self.landscape.step != snap.step)):
            self.request_landscape()

    def _draw_diagram(self) -> None:
        """At most once per DIAGRAM_INTERVAL_MS (self._diagram): the newest snapshot's weights now, and the
        unit pictures asked for now and drawn when they come (computed only when the diagram is due)."""
        snap = self.snapshot
        if snap is None:
            return
        self.diagram.set_structure(snap.layer_sizes, snap.features)
        self.profile_view.update(snap)  # per-layer values change slowly: at the diagram's rate too
        self.diagram_draws += 1
        # the weights are drawn with the pictures when they come (one repaint, not two), seldom more than a
        # few milliseconds later; at once if none were asked for (one is still on its way)
        if not (snap.layer_sizes and self.request_neuron_maps()):
            self.diagram.set_values(snap.coefs, snap.intercepts)

    def _show_status(self, snap: NetworkSnapshot) -> None:
        if self.controller.error:
            return
        bad = snap.status in (Status.DIVERGED, Status.INVALID)
        self.status_label.setStyleSheet("color: #b00020;" if bad else ("color: #8a5a00;" if snap.message else ""))
        text = snap.message
        if not text:
            text = {Status.READY: "Ready: press Play (Space) or Step (S).",
                    Status.TRAINING: "Training…" if self.controller.running else "Paused.",
                    Status.MAX_STEPS: "Stopped at the step limit."}.get(snap.status, "")
        self.status_label.setText(readable(text))

