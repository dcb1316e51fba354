"""The Surfaces tab: gradient descent on surfaces with several minima, saddles and curved valleys (or a
formula you type), each optimizer's path on the map, f and ‖∇f‖ per iteration, the curvature where the run
is, and the basins of attraction computed in the training process."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSplitter,
    QWidget,
)

from gdplay.bridge import TrainingController
from gdplay.core.points import PointSet
from gdplay.core.regression import LINE_SEARCHES
from gdplay.core.surfaces import (
    DIVERGED,
    FORMULA,
    FORMULA_WINDOW,
    NOT_SETTLED,
    SURFACES,
    BasinsMap,
    SurfaceParams,
    SurfaceSnapshot,
    SurfaceTrainer,
    describe_curvature,
)
from gdplay.core.trainer import Status, ValidationError
from gdplay.ui.plots.style import track_cursor
from gdplay.ui.surfaces.controls import SurfaceControls
from gdplay.ui.surfaces.plots import COST, GRAD, HistoryView, SurfaceView, basin_color
from gdplay.ui.surfaces.presets import PRESETS, preset
from gdplay.ui.tab_base import TrainingTabMixin
from gdplay.ui.widgets.reflow import Arrangement, fit_side_panel, plot_area

# the controls a session keeps besides the params (the surface's view range last)
SESSION_SETTINGS = {"rate": "playback", "show_basins": "controls.show_basins", "basins_size": "controls.basins_size",
                    "preset": "controls.preset", "surface_range": "surface_view.plot"}
GRID_SHAPE = (160, 160)
COARSE_REST_MS = 250  # the full basins map once the learning rate has rested this long
LINE_SEARCH_GRID = 60  # the basins map of a line search: 60 x 60 starts (150 x 150 of exact takes seconds)
NO_POINTS = "The Surfaces tab has no data points: its surface is a formula (pick one, or type your own)."


def _fmt(v: float) -> str:
    return f"{v:.6g}" if math.isfinite(v) else "–"


def window_of(p: SurfaceParams):
    return FORMULA_WINDOW if p.surface == FORMULA else SURFACES[p.surface].window


class StartEditor:
    """Stands in for a tab's point editor: this tab has no points; its undoable edit is the start."""

    def __init__(self, tab: SurfacesTab) -> None:
        self.tab = tab
        self.points = PointSet()  # always empty
        self.undo_stack: list[tuple[float, ...]] = []
        self.redo_stack: list[tuple[float, ...]] = []

    def replace(self, xy, labels=None, description: str = "") -> None:
        """Sessions hand every tab its points; this one has none to take."""

    def moved(self, old: tuple[float, ...]) -> None:
        self.undo_stack.append(old)
        self.redo_stack.clear()

    def undo(self) -> None:
        if self.undo_stack:
            self.redo_stack.append(self.tab.params.initial)
            self.tab.set_params(replace(self.tab.params, initial=self.undo_stack.pop()))

    def redo(self) -> None:
        if self.redo_stack:
            self.undo_stack.append(self.tab.params.initial)
            self.tab.set_params(replace(self.tab.params, initial=self.redo_stack.pop()))


