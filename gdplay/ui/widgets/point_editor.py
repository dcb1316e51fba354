"""Click-to-edit points on a pyqtgraph plot: left click adds a point of the current class (Shift+click the
next class), right click or Ctrl+click deletes the nearest point (right click elsewhere opens the plot's
menu, with Export...), dragging a point moves it. Every edit
goes through gdplay.core.points commands, so each can be undone and redone."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pyqtgraph as pg
from pyqtgraph.GraphicsScene.mouseEvents import MouseClickEvent, MouseDragEvent
from PySide6.QtCore import QObject, QPointF, Qt, Signal
from PySide6.QtWidgets import QAbstractButton, QGraphicsItem

from gdplay.core.points import POINT_COMMANDS, Add, Command, Delete, Move, PointSet, Replace, UndoStack
from gdplay.ui.plots.view_box import LazyMenuViewBox

PICK_RADIUS_PX = 12.0  # how close (in pixels) a click must be to a point to grab or delete it


class TabUndoStack(UndoStack[object]):
    """Point edits and whole-tab states on one undo stack. An entry's inverse is either a point command,
    applied to the points, or a tab's state (a settings change with the trained run it replaced), handed to
    ``restore``, which puts it back and returns the state it replaced: that is the redo."""

    def __init__(self, points: PointSet, limit: int = 1000) -> None:
        super().__init__(points, limit)
        self.restore: Callable[[object], object] | None = None

    def _apply_other(self, entry: object) -> object:
        if self.restore is None:
            raise TypeError(f"no way to restore {type(entry).__name__} entries")
        return self.restore(entry)

    def clear(self) -> None:
        """Nothing to undo or redo (a tab just set up)."""
        self._undo.clear()
        self._redo.clear()

    def entries(self) -> list[object]:
        """Every inverse held, undo and redo sides (to bound the memory of the states among them)."""
        return [e for _t, e in (*self._undo, *self._redo)]


class EditableViewBox(LazyMenuViewBox):
    """A ViewBox that offers drags to an editor before panning. (Clicks come from the scene's
    sigMouseClicked, which fires even when an item such as the scatter of points took the click.)"""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.editor: PointEditor | None = None

    def mouseClickEvent(self, ev: MouseClickEvent) -> None:
        """A right click on a point deletes it (the editor does, from the scene's signal); anywhere else it
        opens the plot's menu (view options, Export... to PNG or SVG)."""
        editor = self.editor
        if ev.button() == Qt.MouseButton.RightButton and editor is not None and editor.enabled \
                and editor._nearest(ev.scenePos()) >= 0:
            ev.accept()
            return
        super().mouseClickEvent(ev)

    def mouseDragEvent(self, ev: MouseDragEvent, axis: int | None = None) -> None:
        if self.editor is not None and self.editor.handle_drag(ev):
            return
        super().mouseDragEvent(ev, axis)


class PointEditor(QObject):
    """Binds a PointSet (with undo) to a plot whose ViewBox is an EditableViewBox.

    ``pointsChanged()`` fires after every edit; ``dragging`` is True while a point is being moved.
    """

    pointsChanged = Signal()
    undoChanged = Signal()
    edited = Signal(object)  # the command just applied to the points (an undo sends the inverse)

    def __init__(self, plot: pg.PlotItem, n_classes: int = 1, colors: Sequence[str] = ("#1f77b4",),
                 draw: bool = True, parent: QObject | None = None) -> None:
        super().__init__(parent)
        vb = plot.getViewBox()
        if not isinstance(vb, EditableViewBox):
            raise TypeError("PointEditor needs a plot made with viewBox=EditableViewBox()")
        vb.editor = self
        self.plot, self.viewbox = plot, vb
        plot.scene().sigMouseClicked.connect(self._on_scene_clicked)
        self.points = PointSet()
        self.undo_stack = TabUndoStack(self.points)
        self.recording = True  # False while a tab records a larger change as one entry of its own
        self.n_classes = n_classes
        self.current_class = 0
        self.enabled = True
        self.dragging = False
        self._drag: tuple[int, tuple[float, float]] | None = None
        self._brushes = [pg.mkBrush(c) for c in colors]
        self._pen = pg.mkPen("#222222", width=1)
        self.scatter: pg.ScatterPlotItem | None = None
        if draw:
            self.scatter = pg.ScatterPlotItem(size=9, pen=self._pen, hoverable=False)
            self.scatter.setZValue(10)
            # drawn into a pixmap once and blitted while the curves over it move: 100,000 points would
            # otherwise be re-stroked every frame
            self.scatter.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
            plot.addItem(self.scatter)

    # -- edits -------------------------------------------------------------------------------------
    def push(self, cmd: Command) -> None:
        if self.recording:
            self.undo_stack.push(cmd)
        else:
            self.points.apply(cmd)
        self._changed(cmd)

    def set_points(self, xy: np.ndarray, labels: np.ndarray) -> None:
        """Replace the points without an undo entry (an undo putting a tab's state back)."""
        cmd = Replace(np.asarray(xy, dtype=float), np.asarray(labels), "Replace points")
        self.points.apply(cmd)
        self._changed(cmd)

    def record_state(self, description: str, state: object) -> None:
        """An undo entry for a change the tab made (its state before, for ``undo_stack.restore``)."""
        self.undo_stack.record(description, state)
        self.undoChanged.emit()

    def replace(self, xy: np.ndarray, labels: np.ndarray | None = None, description: str = "Replace points") -> None:
        labels = np.zeros(len(xy), dtype=np.int64) if labels is None else labels
        self.push(Replace(np.asarray(xy, dtype=float), np.asarray(labels), description))

    def clear(self) -> None:
        if len(self.points):
            self.replace(np.empty((0, 2)), np.empty(0, dtype=np.int64), "Clear points")

    def undo(self) -> None:
        if self.undo_stack.undo():
            self._after_undo_or_redo()

    def redo(self) -> None:
        if self.undo_stack.redo():
            self._after_undo_or_redo()

    def _after_undo_or_redo(self) -> None:
        cmd = self.undo_stack.last_applied
        if isinstance(cmd, POINT_COMMANDS):
            self._changed(cmd)
        else:
            self.undoChanged.emit()  # a tab's state: the tab has put back its points (if they differ) itself

    def _changed(self, cmd: Command | None = None) -> None:
        self.redraw()
        if cmd is not None:
            self.edited.emit(cmd)
        self.pointsChanged.emit()
        self.undoChanged.emit()

    def redraw(self) -> None:
        if self.scatter is None:
            return
        labels = self.points.labels
        brushes = [self._brushes[int(c) % len(self._brushes)] for c in labels]
        self.scatter.setData(pos=self.points.xy, brush=brushes)

    # -- mouse -------------------------------------------------------------------------------------
    def _nearest(self, scene_pos: QPointF) -> int:
        p = self.viewbox.mapSceneToView(scene_pos)
        px, py = self.viewbox.viewPixelSize()
        i, dist = self.points.nearest(p.x(), p.y(), (px or 1.0, py or 1.0))
        return i if dist <= PICK_RADIUS_PX else -1

    def _on_scene_clicked(self, ev: MouseClickEvent) -> None:
        if self.viewbox.sceneBoundingRect().contains(ev.scenePos()):
            self.handle_click(ev)

    def handle_click(self, ev: MouseClickEvent) -> bool:
        if not self.enabled:
            return False
        mods = ev.modifiers()
        delete = ev.button() == Qt.MouseButton.RightButton or (
            ev.button() == Qt.MouseButton.LeftButton and mods & Qt.KeyboardModifier.ControlModifier)
        if delete:
            i = self._nearest(ev.scenePos())
            if i >= 0:
                self.push(Delete(i))
            ev.accept()
            return True
        if ev.button() != Qt.MouseButton.LeftButton or ev.double():
            return False
        p = self.viewbox.mapSceneToView(ev.scenePos())
        label = self.current_class
        if mods & Qt.KeyboardModifier.ShiftModifier and self.n_classes > 1:
            label = (label + 1) % self.n_classes
        self.push(Add((p.x(), p.y()), label))
        ev.accept()
        return True

    def handle_drag(self, ev: MouseDragEvent) -> bool:
        if not self.enabled or ev.button() != Qt.MouseButton.LeftButton:
            return False
        if ev.isStart():
            i = self._nearest(ev.buttonDownScenePos())
            if i < 0:
                return False  # not on a point: let the view pan
            x, y = self.points.xy[i]
            self._drag = (i, (float(x), float(y)))
            self.dragging = True
        if self._drag is None:
            return False
        ev.accept()
        i, start = self._drag
        p = self.viewbox.mapSceneToView(ev.scenePos())
        move = Move(i, (p.x(), p.y()))
        self.points.apply(move)
        self.redraw()
        self.edited.emit(move)
        self.pointsChanged.emit()
        if ev.isFinish():
            self._drag = None
            self.dragging = False
            if self.recording:
                self.undo_stack.record("Move point", Move(i, start))
            self.undoChanged.emit()
        return True


def bind_undo_buttons(editor: PointEditor, undo_button: QAbstractButton, redo_button: QAbstractButton) -> None:
    """Keep Undo/Redo buttons enabled only when there is something to undo/redo, with what in the tooltip."""

    def update() -> None:
        u = editor.undo_stack
        undo_button.setEnabled(u.can_undo())
        redo_button.setEnabled(u.can_redo())
        undo_button.setToolTip(f"Undo {u.undo_text().lower()} (Ctrl+Z)" if u.can_undo() else "Nothing to undo")
        redo_button.setToolTip(f"Redo {u.redo_text().lower()} (Ctrl+Shift+Z)" if u.can_redo() else "Nothing to redo")

    editor.undoChanged.connect(update)  # PySide keeps a connected closure alive with the connection
    update()
