"""The Surfaces tab: gradient descent on surfaces with several minima, saddles and curved valleys (or a
formula you type), each optimizer's path on the map, f and ‖∇f‖ per iteration, the curvature where the run
is, and the basins of attraction computed in the training process."""

from __future__ import annotations

import math
from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QWidget

from gdplay.core.points import PointSet
from gdplay.core.regression import LINE_SEARCHES
from gdplay.core.surfaces import (
    DIVERGED,
    FORMULA,
    FORMULA_WINDOW,
    NOT_SETTLED,
    SURFACES,
    BasinsMap,
    SurfaceGrid,
    SurfaceParams,
    SurfaceSnapshot,
    SurfaceTrainer,
    describe_curvature,
    run_spec,
    views,
)
from gdplay.core.trainer import Status, ValidationError
from gdplay.ui.plots.paced import PacedDraw
from gdplay.ui.plots.style import track_cursor
from gdplay.ui.surfaces.controls import SurfaceControls
from gdplay.ui.surfaces.plots import COST, GRAD, HistoryView, SurfaceView, basin_color
from gdplay.ui.surfaces.presets import PRESETS, preset
from gdplay.ui.tab_base import TrainingTab
from gdplay.ui.tab_parts import RunReadouts, panel_beside_plots, readout_box
from gdplay.ui.widgets.point_editor import TabUndoStack
from gdplay.ui.widgets.reflow import Arrangement, plot_area

# the controls a session keeps besides the params (the surface's view range last)
SESSION_SETTINGS = {"rate": "playback", "show_basins": "controls.show_basins", "basins_size": "controls.basins_size",
                    "preset": "controls.preset", "surface_range": "surface_view.plot"}
GRID_SHAPE = views.GRID_SHAPE
COARSE_REST_MS = 250  # the full basins map once the learning rate has rested this long
LINE_SEARCH_GRID = 60  # the basins map of a line search: 60 x 60 starts (150 x 150 of exact takes seconds)
READOUTS = (
    ("point", "point", "x, y of the main run now"),
    ("cost", "f", "the value of the surface there"),
    ("grad", "‖∇f‖", "the length of the gradient: zero at a minimum, a saddle or a maximum"),
    ("step", "iteration", "steps taken"),
    ("curvature", "curvature", "the Hessian's eigenvalues λ: both > 0 a bowl (minimum), both < 0 a dome (maximum), "
                               "one of each a saddle"),
    ("nearest", "nearest known", "the nearest known minimum, saddle or maximum"))
# what an undo entry is called, by the first restarting field a change touches
CHANGE_NAMES = {"surface": "Change the surface", "formula": "Change the formula", "optimizer": "Change the optimizer",
                "compare": "Change the compared runs", "initial": "Change the start point", "seed": "Change the seed",
                "noise_schedule": "Change the noise schedule"}
NO_POINTS = "The Surfaces tab has no data points: its surface is a formula (pick one, or type your own)."


def _fmt(v: float) -> str:
    return f"{v:.6g}" if math.isfinite(v) else "–"


def window_of(p: SurfaceParams) -> tuple[tuple[float, float], tuple[float, float]]:
    return FORMULA_WINDOW if p.surface == FORMULA else SURFACES[p.surface].window


class StartEditor(QObject):
    """Stands in for a tab's point editor (TrainingTab's ``editor``): this tab has no points. Its undo stack
    holds the tab's changes that restart the run: a new start (a click, a drag, typed), surface, optimizer."""

    undoChanged = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.points = PointSet()  # always empty
        self.undo_stack = TabUndoStack(self.points)
        self.recording = True

    def replace(self, xy: np.ndarray, labels: np.ndarray | None = None, description: str = "") -> None:
        """Sessions hand every tab its points; this one has none to take."""

    def set_points(self, xy: np.ndarray, labels: np.ndarray) -> None:
        """An undo hands every tab its points back; this one has none."""

    def record_state(self, description: str, state: object) -> None:
        self.undo_stack.record(description, state)
        self.undoChanged.emit()

    def undo(self) -> None:
        if self.undo_stack.undo():
            self.undoChanged.emit()

    def redo(self) -> None:
        if self.undo_stack.redo():
            self.undoChanged.emit()


