"""The main window: the three tabs, menus, shortcuts, status bar, remembered geometry and a clean close."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QFont, QKeySequence
from PySide6.QtWidgets import QFileDialog, QLabel, QMainWindow, QMenu, QMessageBox, QTabWidget, QToolTip, QWidget

from gdplay import __version__, tabs
from gdplay.core.session import SUFFIX
from gdplay.core.trainer import ValidationError
from gdplay.ui import gui_thread
from gdplay.ui.document import Document

if TYPE_CHECKING:  # the tabs' modules load after the window shows (see _make_tab)
    from gdplay.ui.tab_base import TrainingTab

TAB_KEYS = tabs.TAB_KEYS  # the registry, gdplay/tabs.py
LECTURE_ZOOM = 1.6  # lecture mode: text, lines, markers and plots this much larger
TEXT_ZOOM_STEP = 1.1  # Ctrl++ / Ctrl+-
TEXT_ZOOM_RANGE = (0.6, 2.5)
DEFAULT_SIZE = (1400, 860)  # the window on first start, where the screen has room
SHORTCUTS = (
    ("Space", "Play / pause training in the current tab"),
    ("S", "Take one step"),
    ("R", "Reset to the start point"),
    ("Left click", "Add a point (Shift+click: the next class)"),
    ("Right click / Ctrl+click", "Delete the nearest point"),
    ("Drag a point", "Move it"),
    ("Ctrl+Z / Ctrl+Shift+Z", "Undo / redo a point edit or a change of settings (with the training it replaced)"),
    ("Mouse wheel, right drag", "Zoom a plot; the 'A' button in a corner fits it again"),
    ("Ctrl+1 / 2 / 3 / 4", "Switch tabs"),
    ("F11", "Lecture mode: full screen, everything 1.6 times larger"),
    ("Ctrl++ / Ctrl+- / Ctrl+0", "Larger / smaller / normal text and plots"),
    ("Ctrl+Q", "Quit"),
)


TAB_TITLES = tabs.TAB_TITLES


def _make_tab(key: str) -> TrainingTab:
    """Build one tab; its modules (and pyqtgraph) are imported only now, so the window can be on screen
    before they load."""
    from gdplay.ui.plots.style import configure

    configure()
    cls: type[TrainingTab] = tabs.tab_class(key)  # the registry names classes as import paths (no Qt there)
    return cls()


class _FirstPaint(QObject):
    """Calls ``then`` on the next turn of the event loop after the watched widget's first paint."""

    def __init__(self, then: Callable[[], object]) -> None:
        super().__init__()
        self.then = then
        self.done = False

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if not self.done and event.type() == QEvent.Type.Paint:
            self.done = True
            QTimer.singleShot(0, self.then)
        return False


