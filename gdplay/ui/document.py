"""The open session as a document: save and open (``*.gdplay.json``), the unsaved-changes mark, recent
files, and the autosave with crash recovery.

Saving asks each tab's trainer process for its trained state (``export_state``) and writes when all
have answered, so the GUI never waits on a trainer. Opening checks the whole file first (every tab's
params, points, settings, and trained state restored into a scratch trainer) and only then changes the
tabs: all or nothing."""

from __future__ import annotations

import contextlib
import functools
import os
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, QSettings, QStandardPaths, QTimer, Signal, Slot

from gdplay.bridge import CallFailed
from gdplay.core import session as S
from gdplay.core.trainer import export_state

RECENT_KEY = "session/recent"
MAX_RECENT = 10
AUTOSAVE_MS = 30_000
EXPORT_TIMEOUT_MS = 5000  # a trainer deep in one long step: save without its trained state after this
QUIT_TIMEOUT_MS = 1000  # ... and on quit, which must end within 2 s
AUTOSAVE_NAME = "autosave" + S.SUFFIX
CLEAN_NAME = "autosave.clean"  # present while no instance runs, i.e. the last one quit cleanly
OWNER_ONLY = 0o600  # the autosave's permissions (where the OS has them): the user's work, readable by them only


def data_dir() -> Path:
    """The user's app-data folder (GDPLAY_DATA_DIR overrides it, for tests and portable use)."""
    folder = os.environ.get("GDPLAY_DATA_DIR") or QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.AppDataLocation)
    path = Path(folder)
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True, mode=0o700)  # the autosave holds the user's work: theirs only
    return path


