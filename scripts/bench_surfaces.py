"""The Surfaces tab's performance figures: the basins map at 150 x 150 starts for every surface (headless,
vectorised over all starts), single-run steps per second, and basins maps painted per second while the
learning rate is dragged in the window. ``bench(report, quick)`` is called by scripts/bench.py; run alone:
``scripts/bench_surfaces.py``.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def bench_core(report, quick: bool) -> None:
    from gdplay.core.surfaces import SURFACES, SurfaceParams, SurfaceTrainer, basins

    print("Surfaces core (headless)")
    repeat = 1 if quick else 3
    for key, sd in SURFACES.items():
        for name in ("gd", "adam"):
            times, m = [], None
            for _ in range(repeat):
                m = basins(sd, name, sd.learning_rate, {}, sd.window[0], sd.window[1], 150, 300)
                times.append(m.seconds)
            ms = statistics.median(times) * 1e3
            settled = 1 - (m.diverged + m.not_settled) / m.labels.size
            report("surfaces", f"basins map 150x150, {key}, {name} ({settled:.0%} settled)", ms, "ms", "<= 100",
                   name=f"basins map 150x150, {key}, {name}")
    t = SurfaceTrainer(SurfaceParams(surface="rosenbrock", initial=(-1.5, 2.0), learning_rate=1e-3,
                                     max_steps=10**9, grad_tol=0.0))
    t0 = time.perf_counter()
    n = 0
    while time.perf_counter() - t0 < 1.0:
        n += t.step(2000)
    report("surfaces", "one run on Rosenbrock, gradient descent", n / (time.perf_counter() - t0), "steps/s")


def bench_drag(report, quick: bool) -> None:
    """Drag the learning rate on the basins experiment and count the painted frames that show a new map."""
    from bench import PaintCounter, Probe, report_probe, spin
    from PySide6.QtWidgets import QApplication

    from gdplay.core.surfaces import BasinsMap
    from gdplay.ui.plots.style import configure
    from gdplay.ui.surfaces.tab import SurfacesTab

    app = QApplication.instance() or QApplication([])
    configure()
    tab = SurfacesTab()
    tab.resize(1400, 860)
    tab.show()
    print(f"Surfaces tab ({os.environ['QT_QPA_PLATFORM']} platform)")
    try:
        tab.apply_preset("lr-basins", play=False)
        tab.controller.set_rate(None)
        tab.controller.play()
        deadline = time.perf_counter() + 10
        while not isinstance(tab.controller.views.get("basins"), BasinsMap) and time.perf_counter() < deadline:
            spin(app, 0.05)
        paints = PaintCounter(tab.surface_view.widget.viewport())
        shown = {"version": -1, "pending": False, "updates": 0}

        def on_snap(_snap) -> None:
            b = tab.controller.views.get("basins")
            if isinstance(b, BasinsMap) and b.version != shown["version"]:
                shown["version"] = b.version
                shown["pending"] = True

        def on_paint(_t) -> bool:
            if shown["pending"]:
                shown["pending"] = False
                shown["updates"] += 1
            return False

        tab.controller.snapshotReady.connect(on_snap)
        paints.waiters.append(on_paint)
        values = np.geomspace(0.004, 0.03, 40)
        probe = Probe()
        probe.start()
        seconds = 2.0 if quick else 4.0
        t0 = time.perf_counter()
        i = 0
        while time.perf_counter() - t0 < seconds:  # a new rate every 15 ms, back and forth
            k = i % (2 * len(values))
            tab.set_learning_rate(float(values[k if k < len(values) else 2 * len(values) - 1 - k]))
            i += 1
            spin(app, 0.015)
        dt = time.perf_counter() - t0
        probe.stop()
        tab.controller.snapshotReady.disconnect(on_snap)
        report("surfaces", "basins maps painted per second while the rate is dragged", shown["updates"] / dt, "/s",
               ">= 10")
        report_probe("surfaces", probe, "  ... event-loop probe lateness",
                     name="event-loop lateness while the rate is dragged")
    finally:
        tab.shutdown()
        tab.close()


def bench(report, quick: bool) -> None:
    bench_core(report, quick)
    bench_drag(report, quick)


def bench_window_figures(report, quick: bool) -> None:
    bench_drag(report, quick)


def main() -> int:
    from bench import section_main

    return section_main(bench, __doc__)


if __name__ == "__main__":
    sys.exit(main())