class MainWindow(QMainWindow):
    def __init__(self, settings: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings or QSettings()
        self.document = Document(self, self.settings)
        self.document.modifiedChanged.connect(self._update_title)
        self.document.saved.connect(self._on_saved)
        self.document.message.connect(self._on_tab_status)
        self._update_title()
        self.setAcceptDrops(True)
        self.tab_widget = QTabWidget()
        # tabs are built on first use: the one shown at start before the first paint, the rest just after
        self._tabs: dict[str, TrainingTab] = {}
        for key in TAB_KEYS:
            loading = QLabel(f"Loading the {TAB_TITLES[key]} tab…")
            loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.tab_widget.addTab(loading, TAB_TITLES[key])
        self.tab_widget.currentChanged.connect(self._on_tab_changed)
        self.setCentralWidget(self.tab_widget)
        self.statusBar().showMessage("Click a plot to add points; Space plays and pauses.")
        self._base_font = QFont(self.font())
        self.lecture = False
        self.text_zoom = 1.0
        self._was_maximized = False
        self._build_menus()
        self._restore_settings()
        self._closed = False
        self._closing = False
        self._in_close_event = False
        self._ask_on_close = True  # False when a signal (Ctrl+C, SIGTERM) asks to quit: nobody may be there
        self.kept: list[object] = []  # what must live as long as the window (app.py's signal wake-up sockets)

    # -- tabs -----------------------------------------------------------------------------------------
    def tab(self, key: str) -> TrainingTab:
        """The tab, built now if it was not yet."""
        if key not in self._tabs:
            tab = _make_tab(key)
            tab.statusMessage.connect(self._on_tab_message)
            i = TAB_KEYS.index(key)
            current = self.tab_widget.currentIndex()
            self.tab_widget.blockSignals(True)
            placeholder = self.tab_widget.widget(i)
            self.tab_widget.removeTab(i)
            self.tab_widget.insertTab(i, tab, TAB_TITLES[key])
            self.tab_widget.setCurrentIndex(current)
            self.tab_widget.blockSignals(False)
            if placeholder is not None:
                placeholder.deleteLater()
            self._tabs[key] = tab
            self._update_visibility()
        return self._tabs[key]

    def built_tabs(self) -> dict[str, TrainingTab]:
        return {k: self._tabs[k] for k in TAB_KEYS if k in self._tabs}

    def tabs_by_key(self) -> dict[str, TrainingTab]:
        """Every tab by key (building any not yet built)."""
        return {k: self.tab(k) for k in TAB_KEYS}

    def current_key(self) -> str:
        return TAB_KEYS[self.tab_widget.currentIndex()]

    @property
    def tabs(self) -> list[TrainingTab]:
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

    def current_tab(self) -> TrainingTab:
        return self.tab(TAB_KEYS[self.tab_widget.currentIndex()])

    def select_tab(self, key: str) -> None:
        self.tab_widget.setCurrentIndex(TAB_KEYS.index(key))

    # -- menus ----------------------------------------------------------------------------------------
    def _action(self, menu: QMenu, text: str, slot: Callable[..., object] | None = None,
                shortcut: str | QKeySequence | QKeySequence.StandardKey | None = None,
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
        file = self.menuBar().addMenu("&File")
        self._action(file, "&Open session…", self._on_open, shortcut=QKeySequence.StandardKey.Open,
                     tip="Open a saved session (*.gdplay.json): every tab's points, settings and training")
        self.recent_menu = file.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self.examples_menu = file.addMenu("E&xamples")
        self._fill_examples_menu()
        self._action(file, "&Save session", self._on_save, shortcut=QKeySequence.StandardKey.Save)
        self._action(file, "Save session &as…", self._on_save_as, shortcut=QKeySequence.StandardKey.SaveAs)
        file.addSeparator()
        self._action(file, "&Import points (CSV)…", self._on_import_csv, shortcut="Ctrl+I",
                     tip="Replace the current tab's points with a CSV file's (undo brings them back)")
        self._action(file, "&Export points (CSV)…", self._on_export_csv, tip="The current tab's points as CSV")
        self._action(file, "Export &history (CSV)…", self._on_export_history,
                     tip="The current run's history: iteration, cost, parameters")
        self._action(file, "Export &model (JSON)…", self._on_export_model,
                     tip="The current tab's trained model: its parameters and settings")
        self._action(file, "Export &image…", self._on_export_image, shortcut="Ctrl+E",
                     tip="Save the current tab as a PNG or SVG at a chosen resolution")
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
        view.addSeparator()
        self.lecture_action = self._action(view, "&Lecture mode", self.set_lecture_mode, shortcut="F11",
                                           tip="Full screen with text, lines and markers 1.6 times larger, "
                                               "for projecting in a classroom")
        self.lecture_action.setCheckable(True)
        zoom_in = self._action(view, "&Larger text", lambda: self.set_text_zoom(self.text_zoom * TEXT_ZOOM_STEP),
                               shortcut=QKeySequence.StandardKey.ZoomIn)
        zoom_in.setShortcuts([QKeySequence("Ctrl++"), QKeySequence("Ctrl+=")])
        self._action(view, "&Smaller text", lambda: self.set_text_zoom(self.text_zoom / TEXT_ZOOM_STEP),
                     shortcut="Ctrl+-")
        self._action(view, "&Normal size", lambda: self.set_text_zoom(1.0), shortcut="Ctrl+0")

        help_menu = self.menuBar().addMenu("&Help")
        self._action(help_menu, "&Keyboard shortcuts", self._on_show_shortcuts, shortcut="F1")
        self._action(help_menu, "&About gdplay", self._on_show_about)

    # -- lecture mode and text size ------------------------------------------------------------------------
    def zoom(self) -> float:
        """How much larger than designed the window draws text, lines and plots."""
        return self.text_zoom * (LECTURE_ZOOM if self.lecture else 1.0)

    def set_lecture_mode(self, on: bool, full_screen: bool = True, remember: bool = True) -> None:
        """Lecture mode: everything LECTURE_ZOOM times larger, full screen (unless ``full_screen`` is False:
        a screenshot keeps its size). Remembered unless ``remember`` is False."""
        on = bool(on)
        self.lecture = on
        self.lecture_action.setChecked(on)
        if remember:
            self.settings.setValue("view/lecture", on)
        self._apply_zoom()
        if not full_screen:
            return
        if on and not self.isFullScreen():
            self._was_maximized = self.isMaximized()
            self.showFullScreen()
        elif not on and self.isFullScreen():
            self.showMaximized() if self._was_maximized else self.showNormal()

    def set_text_zoom(self, value: float, remember: bool = True) -> None:
        """Ctrl++ / Ctrl+- / Ctrl+0: text and plots larger or smaller, in either mode. Remembered unless
        ``remember`` is False."""
        lo, hi = TEXT_ZOOM_RANGE
        self.text_zoom = round(min(max(float(value), lo), hi), 3)
        if remember:
            self.settings.setValue("view/text_zoom", self.text_zoom)
        self._apply_zoom()
        if not remember:
            return
        self.statusBar().showMessage(f"Text and plots at {self.zoom():.0%} (Ctrl+0: normal size"
                                     + (", in lecture mode 160 %)." if self.lecture else ")."), 4000)

    def _apply_zoom(self) -> None:
        from gdplay.ui.plots.style import set_zoom

        z = self.zoom()
        font = QFont(self._base_font)
        if font.pointSizeF() > 0:
            font.setPointSizeF(self._base_font.pointSizeF() * z)
        else:
            font.setPixelSize(max(1, round(self._base_font.pixelSize() * z)))
        self.setFont(font)  # every widget of the window that sets no font of its own
        # ... and those with a style sheet of their own (a coloured status line), which a font does not reach
        size = f"{font.pointSizeF():.2f}pt" if font.pointSizeF() > 0 else f"{font.pixelSize()}px"
        self.setStyleSheet("" if z == 1.0 else f"QWidget {{ font-size: {size}; }}")
        QToolTip.setFont(font)
        set_zoom(z)

    def show_as_remembered(self) -> None:
        """Show the window, full screen if lecture mode was on when it was last closed."""
        self.showFullScreen() if self.lecture else self.show()

    @Slot()
    def _on_show_shortcuts(self) -> None:
        rows = "".join(f"<tr><td><b>{k}</b></td><td>&nbsp;&nbsp;{v}</td></tr>" for k, v in SHORTCUTS)
        QMessageBox.information(self, "Keyboard shortcuts", f"<table>{rows}</table>")

    @Slot()
    def _on_show_about(self) -> None:
        QMessageBox.about(self, "About gdplay",
                          f"<b>gdplay {__version__}</b><p>A playground where you watch gradient descent work "
                          "and tune it live: regression, neural networks and support vector machines.</p>")

    # -- sessions ---------------------------------------------------------------------------------------
    def _update_title(self, *_args: object) -> None:
        name = os.path.basename(self.document.path) if self.document.path else "untitled"
        self.setWindowTitle(f"{name}[*] — gdplay")
        self.setWindowModified(self.document.modified)

    def _file_dialog_folder(self) -> str:
        return str(self.settings.value("session/folder", os.path.expanduser("~")))

    def _remember_folder(self, path: str) -> None:
        self.settings.setValue("session/folder", os.path.dirname(os.path.abspath(path)))

    @Slot()
    def _on_open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open session", self._file_dialog_folder(),
                                              f"gdplay sessions (*{SUFFIX});;JSON files (*.json)")
        if path:
            self.after_unsaved_changes(lambda: self.open_path(path))

    def open_path(self, path: str, remember: bool = True) -> bool:
        """Open a session, or import a CSV into the current tab; says what went wrong if it cannot."""
        if path.lower().endswith(".csv"):
            return self.import_csv(path)
        self._remember_folder(path)
        error = self.document.open(path, remember)
        if error:
            self._error("Could not open the session", error)
            return False
        self._update_title()
        self.statusBar().showMessage(f"Opened {path}. Press Play to continue training.", 8000)
        return True

    def save_session(self, path: str | None = None, then: Callable[[bool], None] | None = None) -> None:
        """Save to ``path`` (or the session's own file; or ask); ``then(ok)`` after the write."""
        path = path or self.document.path
        if not path:
            self._on_save_as(then)
            return
        if not path.endswith(".json"):
            path += SUFFIX
        self._remember_folder(path)
        self.document.save(path, None if then is None else (lambda error: then(not error)))

    @Slot()
    def _on_save(self) -> None:
        self.save_session()

    def _on_save_as(self, then: Callable[[bool], None] | None = None) -> None:
        start = self.document.path or os.path.join(self._file_dialog_folder(), "untitled" + SUFFIX)
        path, _ = QFileDialog.getSaveFileName(self, "Save session", start, f"gdplay sessions (*{SUFFIX})")
        if path:
            self.save_session(path, then)
        elif then is not None:
            then(False)

    @Slot(str, str)
    def _on_saved(self, path: str, error: str) -> None:
        if error:
            self._error("Could not save the session", error)
        else:
            self._update_title()
            self.statusBar().showMessage(f"Saved {path}", 5000)

    def after_unsaved_changes(self, then: Callable[[], object]) -> bool:
        """Before replacing the session: with unsaved changes, ask Save / Discard / Cancel, as Quit does.
        ``then()`` runs at once when nothing is unsaved or on Discard, after the save on Save (if it
        succeeded), never on Cancel. Returns False if cancelled (or the save is still under way)."""
        if not self.document.modified:
            then()
            return True
        answer = QMessageBox.question(
            self, "Save changes?", "This session has changes that are not saved. Save them before opening "
            "another?", QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save)
        if answer == QMessageBox.StandardButton.Discard:
            then()
            return True
        if answer == QMessageBox.StandardButton.Save:
            def after_save(ok: bool) -> None:
                if ok:
                    then()

            self.save_session(then=after_save)
        return False

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        items = self.document.prune_recent()
        for path in items:
            action = self.recent_menu.addAction(os.path.basename(path))
            action.setStatusTip(path)
            action.triggered.connect(lambda _=False, p=path: self.after_unsaved_changes(lambda: self.open_path(p)))
        if not items:
            self.recent_menu.addAction("(none yet)").setEnabled(False)

    def _fill_examples_menu(self) -> None:
        from gdplay.resources import examples

        for path, title, description in examples():
            action = self.examples_menu.addAction(title)
            action.setStatusTip(description)
            action.setToolTip(description)
            action.triggered.connect(lambda _=False, p=path: self.open_example(p))
        self.examples_menu.setToolTipsVisible(True)

    def open_example(self, path: str) -> bool:
        """An example opens as new work: saving asks where, and the example file is never overwritten."""
        opened = []

        def now() -> None:
            opened.append(self.open_path(path, remember=False))
            if opened[-1]:
                self.document.path = None
                self._update_title()

        self.after_unsaved_changes(now)
        return bool(opened and opened[-1])

    # -- files of the current tab ---------------------------------------------------------------------------
    def _error(self, title: str, text: str) -> None:
        self.statusBar().showMessage(text, 15000)
        if self.isVisible():
            QMessageBox.warning(self, title, text)

    def import_csv(self, path: str) -> bool:
        tab = self.current_tab()
        try:
            n = tab.import_points_csv(path)
        except ValidationError as exc:
            self._error("Could not import the points", f"{os.path.basename(path)}: {exc} The points are unchanged.")
            return False
        self.statusBar().showMessage(f"Imported {n:,} points from {path} (Ctrl+Z undoes it).", 8000)
        return True

    @Slot()
    def _on_import_csv(self) -> None:
        tab = self.current_tab()
        cols = ", ".join((*tab.CSV_COLUMNS, tab.CSV_LABEL) if tab.CSV_LABEL else tab.CSV_COLUMNS)
        path, _ = QFileDialog.getOpenFileName(self, f"Import points ({cols})", self._file_dialog_folder(),
                                              "CSV files (*.csv);;All files (*)")
        if path:
            self._remember_folder(path)
            self.import_csv(path)

    def _export(self, title: str, suffix: str, kind: str, write: Callable[[str], object]) -> None:
        tab = self.current_tab()
        start = os.path.join(self._file_dialog_folder(), f"gdplay-{tab.key}-{suffix}")
        path, _ = QFileDialog.getSaveFileName(self, title, start, kind)
        if path:
            self._remember_folder(path)
            self.run_export(title, path, write)

    def run_export(self, title: str, path: str, write: Callable[[str], object]) -> bool:
        try:
            write(path)
        except (ValidationError, OSError) as exc:
            text = str(exc) if isinstance(exc, ValidationError) else f"{path}: {exc.strerror or exc}."
            self._error(f"{title}: failed", text)
            return False
        self.statusBar().showMessage(f"Saved {path}", 5000)
        return True

    @Slot()
    def _on_export_csv(self) -> None:
        self._export("Export points", "points.csv", "CSV files (*.csv)", self.current_tab().export_points_csv)

    @Slot()
    def _on_export_history(self) -> None:
        self._export("Export history", "history.csv", "CSV files (*.csv)", self.current_tab().export_history_csv)

    @Slot()
    def _on_export_model(self) -> None:
        self._export("Export model", "model.json", "JSON files (*.json)", self.current_tab().export_model_json)

    @Slot()
    def _on_export_image(self) -> None:
        from gdplay.ui.image_export import ImageExportDialog

        dialog = ImageExportDialog(self, self.current_tab(), self._file_dialog_folder())
        if dialog.exec():
            self._remember_folder(dialog.path)
            self.run_export("Export image", dialog.path, dialog.write)

    def save_tab_image(self, path: str, scale: float = 1.0) -> bool:
        from gdplay.ui.image_export import save_widget_image

        return self.run_export("Export image", path, lambda p: save_widget_image(self.current_tab(), p, scale))

    # -- drag and drop --------------------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls()
        if len(urls) == 1 and urls[0].isLocalFile() and urls[0].toLocalFile().lower().endswith((".json", ".csv")):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        path = event.mimeData().urls()[0].toLocalFile()
        event.acceptProposedAction()
        if path.lower().endswith(".csv"):
            QTimer.singleShot(0, lambda: self.open_path(path))
        else:
            QTimer.singleShot(0, lambda: self.after_unsaved_changes(lambda: self.open_path(path)))

    @Slot(str)
    def _on_tab_status(self, text: str) -> None:
        gui_thread.check("a status-bar message")
        self.statusBar().showMessage(text, 8000)

    @Slot(str)
    def _on_tab_message(self, text: str) -> None:
        """A tab's message; one from a tab not on screen says which tab it is about."""
        tab = self.sender()
        if isinstance(tab, QWidget) and tab is not self.tab_widget.currentWidget():
            text = f"{getattr(tab, 'title', 'Another')} tab: {text}"
        self._on_tab_status(text)

    # -- settings and close -------------------------------------------------------------------------------
    def _restore_settings(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:  # first start: 1400 x 860, or the whole screen where that is smaller (a 1366 x 768 laptop)
            screen = self.screen().availableGeometry()
            self.resize(min(DEFAULT_SIZE[0], screen.width()), min(DEFAULT_SIZE[1], screen.height()))
        self.lecture = str(self.settings.value("view/lecture", False)).lower() == "true"
        saved = self.settings.value("view/text_zoom", 1.0)  # a string from the settings file
        try:
            zoom = float(saved) if isinstance(saved, (str, int, float)) else 1.0
        except ValueError:
            zoom = 1.0
        self.text_zoom = min(max(zoom, TEXT_ZOOM_RANGE[0]), TEXT_ZOOM_RANGE[1])
        self.lecture_action.setChecked(self.lecture)
        if self.lecture or self.text_zoom != 1.0:
            self._apply_zoom()
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
        """Ask about unsaved changes (Cancel keeps everything), write the last autosave, stop the threads."""
        if self._closed:
            event.accept()
            return
        event.ignore()
        if self._closing:
            return
        if self.document.modified and self.isVisible() and self._ask_on_close:
            answer = QMessageBox.question(
                self, "Save changes?", "This session has changes that are not saved. Save them before quitting?",
                QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save)
            if answer == QMessageBox.StandardButton.Cancel:
                return
            if answer == QMessageBox.StandardButton.Save:
                self._closing = True
                self.save_session(then=lambda ok: self._finish_close() if ok else self._cancel_close())
                return
        self._closing = True
        self._in_close_event = True
        try:
            self._finish_close()  # without an autosave this finishes at once: then accept this event
        finally:
            self._in_close_event = False
        if self._closed:
            event.accept()

    def _cancel_close(self) -> None:
        self._closing = False  # the save failed or was cancelled: stay open, still unsaved

    def quit_on_signal(self) -> None:
        """Ctrl+C in the terminal or SIGTERM: quit without a question. Unsaved work goes into the last
        autosave, which the next start then offers, as after a crash."""
        self._ask_on_close = False
        self.close()

    def _finish_close(self) -> None:
        self.document.quit_cleanly(self._close_now, clean=self._ask_on_close or not self.document.modified)

    def _close_now(self) -> None:
        self._save_settings()
        self.shutdown()
        self._closed = True
        if not self._in_close_event:
            self.close()
