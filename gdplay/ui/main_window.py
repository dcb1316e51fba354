"""The main window: the three tabs, menus, shortcuts, status bar, remembered geometry and a clean close."""

from __future__ import annotations

import time

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QFileDialog, QLabel, QMainWindow, QMessageBox, QTabWidget, QWidget

from gdplay import __version__

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


TAB_TITLES = {"regression": "Regression", "network": "Neural network", "svm": "SVM"}


def _make_tab(key: str) -> QWidget:
    """Build one tab; its modules (and pyqtgraph) are imported only now, so the window can be on screen
    before they load."""
    from gdplay.ui.plots.style import configure

    configure()
    if key == "regression":
        from gdplay.ui.regression.tab import RegressionTab

        return RegressionTab()
    if key == "network":
        from gdplay.ui.network.tab import NetworkTab

        return NetworkTab()
    from gdplay.ui.svm.tab import SvmTab

    return SvmTab()


class _FirstPaint(QObject):
    """Calls ``then`` on the next turn of the event loop after the watched widget's first paint."""

    def __init__(self, then) -> None:
        super().__init__()
        self.then = then
        self.done = False

    def eventFilter(self, obj, event) -> bool:
        if not self.done and event.type() == QEvent.Type.Paint:
            self.done = True
            QTimer.singleShot(0, self.then)
        return False


class MainWindow(QMainWindow):
    def __init__(self, settings: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("gdplay")
        self.settings = settings or QSettings()
        self.tab_widget = QTabWidget()
        # tabs are built on first use: the one shown at start before the first paint, the rest just after
        self._tabs: dict[str, QWidget] = {}
        for key in TAB_KEYS:
            loading = QLabel(f"Loading the {TAB_TITLES[key]} tab…")
            loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.tab_widget.addTab(loading, TAB_TITLES[key])
        self.tab_widget.currentChanged.connect(self._on_tab_changed)
        self.setCentralWidget(self.tab_widget)
        self.statusBar().showMessage("Click a plot to add points; Space plays and pauses.")
        self._build_menus()
        self._restore_settings()
        self._closed = False

    # -- tabs -----------------------------------------------------------------------------------------
    def tab(self, key: str) -> QWidget:
        """The tab, built now if it was not yet."""
        if key not in self._tabs:
            tab = _make_tab(key)
            tab.statusMessage.connect(self._on_tab_status)
            i = TAB_KEYS.index(key)
            current = self.tab_widget.currentIndex()
            self.tab_widget.blockSignals(True)
            placeholder = self.tab_widget.widget(i)
            self.tab_widget.removeTab(i)
            self.tab_widget.insertTab(i, tab, TAB_TITLES[key])
            self.tab_widget.setCurrentIndex(current)
            self.tab_widget.blockSignals(False)
            placeholder.deleteLater()
            self._tabs[key] = tab
            self._update_visibility()
        return self._tabs[key]

    @property
    def tabs(self) -> list[QWidget]:
        """Every tab, in order (building any not yet built)."""
        return [self.tab(key) for key in TAB_KEYS]

    def build_remaining_tabs(self) -> None:
        """Build the tabs not yet built, the current one first, one per turn of the event loop."""
        current = TAB_KEYS[self.tab_widget.currentIndex()]
        missing = [k for k in (current, *TAB_KEYS) if k not in self._tabs]
        if missing:
            self.tab(missing[0])
            QTimer.singleShot(0, self.build_remaining_tabs)

    def build_tabs_after_first_paint(self) -> None:
        """The window shows at once with its menus and tab bar; the tabs (and pyqtgraph) load just after."""
        self._paint_watch = _FirstPaint(self.build_remaining_tabs)
        self.tab_widget.installEventFilter(self._paint_watch)

    @Slot(int)
    def _on_tab_changed(self, index: int) -> None:
        self.tab(TAB_KEYS[index])
        self._update_visibility()

    def _update_visibility(self) -> None:
        current = TAB_KEYS[self.tab_widget.currentIndex()]
        for key, tab in self._tabs.items():
            if getattr(tab, "controller", None) is not None:
                tab.controller.set_visible(key == current)

    def current_tab(self) -> QWidget:
        return self.tab(TAB_KEYS[self.tab_widget.currentIndex()])

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
        for i, key in enumerate(TAB_KEYS):
            self._action(view, TAB_TITLES[key], lambda _=False, i=i: self.tab_widget.setCurrentIndex(i),
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
        # selecting builds the tab, except index 0 (already current): build_remaining_tabs does that one
        self.tab_widget.blockSignals(True)
        self.tab_widget.setCurrentIndex(TAB_KEYS.index(key if key in TAB_KEYS else "regression"))
        self.tab_widget.blockSignals(False)

    def _save_settings(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/tab", TAB_KEYS[self.tab_widget.currentIndex()])
        self.settings.sync()

    def shutdown(self, timeout_ms: int = 2000) -> bool:
        """Stop every tab's training thread; all are asked at once, then waited for within one budget."""
        controllers = [t.controller for t in self._tabs.values() if getattr(t, "controller", None) is not None]
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
