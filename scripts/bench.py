"""gdplay's performance figures, printed as a table: training speed headless and with the window drawing,
frames painted per second, event-loop lateness, memory while streaming snapshots, slider-to-frame latency,
start-up time and resident memory. Figures, not pass/fail tests: a busy machine moves them.

Run with scripts/bench (offscreen by default; set QT_QPA_PLATFORM=xcb under xvfb-run for a real X server).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # bench_network, bench_svm
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# the windows it opens keep their settings and autosave in a folder of the bench's own, not the user's
# (a remembered last tab would also change what start-up measures)
_PRIVATE = __import__("tempfile").mkdtemp(prefix="gdplay-bench-")
os.environ["XDG_CONFIG_HOME"] = os.path.join(_PRIVATE, "config")
os.environ["GDPLAY_DATA_DIR"] = os.path.join(_PRIVATE, "data")


@dataclass
class Row:
    section: str
    figure: str
    value: str
    target: str = ""

    def ok(self) -> str:
        return ""


ROWS: list[Row] = []


def report(section: str, figure: str, value: str, target: str = "") -> None:
    ROWS.append(Row(section, figure, value, target))
    print(f"  {figure:<58} {value:>16}   {target}", flush=True)


def rss_mb(pid: int | str | None = None) -> float:
    with open(f"/proc/{pid or 'self'}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def nedrich():
    d = np.loadtxt(os.path.join(ROOT, "resources", "data", "nedrich_data.csv"), delimiter=",")
    return d[:, 0], d[:, 1]


# -- headless ---------------------------------------------------------------------------------------
def headless_steps_per_second(trainer, seconds: float = 1.5) -> float:
    k, done = 1, 0
    t0 = time.perf_counter()
    while (t := time.perf_counter()) - t0 < seconds:
        s = time.perf_counter()
        done += trainer.step(k)
        if time.perf_counter() - s < 0.001:
            k *= 2
    return done / (t - t0)


def bench_regression_core() -> float:
    from gdplay.core.regression import RegressionParams, RegressionTrainer

    print("Regression core (headless)")
    rates = {}
    rng = np.random.default_rng(0)
    for n in (100, 1_000_000):
        if n == 100:
            x, y = nedrich()
        else:
            x = rng.uniform(20, 70, n)
            y = 1.3 * x + 8 + rng.normal(0, 10, n)
        t = RegressionTrainer(RegressionParams(learning_rate=1e-4, max_steps=10**9))
        t.set_data(x, y)
        rates[n] = headless_steps_per_second(t)
        report("regression", f"line, batch GD, N = {n:,}: steps/s", f"{rates[n]:,.0f}", "> 1,000,000 ceiling")
        reps = 50
        t0 = time.perf_counter()
        for r in range(reps):  # a new range each time, so nothing is cached
            t.surface((0, 1), (-1, 3 + r * 1e-9), (-5, 10), (200, 200))
        ms = (time.perf_counter() - t0) / reps * 1e3
        report("regression", f"cost surface 200x200, N = {n:,}: ms", f"{ms:.2f}", "< 2 ms")
    return rates[100]


# -- in the window ----------------------------------------------------------------------------------
class PaintCounter:
    """Counts paint events on a widget (a plot's viewport) and remembers when the last one happened."""

    def __init__(self, widget) -> None:
        from PySide6.QtCore import QEvent, QObject

        counter = self

        class Filter(QObject):
            def eventFilter(self, obj, event):
                if event.type() == QEvent.Type.Paint:
                    counter.count += 1
                    counter.last = time.perf_counter()
                    for cb in counter.waiters[:]:
                        if cb(counter.last):
                            counter.waiters.remove(cb)
                return False

        self.count = 0
        self.last = 0.0
        self.waiters: list = []
        self.filter = Filter()
        widget.installEventFilter(self.filter)


class Probe:
    """A 10 ms timer on the GUI thread; its lateness is how long the event loop was kept from it."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self.late: list[float] = []
        self._last = None

    def start(self) -> None:
        self.late.clear()
        self._last = time.perf_counter()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.late.append(max(0.0, (now - self._last) * 1e3 - 10.0))
        self._last = now

    def summary(self) -> tuple[float, float]:
        a = np.array(self.late)
        return float(np.percentile(a, 99)), float(a.max())


def spin(app, seconds: float) -> None:
    """Run the event loop for a while, as app.exec() would (processEvents alone can starve timers)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def change_to_paint_ms(app, controller, paints: PaintCounter, change, shown) -> float | None:
    """Milliseconds from ``change()`` to the first paint (counted by ``paints``) after the first snapshot
    for which ``shown(snapshot)`` is true; None if that takes over a second."""
    mark: dict[str, float] = {}

    def on_snap(snap) -> None:
        if "snap" not in mark and shown(snap):
            mark["snap"] = time.perf_counter()

    def painted(t: float) -> bool:
        if "snap" in mark and t >= mark["snap"]:
            mark["paint"] = t
            return True
        return False

    controller.snapshotReady.connect(on_snap)
    paints.waiters.append(painted)
    t0 = time.perf_counter()
    change()
    while "paint" not in mark and time.perf_counter() < t0 + 1.0:
        spin(app, 0.002)
    controller.snapshotReady.disconnect(on_snap)
    if painted in paints.waiters:
        paints.waiters.remove(painted)
    return (mark["paint"] - t0) * 1e3 if "paint" in mark else None


def report_latency(section: str, figure: str, latencies: list[float]) -> None:
    if latencies:
        report(section, f"{figure}, p50 / p95, ms",
               f"{statistics.median(latencies):.1f} / {float(np.percentile(latencies, 95)):.1f}", "p95 <= 33")


def bench_window(headless_rate: float, quick: bool) -> None:
    from PySide6.QtWidgets import QApplication

    from gdplay.core.regression import RegressionParams
    from gdplay.ui.main_window import MainWindow
    from gdplay.ui.plots.style import configure

    app = QApplication.instance() or QApplication([])
    configure()
    window = MainWindow()
    window.resize(1400, 860)
    window.show()
    tab = window.tab("regression")
    window.select_tab("regression")
    spin(app, 0.5)
    print(f"Window ({os.environ['QT_QPA_PLATFORM']} platform)")

    # training at full speed with the window drawing
    tab.set_params(RegressionParams(learning_rate=1e-4, max_steps=10**9))
    tab.controller.set_rate(None)
    data_paints = PaintCounter(tab.data_view.widget.viewport())
    surface_paints = PaintCounter(tab.surface_view.widget.viewport())
    probe = Probe()
    tab.controller.play()
    spin(app, 0.5)
    seconds = 2.0 if quick else 4.0
    s0, f0, g0 = tab.snapshot.step, data_paints.count, surface_paints.count
    probe.start()
    t0 = time.perf_counter()
    windows = []  # frames in each quarter second: the worst one says whether it ever fell under 30
    for _ in range(int(seconds / 0.25)):
        c0 = min(data_paints.count, surface_paints.count)
        spin(app, 0.25)
        windows.append((min(data_paints.count, surface_paints.count) - c0) / 0.25)
    dt = time.perf_counter() - t0
    probe.stop()
    rate = (tab.snapshot.step - s0) / dt
    fps = min(data_paints.count - f0, surface_paints.count - g0) / dt
    p99, worst = probe.summary()
    report("window", "frames painted per second while training (each plot)", f"{fps:.1f}", "60")
    report("window", "  ... in the worst quarter second", f"{min(windows):.0f}", ">= 30")
    report("window", "training steps/s with the window drawing", f"{rate:,.0f}")
    report("window", "  ... as a share of headless", f"{rate / headless_rate:.0%}", ">= 80 %")
    report("window", "event-loop probe (10 ms timer) lateness p99 / max, ms", f"{p99:.1f} / {worst:.1f}",
           "p99 <= 25, max <= 50")

    # learning-rate change -> first painted frame that shows it
    latencies = []
    for i in range(20 if quick else 50):
        lr = 1e-4 if i % 2 else 1.1e-4
        ms = change_to_paint_ms(app, tab.controller, data_paints, lambda lr=lr: tab.learning_rate.setValue(lr),
                                lambda snap, lr=lr: snap.learning_rate == lr)
        if ms is not None:
            latencies.append(ms)
        spin(app, 0.03)
    report_latency("window", "learning-rate change to painted frame", latencies)

    # a dragged point -> the first painted frame that shows the re-fit
    from gdplay.core.points import Move

    latencies = []
    editor = tab.editor
    for k in range(20 if quick else 50):
        x0, y0 = editor.points.xy[k]
        target = editor.points.version + 1
        ms = change_to_paint_ms(app, tab.controller, data_paints,
                                lambda k=k, x0=x0, y0=y0: editor.push(Move(k, (x0 + 1.0, y0 + 5.0))),
                                lambda snap, target=target: snap.data_version >= target)
        if ms is not None:
            latencies.append(ms)
    report_latency("window", "dragged point to painted re-fit", latencies)

    # many points on the data plot while training
    rng = np.random.default_rng(0)
    for n in (10_000, 100_000):
        x = rng.uniform(20, 70, n)
        tab.load_points(x, 1.3 * x + 8 + rng.normal(0, 10, n))
        tab.controller.set_rate(None)
        tab.controller.play()
        spin(app, 1.0)
        c0 = data_paints.count
        t0 = time.perf_counter()
        spin(app, 2.0)
        fps = (data_paints.count - c0) / (time.perf_counter() - t0)
        report("window", f"data plot frames per second with {n:,} points", f"{fps:.1f}",
               ">= 60" if n == 10_000 else ">= 20")
    tab.apply_preset("seed", play=False)
    tab.set_params(RegressionParams(learning_rate=1e-4, max_steps=10**9))
    tab.controller.set_rate(None)
    tab.controller.play()
    spin(app, 0.5)

    # memory while streaming snapshots: at full speed the process sends ~65 a second; a fresh trainer
    # at slow motion (one step per snapshot) streams faster, and every one crosses the pipe and the relay
    worker = tab.controller._worker
    tab.controller.set_rate(5000.0)
    spin(app, 1.0)
    start_n = worker.snapshots_received
    base, child_base = rss_mb(), rss_mb(worker.pid)
    t0 = time.perf_counter()
    while worker.snapshots_received - start_n < 10_000 and time.perf_counter() - t0 < 120:
        spin(app, 0.2)
    n = worker.snapshots_received - start_n
    report("window", f"memory growth over {n:,} snapshots (GUI / training process), MB",
           f"{rss_mb() - base:.1f} / {rss_mb(worker.pid) - child_base:.1f}", "<= 10")
    # every tab training at full speed at once
    probe = Probe()
    for t in window.tabs:
        if t.controller is not None:
            t.controller.set_rate(None)
            t.controller.play()
    spin(app, 1.0)
    probe.start()
    spin(app, 2.0 if quick else 4.0)
    probe.stop()
    p99, worst = probe.summary()
    report("window", "event-loop probe with every tab training, p99 / max, ms", f"{p99:.1f} / {worst:.1f}",
           "p99 <= 25, max <= 50")
    window.close()


def bench_startup(runs: int) -> None:
    print("Start-up (subprocess)")
    window, content, rss = [], [], []
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    for _ in range(runs):
        t0 = time.time()
        p = subprocess.run([sys.executable, "-m", "gdplay", "--bench-startup"], capture_output=True, text=True,
                           env=env, timeout=60)
        for line in p.stdout.splitlines():
            kind, value = line.split()
            if kind == "first_paint":
                window.append(float(value) - t0)
            elif kind == "content_paint":
                content.append(float(value) - t0)
            elif kind == "rss_kb":
                rss.append(int(value) / 1024)
    if window:
        report("startup", "process start to first painted window, s (median)", f"{statistics.median(window):.2f}",
               "<= 0.8")
    if content:
        report("startup", "  ... to the first tab's plots painted, s (median)", f"{statistics.median(content):.2f}")
    if rss:
        report("startup", "resident memory with all tabs built, MB", f"{max(rss):.0f}", "<= 160")
    if not window:
        report("startup", "process start to first painted window", "no paint seen", "")


FIRST_FRAMES = """
import sys, time
from PySide6.QtWidgets import QApplication
from gdplay.bridge import processes
processes.warm_up(3)  # as the app does: one per tab under spawn, nothing under forkserver
app = QApplication([])
from gdplay.ui.main_window import MainWindow
from gdplay.ui.plots.style import configure
configure()
w = MainWindow()
w.show()
for key in ("regression", "network", "svm"):
    t = time.perf_counter()
    tab = w.tab(key)
    built = time.perf_counter()
    while tab.controller.latest is None and time.perf_counter() - t < 20:
        app.processEvents()
        time.sleep(0.0005)
    print(key, (built - t) * 1000, (time.perf_counter() - built) * 1000, flush=True)
w.close()
"""


def bench_first_frames(runs: int) -> None:
    """Each tab built to its first snapshot, under each start method (spawn is how Windows starts them)."""
    print("First frame per tab, by start method (subprocess)")
    for method in ("forkserver", "spawn"):
        times: dict[str, list[tuple[float, float]]] = {}
        env = dict(os.environ, GDPLAY_START_METHOD=method)
        for _ in range(runs):
            p = subprocess.run([sys.executable, "-c", FIRST_FRAMES], capture_output=True, text=True, env=env,
                               timeout=120)
            for line in p.stdout.splitlines():
                key, build, first = line.split()
                times.setdefault(key, []).append((float(build), float(first)))
        for key, pairs in times.items():
            build, first = (statistics.median(v) for v in zip(*pairs))
            report("startup", f"{method}: {key} tab built / then first snapshot, ms", f"{build:.0f} / {first:.0f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs")
    parser.add_argument("--only", choices=("core", "window", "network", "svm", "surfaces", "startup"),
                        help="one section")
    args = parser.parse_args()
    from gdplay.app import quiet_offscreen_notices

    quiet_offscreen_notices()
    print(f"gdplay bench on {os.cpu_count()} cores, Python {sys.version.split()[0]}\n")
    print(f"  {'figure':<58} {'measured':>16}   target")
    headless = None
    if args.only in (None, "core", "window"):
        headless = bench_regression_core()
    if args.only in (None, "window"):
        bench_window(headless, args.quick)
    for name in ("network", "svm", "surfaces"):
        if args.only in (None, name):
            try:
                module = __import__(f"bench_{name}")
            except ImportError:
                continue
            print()
            module.bench(report, args.quick)
    if args.only in (None, "startup"):
        bench_startup(3 if args.quick else 5)
        bench_first_frames(3 if args.quick else 5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
