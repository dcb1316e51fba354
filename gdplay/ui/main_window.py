"""The main window: the three tabs, menus, shortcuts, status bar, remembered geometry and a clean close."""

from __future__ import annotations

import time

from PySide6.QtCore import QByteArray, QSettings, Qt, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox, QTabWidget, QWidget

from gdplay import __version__
from gdplay.ui.network.tab import NetworkTab
from gdplay.ui.regression.tab import RegressionTab
from gdplay.ui.svm.tab import SvmTab

TAB_KEYS = ("regression", "network", "svm")
SHORTCUTS = (
    ("Space", "Play / pause training in the current tab"),
    ("S", "Take one step"),
    ("R", "Reset to the start point"),
    ("Left click", "Add a point (Shift+click: the next class)"),
    ("Right click / Ctrl+click", "Delete the nearest point"),
    ("Drag a point", "Move it"),
    ("Ctrl+Z / Ctrl+Shift+Z", "Undo / redo a data edit"),
    ("Mouse wheel, right drag", "Zoom a plot; the 'A' button in a corner fits it again"),
    ("Ctrl+1 / 2 / 3", "Switch tabs"),
    ("Ctrl+Q", "Quit"),
)


def _make_tabs() -> list[QWidget]:
    return [RegressionTab(), NetworkTab(), SvmTab()]


class MainWindow(QMainWindow):
    def __init__(self, settings: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("gdplay")
        self.settings = settings or QSettings()
        self.tab_widget = QTabWidget()
        self.tabs = _make_tabs()
        for tab in self.tabs:
            self.tab_widget.addTab(tab, tab.title)
            tab.statusMessage.connect(self._on_tab_status)
        self.setCentralWidget(self.tab_widget)
        self.statusBar().showMessage("Click a plot to add points; Space plays and pauses.")
        self._build_menus()
        self._restore_settings()
        self._closed = False

    # -- tabs -----------------------------------------------------------------------------------------
    def tab(self, key: str) -> QWidget:
        return self.tabs[TAB_KEYS.index(key)]

    def current_tab(self) -> QWidget:
        return self.tab_widget.currentWidget()

    def select_tab(self, key: str) -> None:
        self.tab_widget.setCurrentIndex(TAB_KEYS.index(key))

    # -- menus ----------------------------------------------------------------------------------------
    def _action(self, menu, text: str, slot=None, shortcut: str | QKeySequence | None = None,
                enabled: bool = True, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        if slot is not None:
            action.triggered.connect(slot)
        action.setEnabled(enabled)
        if tip:
            action.setStatusTip(tip)
        menu.addAction(action)
        self.addAction(action)  # shortcuts work even with the menu bar hidden
        return action

    def _build_menus(self) -> None:
        later = "Arrives with sessions and files (issue: your work is safe)"
        file = self.menuBar().addMenu("&File")
        self._action(file, "&Open session…", shortcut=QKeySequence.StandardKey.Open, enabled=False, tip=later)
        self._action(file, "&Save session…", shortcut=QKeySequence.StandardKey.Save, enabled=False, tip=later)
        file.addSeparator()
        self._action(file, "&Import CSV…", enabled=False, tip=later)
        self._action(file, "&Export CSV…", enabled=False, tip=later)
        self._action(file, "Export &image…", self._on_export_image, tip="Save the current tab as a PNG")
        file.addSeparator()
        self._action(file, "&Quit", self.close, shortcut=QKeySequence.StandardKey.Quit)

        edit = self.menuBar().addMenu("&Edit")
        self._action(edit, "&Undo", lambda: self.current_tab().undo(), shortcut="Ctrl+Z")
        self._action(edit, "&Redo", lambda: self.current_tab().redo(), shortcut="Ctrl+Shift+Z")

        train = self.menuBar().addMenu("&Train")
        self._action(train, "&Play / pause", lambda: self.current_tab().toggle_play(), shortcut="Space")
        self._action(train, "&Step", lambda: self.current_tab().step_once(), shortcut="S")
        self._action(train, "&Reset", lambda: self.current_tab().reset(), shortcut="R")

        view = self.menuBar().addMenu("&View")
        for i, tab in enumerate(self.tabs):
            self._action(view, tab.title, lambda _=False, i=i: self.tab_widget.setCurrentIndex(i),
                         shortcut=f"Ctrl+{i + 1}")

        help_menu = self.menuBar().addMenu("&Help")
        self._action(help_menu, "&Keyboard shortcuts", self._on_show_shortcuts, shortcut="F1")
        self._action(help_menu, "&About gdplay", self._on_show_about)

    @Slot()
    def _on_show_shortcuts(self) -> None:
        rows = "".join(f"<tr><td><b>{k}</b></td><td>&nbsp;&nbsp;{v}</td></tr>" for k, v in SHORTCUTS)
        QMessageBox.information(self, "Keyboard shortcuts", f"<table>{rows}</table>")

    @Slot()
    def _on_show_about(self) -> None:
        QMessageBox.about(self, "About gdplay",
                          f"<b>gdplay {__version__}</b><p>A playground where you watch gradient descent work "
                          "and tune it live: regression, neural networks and support vector machines.</p>")

    @Slot()
    def _on_export_image(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export image", f"gdplay-{self.current_tab().key}.png",
                                              "PNG image (*.png)")
        if path:
            self.save_tab_image(path)

    def save_tab_image(self, path: str) -> bool:
        ok = self.current_tab().grab().save(path)
        self.statusBar().showMessage(f"Saved {path}" if ok else f"Could not save the image to {path}.", 5000)
        return ok

    @Slot(str)
    def _on_tab_status(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    # -- settings and close -------------------------------------------------------------------------------
    def _restore_settings(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1400, 860)
        key = self.settings.value("window/tab", "regression")
        if key in TAB_KEYS:
            self.select_tab(key)

    def _save_settings(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/tab", TAB_KEYS[self.tab_widget.currentIndex()])
        self.settings.sync()

    def shutdown(self, timeout_ms: int = 2000) -> bool:
        """Stop every tab's training thread; all are asked at once, then waited for within one budget."""
        controllers = [t.controller for t in self.tabs if getattr(t, "controller", None) is not None]
        for c in controllers:
            c.request_stop()
        deadline = time.monotonic() + timeout_ms / 1000
        ok = True
        for c in controllers:
            ok &= c.wait(max(1, int((deadline - time.monotonic()) * 1000)))
        return ok

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._closed:
            self._save_settings()
            self.shutdown()
            self._closed = True
        event.accept()
