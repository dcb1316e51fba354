"""The largest configurations the controls allow, each with its target (issue 15): the network at 6 hidden
layers of 32 units with every input feature on 2,000 points; regression on 100,000 points with every
optimizer compared; every tab training at once; SVM RBF on 5,000 points while C or the width is dragged.
Then how each trainer's cost grows with the number of points. ``bench(report, quick)`` is called by
scripts/bench.py (``--only edges``); run alone: ``scripts/bench_edges.py``.
"""

from __future__ import annotations

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench as _bench  # noqa: F401  (first: it limits BLAS to one thread before numpy starts)
import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SECTION = "edges"
BIG_HIDDEN = (32,) * 6  # MAX_HIDDEN_LAYERS x MAX_UNITS


def _app():
    from PySide6.QtWidgets import QApplication

    from gdplay.ui.plots.style import configure

    app = QApplication.instance() or QApplication([])
    configure()
    return app


def _window():
    from gdplay.ui.main_window import MainWindow

    window = MainWindow()
    window.resize(1400, 860)
    window.show()
    return window


def watch(app, counters, seconds: float, probe=None) -> tuple[float, float, float]:
    """Run the event loop for ``seconds``: (frames per second of the slowest counter, its worst quarter
    second, elapsed seconds)."""
    from bench import spin

    starts = [c.count for c in counters]
    quarters = []
    if probe is not None:
        probe.start()
    t0 = time.perf_counter()
    for _ in range(max(1, int(seconds / 0.25))):
        q0 = [c.count for c in counters]
        spin(app, 0.25)
        quarters.append(min(c.count - q for c, q in zip(counters, q0)) / 0.25)
    dt = time.perf_counter() - t0
    if probe is not None:
        probe.stop()
    fps = min(c.count - s for c, s in zip(counters, starts)) / dt
    return fps, min(quarters), dt


def _open_tab(key: str):
    """The application, a window showing the tab ``key``, and that tab, settled for half a second."""
    from bench import spin

    app = _app()
    window = _window()
    window.select_tab(key)
    spin(app, 0.5)
    return app, window, window.tab(key)


def report_window(report, what: str, fps: float, worst: float, probe) -> None:
    from bench import report_probe

    report(SECTION, f"{what}: frames per second", fps, "fps", ">= 30")
    report(SECTION, "  ... in the worst quarter second", worst, "fps", ">= 30",
           name=f"{what}: frames per second, worst quarter second")
    report_probe(SECTION, probe, "  ... event-loop lateness", name=f"{what}: event-loop lateness")


# -- the network at its largest ----------------------------------------------------------------------------
def _big_params():
    from gdplay.core.network import FEATURES, NetworkParams

    return NetworkParams(hidden=BIG_HIDDEN, activation="tanh", loss="xent", optimizer="gd", learning_rate=0.1,
                         features=FEATURES, max_steps=10**12)


def big_network_headless(n: int, seconds: float) -> float:
    from bench import headless_steps_per_second

    from gdplay.core.datasets import make_xor
    from gdplay.core.network import NetworkTrainer

    t = NetworkTrainer(_big_params())
    t.set_data(*make_xor(n, random_state=0))
    return headless_steps_per_second(t, seconds)


