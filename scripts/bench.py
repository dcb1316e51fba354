"""gdplay's performance figures, printed as a table: training speed headless and with the window drawing,
frames painted per second, event-loop lateness, memory while streaming snapshots, slider-to-frame latency,
start-up time and resident memory. Figures, not pass/fail tests: a busy machine moves them.

Run with scripts/bench (offscreen by default; set QT_QPA_PLATFORM=xcb under xvfb-run for a real X server).
"""

from __future__ import annotations

import argparse
import math
import os
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass

# the training processes run numpy with one BLAS thread (gdplay.bridge.start_method); measure the headless
# speeds the same way, so that "with the window as a share of headless" compares like with like
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if __name__ == "__main__":
    # the section modules import this file as "bench": let them share this run's figures, not a second copy
    sys.modules.setdefault("bench", sys.modules[__name__])
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # bench_network, bench_svm
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# the windows it opens keep their settings and autosave in a folder of the bench's own, not the user's
# (a remembered last tab would also change what start-up measures)
_PRIVATE = __import__("tempfile").mkdtemp(prefix="gdplay-bench-")
os.environ["XDG_CONFIG_HOME"] = os.path.join(_PRIVATE, "config")
os.environ["GDPLAY_DATA_DIR"] = os.path.join(_PRIVATE, "data")


@dataclass
class Figure:
    """One measured figure. ``name`` is stable across runs (what --json keys on); ``target`` is a comparison
    such as ">= 30" (then ``met`` says whether it held) or a note (then ``met`` is None)."""

    section: str
    name: str
    value: float | None
    unit: str = ""
    target: str = ""
    met: bool | None = None


FIGURES: list[Figure] = []
BUSY = {"on": False}  # while True, figures go to "<section> busy" (scripts/bench --busy)
_TARGET = re.compile(r"^\s*(>=|<=|<|>)\s*([-+0-9.,eE]+)")


def training_target(target: str) -> str:
    """A training speed's target, on a machine of its own only: on a busy one training gives way (the rule
    there: drawing and training give way, input does not)."""
    return "" if BUSY["on"] else target


def limited_rate(count: int, seconds: float) -> float:
    """The rate of something limited to one per interval (a throttled redraw), from ``count`` of them in a
    window of ``seconds``: the intervals between them, count − 1 (count / seconds would read 10.2 a second
    for a redraw every 100 ms caught at both ends of a 5 s window)."""
    return max(count - 1, 0) / seconds


def _met(value: float | None, target: str) -> bool | None:
    m = _TARGET.match(target or "")
    if m is None or value is None or not math.isfinite(value):
        return None if m is None else False
    op, bound = m.group(1), float(m.group(2).replace(",", ""))
    return {">=": value >= bound, "<=": value <= bound, "<": value < bound, ">": value > bound}[op]


def _fmt(value: float | None, unit: str) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    a = abs(value)
    text = f"{value:,.0f}" if a >= 100 else f"{value:.1f}" if a >= 10 else f"{value:.2f}"
    return f"{text} {unit}".rstrip() if unit not in ("", "x") else text + unit


def report(section: str, label: str, value: float | None, unit: str = "", target: str = "",
           name: str | None = None, text: str | None = None) -> Figure:
    """Record and print one figure. ``label`` is what the table shows (it may start with "..." to continue
    the line above: then give ``name``, the stable key); ``text`` replaces the printed value."""
    if BUSY["on"]:
        section = f"{section} busy"
    fig = Figure(section, name or label.strip(), None if value is None else float(value), unit, target,
                 _met(None if value is None else float(value), target))
    FIGURES.append(fig)
    mark = {True: "ok", False: "MISSED", None: ""}[fig.met]
    print(f"  {label:<62} {text or _fmt(fig.value, unit):>14}   {target:<22} {mark}", flush=True)
    return fig


def print_header() -> None:
    print(f"  {'figure':<62} {'measured':>14}   {'target':<22} met")


def section_main(bench_section, doc: str | None) -> int:
    """The command line of one section module run by itself (``python scripts/bench_edges.py [--quick]``):
    its table, with the same header and figures as ``scripts/bench --only``."""
    import argparse

    parser = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs")
    args = parser.parse_args()
    print_header()
    bench_section(report, args.quick)
    return 0


def write_json(path: str) -> None:
    import json
    from dataclasses import asdict

    with open(path + ".tmp", "w") as f:
        json.dump({"figures": [asdict(fig) for fig in FIGURES]}, f, indent=1)
    os.replace(path + ".tmp", path)


