"""Start-up: command-line options, the QApplication, the main window; and the headless sub-commands."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
import threading
import time
from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

from gdplay.tabs import FIT_MODELS, TAB_KEYS

if TYPE_CHECKING:
    from PySide6.QtCore import QCoreApplication, QMessageLogContext, QtMsgType

    from gdplay.ui.main_window import MainWindow


def _fit_main(argv: Sequence[str]) -> int:
    """``gdplay fit MODEL ...``: train headless with the same core the window uses."""
    parser = argparse.ArgumentParser(prog="gdplay fit", description="Train a model without the window.")
    sub = parser.add_subparsers(dest="fit_model", required=True, metavar="{" + ",".join(FIT_MODELS) + "}")
    modules = {}
    for name in FIT_MODELS:
        try:
            module = importlib.import_module(f"gdplay.commands.fit_{name}")
        except ImportError:
            continue
        modules[name] = module
        module.add_arguments(sub.add_parser(name, help=f"fit the {name} model"))
    args = parser.parse_args(_negative_values_attached(argv))
    return int(modules[args.fit_model].run(args))


def _negative_values_attached(argv: Sequence[str]) -> list[str]:
    """``--init -1,0`` as ``--init=-1,0``: argparse takes a value that starts with a minus sign (and is not
    a plain number) for an option and says the option has no argument."""
    out: list[str] = []
    for token in argv:
        if out and out[-1].startswith("--") and "=" not in out[-1] and len(token) > 1 and token[0] == "-" \
                and (token[1].isdigit() or token[1] == "."):
            out[-1] = f"{out[-1]}={token}"
        else:
            out.append(token)
    return out


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"must look like 1400x860; got {text!r}") from None
    if not (200 <= w <= 8000 and 200 <= h <= 8000):
        raise argparse.ArgumentTypeError(f"each side must be 200 to 8000 pixels; got {text!r}")
    return w, h


def preset_keys() -> dict[str, tuple[str, ...]]:
    """Every tab's experiments by the keys --preset takes (from the Qt-free preset modules)."""
    from gdplay import tabs

    return {key: tabs.preset_keys(key) for key in TAB_KEYS}


def _preset_list(keys: dict[str, tuple[str, ...]]) -> str:
    return "; ".join(f"{tab}: {', '.join(k)}" for tab, k in keys.items())