def bench_big_network(report, quick: bool) -> None:
    from bench import PaintCounter, Probe, limited_rate, spin, training_target

    n = 2000
    seconds = 3.0 if quick else 5.0
    headless = big_network_headless(n, 1.5 if quick else 3.0)
    app, window, tab = _open_tab("network")
    what = f"network {len(BIG_HIDDEN)}x{BIG_HIDDEN[0]}, every feature, N = {n:,}"
    print(f"Edges ({os.environ['QT_QPA_PLATFORM']} platform)")
    try:
        tab.panel.test_fraction.setValue(0)
        tab.panel.count.setValue(n)
        tab.load_preset("xor")
        tab.set_params(_big_params())
        tab.controller.set_rate(None)
        # the window's frames: the loss curve is painted with every frame; the decision map is drawn when a
        # new one comes, which a big network computes less often (its share of the training process's time
        # is bounded): counted apart, as the diagram is
        counters = [PaintCounter(tab.loss_view.widget.viewport())]
        map_paints = PaintCounter(tab.map_view.widget.viewport())
        tab.controller.play()
        spin(app, 1.5)
        probe = Probe()
        s0, d0, m0 = tab.snapshot.step, tab.diagram_draws, map_paints.count
        fps, worst, dt = watch(app, counters, seconds, probe)
        rate = (tab.snapshot.step - s0) / dt
        report_window(report, what, fps, worst, probe)
        report(SECTION, "  ... decision map redraws per second", (map_paints.count - m0) / dt, "/s", ">= 10",
               name=f"{what}: decision map redraws per second")
        report(SECTION, "  ... training steps/s with the window", rate, "steps/s",
               name=f"{what}: training steps/s with the window")
        report(SECTION, "  ... headless (same process, one BLAS thread)", headless, "steps/s",
               name=f"{what}: training steps/s headless")
        report(SECTION, "  ... with the window as a share of headless", 100 * rate / headless, "%",
               training_target(">= 80"),
               name=f"{what}: training with the window as a share of headless")
        report(SECTION, "  ... network diagram redraws per second", limited_rate(tab.diagram_draws - d0, dt), "/s",
               "<= 10",
               name=f"{what}: diagram redraws per second")
        report(SECTION, "  ... lines drawn of all the weights", tab.diagram.edges_drawn, "",
               f"of {len(tab.diagram._segments):,}", name=f"{what}: diagram lines drawn")
    finally:
        tab.controller.pause()
        window.close()


# -- regression on 100,000 points, every optimizer compared -----------------------------------------------
def bench_big_regression(report, quick: bool) -> None:
    from bench import PaintCounter, Probe, spin

    from gdplay.core.regression import RegressionParams

    n = 100_000
    app, window, tab = _open_tab("regression")
    what = f"regression, N = {n:,}, every optimizer compared"
    try:
        rng = np.random.default_rng(0)
        x = rng.uniform(20, 70, n)
        tab.load_points(x, 1.3 * x + 8 + rng.normal(0, 10, n))
        for check in (*tab.controls.compare.values(), tab.controls.compare_sgd):
            check.setChecked(True)
        spin(app, 0.5)
        tab.set_params(RegressionParams(learning_rate=1e-4, max_steps=10**9, compare=tab.params.compare))
        runs = len(tab.params.runs())
        tab.controller.set_rate(None)
        tab.controller.play()
        spin(app, 1.0)
        counters = [PaintCounter(tab.data_view.widget.viewport()), PaintCounter(tab.surface_view.widget.viewport())]
        probe = Probe()
        fps, worst, _dt = watch(app, counters, 2.0 if quick else 4.0, probe)
        report_window(report, what, fps, worst, probe)
        report(SECTION, "  ... runs side by side", runs, "", name=f"{what}: runs")
    finally:
        tab.controller.pause()
        window.close()


# -- every tab training at once ----------------------------------------------------------------------------
def bench_all_tabs(report, quick: bool) -> None:
    from bench import PaintCounter, Probe, spin

    app = _app()
    window = _window()
    window.select_tab("regression")
    spin(app, 0.5)
    tabs = [t for t in window.tabs if getattr(t, "controller", None) is not None]
    what = f"all {len(tabs)} tabs training at once"
    try:
        from gdplay.core.regression import RegressionParams

        # the tab on screen (its frames are counted) must not reach its step limit during the run
        window.tab("regression").set_params(RegressionParams(learning_rate=1e-4, max_steps=10**9))
        for t in tabs:
            t.controller.set_rate(None)
            t.controller.play()
        spin(app, 1.0)
        tab = window.tab("regression")
        counters = [PaintCounter(tab.data_view.widget.viewport()), PaintCounter(tab.surface_view.widget.viewport())]
        probe = Probe()
        fps, worst, _dt = watch(app, counters, 2.0 if quick else 4.0, probe)
        report_window(report, what, fps, worst, probe)
    finally:
        for t in tabs:
            t.controller.pause()
        window.close()