class BusyCore:
    """A plain Python spin loop in a subprocess keeps one core busy, as on a student's laptop, until closed."""

    def __enter__(self) -> BusyCore:
        self.proc = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        BUSY["on"] = True
        return self

    def __exit__(self, *exc) -> None:
        BUSY["on"] = False
        self.proc.kill()
        self.proc.wait()


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
    from gdplay.core.regression import views as regression_views

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
        report("regression", f"line, batch GD, N = {n:,}", rates[n], "steps/s",
               "ceiling ~1,000,000" if n == 100 else "")
        reps = 50
        t0 = time.perf_counter()
        for r in range(reps):  # a new range each time, so nothing is cached
            regression_views.surface(t, (0, 1), (-1, 3 + r * 1e-9), (-5, 10), (200, 200))
        ms = (time.perf_counter() - t0) / reps * 1e3
        report("regression", f"cost surface 200x200, N = {n:,}", ms, "ms", "< 2")
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
        report(section, f"{figure}, p50", statistics.median(latencies), "ms")
        report(section, "  ... p95", float(np.percentile(latencies, 95)), "ms", "<= 33", name=f"{figure}, p95")
    else:
        report(section, f"{figure}, p95", None, "ms", "<= 33", text="none seen")


def report_probe(section: str, probe: Probe, label: str = "event-loop probe (10 ms timer) lateness",
                 name: str | None = None) -> None:
    """The probe's p99 and max lateness as two figures with the issue's targets."""
    p99, worst = probe.summary()
    name = name or label.strip(" .")
    report(section, f"{label} p99", p99, "ms", "<= 25", name=f"{name} p99")
    report(section, "  ... max", worst, "ms", "<= 50", name=f"{name} max")


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
    report("window", "frames painted per second while training (each plot)", fps, "fps", "~60")
    report("window", "  ... in the worst quarter second", min(windows), "fps", ">= 30",
           name="frames painted per second, worst quarter second")
    report("window", "training steps/s with the window drawing", rate, "steps/s")
    report("window", "  ... as a share of headless", 100 * rate / headless_rate, "%", training_target(">= 80"),
           name="training with the window as a share of headless")
    report_probe("window", probe)

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
        report("window", f"data plot frames per second with {n:,} points", fps, "fps",
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
    report("window", "memory growth over 10,000 snapshots, GUI process", rss_mb() - base, "MB", "<= 10")
    report("window", "  ... training process", rss_mb(worker.pid) - child_base, "MB", "<= 10",
           name="memory growth over 10,000 snapshots, training process")
    if n < 10_000:
        print(f"  (only {n:,} snapshots arrived in two minutes)")
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
    report_probe("window", probe, "event-loop probe with every tab training,")
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
        report("startup", "process start to first painted window (median)", statistics.median(window), "s",
               "<= 0.8")
    if content:
        report("startup", "  ... to the first tab's plots painted (median)", statistics.median(content), "s",
               name="process start to the first tab's plots painted (median)")
    if rss:
        report("startup", "resident memory with all tabs built", max(rss), "MB", "<= 160")
    if not window:
        report("startup", "process start to first painted window (median)", None, "s", "<= 0.8",
               text="no paint seen")


FIRST_FRAMES = """
import sys, time
from PySide6.QtWidgets import QApplication
from gdplay.bridge import processes
from gdplay.tabs import TAB_KEYS
processes.warm_up(len(TAB_KEYS))  # as the app does: one per tab under spawn, nothing under forkserver
app = QApplication([])
from gdplay.ui.main_window import MainWindow
from gdplay.ui.plots.style import configure
configure()
w = MainWindow()
w.show()
for key in TAB_KEYS:
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
            report("startup", f"{method}: {key} tab built", build, "ms")
            report("startup", "  ... then its first snapshot", first, "ms", name=f"{method}: {key} tab first snapshot")


SECTIONS = ("core", "window", "network", "svm", "surfaces", "edges", "startup")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs")
    parser.add_argument("--only", choices=SECTIONS, help="one section")
    parser.add_argument("--json", metavar="OUT.json",
                        help="also write every figure to this file: {figures: [{section, name, value, unit, "
                             "target, met}]}")
    parser.add_argument("--busy", action="store_true",
                        help="then repeat the window figures while a background process keeps one core busy")
    args = parser.parse_args()
    from gdplay.app import quiet_offscreen_notices

    quiet_offscreen_notices()
    print(f"gdplay bench on {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
          f"{os.environ['QT_QPA_PLATFORM']} platform\n")
    print_header()
    try:
        run_sections(args)
    finally:
        if args.json:
            write_json(args.json)
            print(f"\n{len(FIGURES)} figures written to {args.json}")
    return 0


def run_sections(args) -> None:
    headless = None
    if args.only in (None, "core", "window"):
        headless = bench_regression_core()
    if args.only in (None, "window"):
        bench_window(headless, args.quick)
    modules = {}
    for name in ("network", "svm", "surfaces", "edges"):
        if args.only in (None, name):
            try:
                modules[name] = __import__(f"bench_{name}")
            except ImportError:
                continue
            print()
            modules[name].bench(report, args.quick)
    if args.only in (None, "startup"):
        bench_startup(3 if args.quick else 5)
        bench_first_frames(3 if args.quick else 5)
    if args.busy:
        print("\nThe window figures again, with one core kept busy by another process")
        with BusyCore():
            if headless is not None and args.only in (None, "window"):
                bench_window(headless, args.quick)
            for module in modules.values():
                print()
                module.bench_window_figures(report, args.quick)


if __name__ == "__main__":
    sys.exit(main())
