"""The SVM tab: two classes of points you place, a soft-margin SVM trained live (dual SMO or primal
subgradient descent) in its own process, and the views that show the model and the optimisation: the
signed decision function with margins and support vectors, the objectives and the duality gap, the hinge
loss, the primal cost surface, a libsvm comparison and the SVM intro's C and σ² sweeps."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gdplay.bridge import CallFailed
from gdplay.core import kernels as K
from gdplay.core.csvio import CSVError, Table
from gdplay.core.svm import (
    ARTICLE_SIGMA2_ACCURACY,
    HISTORY_FIELDS,
    LIBSVM_C_SWEEP_N_SUPPORT,
    Comparison,
    CostSurface,
    CSweep,
    DecisionMap,
    SigmaSweep,
    SVMParams,
    SVMSnapshot,
    SVMTabTrainer,
    scale_note,
)
from gdplay.core.svm import views as svm_views
from gdplay.core.trainer import Status, ValidationError
from gdplay.ui.plots.style import track_cursor
from gdplay.ui.svm.controls import SOLVER_LIMITS, ComparisonBox, DataControls, ModelControls, SweepBox
from gdplay.ui.svm.plots import (
    NEG_COLOR,
    POS_COLOR,
    CSweepView,
    GapView,
    HingeView,
    ObjectiveView,
    PrimalSurfaceView,
    SigmaSweepView,
    SvmDecisionView,
)
from gdplay.ui.svm.presets import held_out_mask, preset, signed_labels
from gdplay.ui.tab_base import TrainingTab, readable
from gdplay.ui.throttle import Throttle
from gdplay.ui.widgets.playback import PlaybackBar
from gdplay.ui.widgets.point_editor import bind_undo_buttons
from gdplay.ui.widgets.reflow import Arrangement, fit_side_panel, plot_area
from gdplay.ui.widgets.wheel_guard import guard_wheel

DEFAULT_RATE = 1000.0  # SMO pair updates per second: fast enough to converge in a second, slow enough to watch
SURFACE_SHAPE = (80, 80)
DECISION_MAP_SHARE = 0.5  # of the training process's time, at most, while training runs
# the objective, gap, hinge and surface plots redraw at most 30 times a second: while C or σ is dragged the
# GUI then has the time to draw the decision plot at 60 (and to answer input at once)
SECONDARY_MS = 33
# the controls a session keeps besides the params (the decision plot's range last: loading points fits it)
SESSION_SETTINGS = {"rate": "playback", "preset": "data_controls.preset", "seed": "data_controls.seed",
                    "convention": "model.convention", "range": "decision.plot"}
LEGEND = (f"<span style='color:{POS_COLOR}'>●</span> class +1 &nbsp; <span style='color:{NEG_COLOR}'>●</span> "
          f"class −1 &nbsp; ○ held-out test point &nbsp; <b>◯</b> support vector on the margin (0 &lt; α &lt; C) "
          "&nbsp; <span style='color:#7b2cbf'><b>□</b></span> bound support vector (α = C) &nbsp; ✕ misclassified "
          "&nbsp; <span style='color:#1b7a1b'><b>—</b></span> slack ξ to its margin (linear) &nbsp; "
          "<b>—</b> f = 0 &nbsp; <b>- -</b> f = ±1 &nbsp; <span style='color:#00a651'><b>···</b></span> libsvm")


def _fmt(v: float, digits: int = 6) -> str:
    return f"{v:.{digits}g}" if v is not None and math.isfinite(v) else "–"


# params shown in a spin box, checked against its range when a session is opened
SESSION_PARAM_CONTROLS = {"degree": ("model.degree", ()), "coef0": ("model.coef0", ())}
# what an undo entry is called, by the first restarting field a change touches
CHANGE_NAMES = {"kernel": "Change the kernel", "solver": "Change the solver", "degree": "Change the degree"}


def _job_context():
    """The multiprocessing context the training processes use (one choice for the app)."""
    from gdplay.bridge import process_context

    return process_context()


class SvmTab(TrainingTab):
    """The points, the decision function and the training plots (see the module's docstring); the model panel
    (``controls``, also ``model``) reports edits, the tab applies them (``TrainingTab``'s protocol)."""

    title = "SVM"
    key = "svm"
    PARAMS = SVMParams
    SETTINGS = SESSION_SETTINGS
    PARAM_CONTROLS = SESSION_PARAM_CONTROLS
    UNDO_SETTINGS = ("preset", "seed")
    CHANGE_NAMES = CHANGE_NAMES
    N_CLASSES = 4  # editor labels: 0 and 1 for classes −1 and +1, 2 and 3 for the same held out

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.params = SVMParams(kernel="linear", C=1.0)
        self.start_training(SVMTabTrainer(self.params))
        self._secondary = Throttle(SECONDARY_MS, self._draw_secondary, self)
        self.snapshot: SVMSnapshot | None = None
        self.comparison: Comparison | CallFailed | None = None
        self.sweeps: dict[str, CSweep | SigmaSweep | CallFailed] = {}
        self._compared_key: tuple | None = None
        self._views_on: set[str] = set()  # trainer views asked for besides the decision map

        self.decision = SvmDecisionView()
        self.editor = self.decision.editor
        self.objective_view = ObjectiveView()
        self.gap_view = GapView()
        self.hinge_view = HingeView()
        self.surface_view = PrimalSurfaceView()
        self._sweep_views: tuple[CSweepView, SigmaSweepView] | None = None  # built when first shown

        self.playback = PlaybackBar(step_unit="step (one SMO pair, or one subgradient step)")
        self.playback.set_rate(DEFAULT_RATE, emit=False)
        self.data_controls = DataControls()
        self.model = self.controls = ModelControls()
        self.compare_box = ComparisonBox()
        self.sweep_box = SweepBox()
        self.readout = {k: QLabel("–") for k in ("step", "objectives", "relgap", "kkt", "sv", "accuracy", "w",
                                                 "width")}
        for label in self.readout.values():
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setWordWrap(True)

        self._build_layout()
        self._connect()
        guard_wheel(self.panel)
        self.playback.set_limit(self.params.max_steps)
        self.load_preset("exp1", 0)
        self.forget_undo()

    # -- layout ------------------------------------------------------------------------------------
    def _build_layout(self) -> None:
        intro = QLabel("A soft-margin SVM: maximise the margin 2/‖w‖ while paying C for each violation "
                       "(hinge loss). Drag C or the kernel width: the model retrains live from where it was.")
        intro.setWordWrap(True)

        train_box = QGroupBox("Training")
        QVBoxLayout(train_box).addWidget(self.playback)

        read_box = QGroupBox("Readouts")
        form = QFormLayout(read_box)
        for key, text in (("step", "step / status"), ("objectives", "primal P, dual D, gap"),
                          ("relgap", "(P − D)/max(1, |P|)"),
                          ("kkt", "KKT violation"), ("sv", "support vectors"), ("accuracy", "accuracy"),
                          ("w", "w, b"), ("width", "margin width 2/‖w‖")):
            form.addRow(text, self.readout[key])

        self.panel = panel = QWidget()
        side = QVBoxLayout(panel)
        side.addWidget(intro)
        side.addWidget(self.status_label)
        side.addWidget(train_box)
        side.addWidget(self.data_controls)
        side.addWidget(self.model)
        side.addWidget(read_box)
        side.addWidget(self.compare_box)
        side.addWidget(self.sweep_box)
        side.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(panel)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        fit_side_panel(scroll, 420, 480)

        legend = QLabel(f"<small>{LEGEND}</small>")  # a step below the window's text, whatever its size
        legend.setWordWrap(True)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.decision.widget, 1)
        left_layout.addWidget(legend)
        o, g, h, f = (self.objective_view.widget, self.gap_view.widget, self.hinge_view.widget,
                      self.surface_view.widget)
        # the decision plot beside a 2 x 2 block, or (large text on a narrow screen) beside one column
        training = plot_area([
            Arrangement([(left, 0, 0, 2, 1), (o, 0, 1, 1, 1), (g, 0, 2, 1, 1), (h, 1, 1, 1, 1), (f, 1, 2, 1, 1)],
                        {0: 1, 1: 1}, {0: 5, 1: 3, 2: 3}),
            Arrangement([(left, 0, 0, 2, 1), (o, 0, 1, 1, 1), (g, 1, 1, 1, 1), (h, 2, 0, 1, 1), (f, 2, 1, 1, 1)],
                        {0: 1, 1: 1, 2: 1}, {0: 1, 1: 1}),
        ])

        sweeps = QWidget()
        self._sweeps_grid = QGridLayout(sweeps)
        self._sweeps_grid.setContentsMargins(0, 0, 0, 0)

        self.pages = QTabWidget()
        self.pages.addTab(training, "Model and training")
        self.pages.addTab(sweeps, "Sweeps")
        self.pages.currentChanged.connect(lambda index: index == 1 and self._build_sweep_views())

        splitter = QSplitter()
        splitter.addWidget(scroll)
        splitter.addWidget(self.pages)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([420, 980])
        layout = QHBoxLayout(self)
        layout.addWidget(splitter)

    def _connect(self) -> None:
        self.connect_training()  # snapshots, errors, transport, and the model panel's edits
        c = self.controller
        self.playback.limitChanged.connect(self.set_step_limit)
        c.set_rate(self.playback.rate())
        d = self.data_controls
        d.classChanged.connect(self._on_class_changed)
        d.presetRequested.connect(self.load_preset)
        d.undoRequested.connect(self.undo)
        d.redoRequested.connect(self.redo)
        d.clearRequested.connect(self.clear_points)
        self.editor.current_class = d.current_class()
        self.editor.pointsChanged.connect(self._on_points_changed)
        bind_undo_buttons(self.editor, self.data_controls.undo_button, self.data_controls.redo_button)
        self.model.viewChanged.connect(self._on_model_view_changed)
        self.model.C.rejected.connect(self.statusMessage)
        self.model.sigma.rejected.connect(self.statusMessage)
        self.decision.view.rangeChanged.connect(self._request_decision_map)
        # a resize (the first layout, the window) changes the visible range at once: no debounce needed
        self.decision.plot.getViewBox().sigResized.connect(self._request_decision_map)
        self.compare_box.button.clicked.connect(self._on_compare_clicked)
        self._libsvm_job: tuple | None = None  # (process, pipe end, points version, grid) while libsvm solves
        self._libsvm_timer = QTimer(self)
        self._libsvm_timer.setInterval(50)
        self._libsvm_timer.timeout.connect(self._poll_libsvm)
        self.sweep_box.c_button.clicked.connect(self.run_c_sweep)
        self.sweep_box.sigma_button.clicked.connect(self.run_sigma_sweep)
        track_cursor(self.decision.widget, self._describe_input_point, self.statusMessage.emit)
        track_cursor(self.hinge_view.widget, lambda z, loss: f"z = y·f(x) = {z:.4g}: hinge loss "
                     f"max(0, 1 − z) = {max(0.0, 1 - z):.4g}", self.statusMessage.emit)
        track_cursor(self.objective_view.widget, lambda x, y: f"iteration {x:,.0f}, objective {10 ** y:.5g}",
                     self.statusMessage.emit)
        track_cursor(self.gap_view.widget, lambda x, y: f"iteration {x:,.0f}, gap {10 ** y:.3g}",
                     self.statusMessage.emit)
        track_cursor(self.surface_view.widget, lambda a, b: f"w₁ = {a:.4g}, w₂ = {b:.4g}", self.statusMessage.emit)

    def _build_sweep_views(self) -> tuple[CSweepView, SigmaSweepView]:
        """The sweep plots, made the first time the Sweeps page or a sweep's result needs them (four plots
        most sessions never open: ~4 MB and start-up time saved)."""
        if self._sweep_views is None:
            c_view, sigma_view = CSweepView(), SigmaSweepView()
            grid = self._sweeps_grid
            lines = QWidget()  # the boundaries with their key under them
            lv = QVBoxLayout(lines)
            lv.setContentsMargins(0, 0, 0, 0)
            lv.setSpacing(2)
            lv.addWidget(c_view.lines_widget, 1)
            lv.addWidget(c_view.key)
            grid.addWidget(lines, 0, 0)
            grid.addWidget(c_view.count_widget, 0, 1)
            grid.addWidget(sigma_view.acc_widget, 1, 0)
            grid.addWidget(sigma_view.count_widget, 1, 1)
            show = self.statusMessage.emit
            track_cursor(c_view.lines_widget, lambda x, y: f"x₁ = {x:.4g}, x₂ = {y:.4g}", show)
            track_cursor(c_view.count_widget, lambda x, y: f"log₁₀ C = {x:.3g} (C = {10 ** x:.3g}), "
                         f"{y:.1f} SVs", show)
            track_cursor(sigma_view.acc_widget, lambda x, y: f"σ² ≈ {10 ** x:.3g}, accuracy {y:.1f} %", show)
            track_cursor(sigma_view.count_widget, lambda x, y: f"σ² ≈ {10 ** x:.3g}, {y:.1f} SVs", show)
            self._sweep_views = (c_view, sigma_view)
        return self._sweep_views

    @property
    def c_sweep_view(self) -> CSweepView:
        return self._build_sweep_views()[0]

    @property
    def sigma_sweep_view(self) -> SigmaSweepView:
        return self._build_sweep_views()[1]

    def _describe_input_point(self, x: float, y: float) -> str:
        text = f"x₁ = {x:.4g}, x₂ = {y:.4g}"
        dmap = self.view("decision")
        if isinstance(dmap, DecisionMap):
            (x0, x1), (y0, y1) = dmap.x_range, dmap.y_range
            rows, cols = dmap.values.shape
            j = round((x - x0) / max(x1 - x0, 1e-300) * (cols - 1))
            i = round((y - y0) / max(y1 - y0, 1e-300) * (rows - 1))
            if 0 <= i < rows and 0 <= j < cols:
                f = float(dmap.values[i, j])
                text += f", f ≈ {f:.3g} (class {'+1' if f >= 0 else '−1'})"
        return text

    # -- commands (also bound to shortcuts by the main window) ---------------------------------------
    def apply_preset(self, key: str, play: bool = False) -> None:
        """The window's name for loading a preset ("exp1", "exp2", "circles", "moons", "xor"); paused unless
        ``play``."""
        self.load_preset(key)
        if play:
            self.controller.play()

    def load_preset(self, key: str, seed: int = 0) -> None:
        """Load a preset's points and its model settings (kernel, C, σ² with γ = 1/σ²): one undoable change,
        set up paused (Play trains it)."""
        p = preset(key)
        xy, labels = p.make(seed)
        name = p.name.split(':')[0]
        params = replace(self.params, kernel=p.kernel, C=p.C)
        if p.kernel == "rbf":
            params = replace(params, gamma=K.gamma_from_sigma2(p.sigma2, "code"))
        if p.kernel != "linear" and params.solver == "primal":  # the primal solver needs w
            params = replace(params, solver="dual", max_steps=SOLVER_LIMITS["dual"])
        with self.undoable(f"Load {name}"):
            self.controller.pause()  # first: commands apply in order
            self.data_controls.select_preset(key)
            self.data_controls.seed.setValue(seed)
            self.model.remember_rbf_width(p.sigma2)  # what the σ row shows, read as the SVM intro's code does
            self.set_params(params)
            self.editor.replace(xy, labels, f"Load {name}")
            self.decision.fit_view(xy)
            self._request_decision_map()

    def clear_points(self) -> None:
        with self.undoable("Clear points"):
            self.editor.clear()


    def set_points(self, xy: np.ndarray, signed: np.ndarray, test: np.ndarray | None = None,
                   description: str = "Load points") -> None:
        """Replace the points: ``signed`` labels ±1 (or 0/1), ``test`` rows held out."""
        labels = (np.asarray(signed) > 0).astype(np.int64)
        if test is not None:
            labels = labels + 2 * np.asarray(test, dtype=bool)
        self.editor.replace(np.asarray(xy, dtype=float), labels, description)

    def set_params(self, params: SVMParams) -> bool:
        """Adopt ``params`` (validated, here only), show them where they did not come from the model panel,
        and send them at once; False, saying why, if refused (the panel then shows the params in force)."""
        try:
            params = params.validate()
        except ValidationError as exc:
            self._show_error(str(exc))
            self.controls.show_params(self.params)
            return False
        old, self.params = self.params, params
        self.show_params(params)
        self.playback.set_limit(params.max_steps)
        self.controller.set_params(params)
        self._sync_surface_view()
        if (old.kernel, old.solver) != (params.kernel, params.solver):
            self.decision.set_reference(None)  # libsvm's boundary was of another model
        return True

    # -- sessions and files (the rest is TrainingTab's) --------------------------------------------------
    def session_trainer(self, params: SVMParams, xy: np.ndarray, labels: np.ndarray,
                        settings: Mapping[str, Any]) -> SVMTabTrainer:
        trainer = SVMTabTrainer(params)
        trainer.set_data(xy, signed_labels(labels), test_mask=held_out_mask(labels))
        return trainer

    def fit_points_view(self) -> None:
        self.decision.fit_view(self.editor.points.xy)

    def labels_from_csv(self, table: Table) -> np.ndarray:
        """Editor labels from a label column of +1/−1 or of 0/1 (not both: 0 would be ambiguous)."""
        if table.labels is None:
            raise CSVError("The file has no label column; the SVM needs a class (+1/−1 or 0/1) for each point.")
        y: np.ndarray = table.labels
        bad = ~np.isin(y, (-1, 0, 1))
        if bad.any():
            i = int(np.argmax(bad))
            raise CSVError(f"Line {table.lines[i]}, column label: {y[i]} is not a class of this tab; expected "
                           "+1/−1 or 0/1.")
        if (y == -1).any() and (y == 0).any():
            i = int(np.argmax(y == 0))
            raise CSVError(f"Line {table.lines[i]}, column label: 0, but other rows use −1; label the two "
                           "classes +1/−1 or 0/1, not both.")
        return (y == 1).astype(np.int64)

    def labels_to_csv(self, labels: np.ndarray) -> np.ndarray:
        return signed_labels(labels)  # ±1 (held-out points as their class: the CSV has no test column)

    def history_table(self) -> tuple[tuple[str, ...], np.ndarray]:
        header = ("iteration", *HISTORY_FIELDS)
        snap = self.snapshot
        return header, (np.empty((0, len(header))) if snap is None else np.asarray(snap.history))

    def model_summary(self) -> dict:
        out = super().model_summary()
        snap = self.snapshot
        if snap is not None and snap.status is not Status.INVALID:
            out["kernel"] = snap.params.kernel_args()
            out["w"] = None if snap.w is None else snap.w.tolist()
            out["b"] = snap.b
            out["support"] = snap.support.tolist()  # indices of the points (as exported to CSV)
            out["support_vectors"] = snap.support_vectors.tolist()
            # α_i y_i of each support vector; the primal solver has no α
            out["dual_coef"] = None if snap.params.solver == "primal" else snap.dual_coef.tolist()
            out["train_accuracy"] = _finite_or_none(snap.train_accuracy)
            out["test_accuracy"] = _finite_or_none(snap.test_accuracy)  # None without held-out points
        return out

    def compare_with_libsvm(self) -> None:
        """Solve the training points with libsvm in a process of its own (the Cancel button ends it: libsvm
        can take minutes, on points of 1e12 say), then have the trainer compare its solution with it."""
        self._end_libsvm_job()
        from gdplay.core.svm_reference_job import solve

        pts = self.editor.points
        train = ~held_out_mask(pts.labels)
        ctx = _job_context()
        receiver, sender = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=solve, args=(sender, pts.xy[train].copy(), signed_labels(pts.labels)[train],
                                               self.params), name="gdplay-libsvm", daemon=True)
        proc.start()
        sender.close()
        self._libsvm_job = (proc, receiver, pts.version, self.decision.view.grid())
        self._libsvm_timer.start()
        self.compare_box.button.setText("Cancel libsvm")
        self.compare_box.table.setText("Solving with libsvm… (Cancel stops it; training goes on meanwhile)")

    def cancel_libsvm(self) -> None:
        if self._libsvm_job is not None:
            self._end_libsvm_job()
            self.compare_box.table.setText("Cancelled: libsvm was stopped before it finished.")

    @Slot()
    def _on_compare_clicked(self) -> None:
        if self._libsvm_job is not None:
            self.cancel_libsvm()
        else:
            self.compare_with_libsvm()

    def _end_libsvm_job(self) -> None:
        job, self._libsvm_job = self._libsvm_job, None
        self._libsvm_timer.stop()
        self.compare_box.button.setText("Compare with libsvm")
        if job is None:
            return
        proc, receiver = job[0], job[1]
        if proc.is_alive():
            proc.kill()
        proc.join(2)
        receiver.close()

    @Slot()
    def _poll_libsvm(self) -> None:
        if self._libsvm_job is None:
            return
        proc, receiver, version, grid = self._libsvm_job
        try:
            answer = receiver.recv() if receiver.poll() else None
        except (EOFError, OSError):
            answer = ("error", f"libsvm stopped without an answer (exit code {proc.exitcode}).")
        if answer is None:
            if not proc.is_alive() and not receiver.poll():
                self._end_libsvm_job()
                self._on_comparison(CallFailed("libsvm", f"libsvm stopped without an answer (exit code "
                                                         f"{proc.exitcode})."))
            return
        self._end_libsvm_job()
        kind, value = answer
        if kind != "ok":
            self._on_comparison(CallFailed("libsvm", value))
        elif version != self.editor.points.version:
            self._on_comparison(CallFailed("libsvm", "The points changed while libsvm was solving; compare again."))
        else:
            self.controller.request(svm_views.compare_with_libsvm, *grid, ref=value, on_reply=self._on_comparison)

    def shutdown(self, timeout_ms: int = 2000) -> bool:
        self._end_libsvm_job()
        return super().shutdown(timeout_ms)

    def run_c_sweep(self) -> None:
        self.sweep_box.result.setText("Running the C sweep…")
        self.controller.request(svm_views.sweep_C_here, on_reply=self._on_c_sweep)

    def run_sigma_sweep(self) -> None:
        self.sweep_box.result.setText("Running the σ² sweep…")
        self.controller.request(svm_views.sweep_sigma2_here, gamma_convention=self.model.convention_name(),
                                C=self.params.C, on_reply=self._on_sigma_sweep)

    # -- handlers ------------------------------------------------------------------------------------
    # (a change to a finished run resumes it: the training process decides that, in one place)
    @Slot(str)
    def _on_model_view_changed(self, what: str) -> None:
        """A view-only choice: the σ ↔ γ convention (the panel shows it), or the live libsvm comparison."""
        if what == "solver" and self.snapshot is not None:
            self._compare_when_finished(self.snapshot)

    @Slot(int)
    def _on_class_changed(self, label: int) -> None:
        self.editor.current_class = label

    @Slot()
    def _on_points_changed(self) -> None:
        pts = self.editor.points
        self.decision.set_points(pts.xy, pts.labels)
        self.controller.set_data(pts.xy.copy(), signed_labels(pts.labels), version=pts.version,
                                 test_mask=held_out_mask(pts.labels))
        n_test = int(held_out_mask(pts.labels).sum())
        n_pos = int((pts.labels % 2 == 1).sum())
        self.data_controls.count_label.setText(
            f"{len(pts)} points: {n_pos} of class +1, {len(pts) - n_pos} of class −1"
            + (f"; {n_test} held out for testing (hollow)" if n_test else ""))
        self.decision.set_reference(None)

    @Slot()
    def _request_decision_map(self) -> None:
        x_range, y_range, shape = self.decision.view.grid()
        # thousands of support vectors make the map cost as much as training: it is then recomputed only
        # while that keeps it under half the training process's time (the boundaries in between are skipped)
        self.controller.set_view("decision", svm_views.decision_map, x_range, y_range, shape,
                                 max_share=DECISION_MAP_SHARE)

    def _sync_surface_view(self) -> None:
        wanted = self.params.kernel == "linear"
        if wanted != ("surface" in self._views_on):
            if wanted:
                self.controller.set_view("surface", svm_views.primal_surface, SURFACE_SHAPE)
                self._views_on.add("surface")
            else:
                self.controller.set_view("surface", None)
                self._views_on.discard("surface")

    def on_running(self, running: bool) -> None:
        if self.snapshot is not None:
            self._show_status(self.snapshot)  # "Training…" or "Paused." (a pause sends no new snapshot)

    def _on_comparison(self, result: Comparison | CallFailed) -> None:
        self.comparison = result
        self.compare_box.show_result(result)
        self.decision.set_reference(result.ref_map if isinstance(result, Comparison) else None)

    def _sweep_failed(self, result: CallFailed) -> None:
        self.sweep_box.result.setText(f"<span style='color:#b00020'>{result.message}</span>")

    def _on_c_sweep(self, result: CSweep | CallFailed) -> None:
        self.sweeps["C"] = result
        if isinstance(result, CallFailed):
            self._sweep_failed(result)
            return
        pts = result.points
        article = result.article_data
        self.c_sweep_view.show(result.X, result.y, pts, article)

        def ref(C: float) -> str:
            n = LIBSVM_C_SWEEP_N_SUPPORT.get(float(C)) if article else None
            return "" if not article else f"<td>{'' if n is None else n}</td>"

        head = "<th>article's code</th>" if article else ""
        cells = "".join(f"<tr><td>{p.C:g}</td><td>{p.n_support}</td>{ref(p.C)}</tr>" for p in pts)
        note = ("<br>The article's points: its code (libsvm) gives the right column; at C ≥ 1 it prints "
                "w = (0.36172799, 0.22875099), b = −0.22133232.") if article else ""
        self.sweep_box.result.setText(f"<b>C sweep</b> ({len(result.y)} training points, linear):"
                                      f"<table cellspacing='3'><tr><th>C</th><th># SV</th>{head}</tr>{cells}"
                                      f"</table>{note}")
        self.pages.setCurrentIndex(1)

    def _on_sigma_sweep(self, result: SigmaSweep | CallFailed) -> None:
        self.sweeps["sigma2"] = result
        if isinstance(result, CallFailed):
            self._sweep_failed(result)
            return
        pts = result.points
        # the article's table holds for its points, γ = 1/σ² and C = 1 only
        article = result.article_data and result.convention == "code" and result.C == 1.0
        self.sigma_sweep_view.show(pts, article)
        rule = "1/σ²" if result.convention == "code" else "1/(2σ²)"

        def ref(s2: float) -> str:
            row = ARTICLE_SIGMA2_ACCURACY.get(float(s2)) if article else None
            if not article:
                return ""
            return "<td></td><td></td>" if row is None else f"<td>{row[0]:.4f} %</td><td>{row[1]:.4f} %</td>"

        head = "<th>article train</th><th>article test</th>" if article else ""
        cells = "".join(f"<tr><td>{p.sigma2:g}</td><td>{p.gamma:.4g}</td><td>{p.n_support}</td>"
                        f"<td>{_pct4(p.train_accuracy)}</td><td>{_pct4(p.test_accuracy)}</td>{ref(p.sigma2)}</tr>"
                        for p in pts)
        self.sweep_box.result.setText(
            f"<b>σ² sweep</b> (RBF, γ = {rule}, C = {result.C:g}; {result.n_train} train, "
            f"{result.n_test} test points):<table cellspacing='3'><tr><th>σ²</th><th>γ</th><th># SV</th>"
            f"<th>train</th><th>test</th>{head}</tr>{cells}</table>")
        self.pages.setCurrentIndex(1)

    @Slot(object)
    def on_snapshot(self, snap: SVMSnapshot) -> None:
        self.snapshot = snap
        self.playback.set_progress(snap.step, snap.cost)
        self.playback.set_enabled(snap.status is not Status.INVALID)
        self._show_status(snap)
        self._show_readouts(snap)
        if snap.status is Status.INVALID:
            self.decision.clear_model()
        else:
            dmap = self.view("decision")
            self.decision.set_map(dmap if isinstance(dmap, DecisionMap) else None)
            self.decision.set_snapshot(snap)
        self._secondary.request()
        r = self.comparison
        if isinstance(r, Comparison):
            stale = (r.params_version, r.data_version) != (snap.params_version, snap.data_version)
            if stale and not self.compare_box.stale:
                self.decision.set_reference(None)  # libsvm's boundary was for another model
            self.compare_box.set_stale(stale)
        self._compare_when_finished(snap)

    def _compare_when_finished(self, snap: SVMSnapshot) -> None:
        """With the live libsvm comparison chosen, compare each finished run once."""
        if self.model.solver_name() == "libsvm" and snap.status.finished and snap.status is not Status.INVALID:
            key = (snap.params_version, snap.data_version)
            if key != self._compared_key and snap.params_version == self.controller.params_version:
                self._compared_key = key
                self.compare_with_libsvm()

    def _draw_secondary(self) -> None:
        snap = self.snapshot
        if snap is None:
            return
        self.objective_view.update(snap)
        self.gap_view.update(snap)
        self.hinge_view.update(snap)
        surface = self.view("surface")
        self.surface_view.update(snap, surface if isinstance(surface, CostSurface) and snap.params.kernel == "linear"
                                 else None)

    def _show_status(self, snap: SVMSnapshot) -> None:
        if self.controller.error:
            return
        bad = snap.status in (Status.DIVERGED, Status.INVALID)
        self.status_label.setStyleSheet("color: #b00020; font-weight: bold;" if bad else "")
        text = snap.message or {Status.READY: "Ready: press Play (Space) to train.",
                                Status.TRAINING: "Training…" if self.controller.running else "Paused."
                                }.get(snap.status, "")
        if snap.status in (Status.READY, Status.TRAINING, Status.MAX_STEPS):  # the points' scale may be why
            note = scale_note(snap.X[~snap.test_mask], snap.params)
            text = f"{text} {note}" if note else text
        self.status_label.setText(readable(text))

    def _show_readouts(self, snap: SVMSnapshot) -> None:
        r = self.readout
        r["step"].setText(f"{snap.step:,} · {snap.status.value}")
        r["objectives"].setText(f"{_fmt(snap.primal_objective)}, {_fmt(snap.dual_objective)}, "
                                f"{_fmt(snap.duality_gap, 3)}")
        # the stopping rule, next to the numbers it reads: "converged" means both are within tol
        rel = (snap.duality_gap / max(1.0, abs(snap.primal_objective))
               if math.isfinite(snap.duality_gap) and math.isfinite(snap.primal_objective) else math.nan)
        r["relgap"].setText(f"{_fmt(rel, 3)} (stops at ≤ {snap.params.tol:g})")
        r["kkt"].setText(f"{_fmt(snap.kkt_violation, 3)} (and stops at ≤ {snap.params.tol:g})"
                         if snap.params.solver == "dual" else "– (primal: no α; stops on the gap alone)")
        n_margin = int(snap.margin_mask.sum())
        n_bound = int(snap.bound_mask.sum())
        if snap.params.solver == "dual":
            r["sv"].setText(f"{snap.n_support}: {n_margin} on the margin (0 < α < C), {n_bound} at α = C")
        else:
            r["sv"].setText(f"{snap.n_support}: {n_margin} on the margin (y·f ≈ 1), {n_bound} inside it (y·f < 1)")
        r["accuracy"].setText(f"train {_pct(snap.train_accuracy)}, test {_pct(snap.test_accuracy)}")
        if snap.status is Status.INVALID:
            r["w"].setText("–")
            r["width"].setText("–")
        elif snap.w is not None:
            r["w"].setText(f"w = ({', '.join(f'{v:.4g}' for v in snap.w)}), b = {_fmt(snap.b, 4)}")
            r["width"].setText(_fmt(snap.margin_width, 4))
        else:
            r["w"].setText(f"w lives in feature space; b = {_fmt(snap.b, 4)}")
            r["width"].setText("– (linear kernel only)")


def _finite_or_none(v: float) -> float | None:
    return v if math.isfinite(v) else None


def _pct(v: float) -> str:
    return f"{v:.1%}" if v is not None and math.isfinite(v) else "–"


def _pct4(v: float) -> str:
    """Per cent with 4 decimals, as the article prints its table."""
    return f"{100 * v:.4f} %" if v is not None and math.isfinite(v) else "–"