class Document(QObject):
    """``modifiedChanged(bool)`` when the unsaved mark flips; ``saved(path, error)`` after each save
    (error "" on success); ``message(text)`` for the status bar."""

    modifiedChanged = Signal(bool)
    saved = Signal(str, str)
    message = Signal(str)

    def __init__(self, window, settings: QSettings) -> None:
        super().__init__(window)
        self.window = window
        self.settings = settings
        self.path: str | None = None
        self._clean_print: object = None
        self.modified = False
        self._pending: dict[str, dict | None] = {}
        self._lost: list[str] = []  # tabs whose trained run could not be asked for (no training process)
        self._collecting = 0  # which collection of trained runs the answers on their way belong to
        self._waiting: list[tuple[str, Callable[[str], None] | None]] = []
        self._export_timer = QTimer(self)
        self._export_timer.setSingleShot(True)
        self._export_timer.timeout.connect(self._on_export_timeout)
        self._watch = QTimer(self)
        self._watch.setInterval(500)
        self._watch.timeout.connect(self._check_modified)
        self.lock: QLockFile | None = None
        self.autosave_dir: Path | None = None
        self._autosave_timer = QTimer(self)
        self._autosave_timer.setInterval(AUTOSAVE_MS)
        self._autosave_timer.timeout.connect(self.autosave)
        self._autosaved_print: object = None

    # -- the unsaved mark ---------------------------------------------------------------------------------
    def fingerprint(self) -> tuple:
        """What the user made, compared to tell whether it changed (not the training progress, which
        Play re-creates, nor the zoom)."""
        return tuple((key, tab.session_fingerprint()) for key, tab in self.window.built_tabs().items())

    def start_watching(self) -> None:
        """Everything now on screen is the saved (or new) state; changes from here on mark it unsaved."""
        self._clean_print = self.fingerprint()
        self._set_modified(False)
        self._watch.start()

    @Slot()
    def _check_modified(self) -> None:
        now = dict(self.fingerprint())
        clean = dict(self._clean_print) if isinstance(self._clean_print, tuple) else {}
        for key, value in now.items():
            clean.setdefault(key, value)  # a tab built since (tabs load lazily) starts out unchanged
        self._clean_print = tuple(clean.items())
        self._set_modified(any(clean[k] != v for k, v in now.items()))

    def _set_modified(self, modified: bool) -> None:
        if modified != self.modified:
            self.modified = modified
            self.modifiedChanged.emit(modified)

    # -- saving -------------------------------------------------------------------------------------------------
    def save(self, path: str, done: Callable[[str], None] | None = None, remember: bool = True,
             timeout_ms: int = EXPORT_TIMEOUT_MS, mode: int | None = None) -> None:
        """Collect every tab's trained state, then write ``path`` atomically (with permissions ``mode``, by
        default the replaced file's); ``done(error)`` after."""
        self._waiting.append((path, done, remember, mode))
        if len(self._waiting) > 1:
            self._export_timer.start(min(timeout_ms, self._export_timer.remainingTime()))
            return  # the states being collected serve this save too
        tabs = self.window.tabs_by_key()
        self._pending = {}
        self._lost = []
        self._collecting += 1
        for key, tab in tabs.items():
            tab.controller.request(export_state, on_reply=functools.partial(self._on_reply, self._collecting, key))
        self._export_timer.start(timeout_ms)

    def _on_reply(self, collecting: int, key: str, result: object) -> None:
        if collecting != self._collecting or not self._waiting:  # an answer after its save timed out
            return
        if isinstance(result, CallFailed):  # its training process is gone: the points and settings still save
            self._lost.append(self.window.tabs_by_key()[key].title)
            result = None
        self._pending[key] = result
        if len(self._pending) == len(self.window.tabs_by_key()):
            self._export_timer.stop()
            self._write()

    @Slot()
    def _on_export_timeout(self) -> None:
        self._write()  # a trainer busy in one long step: save without its trained state

    def _write(self) -> None:
        tabs = self.window.tabs_by_key()
        self._collecting += 1  # answers still on their way belong to no save
        state = S.Session({k: t.session_state(self._pending.get(k)) for k, t in tabs.items()},
                          self.window.current_key())
        waiting, self._waiting = self._waiting, []
        for path, done, remember, mode in waiting:
            error = ""
            try:
                S.save(path, state, mode)
            except S.SessionError as exc:
                error = str(exc)
            if remember:
                if not error:
                    self.path = path
                    self._clean_print = self.fingerprint()
                    self._set_modified(False)
                    self.add_recent(path)
                self.saved.emit(path, error)
            if done is not None:
                done(error)
        if self._lost:
            self.message.emit(f"Saved the points and settings of every tab, but not the trained run of the "
                              f"{' and '.join(self._lost)} tab: its training process had stopped.")
            self._lost = []

    # -- opening ------------------------------------------------------------------------------------------------
    def check(self, path: str) -> S.Session:
        """The file read and checked whole; raises SessionError with the message to show."""
        tabs = self.window.tabs_by_key()
        return S.load(path, {k: tab.check_session for k, tab in tabs.items()})

    def open(self, path: str, remember: bool = True) -> str:
        """Open ``path``; returns "" or the error message (then nothing changed)."""
        try:
            session = self.check(path)
        except S.SessionError as exc:
            if remember:
                self.prune_recent()
            return str(exc)
        error = self.show(session, f"Open {os.path.basename(path)}")
        if error:
            return error
        if remember:
            self.path = path
            self.add_recent(path)
        self.start_watching()
        return ""

    def show(self, session: S.Session, description: str) -> str:
        """Put a checked session on screen; "" or, should a tab still fail (the check let through what it
        cannot show: a bug), the sentence to show after every tab changed so far was put back as it was
        (points, params, settings; its training starts again), the document's file and mark untouched."""
        tabs = self.window.tabs_by_key()
        before = {key: tabs[key].session_state() for key in session.tabs}
        was_modified = self.modified
        changed: list[str] = []
        try:
            for key, state in session.tabs.items():
                changed.append(key)
                tabs[key].apply_session(state, description)
        except Exception as exc:  # whatever it was, the user's work must not stay half replaced
            for key in changed:
                with contextlib.suppress(Exception):
                    tabs[key].apply_session(before[key], "Put back after a failed open")
            if not was_modified:
                self._clean_print = self.fingerprint()  # as it was: what is on screen is still the file
            return (f"The session could not be shown ({type(exc).__name__}: {exc}); every tab is as it was "
                    "(its training starts again).")
        self.window.select_tab(session.active_tab)
        return ""

    # -- recent files -----------------------------------------------------------------------------------------
    def recent(self) -> list[str]:
        value = self.settings.value(RECENT_KEY, [])
        items = [value] if isinstance(value, str) else list(value) if isinstance(value, (list, tuple)) else []
        return [p for p in items if isinstance(p, str)]

    def add_recent(self, path: str) -> None:
        path = os.path.abspath(path)
        items = [path] + [p for p in self.recent() if p != path]
        self.settings.setValue(RECENT_KEY, items[:MAX_RECENT])

    def prune_recent(self) -> list[str]:
        items = [p for p in self.recent() if os.path.exists(p)]
        self.settings.setValue(RECENT_KEY, items)
        return items

    # -- autosave and recovery ----------------------------------------------------------------------------------
    def start_autosave(self, folder: Path) -> bool:
        """Own ``folder``'s autosave, unless another running instance does (then there is none)."""
        lock = QLockFile(str(folder / "autosave.lock"))
        lock.setStaleLockTime(0)  # stale only when its process is gone
        if not lock.tryLock(100):
            self.message.emit("Another gdplay is running and keeps the autosave; this window has none.")
            return False
        self.lock, self.autosave_dir = lock, folder
        self._autosave_timer.start()
        return True

    def autosave_path(self) -> Path | None:
        return None if self.autosave_dir is None else self.autosave_dir / AUTOSAVE_NAME

    def recovery_available(self) -> bool:
        """The last instance did not quit cleanly and left an autosave."""
        path = self.autosave_path()
        return path is not None and path.exists() and not (path.parent / CLEAN_NAME).exists()

    def mark_running(self) -> None:
        """From now until a clean quit, an autosave left behind is a crash's."""
        if self.autosave_dir is not None:
            (self.autosave_dir / CLEAN_NAME).unlink(missing_ok=True)

    @Slot()
    def autosave(self, then: Callable[[str], None] | None = None, timeout_ms: int = EXPORT_TIMEOUT_MS) -> None:
        path = self.autosave_path()
        if path is None:
            return
        mark = (self.fingerprint(), tuple(t.controller.latest.step if t.controller.latest else -1
                                          for t in self.window.built_tabs().values()))
        if mark == self._autosaved_print and path.exists() and then is None:
            return
        self._autosaved_print = mark
        self.save(str(path), then, remember=False, timeout_ms=timeout_ms, mode=OWNER_ONLY)

    def quit_cleanly(self, then: Callable[[], None], clean: bool = True) -> None:
        """The last autosave, then the clean mark (unless ``clean`` is False: the next start offers the
        autosave); ``then()`` either way (a full disk must not stop a quit)."""
        folder, lock = self.autosave_dir, self.lock
        if folder is None or lock is None:  # no autosave (another instance owns it): nothing to write
            then()
            return
        self._autosave_timer.stop()

        def finished(error: str) -> None:
            if clean:
                with contextlib.suppress(OSError):  # a full disk must not keep the window open
                    (folder / CLEAN_NAME).write_text(time.strftime("%Y-%m-%d %H:%M:%S\n"))
            lock.unlock()
            then()

        self.autosave(then=finished, timeout_ms=QUIT_TIMEOUT_MS)
        self.autosave_dir = self.lock = None  # once: a second close does not save again

    def discard_autosave(self) -> None:
        path = self.autosave_path()
        if path is not None:
            path.unlink(missing_ok=True)