# -- SVM RBF on 5,000 points while C or the width is dragged ------------------------------------------------
def bench_big_svm_drag(report, quick: bool) -> None:
    from bench import spin
    from bench_svm import DRAGS, measure_drag

    from gdplay.core.datasets import make_gaussian_pair

    n = 5000
    app, window, tab = _open_tab("svm")
    try:
        tab.load_preset("exp2", 0)  # RBF
        xy, labels = make_gaussian_pair(n // 2, 5.0, 25.0, random_state=0)
        tab.set_points(xy, labels)
        tab.decision.fit_view(xy)
        tab.controller.set_rate(None)
        tab.controller.play()
        spin(app, 1.5)
        for name, attr, values in DRAGS:
            # boundaries of a newer setting painted: it degrades (fewer), never stalls (none)
            m = measure_drag(app, tab, getattr(tab.model, attr), values, 2.0 if quick else 4.0)
            dt = m["seconds"]
            report_window(report, f"SVM RBF, N = {n:,}, {name} dragged", m["paints"] / dt, m["worst_quarter"],
                          m["probe"])
            report(SECTION, "  ... boundary updates painted per second", m["updates"] / dt, "/s", ">= 5",
                   name=f"SVM RBF, N = {n:,}, {name} dragged: boundary updates painted per second")
            spin(app, 0.3)
    finally:
        tab.controller.pause()
        window.close()


# -- cost as work grows ----------------------------------------------------------------------------------------
def bench_scaling(report, quick: bool) -> None:
    from bench import headless_steps_per_second

    from gdplay.core.datasets import make_xor
    from gdplay.core.network import NetworkParams, NetworkTrainer
    from gdplay.core.regression import RegressionParams, RegressionTrainer

    print("Cost as work grows (headless)")
    seconds = 0.7 if quick else 1.5
    rates = {}
    for n in (200, 2000, 20_000):
        t = NetworkTrainer(NetworkParams(hidden=(8, 8), activation="tanh", loss="xent", optimizer="gd",
                                         learning_rate=0.1, max_steps=10**12))
        t.set_data(*make_xor(n, random_state=0))
        rates[n] = headless_steps_per_second(t, seconds)
        report(SECTION, f"network 2-8-8-1, full batch, N = {n:,}", rates[n], "steps/s")
    report(SECTION, "  ... points a second at 20,000 / at 2,000", 20_000 * rates[20_000] / (2000 * rates[2000]),
           "x", "", name="network: work per second at 20,000 points against 2,000")
    rng = np.random.default_rng(0)
    reg = {}
    for n in (1000, 100_000, 1_000_000):
        x = rng.uniform(20, 70, n)
        t = RegressionTrainer(RegressionParams(learning_rate=1e-4, max_steps=10**12))
        t.set_data(x, 1.3 * x + 8 + rng.normal(0, 10, n))
        reg[n] = headless_steps_per_second(t, seconds)
        report(SECTION, f"regression line, batch GD, N = {n:,}", reg[n], "steps/s")
    report(SECTION, "  ... steps/s at 1,000,000 / at 1,000 (sufficient statistics: flat)",
           reg[1_000_000] / reg[1000], "x", ">= 0.5", name="regression: steps/s at 1,000,000 points against 1,000")


def bench_window_figures(report, quick: bool) -> None:
    bench_big_network(report, quick)
    bench_big_regression(report, quick)
    bench_all_tabs(report, quick)
    bench_big_svm_drag(report, quick)


def bench(report, quick: bool) -> None:
    bench_window_figures(report, quick)
    bench_scaling(report, quick)


def main() -> int:
    from bench import section_main

    return section_main(bench, __doc__)


if __name__ == "__main__":
    sys.exit(main())