class SurfacesTab(TrainingTabMixin, QWidget):
    """``statusMessage(str)`` carries cursor coordinates and notices to the main window's status bar."""

    statusMessage = Signal(str)
    title = "Surfaces"
    key = "surfaces"
    PARAMS = SurfaceParams
    SETTINGS = SESSION_SETTINGS
    CSV_COLUMNS = ("x", "y")
    CSV_LABEL = None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        first = PRESETS[0]
        self.params = first.params
        self.controller = TrainingController(SurfaceTrainer(self.params), name="surfaces", parent=self)
        self.snapshot: SurfaceSnapshot | None = None
        self.editor = StartEditor(self)
        self.controls = SurfaceControls(self.params)
        self.playback = self.controls.playback
        self.learning_rate = self.controls.learning_rate
        self.surface_view = SurfaceView(self)
        self.cost_view = HistoryView("f per iteration", "f", COST, legend=True)
        self.grad_view = HistoryView("‖∇f‖ per iteration", "‖∇f‖ (log scale)", GRAD, legend=False)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.readout: dict[str, QLabel] = {}
        self._coarse = False
        self._rest_timer = QTimer(self)
        self._rest_timer.setSingleShot(True)
        self._rest_timer.setInterval(COARSE_REST_MS)
        self._rest_timer.timeout.connect(self._on_rest)
        self._build_layout()
        self._connect()
        self.apply_preset(first.key, play=False)

    # -- layout ------------------------------------------------------------------------------------
    def _build_layout(self) -> None:
        read_box = QGroupBox("Where the main run is")
        form = QFormLayout(read_box)
        for key, text, tip in (
                ("point", "point", "x, y of the main run now"),
                ("cost", "f", "the value of the surface there"),
                ("grad", "‖∇f‖", "the length of the gradient: zero at a minimum, a saddle or a maximum"),
                ("step", "iteration", "steps taken"),
                ("curvature", "curvature", "the Hessian's eigenvalues λ: both > 0 a bowl (minimum), both < 0 a dome "
                                           "(maximum), one of each a saddle"),
                ("nearest", "nearest known", "the nearest known minimum, saddle or maximum")):
            label = QLabel("–")
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setWordWrap(True)
            label.setToolTip(tip)
            self.readout[key] = label
            form.addRow(text, label)
        self.controls.layout().insertWidget(3, read_box)
        self.controls.training_layout.insertWidget(1, self.status_label)

        scroll = QScrollArea()
        scroll.setWidget(self.controls)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        fit_side_panel(scroll, 0, 440)  # as wide as its text needs, also in lecture mode

        surface, cost, grad = self.surface_view.widget, self.cost_view.widget, self.grad_view.widget
        # the map beside its two curves, or (large text on a narrow screen) one under the other
        plots = plot_area([
            Arrangement([(surface, 0, 0, 2, 1), (cost, 0, 1, 1, 1), (grad, 1, 1, 1, 1)], column_stretch={0: 3, 1: 2}),
            Arrangement([(surface, 0, 0, 1, 1), (cost, 1, 0, 1, 1), (grad, 2, 0, 1, 1)]),
        ])

        splitter = QSplitter()
        splitter.addWidget(scroll)
        splitter.addWidget(plots)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([380, 1000])
        layout = QHBoxLayout(self)
        layout.addWidget(splitter)

    def _connect(self) -> None:
        c = self.controller
        c.snapshotReady.connect(self._on_controller_snapshot)
        c.failed.connect(self._on_controller_failed)
        c.runningChanged.connect(self.playback.set_running)
        self.playback.playToggled.connect(self.toggle_play)
        self.playback.stepRequested.connect(self.step_once)
        self.playback.resetRequested.connect(self.reset)
        self.playback.rateChanged.connect(c.set_rate)
        self.playback.limitChanged.connect(self.set_step_limit)
        ctl = self.controls
        ctl.edited.connect(self._on_controls_edited)
        ctl.presetRequested.connect(self.apply_preset)
        ctl.viewChanged.connect(self._request_views)
        ctl.learning_rate.rejected.connect(self.statusMessage)
        self.surface_view.rangeChanged.connect(self._request_views)
        self.surface_view.clicked.connect(self._on_surface_clicked)
        self.surface_view.startDragged.connect(self._on_start_dragged)
        track_cursor(self.surface_view.widget, self._on_surface_hover, self.statusMessage.emit)
        track_cursor(self.cost_view.widget, lambda x, y: f"iteration {x:,.0f}", self.statusMessage.emit)
        track_cursor(self.grad_view.widget, lambda x, y: f"iteration {x:,.0f}, ‖∇f‖ {10 ** y:.4g}",
                     self.statusMessage.emit)

    # -- commands -----------------------------------------------------------------------------------
    def session_trainer(self, params: SurfaceParams, xy: np.ndarray, labels: np.ndarray,
                        settings: dict) -> SurfaceTrainer:
        if len(xy):
            raise ValidationError(f"{NO_POINTS} The session gives it {len(xy)} points.")
        return SurfaceTrainer(params)

    def import_points_csv(self, path: str) -> int:
        raise ValidationError(NO_POINTS)

    def export_points_csv(self, path: str) -> int:
        raise ValidationError(NO_POINTS)

    def history_table(self) -> tuple[tuple[str, ...], np.ndarray]:
        snap = self.snapshot
        if snap is None:
            return ("iteration", "f", "grad_norm", "x", "y"), np.empty((0, 5))
        h = np.asarray(snap.main.history)
        return ("iteration", "f", "grad_norm", "x", "y"), h[:, :5]

    def model_summary(self) -> dict:
        out = super().model_summary()
        snap = self.snapshot
        if snap is not None:
            out.update({"surface": snap.surface, "formula": snap.formula,
                        "point": [float(v) for v in snap.main.xy], "curvature": snap.main.curvature.kind,
                        "nearest": snap.main.nearest})
        return out

    def set_learning_rate(self, value: float) -> None:
        self.learning_rate.setValue(value)

    def set_params(self, params: SurfaceParams) -> bool:
        """Adopt ``params`` (validated) and show them; returns False, saying why, if they are refused."""
        try:
            params = params.validate()
        except ValidationError as exc:
            if params.surface == FORMULA:
                self.controls.show_formula_error(str(exc))
            else:
                self._show_message(str(exc), error=True)
            self.controls.show_params(self.params)
            return False
        old, self.params = self.params, params
        if self.controls.show_basins.isChecked() and old.surface == params.surface and (
                old.learning_rate, old.hyper()) != (params.learning_rate, params.hyper()):
            # a dragged slider: a coarse basins map (a quarter of the starts) until it rests for a moment
            self._coarse = True
            self._rest_timer.start()
        self.controls.show_params(params)
        self.playback.set_limit(params.max_steps)
        self.controller.set_params(params)
        self.surface_view.start.setData([params.initial[0]], [params.initial[1]])  # at once, not a frame later
        if (old.surface, old.formula) != (params.surface, params.formula) or not self._range_set:
            self._range_set = True
            self.surface_view.show_range(*window_of(params))
        self._request_views()
        return True

    _range_set = False

    def apply_preset(self, key: str, play: bool = True) -> None:
        p = preset(key)
        if not play:
            self.controller.pause()  # first: commands apply in order, so the new run waits at step 0
        self.controls.preset.setCurrentIndex(self.controls.preset.findData(key))
        self.controls.show_basins.setChecked(p.basins)
        self.set_params(p.params)
        self.surface_view.show_range(*window_of(p.params))
        self.playback.set_rate(p.rate)
        if play:
            self.controller.play()

    # -- handlers ------------------------------------------------------------------------------------
    @Slot(dict)
    def _on_controls_edited(self, changes: dict) -> None:
        if "initial" in changes and tuple(changes["initial"]) != self.params.initial:
            self.editor.moved(self.params.initial)
        self.set_params(replace(self.params, **changes))

    @Slot(float, float)
    def _on_surface_clicked(self, x: float, y: float) -> None:
        """Start every run from the clicked point, and play."""
        self.editor.moved(self.params.initial)
        if self.set_params(replace(self.params, initial=(float(x), float(y)))):
            self.controller.play()

    @Slot(float, float, bool)
    def _on_start_dragged(self, x: float, y: float, finished: bool) -> None:
        """The start follows the drag and every run restarts from it (one undoable edit per drag)."""
        if self._drag_from is None:
            self._drag_from = self.params.initial
        if self.set_params(replace(self.params, initial=(float(x), float(y)))):
            self.controller.play()
        if finished:
            self.editor.moved(self._drag_from)
            self._drag_from = None

    _drag_from: tuple[float, ...] | None = None

    def _on_surface_hover(self, x: float, y: float) -> str:
        text = f"x = {x:.4g}, y = {y:.4g}"
        f = self.surface_view.value_at(self.controller.views.get("grid"), x, y)
        if f is not None:
            text += f", f = {f:.5g}"
        snap = self.snapshot
        if snap is not None and snap.points:
            d = [math.hypot(x - p.x, y - p.y) for p in snap.points]
            k = int(np.argmin(d))
            (x0, x1), _ = self.surface_view.ranges()
            if d[k] < 0.03 * (x1 - x0):
                text += f" — {snap.points[k].name}, f = {snap.points[k].value:.5g}"
        basins = self.controller.views.get("basins")
        if isinstance(basins, BasinsMap) and self.controls.show_basins.isChecked():
            label = self._basin_at(basins, x, y)
            if label is not None:
                text += f"; from here {self._basin_name(basins, label)}"
        return text

    @staticmethod
    def _basin_at(b: BasinsMap, x: float, y: float) -> int | None:
        (x0, x1), (y0, y1) = b.x_range, b.y_range
        n = b.labels.shape[0]
        c = round((x - x0) / (x1 - x0) * (n - 1)) if x1 > x0 else -1
        r = round((y - y0) / (y1 - y0) * (n - 1)) if y1 > y0 else -1
        return int(b.labels[r, c]) if 0 <= r < n and 0 <= c < n else None

    @staticmethod
    def _basin_name(b: BasinsMap, label: int) -> str:
        if label == DIVERGED:
            return "it diverges"
        if label == NOT_SETTLED:
            return f"it has not settled after {b.steps:,} steps"
        return f"it settles at {b.points[label].name}"

    @Slot()
    def _on_rest(self) -> None:
        self._coarse = False
        self._request_views()

    # -- views computed next to the trainer ------------------------------------------------------------
    @Slot()
    def _request_views(self) -> None:
        x_range, y_range = self.surface_view.ranges()
        c = self.controller
        c.set_view("grid", "surface_grid", x_range, y_range, GRID_SHAPE)
        if self.controls.show_basins.isChecked():
            n = self.controls.basins_grid()
            if self.params.optimizer in LINE_SEARCHES:
                n = min(n, LINE_SEARCH_GRID)  # each of their steps tries dozens of step sizes
            c.set_view("basins", "basins", x_range, y_range, max(min(n, 50), n // 2) if self._coarse else n)
        else:
            c.set_view("basins", None)
            self.surface_view.set_basins(None)
            self.controls.basins_legend.setText("")

    # -- snapshots -------------------------------------------------------------------------------------
    @Slot(object)
    def _on_controller_snapshot(self, snap: SurfaceSnapshot) -> None:
        self.snapshot = snap
        views = self.controller.views
        main = snap.main
        self.playback.set_progress(snap.step, main.cost)
        self.playback.set_enabled(snap.status is not Status.INVALID)
        self._show_readouts(snap)
        self._show_status(snap)
        grid = views.get("grid")
        problem = getattr(grid, "problem", None)
        self.controls.show_surface(snap.title, snap.formula, snap.text, problem)
        self.controls.show_edges([p.lr_edge for p in snap.points if p.kind == "minimum"], snap.learning_rate,
                                 self.params.optimizer)
        title = f"{snap.title}: f = {snap.formula}" if len(snap.formula) <= 24 else snap.title
        if self.surface_view.plot.titleLabel.text != title:
            self.surface_view.plot.setTitle(title, size="10pt")
        log = snap.log_colour or self._wide(grid)
        self.surface_view.set_grid(grid, log)
        basins = views.get("basins") if self.controls.show_basins.isChecked() else None
        self.surface_view.set_basins(basins)
        self._show_basins_legend(basins)
        self.surface_view.set_points(snap)
        self.surface_view.set_runs(snap)
        floor = self._floor(snap)
        self.cost_view.set_log(floor is not None)
        label = "f − f* (log scale)" if floor is not None else "f"
        if self.cost_view.plot.getAxis("left").labelText != label:
            self.cost_view.plot.setLabel("left", label)
        clip = None
        values = getattr(grid, "values", None)
        if floor is None and values is not None and np.isfinite(values).any():
            lo, hi = float(np.nanmin(values)), float(np.nanmax(values))
            clip = (lo - 0.25 * (hi - lo), hi + 0.25 * (hi - lo))
        self.cost_view.update(snap, floor or 0.0, clip)
        self.grad_view.update(snap)

    @staticmethod
    def _wide(grid) -> bool:
        """Log colours help a typed surface whose values span decades above its lowest (a steep wall)."""
        values = getattr(grid, "values", None)
        if values is None:
            return False
        ok = values[np.isfinite(values)]
        if not len(ok):
            return False
        lo, med, hi = np.percentile(ok, (0, 50, 100))
        return bool(hi - lo > 100 * max(med - lo, 1e-300))

    @staticmethod
    def _floor(snap: SurfaceSnapshot) -> float | None:
        """The lowest known minimum of a surface bounded below (f − f* then goes on a log axis)."""
        if snap.surface in ("saddle", "monkey", FORMULA):
            return None
        minima = [p.value for p in snap.points if p.kind == "minimum"]
        return min(minima) if minima else None

    def _show_basins_legend(self, basins) -> None:
        if not isinstance(basins, BasinsMap):
            text = "" if basins is None else "computing the map…"
            if not self.controls.show_basins.isChecked():
                text = ""
            elif basins is not None:
                text = f"The map could not be computed: {getattr(basins, 'message', basins)}"
            self.controls.basins_legend.setText(text)
            return
        total = basins.labels.size
        rows = []
        order = sorted((c, k) for k, c in enumerate(basins.counts) if c)[::-1]
        for c, k in order[:10]:
            rows.append((basin_color(k), basins.points[k].name, c))
        if len(order) > 10:
            rows.append(("#999999", f"{len(order) - 10} more points", sum(c for c, _ in order[10:])))
        rows.append((basin_color(DIVERGED), "diverged", basins.diverged))
        rows.append((basin_color(NOT_SETTLED), f"not settled in {basins.steps:,} steps", basins.not_settled))
        html = "".join(
            f"<tr><td><span style='color:{col}; font-size:14px'>■</span></td><td>{name}</td>"
            f"<td align='right'>&nbsp;{n / total:.0%}</td></tr>" for col, name, n in rows if n or "settled" in name)
        lr = f"{basins.learning_rate:g}"
        self.controls.basins_legend.setText(
            f"<table cellspacing=0>{html}</table><span style='color:#666'>{basins.optimizer} at learning rate {lr}, "
            f"{basins.labels.shape[0]}² starts in {basins.seconds * 1e3:.0f} ms</span>")

    def _show_readouts(self, snap: SurfaceSnapshot) -> None:
        r = self.readout
        main = snap.main
        x, y = (float(v) for v in main.xy)
        r["point"].setText(f"x = {_fmt(x)}, y = {_fmt(y)}")
        r["cost"].setText(_fmt(main.cost))
        r["grad"].setText(_fmt(main.grad_norm))
        evals = f", {main.evaluations:,} evaluations of f" if main.evaluations else ""
        r["step"].setText(f"{main.step:,}{evals}")
        r["curvature"].setText(describe_curvature(main.curvature, main.grad_norm, self.params.grad_tol))
        r["nearest"].setText(main.nearest or "–")

    def _show_status(self, snap: SurfaceSnapshot) -> None:
        if self.controller.error:
            return
        bad = snap.status in (Status.DIVERGED, Status.INVALID) or any(r.status is Status.DIVERGED for r in snap.runs)
        text = snap.message
        if not text and snap.status is Status.READY:
            text = "Press Play, or click the map to start from there."
        self._show_message(text, error=bad)

    def _show_error(self, html: str) -> None:
        self._show_message(html, error=True)

    def _show_message(self, text: str, error: bool = False) -> None:
        self.status_label.setStyleSheet("color: #b00020; font-weight: bold;" if error else "color: #1a5e1a;")
        self.status_label.setText(text)
