"""The Regression tab: points you place, a line (or slope, or polynomial) fitted by gradient descent,
the cost surface with each optimizer's path on it, the cost and the distance to the optimum, all
following the newest snapshot of the trainer's process."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QStackedWidget,
    QWidget,
)

from gdplay.core.datasets import make_line
from gdplay.core.regression import RegressionParams, RegressionSnapshot, RegressionTrainer, views
from gdplay.core.trainer import Status, ValidationError
from gdplay.resources import load_xy
from gdplay.ui.plots.paced import PacedDraw
from gdplay.ui.plots.style import track_cursor
from gdplay.ui.regression.controls import RegressionControls
from gdplay.ui.regression.plots import CostView, CurveView, DataView, DistanceView, SurfaceView, rename_legend_entry
from gdplay.ui.regression.presets import PRESETS, preset
from gdplay.ui.tab_base import TrainingTab
from gdplay.ui.tab_parts import RunReadouts, panel_beside_plots, readout_box
from gdplay.ui.widgets.point_editor import bind_undo_buttons
from gdplay.ui.widgets.reflow import Arrangement, plot_area
from gdplay.ui.widgets.wheel_guard import guard_wheel

# the controls a session keeps besides the params (the data plot's range last: loading points fits it)
SESSION_SETTINGS = {"rate": "playback", "show_reference": "controls.show_reference",
                    "show_residuals": "controls.show_residuals", "average": "controls.average",
                    "axis_i": "controls.axis_i", "axis_j": "controls.axis_j", "preset": "controls.preset",
                    "data_range": "data_view.plot"}
STRUCTURAL = ("model", "degree", "cost", "scale", "initial", "optimizer", "compare", "seed")
# what an undo entry is called, by the first restarting field a change touches
CHANGE_NAMES = {"model": "Change the model", "degree": "Change the degree", "cost": "Change the cost",
                "scale": "Change feature scaling", "initial": "Change the start point",
                "optimizer": "Change the optimizer", "compare": "Change the compared runs",
                "seed": "Change the seed"}


def _fmt(v: float) -> str:
    return f"{v:.6g}" if math.isfinite(v) else "–"


# params shown in a spin box, checked against its range when a session is opened
SESSION_PARAM_CONTROLS = {"seed": ("controls.seed", ()), "batch_size": ("controls.batch_size", (0, 1))}


ONE_WEIGHT = ("slope", "sine")  # models with one weight: J(w) as a curve instead of a surface
READOUTS = (("params", "parameters", ""), ("scaled", "scaled units", ""), ("cost", "cost E", ""),
            ("grad", "‖∇E‖", ""), ("step", "iteration", ""), ("optimum", "least squares", ""),
            ("distance", "distance to it", ""), ("condition", "condition number", ""))

class RegressionTab(RunReadouts, TrainingTab):
    """Points, the fitted curve, the cost surface (or J(w)) with each run's path, the cost per iteration."""

    title = "Regression"
    key = "regression"
    PARAMS = RegressionParams
    SETTINGS = SESSION_SETTINGS
    PARAM_CONTROLS = SESSION_PARAM_CONTROLS
    UNDO_SETTINGS = ("preset",)
    CHANGE_NAMES = CHANGE_NAMES
    CSV_COLUMNS = ("x", "y")
    CSV_LABEL = None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        first = PRESETS[0]
        self.params = first.params
        self.start_training(RegressionTrainer(self.params))
        self.snapshot: RegressionSnapshot | None = None
        self._auto_key: tuple | None = None

        self.controls = RegressionControls(self.params)
        self.playback = self.controls.playback
        self.learning_rate = self.controls.learning_rate
        self.data_view = DataView(self)
        self.surface_view = SurfaceView(self)
        self.curve_view = CurveView(self)
        self.cost_view = CostView()
        self.distance_view = DistanceView()
        self.editor = self.data_view.editor
        # the cost and distance curves give way when they are costly (many runs): paced, in turns of their own
        self._histories = PacedDraw(self._draw_histories, (self.cost_view.widget, self.distance_view.widget),
                                    parent=self)
        self.pace_readouts()

        self._build_layout()
        self._connect()
        guard_wheel(self.controls)
        self.apply_preset(first.key, play=False)
        self.forget_undo()

    # -- layout ------------------------------------------------------------------------------------
    def _build_layout(self) -> None:
        read_box, self.readout = readout_box("Readouts", READOUTS)
        self.controls.layout().insertWidget(3, read_box)
        # the run's state (converged, diverged, why not) right under Play, where the eye is
        self.controls.training_layout.insertWidget(1, self.status_label)

        self.surface_stack = QStackedWidget()
        self.surface_stack.addWidget(self.surface_view.widget)
        self.surface_stack.addWidget(self.curve_view.widget)
        data, surface, cost, distance = (self.data_view.widget, self.surface_stack, self.cost_view.widget,
                                         self.distance_view.widget)
        # two columns, or (large text on a narrow screen) one under the other
        plots = plot_area([
            Arrangement([(data, 0, 0, 1, 1), (surface, 0, 1, 1, 1), (cost, 1, 0, 1, 1), (distance, 1, 1, 1, 1)],
                        {0: 3, 1: 2}),
            Arrangement([(data, 0, 0, 1, 1), (surface, 1, 0, 1, 1), (cost, 2, 0, 1, 1), (distance, 3, 0, 1, 1)]),
        ])
        panel_beside_plots(self, self.controls, plots, 520)

    def _connect(self) -> None:
        self.connect_training()
        ctl = self.controls
        ctl.presetRequested.connect(self.apply_preset)
        ctl.dataRequested.connect(self._on_data_requested)
        ctl.undoRequested.connect(self.undo)
        ctl.redoRequested.connect(self.redo)
        ctl.viewChanged.connect(self._on_view_options_changed)
        ctl.learning_rate.rejected.connect(self.statusMessage)
        self.editor.edited.connect(self._on_points_edited)
        bind_undo_buttons(self.editor, self.controls.undo, self.controls.redo)
        self.data_view.rangeChanged.connect(self._request_fit)
        self.surface_view.rangeChanged.connect(self._request_surface)
        self.curve_view.rangeChanged.connect(self._request_curve)
        self.surface_view.clicked.connect(self._on_surface_clicked)
        track_cursor(self.data_view.widget, lambda x, y: f"x = {x:.4g}, y = {y:.4g}", self.statusMessage.emit)
        track_cursor(self.surface_view.widget, self._on_surface_hover, self.statusMessage.emit,
                     leave=lambda: self.data_view.set_hover_line(None))
        track_cursor(self.curve_view.widget, lambda w, j: f"w = {w:.4g}, J = {j:.4g}", self.statusMessage.emit)
        track_cursor(self.cost_view.widget, lambda x, y: f"iteration {x:,.0f}, cost {10 ** y:.4g}",
                     self.statusMessage.emit)
        track_cursor(self.distance_view.widget, lambda x, y: f"iteration {x:,.0f}, distance {10 ** y:.4g}",
                     self.statusMessage.emit)

    # -- commands (also bound to shortcuts by the main window) ---------------------------------------
    def step_once(self) -> None:
        """One step; for stochastic and mini-batch runs one epoch (a pass over the points)."""
        b = self.params.batch_size
        n = len(self.editor.points)
        self.controller.step(max(1, math.ceil(n / b)) if b and n else 1)

    def load_points(self, x: np.ndarray, y: np.ndarray, description: str = "Load points") -> None:
        self.editor.replace(np.column_stack([x, y]), None, description)
        self.data_view.fit_view()

    def session_trainer(self, params: RegressionParams, xy: np.ndarray, labels: np.ndarray,
                        settings: Mapping[str, Any]) -> RegressionTrainer:
        trainer = RegressionTrainer(params)
        trainer.set_data(xy[:, 0], xy[:, 1])
        return trainer

    def fit_points_view(self) -> None:
        self.data_view.fit_view()
        self.data_view.set_hover_line(None)  # new points (a session, an import): no preview of the old

    def history_table(self) -> tuple[tuple[str, ...], np.ndarray]:
        """Iteration, cost and the parameters in raw units (of the main run)."""
        snap = self.snapshot
        if snap is None:
            return ("iteration", "cost"), np.empty((0, 2))
        rows = np.asarray(snap.main.history)
        p = len(snap.names)
        coef = rows[:, 6: 6 + p] @ np.asarray(snap.to_raw).T  # θ (scaled units) -> raw coefficients
        return ("iteration", "cost", *snap.names), np.column_stack([rows[:, 0], rows[:, 1], coef])

    def model_summary(self) -> dict:
        out = super().model_summary()
        snap = self.snapshot
        if snap is not None:
            out["model"] = snap.model
            out["coefficients"] = {n: float(v) for n, v in zip(snap.names, snap.main.coef)}
            if snap.optimum is not None:
                out["least_squares"] = {n: float(v) for n, v in zip(snap.names, snap.optimum.coef)}
        return out

    def set_learning_rate(self, value: float) -> None:
        self.learning_rate.setValue(value)

    def set_params(self, params: RegressionParams) -> bool:
        """Adopt ``params`` (validated) and show them; returns False, saying why, if they are refused."""
        try:
            params = params.validate()
        except ValidationError as exc:
            self._show_message(str(exc), error=True)
            self.show_params(self.params)
            return False
        self.params = params
        self.show_params(params)
        self.controller.set_params(params)
        self._request_views()
        for view in (self.cost_view, self.distance_view):
            view.x_cap = float(params.max_steps)
        return True

    def apply_preset(self, key: str, play: bool = False) -> None:
        """Set an experiment up (one undoable change), paused at step 0 unless ``play``."""
        p = preset(key)
        x, y = p.data()
        with self.undoable(f"Load “{p.title}”"):
            self.controller.pause()  # first: commands apply in order, so the new run waits at step 0
            self.controls.preset.setCurrentIndex(self.controls.preset.findData(key))
            self.set_params(p.params)
            self.load_points(x, y, f"Load “{p.title}”")
            self.playback.set_rate(p.rate)
            self._auto_key = None
            for view in (self.cost_view, self.distance_view):
                view.range.reset()  # this experiment's steps, not the last one's
        if play:
            self.controller.play()

    def limit_reached(self, snap: RegressionSnapshot) -> bool:
        return any(r.status is Status.MAX_STEPS for r in snap.runs)

    # -- handlers ------------------------------------------------------------------------------------
    def on_restarting_change(self, changes: dict) -> None:
        if any(k in STRUCTURAL for k in changes):
            self._auto_key = None  # a new problem: fit the surface view to it

    @Slot(object)
    def _on_points_edited(self, cmd) -> None:
        self.controller.edit(cmd, self.editor.points.version)

    @Slot(str)
    def _on_data_requested(self, what: str) -> None:
        if what == "seed":
            with self.undoable("Load the article's data"):
                self.load_points(*load_xy("nedrich_data.csv"), description="Load the article's data")
        elif what == "line":
            seed = int(np.random.default_rng().integers(1 << 30))
            with self.undoable("Random line data"):
                self.load_points(*make_line(50, slope=1.5, intercept=2.0, noise=2.0, random_state=seed),
                                 description="Random line data")
        elif what == "clear":
            with self.undoable("Clear points"):
                self.editor.clear()

    @Slot()
    def _on_view_options_changed(self) -> None:
        self.cost_view.window = self.controls.average_window()
        self._auto_key = None
        self._request_views()

    @Slot(float, float)
    def _on_surface_clicked(self, a: float, b: float) -> None:
        """Start from the clicked point: the two surface axes take its values (in the units shown)."""
        snap = self.snapshot
        p = self.params
        if snap is None or len(snap.names) < 2 or (snap.model, snap.degree, snap.scaled) != (
                p.model, p.degree, p.scale):
            return  # the picture is of a model just replaced: its coordinates are not the new model's
        i, j = self.controls.surface_axes()
        R = np.asarray(snap.to_raw)
        theta = np.array(snap.start_theta, dtype=float)
        theta[i], theta[j] = a, b
        start = tuple(float(v) for v in R @ theta)
        with self.undoable("Start from the clicked point"):
            self.set_params(replace(self.params, initial=start))
        self.controller.play()

    def _on_surface_hover(self, a: float, b: float) -> str:
        snap = self.snapshot
        if snap is None or len(snap.names) < 2:
            return ""
        i, j = self.controls.surface_axes()
        names = [f"{n}′" if snap.scaled else n for n in snap.names]
        text = f"{names[i]} = {a:.4g}, {names[j]} = {b:.4g}"
        cost = self.surface_view.cost_at(self.view("surface"), a, b)
        if cost is not None:
            text += f", cost {cost:.4g}"
        if snap.model == "line":
            theta = np.array([a, b]) if (i, j) == (0, 1) else np.array([b, a])
            m, c = np.asarray(snap.to_raw) @ theta
            self.data_view.set_hover_line((float(m), float(c)))
        return text

    # -- views computed next to the trainer ------------------------------------------------------------
    def _request_views(self) -> None:
        self._request_fit()
        self._request_surface()
        self._request_curve()
        self.controller.set_view("residuals", views.residuals if self.controls.show_residuals.isChecked() else None)

    @Slot()
    def _request_fit(self) -> None:
        self.controller.set_view("fit", views.fit_curves, self.data_view.x_range())

    @Slot()
    def _request_surface(self) -> None:
        if self.params.model in ONE_WEIGHT:
            self.controller.set_view("surface", None)
            return
        i_range, j_range = self.surface_view.ranges()
        self.controller.set_view("surface", views.surface, self.controls.surface_axes(), i_range, j_range)

    @Slot()
    def _request_curve(self) -> None:
        if self.params.model not in ONE_WEIGHT:
            self.controller.set_view("curve", None)
            return
        self.controller.set_view("curve", views.cost_curve, self.curve_view.w_range())

    # -- snapshots -------------------------------------------------------------------------------------
    def _auto_range(self, snap: RegressionSnapshot) -> None:
        """Fit the surface (or J(w)) view to the start, the paths and the optimum when the problem changes
        (model, scaling, axes, start, a reset), or when the optimum or the path leaves a view the user has
        not zoomed; not on every point edit, so dragging a point does not make the picture jump."""
        if snap.surface_range is None:
            return
        axes = self.controls.surface_axes()
        key = (snap.model, snap.degree, snap.scaled, snap.cost_name, axes, tuple(snap.start_theta),
               snap.params_version if snap.step == 0 else None)
        slope = snap.model in ONE_WEIGHT
        marks = [snap.theta] + ([snap.optimum.theta] if snap.optimum is not None else [])
        if slope:  # a diverging iterate beyond the capped range is drawn off scale, not chased
            lo, hi = self.curve_view.w_range()
            w0, w1 = snap.surface_range[0]
            outside = any(not (lo <= min(max(float(t[0]), w0), w1) <= hi) for t in marks if math.isfinite(t[0]))
        else:
            (i0, i1), (j0, j1) = self.surface_view.ranges()
            outside = any(not (i0 <= t[axes[0]] <= i1 and j0 <= t[axes[1]] <= j1) for t in marks
                          if math.isfinite(t[axes[0]]) and math.isfinite(t[axes[1]]))
        if key != self._auto_key or (outside and not self.surface_view.user_zoomed):
            self._auto_key = key
            self.surface_view.user_zoomed = False
            if slope:
                self.curve_view.show_range(snap.surface_range[0], snap)
            else:
                self.surface_view.show_range(snap.surface_range[axes[0]], snap.surface_range[axes[1]])

    @Slot(object)
    def on_snapshot(self, snap: RegressionSnapshot) -> None:
        self.snapshot = snap
        view = self.view
        slope = snap.model in ONE_WEIGHT
        self.surface_stack.setCurrentIndex(1 if slope else 0)
        self._auto_range(snap)
        self.show_run(snap)
        curv = snap.curvature
        self.controls.show_learning_rate_marks(curv.lr_edge if curv else None, curv.lr_best if curv else None,
                                               snap.learning_rate)
        labels = [r.label for r in snap.runs]
        best = "best w (fine grid)" if snap.model == "sine" else "least squares"  # sin(w·x): no closed form
        rename_legend_entry(self.data_view.legend, self.data_view.reference, best)
        rename_legend_entry(self.cost_view.legend, self.cost_view.floor, f"E* ({best})")
        title = {"line": "Data and the fitted line", "slope": "Data and the line y = w·x",
                 "sine": "Data and the curve y = sin(w·x)",
                 "poly": "Data and the fitted polynomial"}[snap.model]
        if self.data_view.plot.titleLabel.text != title:  # a title change re-lays out the plot
            self.data_view.plot.setTitle(title, size="10pt")
        self.data_view.set_fits(view("fit"), labels, self.controls.show_reference.isChecked())
        self.data_view.set_residuals(view("residuals") if self.controls.show_residuals.isChecked() else None)
        opt_cost = snap.optimum.cost if snap.optimum else 0.0
        if slope:
            self.curve_view.set_curve(view("curve"))
            self.curve_view.set_steps(snap)
        else:
            i, j = self.controls.surface_axes()
            names = [f"{n}′ (scaled)" if snap.scaled else n for n in snap.names]
            self.surface_view.set_axes(names[i], names[j])
            # scaled data: one unit is one unit both ways, so the round bowl looks round
            vb = self.surface_view.plot.getViewBox()
            round_bowl = bool(snap.scaled)
            if vb.state["aspectLocked"] != (1.0 if round_bowl else False):
                vb.setAspectLocked(round_bowl, ratio=1.0)
            self.surface_view.set_surface(view("surface"), opt_cost)
            self.surface_view.set_runs(snap, (i, j), snap.start_theta)  # the snapshot's own start, not newer params
        self._histories.request(snap)

    def _draw_histories(self, snap: RegressionSnapshot) -> None:
        """The cost and the distance to the optimum per iteration (paced: with many runs they cost more than
        the rest of a frame)."""
        self.cost_view.update(snap)
        self.distance_view.update(snap)

    def _show_readouts(self, snap: RegressionSnapshot) -> None:
        r = self.readout
        main = snap.main
        r["params"].setText(", ".join(f"{n} = {_fmt(v)}" for n, v in zip(snap.names, main.coef)))
        r["scaled"].setText(", ".join(f"{n}′ = {_fmt(v)}" for n, v in zip(snap.names, main.theta))
                            if snap.scaled else "(scaling off)")
        r["cost"].setText(_fmt(main.cost))
        r["grad"].setText(_fmt(main.grad_norm))
        epoch = f", epoch {main.epoch}" if main.batch_size else ""
        evals = f", {main.evaluations:,} cost evaluations" if main.evaluations else ""
        r["step"].setText(f"{main.step:,}{epoch}{evals}")
        opt = snap.optimum
        if opt is not None:
            coef = ", ".join(f"{n} = {v:.5g}" for n, v in zip(snap.names, opt.coef))
            r["optimum"].setText(f"{coef}; E* = {opt.cost:.5g}" + ("" if opt.unique else " (not unique)"))
            r["distance"].setText(f"{_fmt(main.distance)}{' (scaled units)' if snap.scaled else ''}")
        else:
            r["optimum"].setText("–")
            r["distance"].setText("–")
        curv = snap.curvature
        r["condition"].setText(f"{curv.condition:.3g}  (λmax/λmin: how long the valley is)" if curv else "–")
