"""Widgets and plots: they draw and bind, and leave the numbers to gdplay.core.

A tab is a QWidget with:
- ``key`` ("regression" | "network" | "svm") and ``title`` (the tab's label);
- ``controller``: its TrainingController (gdplay.bridge.controller), or None;
- ``statusMessage = Signal(str)``: cursor coordinates and notices for the main window's status bar;
- ``toggle_play()``, ``step_once()``, ``reset()``, ``undo()``, ``redo()`` (the window's shortcuts:
  Space, S, R, Ctrl+Z, Ctrl+Shift+Z), and ``shutdown(timeout_ms) -> bool``.
The main window builds the tabs in gdplay.ui.main_window._make_tabs.
"""
