"""The SVM tab's performance figures: the dual solver against libsvm (scikit-learn's SVC) to the same
tolerance, warm starts after a change of C, the 200x200 decision map in numpy against
``SVC.decision_function``, and boundary updates painted per second while C or the kernel width is dragged
in the window. ``bench(report, quick)`` is called by scripts/bench.py; run alone: ``scripts/bench_svm.py``.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _timed(fn, repeat: int) -> float:
    """The median wall time of ``fn()`` over ``repeat`` runs, in seconds."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _data(n: int, seed: int = 0):
    from gdplay.core.datasets import make_gaussian_pair

    X, labels = make_gaussian_pair(n // 2, 5.0, 25.0, random_state=seed)
    return X, np.where(labels > 0, 1.0, -1.0)


def bench_solver(report, quick: bool) -> None:
    """Fit time to tol 1e-3 against libsvm on the same points, interleaved run by run (a busy machine slows
    both alike); the figure is the ratio of the fastest runs, with the spread of the run-by-run ratios."""
    from sklearn.svm import SVC

    from gdplay.core.svm import SVMParams, SVMTrainer

    print("SVM solver (headless)")
    sizes = (300, 1000) if quick else (300, 1000, 3000, 10_000)
    for n in sizes:
        X, y = _data(n)
        params = SVMParams(kernel="rbf", C=1.0, gamma=0.04, tol=1e-3)
        repeat = {300: 9, 1000: 7, 3000: 3}.get(n, 1)

        def ours(X=X, y=y, params=params):
            t = SVMTrainer(params)
            t.set_data(X, y)
            t.fit()
            return t

        def libsvm(X=X, y=y):
            SVC(kernel="rbf", C=1.0, gamma=0.04, tol=1e-3).fit(X, y)

        t_ours, t_ref = [], []
        for _ in range(repeat):
            t_ours.append(_timed(ours, 1))
            t_ref.append(_timed(libsvm, 1))
        ratios = sorted(a / b for a, b in zip(t_ours, t_ref))
        what = f"dual SMO to tol 1e-3, RBF, N = {n:,}"
        report("svm", f"{what}: gdplay", min(t_ours) * 1e3, "ms")
        report("svm", "  ... libsvm", min(t_ref) * 1e3, "ms", name=f"{what}: libsvm")
        target = "<= 4" if n <= 3000 else ""
        report("svm", f"  ... ratio gdplay / libsvm (runs {ratios[0]:.1f}-{ratios[-1]:.1f})",
               min(t_ours) / min(t_ref), "x", target, name=f"{what}: ratio gdplay / libsvm")

    # warm start: a converged model, C changes by a factor 1.25 (a slider drag step), against from scratch
    X, y = _data(300)
    base = SVMParams(kernel="rbf", C=1.0, gamma=0.04)
    warm, cold = [], []
    for C in (1.25, 0.8, 2.0, 0.5):
        t = SVMTrainer(base)
        t.set_data(X, y)
        t.fit()
        t0 = time.perf_counter()
        t.set_params(t.with_params(C=C), 1)
        t.fit()
        warm.append(time.perf_counter() - t0)
        fresh = SVMTrainer(SVMParams(kernel="rbf", C=C, gamma=0.04))
        fresh.set_data(X, y)
        t0 = time.perf_counter()
        fresh.fit()
        cold.append(time.perf_counter() - t0)
    report("svm", "after a change of C, N = 300: warm start", statistics.median(warm) * 1e3, "ms", "warm far faster")
    report("svm", "  ... from scratch", statistics.median(cold) * 1e3, "ms",
           name="after a change of C, N = 300: from scratch")

    # the decision map from the support vectors
    t = SVMTrainer(base)
    t.set_data(X, y)
    t.fit()
    snap = t.snapshot()
    rng = (-20.0, 20.0)
    ms_np = _timed(lambda: snap.decision_grid(rng, rng, (200, 200)), 20) * 1e3
    clf = SVC(kernel="rbf", C=1.0, gamma=0.04).fit(X, y)
    gx, gy = np.meshgrid(np.linspace(*rng, 200), np.linspace(*rng, 200))
    pts = np.column_stack([gx.ravel(), gy.ravel()])
    ms_sk = _timed(lambda: clf.decision_function(pts), 5) * 1e3
    report("svm", f"decision map 200x200 from {snap.n_support} SVs: numpy", ms_np, "ms", "<= 10",
           name="decision map 200x200: numpy")
    report("svm", "  ... sklearn's decision_function", ms_sk, "ms", name="decision map 200x200: sklearn")


# the sliders a drag moves, and the values it goes through (back and forth)
DRAGS = (("C", "C", np.geomspace(0.1, 100.0, 40)), ("σ", "sigma", np.geomspace(2.0, 10.0, 40)))


def measure_drag(app, tab, slider, values, seconds: float) -> dict:
    """Move ``slider`` through ``values`` and back, a new value every 15 ms (about what a mouse delivers),
    for ``seconds``; count the decision plot's painted frames, those that show a new boundary (each follows a
    snapshot whose params version is newer than the one painted before) and the snapshots. Returns
    ``updates``, ``paints``, ``snaps``, ``seconds``, ``worst_quarter`` (painted frames per second in the
    slowest quarter second) and the event-loop ``probe``."""
    from bench import PaintCounter, Probe, spin

    paints = PaintCounter(tab.decision.widget.viewport())
    shown = {"version": -1, "updates": 0, "snaps": 0}

    def on_snap(snap):
        shown["snaps"] += 1
        if snap.params_version != shown["version"]:
            shown["version"] = snap.params_version
            shown["pending"] = True

    def on_paint(_t):
        if shown.pop("pending", False):
            shown["updates"] += 1
        return False

    tab.controller.snapshotReady.connect(on_snap)
    paints.waiters.append(on_paint)
    probe = Probe()
    probe.start()
    t0 = time.perf_counter()
    i = 0
    quarters, q_start, q_count = [], t0, 0
    while time.perf_counter() - t0 < seconds:
        k = i % (2 * len(values))
        slider.setValue(float(values[k if k < len(values) else 2 * len(values) - 1 - k]))
        i += 1
        spin(app, 0.015)
        if time.perf_counter() - q_start >= 0.25:
            quarters.append((paints.count - q_count) / (time.perf_counter() - q_start))
            q_start, q_count = time.perf_counter(), paints.count
    dt = time.perf_counter() - t0
    probe.stop()
    tab.controller.snapshotReady.disconnect(on_snap)
    return {"updates": shown["updates"], "paints": paints.count, "snaps": shown["snaps"], "seconds": dt,
            "worst_quarter": min(quarters) if quarters else 0.0, "probe": probe}


def drag(report, section: str, tab, app, n: int, quick: bool, target: str) -> None:
    """Drag C (and then σ) on the tab's points: boundary updates painted a second, frames, snapshots."""
    from bench import report_probe, spin

    for name, attr, values in DRAGS:
        m = measure_drag(app, tab, getattr(tab.model, attr), values, 2.0 if quick else 4.0)
        dt = m["seconds"]
        what = f"while {name} is dragged (N = {n:,}, RBF)"
        report(section, f"boundary updates painted per second {what}", m["updates"] / dt, "/s", target)
        report(section, "  ... decision-plot frames per second", m["paints"] / dt, "fps",
               name=f"decision-plot frames per second {what}")
        report(section, "  ... snapshots per second", m["snaps"] / dt, "/s",
               name=f"snapshots per second {what}")
        report_probe(section, m["probe"], "  ... event-loop probe lateness", name=f"event-loop lateness {what}")
        spin(app, 0.3)


def bench_drag(report, quick: bool) -> None:
    """The drag on the article's 270 training points (exp2), then on 2,000 points (issue 15: >= 20 boundary
    updates a second)."""
    from bench import spin
    from PySide6.QtWidgets import QApplication

    from gdplay.ui.plots.style import configure
    from gdplay.ui.svm.tab import SvmTab

    app = QApplication.instance() or QApplication([])
    configure()
    tab = SvmTab()
    tab.resize(1400, 860)
    tab.show()
    print(f"SVM tab ({os.environ['QT_QPA_PLATFORM']} platform)")
    try:
        tab.load_preset("exp2", 0)
        tab.controller.set_rate(None)
        tab.controller.play()
        spin(app, 1.5)
        drag(report, "svm", tab, app, 300, quick, ">= 30")
        xy, labels = _data(2000)
        tab.set_points(xy, np.where(labels > 0, 1, 0))
        tab.decision.fit_view(xy)
        tab.controller.play()
        spin(app, 1.5)
        drag(report, "svm", tab, app, 2000, quick, ">= 20")
    finally:
        tab.shutdown()
        tab.close()


def bench(report, quick: bool) -> None:
    bench_solver(report, quick)
    bench_drag(report, quick)


def bench_window_figures(report, quick: bool) -> None:
    bench_drag(report, quick)


def main() -> int:
    from bench import section_main

    return section_main(bench, __doc__)


if __name__ == "__main__":
    sys.exit(main())
