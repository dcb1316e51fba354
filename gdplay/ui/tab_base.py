"""What every tab does the same way: the window's Space / S / R / Ctrl+Z / Ctrl+Shift+Z commands, a clean
stop, and its part of a session, on top of ``self.controller`` (a TrainingController), ``self.editor``
(a PointEditor) and ``self.params``. A tab overrides only what differs (the Neural network tab's
worked-example mode, say), and names its params class (``PARAMS``), the controls a session keeps
(``SETTINGS``: name -> attribute path) and how to build a trainer on given data (``session_trainer``)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from gdplay.bridge import CallFailed
from gdplay.core.atomic import atomic_write_text
from gdplay.core.csvio import CSVError, Table, read_table, write_table
from gdplay.core.session import SessionError, TabState, params_from_json, params_to_json, points_from_json
from gdplay.core.trainer import ValidationError
from gdplay.ui import gui_thread, session_controls


class TrainingTabMixin:
    controller = None  # TrainingController, set by the tab
    editor = None  # PointEditor, set by the tab
    PARAMS: type = object
    SETTINGS: Mapping[str, str] = {}
    N_CLASSES = 1  # labels a session may hold: 0 .. N_CLASSES - 1
    # params shown in a spin box: name -> (its attribute path, values shown another way, such as batch size 0
    # and 1 by the full-batch and stochastic modes); a session's value outside the box's range is refused
    PARAM_CONTROLS: Mapping[str, tuple[str, tuple[Any, ...]]] = {}

    def toggle_play(self) -> None:
        self.controller.toggle()

    def step_once(self) -> None:
        self.controller.step(1)

    def reset(self) -> None:
        self.controller.reset()

    def undo(self) -> None:
        self.editor.undo()

    def redo(self) -> None:
        self.editor.redo()

    def shutdown(self, timeout_ms: int = 2000) -> bool:
        return self.controller.shutdown(timeout_ms)

    def _on_controller_failed(self, message: str) -> None:
        self._show_error(f"<b>Training stopped by an error:</b> {message}<br>"
                         "Your points and settings are kept; press Reset or Play to train again.")

    def _show_error(self, html: str) -> None:
        gui_thread.check("a tab's error message")
        self.status_label.setText(html)
        self.status_label.setStyleSheet("color: #b00020;")

    # -- sessions ----------------------------------------------------------------------------------------
    def session_state(self, trained: dict | None = None) -> TabState:
        points = self.editor.points
        return TabState(self.params, points.xy.copy(), points.labels.copy(),
                        session_controls.read_all(self, self.SETTINGS), trained)

    def check_session(self, what: str, obj: Mapping[str, Any]) -> TabState:
        """The tab's part of a session, checked whole (its trained state by restoring it into a trainer
        built here); nothing on screen changes."""
        params = params_from_json(self.PARAMS, obj.get("params", {}), f"{what}'s parameters")
        self.check_params_shown(params, f"{what}'s parameters")
        xy, labels = points_from_json(obj.get("points", {"xy": []}), f"{what}'s points")
        bad = labels[(labels < 0) | (labels >= self.N_CLASSES)]
        if bad.size:
            raise SessionError(f"{what}'s points have the label {int(bad[0])}; this tab takes labels 0 to "
                               f"{self.N_CLASSES - 1}.")
        settings = session_controls.check_all(self, self.SETTINGS, obj.get("settings", {}), what)
        session_controls.check_views(self, self.SETTINGS, settings, xy, what)
        trained = obj.get("trained")
        if trained is not None:
            if not isinstance(trained, Mapping):
                raise SessionError(f"{what}'s trained state is not an object.")
            self.session_trainer(params, xy, labels, settings).import_state(trained)
        return TabState(params, xy, labels, settings, trained)

    def check_params_shown(self, params: Any, what: str) -> None:
        """Refuse params the tab's controls cannot show (a spin box holds 32-bit integers, and fewer than
        that in its range): setting them would fail or change them, after other tabs were replaced."""
        for name, (path, other) in self.PARAM_CONTROLS.items():
            value = getattr(params, name)
            if value in other:
                continue
            box = session_controls.resolve(self, path)
            if not box.minimum() <= value <= box.maximum():
                raise SessionError(f"{what}: {name} is {value!r}; this tab's control takes {box.minimum():g} to "
                                   f"{box.maximum():g}.")

    def session_trainer(self, params: Any, xy: np.ndarray, labels: np.ndarray, settings: Mapping[str, Any]):
        raise NotImplementedError

    def apply_session(self, state: TabState, description: str = "Open session") -> None:
        """Show a checked TabState: params, points (one undoable edit), settings, then the trained state,
        paused. Commands reach the trainer in this order, so the restored state is not reset after it.
        (The reset first also starts a new training process if the tab's had stopped.)"""
        self.controller.reset()
        self.controller.pause()
        self.set_params(state.params)
        self.editor.replace(state.xy, state.labels, description)
        self.fit_points_view()  # a saved plot range, if any, is among the settings and comes after
        session_controls.write_all(self, self.SETTINGS, state.settings)
        self.flush_pending()
        if state.trained is not None:
            if not self.restore_pending:
                self.controller.replyReady.connect(self._on_restore_reply)
            self.restore_pending = True
            self.controller.request("import_state", "import_state", state.trained)

    restore_pending = False  # a trained state sent to the trainer, not yet answered

    def _on_restore_reply(self, tag: object, result: object) -> None:
        if tag != "import_state":
            return
        self.controller.replyReady.disconnect(self._on_restore_reply)
        self.restore_pending = False
        if isinstance(result, CallFailed):
            self.statusMessage.emit(f"The trained state could not be restored ({result.message}); the points "
                                    "and settings are loaded: press Play to train again.")

    def flush_pending(self) -> None:
        """Send any debounced params or data now (a tab with timers overrides this)."""

    def session_fingerprint(self) -> tuple:
        """What the user set, to tell whether it changed since the last save (not the plot's zoom)."""
        settings = session_controls.read_all(self, {k: v for k, v in self.SETTINGS.items() if "range" not in k})
        return (self.params, self.editor.points.version, tuple(sorted(settings.items())))

    # -- files: points as CSV, the run's history, the model --------------------------------------------
    CSV_COLUMNS: tuple[str, ...] = ("x1", "x2")
    CSV_LABEL: str | None = "label"

    def import_points_csv(self, path: str) -> int:
        """Replace the points with a CSV file's (one undoable edit); a refused file changes nothing.
        Returns the number of points; raises ValidationError with the message to show."""
        table = read_table(path, self.CSV_COLUMNS, self.CSV_LABEL)
        labels = self.labels_from_csv(table)
        self.editor.replace(table.values, labels, f"Import {os.path.basename(path)}")
        self.fit_points_view()
        return len(table.values)

    def labels_from_csv(self, table: Table) -> np.ndarray:
        """The editor's labels for a table's label column (a tab with its own label coding overrides)."""
        if table.labels is None:
            return np.zeros(len(table.values), dtype=np.int64)
        bad = (table.labels < 0) | (table.labels >= self.N_CLASSES)
        if bad.any():
            i = int(np.argmax(bad))
            raise CSVError(f"Line {table.lines[i]}, column label: {table.labels[i]} is not a class of this tab; "
                           f"expected 0 to {self.N_CLASSES - 1}.")
        return table.labels

    def labels_to_csv(self, labels: np.ndarray) -> np.ndarray:
        return labels

    def export_points_csv(self, path: str) -> int:
        pts = self.editor.points
        header = (*self.CSV_COLUMNS, self.CSV_LABEL) if self.CSV_LABEL else self.CSV_COLUMNS
        rows = pts.xy if not self.CSV_LABEL else np.column_stack([pts.xy, self.labels_to_csv(pts.labels)])
        write_table(path, header, rows)
        return len(pts.xy)

    def fit_points_view(self) -> None:
        """Fit the point plot to the points (after an import)."""

    def history_table(self) -> tuple[tuple[str, ...], np.ndarray]:
        """The newest snapshot's history as (header, rows), the first column the iteration."""
        raise NotImplementedError

    def export_history_csv(self, path: str) -> int:
        header, rows = self.history_table()
        if not len(rows):
            raise ValidationError("There is no training history yet; press Play or Step first.")
        write_table(path, header, rows)  # a diverged run's inf and nan are written as such
        return len(rows)

    def model_summary(self) -> dict[str, Any]:
        """The trained model in readable JSON values (the tab adds its own: coefficients, weights, α)."""
        snap = self.controller.latest
        return {"tab": self.key, "params": params_to_json(self.params),
                "step": None if snap is None else snap.step, "status": None if snap is None else snap.status.value,
                "cost": None if snap is None or not np.isfinite(snap.cost) else snap.cost}

    def export_model_json(self, path: str) -> None:
        model = self.model_summary()
        try:
            text = json.dumps(model, allow_nan=False, indent=1)
        except ValueError:
            raise ValidationError("The model holds a value that is not finite (training diverged?); reset "
                                  "or lower the learning rate, then export again.") from None
        atomic_write_text(path, text + "\n")