def _parse(argv: Sequence[str]) -> argparse.Namespace:
    from gdplay import __version__

    asked_for_help = any(a in ("-h", "--help") for a in argv)
    parser = argparse.ArgumentParser(
        prog="gdplay", description="Watch gradient descent work, and tune it live.",
        epilog="Headless training: gdplay fit {" + ",".join(FIT_MODELS) + "} --help")
    parser.add_argument("--version", action="version", version=f"gdplay {__version__}")
    parser.add_argument("file", nargs="?", metavar="FILE",
                        help="a session (*.gdplay.json) to open, or a CSV of points to import into the tab")
    parser.add_argument("--screenshot", metavar="OUT.png", help="render a tab to a PNG without a window, then exit")
    parser.add_argument("--tab", choices=TAB_KEYS, help="the tab to show")
    parser.add_argument("--steps", type=int, default=None, metavar="N",
                        help="with --screenshot: training steps to take first (default: the whole run)")
    presets = f" ({_preset_list(preset_keys())})" if asked_for_help else ""
    parser.add_argument("--preset", metavar="KEY", help="with --screenshot: load this experiment first (without "
                        f"--tab, in the tab that has it){presets}")
    parser.add_argument("--size", default="1400x860", type=_size, metavar="WxH", help="with --screenshot: window size")
    parser.add_argument("--lecture", action="store_true",
                        help="lecture mode: full screen, text, lines and plots 1.6 times larger (F11 in the "
                             "window); with --screenshot, the picture is drawn in lecture mode at --size")
    parser.add_argument("--self-test", type=int, default=None, metavar="MS", help=argparse.SUPPRESS)
    parser.add_argument("--bench-startup", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(list(argv))
    if args.preset:
        keys = preset_keys()
        tabs = [args.tab] if args.tab else [t for t in keys if args.preset in keys[t]][:1] or list(keys)
        if args.preset not in keys[tabs[0]]:
            where = f"the {args.tab} tab" if args.tab else "any tab"
            parser.error(f"--preset {args.preset!r} is not an experiment of {where}; the keys are "
                         f"{_preset_list({t: keys[t] for t in tabs})}")
        args.tab = tabs[0]
    return args


def quiet_offscreen_notices() -> None:
    """The offscreen platform (--screenshot, scripts/bench) says "This plugin does not support
    propagateSizeHints()" and the like for every window: not news to anyone reading the output. Other Qt
    messages still print."""
    from PySide6.QtCore import qInstallMessageHandler

    def handler(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
        if not message.startswith("This plugin does not support"):
            print(message, file=sys.stderr)

    qInstallMessageHandler(handler)


def _excepthook(exc_type: type[BaseException], exc: BaseException | None, tb: TracebackType | None) -> None:
    """An error in a slot (or a background thread) must not vanish: print it and say it in the window, from
    the GUI thread, and keep running."""
    import traceback

    traceback.print_exception(exc_type, exc, tb)
    from gdplay.ui import gui_thread

    text = f"Internal error: {exc_type.__name__}: {exc}. Your data is kept."
    gui_thread.call_soon(lambda: _show_internal_error(text))


def _thread_excepthook(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is not SystemExit:
        _excepthook(args.exc_type, args.exc_value, args.exc_traceback)


def _show_internal_error(text: str) -> None:
    from PySide6.QtWidgets import QApplication

    from gdplay.ui import gui_thread

    gui_thread.check("the internal-error message")
    for w in QApplication.topLevelWidgets():
        if hasattr(w, "statusBar"):
            w.statusBar().showMessage(text, 15000)


class _UncachedSources(dict):
    """A ``linecache.cache`` that keeps nothing. shiboken's import hook reads the source of every module
    imported after PySide6 (``inspect.getsource``, to see whether it uses PySide's feature switches), and
    linecache would keep all of it: ~15 MB of pyqtgraph and numpy text for the life of the app. Without the
    cache a traceback reads the few lines it shows from disk again."""

    def __setitem__(self, key: Any, value: Any) -> None:
        pass


def main(argv: Sequence[str] | None = None) -> int:
    import multiprocessing

    multiprocessing.freeze_support()  # a frozen Windows build runs training processes through this entry
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["fit"]:
        return _fit_main(argv[1:])
    import linecache

    cache, linecache.cache = linecache.cache, _UncachedSources()
    try:
        return _gui_main(argv)
    finally:
        linecache.cache = cache


def _gui_main(argv: list[str]) -> int:
    args = _parse(argv)
    from gdplay.bridge import start_method

    try:
        start_method.choose()
    except start_method.StartMethodError as exc:
        print(f"gdplay: error: {exc}", file=sys.stderr)
        return 2
    if args.screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0]])
    if QApplication.platformName() == "offscreen":
        quiet_offscreen_notices()
    app.setApplicationName("gdplay")
    app.setOrganizationName("gdplay")
    sys.excepthook = _excepthook
    threading.excepthook = _thread_excepthook

    from PySide6.QtCore import QTimer

    from gdplay.bridge import processes
    from gdplay.ui.main_window import MainWindow

    processes.warm_up(len(TAB_KEYS))  # under spawn (Windows): each tab's process imports numpy while Qt starts

    window = MainWindow()
    try:
        if args.screenshot:  # as asked, whatever the window remembers
            window.set_text_zoom(1.0, remember=False)
            window.set_lecture_mode(args.lecture, full_screen=False, remember=False)
        elif args.lecture:
            window.set_lecture_mode(True, full_screen=False)  # shown full screen below
        if args.tab:
            window.select_tab(args.tab)
        if args.file and args.screenshot:
            error = _open_file(window, args.file)
            if error:
                print(f"gdplay: error: {error}", file=sys.stderr)
                return 2
        if args.screenshot:
            window.current_tab()
            return _screenshot(app, window, args)
        if args.bench_startup:
            _report_first_paint(app, window)
        else:
            _start_autosave(window, offer_recovery=args.self_test is None and not args.file)
        _quit_on_signals(window)
        window.build_tabs_after_first_paint()
        window.show_as_remembered()
        if args.file:
            def open_file() -> None:
                if window.open_path(args.file):
                    window.document.start_watching()

            QTimer.singleShot(0, open_file)
        if args.self_test is not None:
            _self_test(window, args.self_test)
        return app.exec()
    finally:
        window.shutdown()  # whatever happened, no thread outlives the window
        processes.discard_spares()  # nor a spare training process nobody took (spawn)