class SurfacesTab(RunReadouts, TrainingTab):
    """Surfaces with several minima, saddles and valleys (or a typed formula), each optimizer's path on the
    map, f and ‖∇f‖ per iteration, the curvature where the main run is, the basins of attraction."""

    title = "Surfaces"
    key = "surfaces"
    PARAMS = SurfaceParams
    SETTINGS = SESSION_SETTINGS
    UNDO_SETTINGS = ("preset", "show_basins")
    CHANGE_NAMES = CHANGE_NAMES
    CSV_COLUMNS = ("x", "y")
    CSV_LABEL = None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        first = PRESETS[0]
        self.params = first.params
        self.start_training(SurfaceTrainer(self.params))
        self.snapshot: SurfaceSnapshot | None = None
        self.editor = StartEditor(self)
        self.controls = SurfaceControls(self.params)
        self.playback = self.controls.playback
        self.learning_rate = self.controls.learning_rate
        self.surface_view = SurfaceView(self)
        self.cost_view = HistoryView("f per iteration", "f", COST, legend=True)
        self.grad_view = HistoryView("‖∇f‖ per iteration", "‖∇f‖ (log scale)", GRAD, legend=False)
        # the curves per iteration give way when they are costly (many runs): paced, in turns of their own
        self._histories = PacedDraw(self._draw_histories, (self.cost_view.widget, self.grad_view.widget),
                                    parent=self)
        self.pace_readouts()
        self._coarse = False
        self._rest_timer = QTimer(self)
        self._rest_timer.setSingleShot(True)
        self._rest_timer.setInterval(COARSE_REST_MS)
        self._rest_timer.timeout.connect(self._on_rest)
        self._build_layout()
        self._connect()
        self.apply_preset(first.key, play=False)
        self.forget_undo()

    # -- layout ------------------------------------------------------------------------------------
    def _build_layout(self) -> None:
        read_box, self.readout = readout_box("Where the main run is", READOUTS)
        self.controls.layout().insertWidget(3, read_box)
        # the run's state (converged, diverged, why not) right under Play, where the eye is
        self.controls.training_layout.insertWidget(1, self.status_label)
        surface, cost, grad = self.surface_view.widget, self.cost_view.widget, self.grad_view.widget
        # the map beside its two curves, or (large text on a narrow screen) one under the other
        plots = plot_area([
            Arrangement([(surface, 0, 0, 2, 1), (cost, 0, 1, 1, 1), (grad, 1, 1, 1, 1)], column_stretch={0: 3, 1: 2}),
            Arrangement([(surface, 0, 0, 1, 1), (cost, 1, 0, 1, 1), (grad, 2, 0, 1, 1)]),
        ])
        panel_beside_plots(self, self.controls, plots, 440, sizes=(380, 1000))

    def _connect(self) -> None:
        self.connect_training()
        ctl = self.controls
        ctl.presetRequested.connect(self._on_preset_requested)
        ctl.viewChanged.connect(self._request_views)
        ctl.learning_rate.rejected.connect(self.statusMessage)
        self.playback.limitChanged.connect(self.set_step_limit)
        self.surface_view.rangeChanged.connect(self._request_views)
        self.surface_view.clicked.connect(self._on_surface_clicked)
        self.surface_view.startDragged.connect(self._on_start_dragged)
        track_cursor(self.surface_view.widget, self._on_surface_hover, self.statusMessage.emit)
        track_cursor(self.cost_view.widget, lambda x, y: f"iteration {x:,.0f}", self.statusMessage.emit)
        track_cursor(self.grad_view.widget, lambda x, y: f"iteration {x:,.0f}, ‖∇f‖ {10 ** y:.4g}",
                     self.statusMessage.emit)

    # -- commands -----------------------------------------------------------------------------------
    def session_trainer(self, params: SurfaceParams, xy: np.ndarray, labels: np.ndarray,
                        settings: Mapping[str, Any]) -> SurfaceTrainer:
        if len(xy):
            raise ValidationError(f"{NO_POINTS} The session gives it {len(xy)} points.")
        return SurfaceTrainer(params)

    def import_points_csv(self, path: str) -> int:
        raise ValidationError(NO_POINTS)

    def export_points_csv(self, path: str) -> int:
        raise ValidationError(NO_POINTS)

    def fit_points_view(self) -> None:
        """No points to fit the view to: the map keeps its window."""

    def history_table(self) -> tuple[tuple[str, ...], np.ndarray]:
        snap = self.snapshot
        if snap is None:
            return ("iteration", "f", "grad_norm", "x", "y"), np.empty((0, 5))
        h = np.asarray(snap.main.history)
        return ("iteration", "f", "grad_norm", "x", "y"), h[:, :5]

    def model_summary(self) -> dict[str, Any]:
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
        """Adopt ``params`` (validated once, here) and send them; returns False, saying why, if they are
        refused (the controls then show the params in force)."""
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
        self.show_params(params)
        self.playback.set_limit(params.max_steps)
        self.controller.set_params(params)
        self.surface_view.start.setData([params.initial[0]], [params.initial[1]])  # at once, not a frame later
        if (old.surface, old.formula) != (params.surface, params.formula) or not self._range_set:
            self._range_set = True
            self.surface_view.show_range(*window_of(params))
        self._request_views()
        return True

    _range_set = False

    def apply_preset(self, key: str, play: bool = False) -> None:
        """Set an experiment up (one undoable change), paused at step 0 unless ``play``."""
        p = preset(key)
        with self.undoable(f"Load “{p.title}”"):
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
    @Slot(str)
    def _on_preset_requested(self, key: str) -> None:
        self.apply_preset(key, play=True)

    @Slot(float, float)
    def _on_surface_clicked(self, x: float, y: float) -> None:
        """Start every run from the clicked point, and play."""
        with self.undoable(CHANGE_NAMES["initial"]):
            started = self.set_params(replace(self.params, initial=(float(x), float(y))))
        if started:
            self.controller.play()

    @Slot(float, float, bool)
    def _on_start_dragged(self, x: float, y: float, finished: bool) -> None:
        """The start follows the drag and every run restarts from it: one undoable change per drag."""
        if self._drag is None:
            self._drag = self.undoable(CHANGE_NAMES["initial"])
            self._drag.__enter__()
        try:
            if self.set_params(replace(self.params, initial=(float(x), float(y)))):
                self.controller.play()
        finally:
            if finished:
                drag, self._drag = self._drag, None
                drag.__exit__(None, None, None)

    _drag: AbstractContextManager[None] | None = None  # the undoable change a drag of the start is

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
        c.set_view("grid", views.surface_grid, x_range, y_range, GRID_SHAPE)
        if self.controls.show_basins.isChecked():
            n = self.controls.basins_grid()
            if self.params.optimizer in LINE_SEARCHES:
                n = min(n, LINE_SEARCH_GRID)  # each of their steps tries dozens of step sizes
            c.set_view("basins", views.basins_map, x_range, y_range, max(min(n, 50), n // 2) if self._coarse else n)
        else:
            c.set_view("basins", None)
            self.surface_view.set_basins(None)
            self.controls.basins_legend.setText("")

    # -- snapshots -------------------------------------------------------------------------------------
    @Slot(object)
    def on_snapshot(self, snap: SurfaceSnapshot) -> None:
        """Draw the snapshot with the views computed with it: the map and the readouts now, the curves per
        iteration paced (``_draw_histories``)."""
        self.snapshot = snap
        p = snap.params  # the params the snapshot was computed with, not newer ones
        self.show_run(snap)
        grid = self.view("grid")
        grid = grid if isinstance(grid, SurfaceGrid) else None
        self.controls.show_surface(snap.title, snap.formula, snap.text, None if grid is None else grid.problem)
        self.controls.show_edges([q.lr_edge for q in snap.points if q.kind == "minimum"], snap.learning_rate,
                                 run_spec(p.main_spec())[0])
        title = f"{snap.title}: f = {snap.formula}" if len(snap.formula) <= 24 else snap.title
        if self.surface_view.plot.titleLabel.text != title:
            self.surface_view.plot.setTitle(title, size="10pt")
        self.surface_view.set_grid(grid, snap.log_colour or self._wide(grid))
        basins = self.controller.views.get("basins") if self.controls.show_basins.isChecked() else None
        self.surface_view.set_basins(basins if isinstance(basins, BasinsMap) else None)
        self._show_basins_legend(basins)
        self.surface_view.set_points(snap)
        self.surface_view.set_runs(snap)
        self._histories.request(snap, grid)

    def _draw_histories(self, snap: SurfaceSnapshot, grid: SurfaceGrid | None) -> None:
        """f (f − f* on a log axis where the surface has a known lowest minimum) and ‖∇f‖ per iteration."""
        floor = self._floor(snap)
        self.cost_view.set_log(floor is not None)
        label = "f − f* (log scale)" if floor is not None else "f"
        if self.cost_view.plot.getAxis("left").labelText != label:
            self.cost_view.plot.setLabel("left", label)
        clip = None
        if floor is None and grid is not None and np.isfinite(grid.values).any():
            lo, hi = float(np.nanmin(grid.values)), float(np.nanmax(grid.values))
            clip = (lo - 0.25 * (hi - lo), hi + 0.25 * (hi - lo))
        self.cost_view.update(snap, floor or 0.0, clip)
        self.grad_view.update(snap)

    @staticmethod
    def _wide(grid: SurfaceGrid | None) -> bool:
        """Log colours help a typed surface whose values span decades above its lowest (a steep wall)."""
        if grid is None:
            return False
        ok = grid.values[np.isfinite(grid.values)]
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

    def _show_basins_legend(self, basins: object) -> None:
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
        r["curvature"].setText(describe_curvature(main.curvature, main.grad_norm, snap.params.grad_tol))
        r["nearest"].setText(main.nearest or "–")

    def _status_text(self, snap: SurfaceSnapshot) -> str:
        if not snap.message and snap.status is Status.READY:
            return "Press Play, or click the map to start from there."
        return snap.message
