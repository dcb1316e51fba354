"""The base class of every tab: ``TrainingTab``, a QWidget bound to one trainer through a
TrainingController, with a declared contract (below) and what every tab does the same way: the controls
protocol, the window's Space / S / R / Ctrl+Z / Ctrl+Shift+Z commands, errors in the status line, a clean
stop, and its part of a session.

The contract. A tab declares ``key``, ``title``, ``PARAMS`` (its params class, with a ``LIVE`` tuple of the
fields that apply to the running run), the controls a session keeps (``SETTINGS``: name -> attribute path).
It builds ``controls`` (a panel with ``edited = Signal(dict)``, the params fields the user changed,
``show_params(params)``, and optionally ``show_derived(params)`` for what follows from them), ``playback``,
``editor`` (its points) and calls ``start_training(trainer)`` (the controller and ``status_label``), then
``connect_training()``. It defines the methods in ``REQUIRED`` (checked when the class is created).
Snapshots arrive at ``on_snapshot``, drawn from the snapshot and the views computed with it only.

The controls protocol: a panel emits ``edited({field: value})``; ``on_controls_edited`` applies the change
(one undo entry if it restarts the run) through ``set_params``, which validates once and sends it; the panel
is shown params (``show_params``) only when they came from elsewhere (a preset, an undo, a session).

Transport: Play after a run stopped at its step limit goes on (the limit doubles); only Reset starts over.

Undo: point edits and every change that restarts the run (``with self.undoable("Change the cost"):``) share
the editor's undo stack. A change's entry holds the tab as it was: params, points, the settings in
``UNDO_SETTINGS`` and the trained run, which the trainer exports when asked just before the change (its
commands run in order, so the answer is the run the change replaced). Undo puts all of it back, paused;
redo puts back what the undo replaced, trained run included."""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QWidget

from gdplay.bridge import CallFailed, TrainingController
from gdplay.core.atomic import atomic_write_text
from gdplay.core.csvio import CSVError, Table, read_table, write_table
from gdplay.core.session import SessionError, TabState, params_from_json, params_to_json, points_from_json
from gdplay.core.trainer import Status, Trainer, ValidationError, export_state, import_state
from gdplay.ui import gui_thread, session_controls
from gdplay.ui.widgets.playback import MAX_LIMIT, PlaybackBar

UNDO_TRAINED_KEPT = 20  # undo entries that keep their trained run (a network's is ~100 kB); older ones restart


_LONG_INT = re.compile(r"(?<![\d.,eE+-])(\d{4,})(?![\d,]|\.\d)")


def readable(text: str) -> str:
    """A trainer's message as the window shows it: whole numbers of four digits and more with thousands
    separators, as the step limit box has them (200,000, not 200000), and run messages joined by "; "
    without a full stop before it."""
    text = _LONG_INT.sub(lambda m: f"{int(m.group(1)):,}", text)
    return text.replace(".;", ";")


@dataclass(eq=False)
class UndoState:
    """A tab as it was before a change that restarted its run. ``trained`` is the trainer's export_state,
    which arrives a moment after the change (``waiting`` until then; None if it could not be had)."""

    params: Any
    xy: np.ndarray
    labels: np.ndarray
    settings: dict
    trained: dict | None = None
    waiting: bool = False


