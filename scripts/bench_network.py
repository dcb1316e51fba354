"""The Neural network tab's performance figures: full-batch training speed headless and with the window
drawing, the decision-map refresh, and learning-rate change to painted frame. ``bench(report, quick)`` is
called from scripts/bench.py; run this file alone for just these rows."""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench import (
    PaintCounter,
    Probe,
    change_to_paint_ms,
    headless_steps_per_second,
    limited_rate,
    report_latency,
    report_probe,
    spin,
    training_target,
)

ARCH = dict(hidden=(8, 8), activation="tanh", loss="xent", optimizer="gd", learning_rate=0.1, max_steps=10**12)


def _trainer(n: int):
    from gdplay.core.datasets import make_xor
    from gdplay.core.network import NetworkParams, NetworkTrainer

    t = NetworkTrainer(NetworkParams(**ARCH))
    t.set_data(*make_xor(n, random_state=0))
    return t


def bench_core(report, quick: bool) -> dict[int, float]:
    from gdplay.core.network import views

    print("Network core (headless)")
    rates = {}
    for n in (200, 2000):
        rates[n] = headless_steps_per_second(_trainer(n), seconds=1.0 if quick else 2.0)
        report("network", f"2-8-8-1 tanh, full batch, N = {n:,}", rates[n], "steps/s",
               ">= 10,000" if n == 200 else "")
    t = _trainer(200)
    t.step(100)
    for shape in ((100, 100), (200, 200)):
        views.decision_map(t, (-4, 4), (-4, 4), shape)
        reps = 30 if quick else 100
        t0 = time.perf_counter()
        for _ in range(reps):
            views.decision_map(t, (-4, 4), (-4, 4), shape)
        ms = (time.perf_counter() - t0) / reps * 1e3
        report("network", f"decision map {shape[0]}x{shape[1]}", ms, "ms", "<= 3")
    return rates


def bench_window(report, quick: bool, headless: dict[int, float]) -> None:
    from PySide6.QtWidgets import QApplication

    from gdplay.core.network import NetworkParams
    from gdplay.ui.main_window import MainWindow
    from gdplay.ui.plots.style import configure

    app = QApplication.instance() or QApplication([])
    configure()
    window = MainWindow()
    window.resize(1400, 860)
    window.show()
    window.select_tab("network")
    tab = window.tab("network")
    spin(app, 0.8)
    print(f"Network tab in the window ({os.environ['QT_QPA_PLATFORM']} platform)")
    for n in (200, 2000):
        # every point trains, as in the headless figure (the tab holds 20 % out for testing by default)
        tab.panel.test_fraction.setValue(0)
        tab.panel.count.setValue(n)
        tab.load_preset("xor")
        tab.params = NetworkParams(**ARCH)
        tab.panel.learning_rate.setValue(0.1, emit=False)
        tab.controller.set_params(tab.params)
        tab.controller.set_rate(None)
        map_paints = PaintCounter(tab.map_view.widget.viewport())
        loss_paints = PaintCounter(tab.loss_view.widget.viewport())
        probe = Probe()
        tab.controller.play()
        spin(app, 0.8)
        seconds = 2.0 if quick else 4.0
        s0, m0, l0, d0 = tab.snapshot.step, map_paints.count, loss_paints.count, tab.diagram_draws
        probe.start()
        t0 = time.perf_counter()
        spin(app, seconds)
        dt = time.perf_counter() - t0
        probe.stop()
        rate = (tab.snapshot.step - s0) / dt
        report("network", f"steps/s with the window drawing (N = {n:,})", rate, "steps/s",
               training_target(">= 10,000") if n == 200 else "")
        report("network", "  ... as a share of headless", 100 * rate / headless[n], "%", training_target(">= 80"),
               name=f"training with the window as a share of headless (N = {n:,})")
        report("network", "  ... frames painted per second: decision map", (map_paints.count - m0) / dt, "fps",
               ">= 30", name=f"decision map frames per second (N = {n:,})")
        report("network", "  ... frames painted per second: loss", (loss_paints.count - l0) / dt, "fps",
               ">= 30", name=f"loss frames per second (N = {n:,})")
        report("network", "  ... network diagram redraws per second", limited_rate(tab.diagram_draws - d0, dt), "/s",
               "<= 10", name=f"network diagram redraws per second (N = {n:,})")
        report_probe("network", probe, "  ... event-loop probe lateness", name=f"event-loop lateness (N = {n:,})")

    tab.panel.count.setValue(200)  # the latency at the 200 points of the figures above
    tab.load_preset("xor")
    tab.controller.set_params(tab.params)
    spin(app, 0.8)
    latencies = []
    for i in range(20 if quick else 50):
        lr = 0.1 if i % 2 else 0.11
        ms = change_to_paint_ms(app, tab.controller, loss_paints,
                                lambda lr=lr: tab.panel.learning_rate.setValue(lr),
                                lambda snap, lr=lr: snap.learning_rate == lr)
        if ms is not None:
            latencies.append(ms)
        spin(app, 0.03)
    report_latency("network", "learning-rate change to painted frame", latencies)
    window.close()


_HEADLESS: dict[int, float] = {}


def bench(report, quick: bool) -> None:
    _HEADLESS.update(bench_core(report, quick))
    bench_window(report, quick, _HEADLESS)


def bench_window_figures(report, quick: bool) -> None:
    """The window's figures only (scripts/bench --busy), as shares of the headless speed measured before."""
    bench_window(report, quick, _HEADLESS or bench_core(report, quick))


def main() -> int:
    from bench import section_main

    return section_main(bench, __doc__)


if __name__ == "__main__":
    sys.exit(main())