def _quit_on_signals(window: MainWindow) -> None:
    """Ctrl+C in the terminal (SIGINT) and SIGTERM quit like File > Quit, without the question, with a last
    autosave. Python runs a signal handler only when it next runs Python code, which an idle Qt event loop
    never does: the C-level handler writes to a socket (``set_wakeup_fd``), and a notifier on it wakes the loop."""
    import signal
    import socket

    from PySide6.QtCore import QSocketNotifier

    try:
        receive, send = socket.socketpair()
    except OSError:
        return
    receive.setblocking(False)
    send.setblocking(False)
    try:
        signal.set_wakeup_fd(send.fileno())
    except (ValueError, OSError):  # not the main thread, or a platform without it
        receive.close()
        send.close()
        return
    for name in ("SIGINT", "SIGTERM", "SIGBREAK"):  # SIGBREAK: Ctrl+Break in a Windows console
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), lambda *_: None)  # the notifier does the work

    def on_signal() -> None:
        with contextlib.suppress(OSError):
            receive.recv(64)
        window.quit_on_signal()

    notifier = QSocketNotifier(receive.fileno(), QSocketNotifier.Type.Read, window)
    notifier.activated.connect(on_signal)
    window.kept.append((notifier, receive, send))  # the sockets closed with the window, not before


def _open_file(window: MainWindow, path: str) -> str:
    """For --screenshot: open a session or import a CSV; the error message, or ""."""
    from gdplay.core.trainer import ValidationError

    if path.lower().endswith(".csv"):
        try:
            window.current_tab().import_points_csv(path)
        except ValidationError as exc:
            return f"{path}: {exc}"
        return ""
    return window.document.open(path, remember=False)


def _start_autosave(window: MainWindow, offer_recovery: bool) -> None:
    """Take the autosave (unless another instance has it); after a crash, offer what it left."""
    from PySide6.QtCore import QTimer

    from gdplay.ui.document import data_dir

    doc = window.document
    try:
        folder = data_dir()
    except OSError as exc:
        window.statusBar().showMessage(f"No autosave: the app-data folder cannot be made ({exc}).", 15000)
        return
    if not doc.start_autosave(folder):
        QTimer.singleShot(0, doc.start_watching)
        return
    if offer_recovery and doc.recovery_available():
        QTimer.singleShot(0, lambda: _offer_recovery(window))
    else:
        doc.mark_running()
        QTimer.singleShot(0, doc.start_watching)