class TrainingTab(QWidget):
    """One tab of the window: see the module's docstring for the contract."""

    statusMessage = Signal(str)  # cursor coordinates and notices, for the main window's status bar

    # -- declared by each tab --------------------------------------------------------------------------
    key: ClassVar[str]
    title: ClassVar[str]
    PARAMS: ClassVar[Any]  # a frozen dataclass with LIVE: tuple[str, ...]
    SETTINGS: ClassVar[Mapping[str, str]] = {}
    UNDO_SETTINGS: ClassVar[tuple[str, ...]] = ()  # keys of SETTINGS that an undo puts back with params, points
    N_CLASSES: ClassVar[int] = 1  # labels a session may hold: 0 .. N_CLASSES - 1
    # params shown in a spin box: name -> (its attribute path, values shown another way, such as batch size 0
    # and 1 by the full-batch and stochastic modes); a session's value outside the box's range is refused
    PARAM_CONTROLS: ClassVar[Mapping[str, tuple[str, tuple[Any, ...]]]] = {}
    CHANGE_NAMES: ClassVar[Mapping[str, str]] = {}  # undo entry name by the first restarting field changed
    CSV_COLUMNS: ClassVar[tuple[str, ...]] = ("x1", "x2")
    CSV_LABEL: ClassVar[str | None] = "label"
    # methods every tab defines (checked when a tab class is created)
    REQUIRED: ClassVar[tuple[str, ...]] = ("set_params", "on_snapshot", "apply_preset", "session_trainer",
                                           "history_table", "fit_points_view")

    # -- built by each tab -----------------------------------------------------------------------------
    controller: TrainingController
    editor: Any  # a PointEditor (the Surfaces tab's start point has the same face)
    controls: Any  # the side panel: edited = Signal(dict), show_params(params)
    playback: PlaybackBar
    status_label: QLabel
    params: Any

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        missing = [m for m in cls.REQUIRED if getattr(cls, m) is getattr(TrainingTab, m, None)]
        undeclared = [a for a in ("key", "title", "PARAMS") if not hasattr(cls, a)]
        if missing or undeclared:
            raise TypeError(f"{cls.__name__} does not keep the TrainingTab contract: "
                            f"define {', '.join(missing + undeclared)}")
        if not isinstance(getattr(cls.PARAMS, "LIVE", None), tuple):
            raise TypeError(f"{cls.__name__}.PARAMS ({cls.PARAMS.__name__}) declares no LIVE tuple of fields")

    # -- what each tab defines -------------------------------------------------------------------------
    def set_params(self, params: Any) -> bool:
        """Validate ``params`` once, adopt them, send them to the trainer, show them where they did not
        come from the controls; False (with a message) if refused."""
        raise NotImplementedError

    def on_snapshot(self, snap: Any) -> None:
        """Draw the newest snapshot and the views computed with it."""
        raise NotImplementedError

    def apply_preset(self, key: str, play: bool = False) -> None:
        raise NotImplementedError

    def session_trainer(self, params: Any, xy: np.ndarray, labels: np.ndarray,
                        settings: Mapping[str, Any]) -> Trainer:
        """A trainer on given params and points (a session's trained state is checked by loading it)."""
        raise NotImplementedError

    def history_table(self) -> tuple[tuple[str, ...], np.ndarray]:
        """The newest snapshot's history as (header, rows), the first column the iteration."""
        raise NotImplementedError

    def fit_points_view(self) -> None:
        """Fit the point plot to the points (after an import, a session)."""

    # -- wiring ----------------------------------------------------------------------------------------
    def start_training(self, trainer: Trainer) -> TrainingController:
        """The tab's controller (its training process starts with ``trainer``) and status line."""
        self.controller = TrainingController(trainer, name=self.key, parent=self)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return self.controller

    def connect_training(self) -> None:
        """Snapshots, errors and running state from the controller; transport from the playback bar;
        params from the controls (the one protocol)."""
        c = self.controller
        c.snapshotReady.connect(self.on_snapshot)
        c.failed.connect(self._on_controller_failed)
        c.runningChanged.connect(self.playback.set_running)
        c.runningChanged.connect(self.on_running)
        self.playback.playToggled.connect(self.toggle_play)
        self.playback.stepRequested.connect(self.step_once)
        self.playback.resetRequested.connect(self.reset)
        self.playback.rateChanged.connect(c.set_rate)
        self.controls.edited.connect(self.on_controls_edited)

    def on_running(self, running: bool) -> None:
        """The run started or stopped (a tab that computes more when at rest overrides this)."""

    def on_controls_edited(self, changes: dict[str, Any]) -> None:
        """The one way params change from the controls: live fields at once; a change that restarts the run
        as one undo entry, named by the first such field."""
        restarting = [k for k in changes if k not in self.PARAMS.LIVE]
        self._from_controls = replace(self.params, **changes)
        try:
            if not restarting:
                self.set_params(self._from_controls)
                return
            with self.undoable(self.CHANGE_NAMES.get(restarting[0], "Change the settings")):
                self.set_params(self._from_controls)
        finally:
            self._from_controls = None
        self.on_restarting_change(changes)

    _from_controls: Any = None  # the params the controls just produced, while they are being applied

    def show_params(self, params: Any) -> None:
        """Show ``params`` in the controls, unless the controls produced them (no echo back into the control
        being dragged or typed in); a refused or corrected value is shown."""
        if params != self._from_controls:
            self.controls.show_params(params)
        elif hasattr(self.controls, "show_derived"):
            self.controls.show_derived(params)  # what follows from them (a model's parameter names)

    def on_restarting_change(self, changes: dict[str, Any]) -> None:
        """After a change that restarts the run (a tab that fits its views to the problem overrides this)."""

    def view(self, name: str) -> Any:
        """The view ``name`` computed with the snapshot on screen, or None (not asked for, or it failed)."""
        value = self.controller.views.get(name)
        return None if isinstance(value, CallFailed) else value

    # -- transport -----------------------------------------------------------------------------------------
    def toggle_play(self) -> None:
        """Pause a running run; else play it from where it is. A run stopped at its step limit goes on
        with the limit doubled; a converged or diverged one says that Reset starts over."""
        c = self.controller
        if c.running:
            c.pause()
            return
        snap = c.latest if c.latest is not None and self._shows_the_run_now(c.latest) else None
        if snap is not None and self.limit_reached(snap):
            self.set_step_limit(min(max(2 * int(self.params.max_steps), snap.step + 1), MAX_LIMIT))
            self.statusMessage.emit(f"Going on: the step limit is now {self.params.max_steps:,} "
                                    "(Reset starts over).")
        elif snap is not None and snap.status in (Status.CONVERGED, Status.DIVERGED):
            what = "converged" if snap.status is Status.CONVERGED else "diverged"
            self.statusMessage.emit(f"The run has {what}: press Reset (R) to start it over.")
            return
        c.play()

    _reset_from = None  # the snapshot on screen when Reset was pressed (older than the reset)

    def _shows_the_run_now(self, snap: Any) -> bool:
        """The snapshot comes after the newest params, points and reset (a finished run shown just after a
        Load or a Reset is not the run that Play would start)."""
        return (snap.params_version == self.controller.params_version and snap is not self._reset_from
                and getattr(snap, "data_version", 0) == self.editor.points.version)

    def limit_reached(self, snap: Any) -> bool:
        """The run stopped at its step limit (more steps would go on)."""
        return snap.status is Status.MAX_STEPS

    def set_step_limit(self, steps: int) -> None:
        """A new step limit, applied live: a run stopped at the old one can go on."""
        self.set_params(replace(self.params, max_steps=int(steps)))

    def step_once(self) -> None:
        self.controller.step(1)

    def reset(self) -> None:
        self._reset_from = self.controller.latest
        self.controller.reset()

    def undo(self) -> None:
        self.editor.undo()

    def redo(self) -> None:
        self.editor.redo()

    # -- undo of changes that restart the run ----------------------------------------------------------------
    _undo_depth = 0
    _undo_settled: dict | None = None  # the UNDO_SETTINGS as of the last recorded change (None: as shown)
    _undo_import_when_ready: UndoState | None = None

    @contextlib.contextmanager
    def undoable(self, description: str) -> Iterator[None]:
        """Whatever the block changes (params, points, settings) becomes one undo entry that brings back
        the tab as it was, trained run included. Nested blocks are part of the outermost."""
        if self._undo_depth:
            self._undo_depth += 1
            try:
                yield
            finally:
                self._undo_depth -= 1
            return
        self.editor.undo_stack.restore = self._restore_undo_state
        before = self._capture_undo_state()
        mark = (self.params, self.editor.points.version)
        self._undo_depth = 1
        self.editor.recording = False
        try:
            yield
        finally:
            self._undo_depth = 0
            self.editor.recording = True
            self._undo_settled = self._undo_settings_shown()
        if (self.params, self.editor.points.version) != mark:
            self.editor.record_state(description, before)
            self._bound_undo_memory()

    def forget_undo(self) -> None:
        """Nothing to undo: the tab as it is now is where undo stops (a tab just built)."""
        self.editor.undo_stack.clear()
        self._undo_settled = self._undo_settings_shown()
        self.editor.undoChanged.emit()

    def _undo_settings_shown(self) -> dict:
        return session_controls.read_all(self, {k: self.SETTINGS[k] for k in self.UNDO_SETTINGS})

    def _capture_undo_state(self) -> UndoState:
        """The tab now, with its trained run asked of the trainer (it answers before any later command)."""
        pts = self.editor.points
        settings = self._undo_settled if self._undo_settled is not None else self._undo_settings_shown()
        state = UndoState(self.params, pts.xy.copy(), pts.labels.copy(), dict(settings), waiting=True)
        self.controller.request(export_state, on_reply=lambda result: self._on_undo_reply(state, result))
        return state

    def _on_undo_reply(self, state: UndoState, result: object) -> None:
        state.waiting = False
        state.trained = result if isinstance(result, dict) else None
        if state is self._undo_import_when_ready:
            self._undo_import_when_ready = None
            if state.trained is not None:
                self._import_trained(state.trained)

    def _restore_undo_state(self, state: UndoState) -> UndoState:
        """Put ``state`` back (paused) and return the state it replaces, for the redo."""
        now = self._capture_undo_state()
        self._undo_depth = 1  # what the restore changes is not a change of its own
        self.editor.recording = False
        try:
            self.controller.pause()
            self.set_params(state.params)
            pts = self.editor.points
            moved = not (np.array_equal(pts.xy, state.xy) and np.array_equal(pts.labels, state.labels))
            if moved:
                self.editor.set_points(state.xy, state.labels)
            session_controls.write_all(self, {k: self.SETTINGS[k] for k in self.UNDO_SETTINGS}, state.settings)
            if moved:
                self.fit_points_view()
            self.flush_pending()
        finally:
            self._undo_depth = 0
            self.editor.recording = True
        self._undo_settled = dict(state.settings)
        self._undo_import_when_ready = None
        if state.trained is not None:
            self._import_trained(state.trained)
        elif state.waiting:
            self._undo_import_when_ready = state  # the run it replaced is on its way: restored on arrival
        self._bound_undo_memory()
        return now

    def _bound_undo_memory(self) -> None:
        states = [e for e in self.editor.undo_stack.entries() if isinstance(e, UndoState) and e.trained]
        for old in states[:-UNDO_TRAINED_KEPT]:
            old.trained = None  # undoing that far puts back the settings and points; the run starts over

    def _import_trained(self, trained: dict) -> None:
        """Send a trained run to the trainer (after the params and data it was made with)."""
        self.restore_pending = True
        self.controller.request(import_state, trained, on_reply=self._on_restore_reply)

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
            trained = dict(trained)
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
        self._undo_settled = self._undo_settings_shown()
        if state.trained is not None:
            self._import_trained(state.trained)

    restore_pending = False  # a trained state sent to the trainer, not yet answered

    def _on_restore_reply(self, result: object) -> None:
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

