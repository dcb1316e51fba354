"""What every tab does the same way: the window's Space / S / R / Ctrl+Z / Ctrl+Shift+Z commands and a
clean stop, on top of ``self.controller`` (a TrainingController) and ``self.editor`` (a PointEditor).
A tab overrides only what differs (the Neural network tab's worked-example mode, say)."""

from __future__ import annotations


class TrainingTabMixin:
    controller = None  # TrainingController, set by the tab
    editor = None  # PointEditor, set by the tab

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