def _offer_recovery(window: MainWindow) -> None:
    from PySide6.QtWidgets import QMessageBox

    doc = window.document
    path = doc.autosave_path()
    if path is None:  # offered only when there is an autosave
        return
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(path.stat().st_mtime))
    box = QMessageBox(QMessageBox.Icon.Question, "Restore your work?",
                      f"gdplay did not quit cleanly last time. Restore the work autosaved at {when} "
                      "(points, settings and training)?", parent=window)
    restore = box.addButton("Restore", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
    box.exec()
    if box.clickedButton() is not restore and QMessageBox.question(
            window, "Discard the autosaved work?", "The autosaved points and settings will be lost for good. "
            "Discard them?", QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel) == QMessageBox.StandardButton.Discard:
        doc.discard_autosave()
    else:
        error = doc.open(str(path), remember=False)
        if error:
            window.statusBar().showMessage(f"The autosave could not be restored: {error}", 15000)
        else:
            window.statusBar().showMessage("Your work is restored; save it to keep it (File > Save session).", 15000)
    doc.mark_running()
    doc.start_watching()


def _report_first_paint(app: QCoreApplication, window: MainWindow) -> None:
    """For scripts/bench: print the wall-clock times of the first painted window and of the first painted
    tab content, then the resident memory once every tab is built, and quit."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QWidget

    def rss_kb() -> int:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024

    class Watch(QObject):
        window_painted = False
        content_painted = False

        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                if not self.window_painted:
                    self.window_painted = True
                    print(f"first_paint {time.time():.6f}", flush=True)
                elif not self.content_painted and isinstance(obj, QWidget) and (
                        tab := window.built_tabs().get(window.current_key())) is not None and tab.isAncestorOf(obj):
                    self.content_painted = True
                    print(f"content_paint {time.time():.6f}", flush=True)
                    QTimer.singleShot(0, finish)
            return False

    def finish() -> None:
        window.tabs  # noqa: B018 - builds every tab
        QApplication = type(app)
        QApplication.processEvents()
        print(f"rss_kb {rss_kb()}", flush=True)
        QTimer.singleShot(0, window.close)

    watch = Watch(window)  # the window's child: it lives as long as the window
    app.installEventFilter(watch)


def _self_test(window: MainWindow, ms: int) -> None:
    """Play every tab, visit each, then close: used by the start/quit test in a subprocess."""
    from PySide6.QtCore import QTimer

    for tab in window.tabs:
        if tab.controller is not None:
            tab.controller.set_rate(None)
            tab.controller.play()
    n = len(window.tabs)
    for i in range(n):
        QTimer.singleShot(int(ms * (i + 1) / (n + 1)), lambda i=i: window.tab_widget.setCurrentIndex(i))
    QTimer.singleShot(ms, window.close)


def _screenshot(app: QCoreApplication, window: MainWindow, args: argparse.Namespace) -> int:
    from PySide6.QtWidgets import QApplication

    window.resize(*args.size)
    window.show()
    tab = window.current_tab()
    if args.preset:
        try:
            tab.apply_preset(args.preset, play=False)
        except (KeyError, AttributeError):
            print(f"gdplay: error: the {tab.title} tab has no experiment {args.preset!r}", file=sys.stderr)
            window.close()
            return 2
        QApplication.processEvents()
    c = tab.controller
    if getattr(tab, "worked_mode", False):  # the Neural network tab's worked example steps by hand
        for _ in range(args.steps or 0):
            tab.step_once()
        c = None
    if c is not None:
        deadline = time.monotonic() + 30

        def settle(seconds: float) -> None:
            until = time.monotonic() + seconds
            while time.monotonic() < until:
                QApplication.processEvents()
                time.sleep(0.01)

        while tab.restore_pending and time.monotonic() < deadline:  # a session's trained state
            settle(0.01)
        settle(0.2)
        base = c.latest.step if c.latest is not None else 0
        if args.steps is None:
            c.set_rate(None)
            c.play()
        elif args.steps > 0:
            c.step(args.steps)
        while time.monotonic() < deadline and c.error is None:
            QApplication.processEvents()
            snap = c.latest
            if snap is not None and not c.running and (
                    snap.status.finished or (args.steps is not None and snap.step >= base + args.steps)):
                break
            time.sleep(0.01)
        # the views fit their ranges to the result and then ask for pictures of the new range (a cost
        # surface, a decision map), 120 ms debounced: wait until no new frame has come for 0.4 s
        quiet_until = time.monotonic() + 0.4
        shown = c.latest
        while time.monotonic() < min(quiet_until, deadline):
            settle(0.02)
            if c.latest is not shown:
                shown, quiet_until = c.latest, time.monotonic() + 0.4
    ok = window.grab().save(args.screenshot)
    error = c.error if c is not None else None
    window.close()
    if not ok:
        print(f"gdplay: error: could not write {args.screenshot}", file=sys.stderr)
        return 1
    if error:
        print(f"gdplay: error: training failed, the picture shows the tab without it: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
