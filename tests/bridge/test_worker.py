"""The training bridge: snapshots arrive, params apply within a chunk, pause/step/reset, errors, GC."""

import gc
import time

import numpy as np
import pytest
from fault_trainers import BrokenTrainer, SlowTrainer

from gdplay.bridge.controller import TrainingController
from gdplay.core.regression import RegressionParams, RegressionTrainer, views
from gdplay.core.trainer import Status


@pytest.fixture
def controller(qtbot, nedrich):
    trainer = RegressionTrainer(RegressionParams(learning_rate=1e-4, max_steps=10**9))
    trainer.set_data(*nedrich)
    c = TrainingController(trainer)
    yield c
    assert c.shutdown(2000)


def test_snapshots_arrive_and_are_read_only(qtbot, controller):
    controller.play()
    with qtbot.waitSignal(controller.snapshotReady, timeout=3000) as blocker:
        pass
    snap = blocker.args[0]
    qtbot.waitUntil(lambda: controller.latest is not None and controller.latest.step > 1000, timeout=3000)
    snap = controller.latest
    assert snap.status is Status.TRAINING
    assert not snap.history.flags.writeable
    with pytest.raises(ValueError):
        snap.history[0, 0] = 1.0


def test_params_change_is_used_within_a_chunk(qtbot, controller):
    controller.play()
    qtbot.waitUntil(lambda: controller.latest is not None and controller.latest.step > 0, timeout=3000)
    version = controller.set_params(RegressionParams(learning_rate=2e-4, max_steps=10**9))
    t0 = time.perf_counter()
    qtbot.waitUntil(lambda: controller.latest.params_version == version, timeout=2000)
    assert controller.latest.learning_rate == 2e-4
    assert controller.latest.status is Status.TRAINING  # live: no restart
    assert time.perf_counter() - t0 < 1.0


def test_pause_step_reset(qtbot, controller):
    controller.play()
    qtbot.waitUntil(lambda: controller.running, timeout=2000)
    controller.pause()
    qtbot.waitUntil(lambda: not controller.running, timeout=2000)
    replies = []
    controller.request(RegressionTrainer.snapshot, on_reply=replies.append)  # the step it paused at
    qtbot.waitUntil(lambda: bool(replies), timeout=2000)
    n = replies[0].step
    controller.step(1)  # exactly one more: had it kept training, it would be further on
    qtbot.waitUntil(lambda: controller.latest.step == n + 1, timeout=2000)
    controller.step(5)
    qtbot.waitUntil(lambda: controller.latest.step == n + 6, timeout=2000)
    controller.reset()
    qtbot.waitUntil(lambda: controller.latest.step == 0, timeout=2000)
    assert (controller.latest.m, controller.latest.b) == (-1.0, 0.0)


def test_rate_limit_slows_training(qtbot, controller):
    controller.set_rate(20.0)
    controller.play()
    qtbot.waitUntil(lambda: controller.latest is not None and controller.latest.step >= 1, timeout=3000)
    t0, n0 = time.perf_counter(), controller.latest.step
    qtbot.waitUntil(lambda: controller.latest.step >= n0 + 6, timeout=5000)
    assert time.perf_counter() - t0 >= 5 / 20  # never faster than 20 steps a second (slower is a busy machine)


def test_exception_in_step_reaches_the_ui_and_keeps_the_thread(qtbot, nedrich):
    t = BrokenTrainer(RegressionParams(max_steps=10**6))
    t.set_data(*nedrich)
    c = TrainingController(t)
    try:
        with qtbot.waitSignal(c.failed, timeout=3000) as blocker:
            c.play()
        assert blocker.args == ["RuntimeError: boom at step ten"]
        qtbot.waitUntil(lambda: not c.running, timeout=1000)
        assert c.is_alive()  # the tab can go on: reset and step still work
        c.reset()
        qtbot.waitUntil(lambda: c.latest is not None and c.latest.step == 0, timeout=2000)
    finally:
        assert c.shutdown()


def test_divergence_stops_with_a_message_and_keeps_finite_params(qtbot, nedrich):
    t = RegressionTrainer(RegressionParams(learning_rate=5e-4, max_steps=10**6))
    t.set_data(*nedrich)
    c = TrainingController(t)
    try:
        c.play()
        qtbot.waitUntil(lambda: c.latest is not None and c.latest.status is Status.DIVERGED, timeout=3000)
        snap = c.latest
        assert snap.message.startswith("Training diverged at step ")
        assert "(cost became inf); lower the learning rate (now 0.0005)" in snap.message
        assert np.isfinite([snap.m, snap.b, snap.cost]).all()
        qtbot.waitUntil(lambda: not c.running, timeout=1000)
    finally:
        assert c.shutdown()


def test_data_change_refits(qtbot, controller):
    controller.play()
    qtbot.waitUntil(lambda: controller.latest is not None and controller.latest.step > 100, timeout=3000)
    controller.set_data(np.array([0.0, 1.0, 2.0]), np.array([1.0, 3.0, 5.0]), version=7)
    qtbot.waitUntil(lambda: controller.latest.data_version == 7, timeout=2000)
    assert controller.latest.n_points == 3
    qtbot.waitUntil(lambda: controller.running, timeout=2000)


def _make_controller_and_drop_worker_refs(nedrich):
    t = RegressionTrainer(RegressionParams(max_steps=10**9))
    t.set_data(*nedrich)
    return TrainingController(t)  # only the controller holds the worker


def test_worker_is_not_lost_to_garbage_collection(qtbot, nedrich):
    c = _make_controller_and_drop_worker_refs(nedrich)
    gc.collect()
    c.play()
    try:
        qtbot.waitUntil(lambda: c.latest is not None and c.latest.step > 0, timeout=3000)
    finally:
        assert c.shutdown()


def test_shutdown_is_quick_even_with_a_slow_step(qtbot, nedrich):
    t = SlowTrainer(RegressionParams(max_steps=10**6))
    t.set_data(*nedrich)
    c = TrainingController(t)
    c.play()
    qtbot.waitUntil(lambda: c.running and c.latest is not None and c.latest.step >= 1, timeout=3000)
    t0 = time.perf_counter()  # the process is in the middle of its next half-second step
    assert c.shutdown(2000)
    assert time.perf_counter() - t0 < 1.5


def test_slow_motion_then_full_speed_keeps_snapshots_coming(qtbot, controller):
    """Regression: step calls must not grow while the rate limit caps them, or full speed stalls."""
    controller.set_rate(200.0)
    controller.play()
    qtbot.waitUntil(lambda: controller.latest is not None and controller.latest.step >= 40, timeout=5000)
    controller.set_rate(None)
    n = controller.latest.step
    qtbot.waitUntil(lambda: controller.latest.step > n + 10_000, timeout=1000)
    seen = []
    controller.snapshotReady.connect(seen.append)
    # snapshots keep coming (one every ~16 ms), not one call of millions of steps
    qtbot.waitUntil(lambda: len(seen) >= 5, timeout=3000)


def test_a_view_kept_by_its_share_arrives_with_every_snapshot(qtbot, controller):
    """A view given a tiny max_share is computed once and then kept while training runs: the snapshots
    between carry it (sent once, as Unchanged) and the GUI sees the kept value, not None."""
    controller.set_view("cost", views.residuals, max_share=1e-6)
    controller.set_rate(None)
    controller.play()
    seen = []
    controller.snapshotReady.connect(lambda _snap: seen.append(controller.views.get("cost")))
    qtbot.waitUntil(lambda: len(seen) >= 10, timeout=5000)
    controller.pause()
    assert all(v is not None and v.shape == (100, 3) for v in seen)
    assert len({id(v) for v in seen[1:]}) == 1  # one computation, kept: the same object every time


def test_views_arrive_with_snapshots_and_requests_are_answered(qtbot, controller):
    controller.set_view("surface", views.surface, (0, 1), (-1.0, 2.0), (0.0, 9.0), (30, 40))
    controller.step(3)
    qtbot.waitUntil(lambda: "surface" in controller.views and controller.latest.step == 3, timeout=3000)
    assert controller.views["surface"].cost.shape == (30, 40)
    assert not controller.views["surface"].cost.flags.writeable
    replies = []
    controller.request(views.residuals, on_reply=lambda value: replies.append(("first", value)))
    controller.request(views.fit_curves, (0.0, 3.0), on_reply=lambda value: replies.append(("second", value)))
    controller.request(views.residuals)  # nobody waits for this one's answer
    qtbot.waitUntil(lambda: len(replies) == 2, timeout=3000)
    (first, value), (second, fit) = replies  # each answer to its own callback, in order
    assert first == "first" and value.shape == (100, 3)
    assert second == "second" and fit.x.tolist() == [0.0, 3.0]  # a line: its two ends over the range asked
    with pytest.raises(TypeError, match="import by name"):  # a closure could not cross into the process
        controller.request(lambda t: t.snapshot())
    controller.set_view("surface", None)
    controller.step(1)
    qtbot.waitUntil(lambda: controller.latest.step == 4, timeout=3000)
    assert "surface" not in controller.views


def test_a_trainer_that_cannot_be_pickled_fails_with_a_message(qtbot, nedrich):
    t = RegressionTrainer(RegressionParams())
    t.set_data(*nedrich)
    t.unpicklable = lambda: None  # a lambda cannot cross into the training process
    failures = []
    c = TrainingController(t)
    c.failed.connect(failures.append)
    try:
        qtbot.waitUntil(lambda: bool(failures), timeout=5000)
        assert failures[0].startswith("Could not start training: ")
    finally:
        assert c.shutdown()


def test_a_failing_view_is_reported_for_that_view_and_training_goes_on(qtbot, controller):
    from gdplay.bridge import CallFailed

    controller.set_view("broken", views.surface, "not axes")  # wrong arguments: this view raises
    controller.play()
    qtbot.waitUntil(lambda: isinstance(controller.views.get("broken"), CallFailed), timeout=3000)
    assert controller.views["broken"].name == "surface"
    n = controller.latest.step
    qtbot.waitUntil(lambda: controller.latest.step > n, timeout=3000)
    assert controller.error is None


def test_a_large_command_while_large_snapshots_stream_does_not_deadlock(qtbot, controller):
    """A 200,000-point replacement fills the command pipe while 200 KB surfaces fill the other way."""
    from gdplay.core.points import Replace

    controller.set_view("surface", views.surface, (0, 1), (-1.0, 2.0), (0.0, 9.0), (300, 300))
    controller.play()
    qtbot.waitUntil(lambda: "surface" in controller.views, timeout=3000)
    rng = np.random.default_rng(0)
    xy = rng.uniform(0, 100, (200_000, 2))
    controller.edit(Replace(xy, np.zeros(len(xy), dtype=int)), 42)
    qtbot.waitUntil(lambda: controller.latest.data_version == 42, timeout=10_000)
    assert controller.latest.n_points == 200_000


def test_a_hidden_tab_always_shows_its_last_frame(qtbot, controller):
    """A hidden tab takes a frame every half second; one that arrives early is kept and shown when due,
    even when no newer frame follows (a run that stopped, a restored session)."""
    controller.set_visible(False)
    for _ in range(6):
        before = controller._worker.snapshots_received
        controller.step(3)  # a burst of frames, then nothing more
        qtbot.waitUntil(lambda before=before: controller._worker.snapshots_received > before, timeout=3000)
    qtbot.waitUntil(lambda: controller.latest is not None and controller.latest.step == 18, timeout=3000)
    controller.step(2)  # one lone frame, right after the last one was shown
    qtbot.waitUntil(lambda: controller.latest.step == 20, timeout=3000)


def test_garbage_is_collected_in_the_gui_thread_only_while_relays_run(qtbot, nedrich):
    """A collection in a relay thread could destroy a Qt object's wrapper there and deadlock with the GUI
    thread (Qt's connection mutex against the GIL): while a controller lives, every collection happens
    in the GUI thread, garbage still goes, and automatic collection returns when the last relay ends."""
    import threading
    import weakref

    main = threading.get_ident()
    threads = []

    def on_gc(phase, info):
        if phase == "start":
            threads.append(threading.get_ident())

    trainer = RegressionTrainer(RegressionParams(learning_rate=1e-4, max_steps=10**9))
    trainer.set_data(*nedrich)
    gc.callbacks.append(on_gc)
    try:
        c = TrainingController(trainer)
        assert not gc.isenabled()
        c.set_rate(None)
        c.play()

        class Node:
            pass

        cycle = Node()
        cycle.me = cycle
        dead = weakref.ref(cycle)
        del cycle
        # snapshots stream in; the relay unpickles every one
        qtbot.waitUntil(lambda: c._worker.snapshots_received > 20, timeout=10_000)
        qtbot.waitUntil(lambda: dead() is None, timeout=15_000)  # the GUI thread's timer collected the cycle
        assert c._worker.snapshots_received > 20
        assert c.shutdown(2000)
        assert gc.isenabled()
    finally:
        gc.callbacks.remove(on_gc)
    assert threads and set(threads) == {main}


def test_a_due_frame_that_would_show_nothing_new_waits_briefly_for_the_users_change(controller):
    """After an edit, a frame that has only more steps of the old data (the screen shows that data already)
    waits up to HOLD_S for the snapshot with the edit, so the edit is not a frame late; a frame with
    something the screen lacks is never held, and nothing is held once HOLD_S has passed."""
    from types import SimpleNamespace as S

    from gdplay.bridge.controller import HOLD_S

    c = controller
    c._shown = (S(params_version=1, data_version=5), {})
    c._wanted, c._wanted_at = (1, 6), time.perf_counter()
    now = time.perf_counter()
    assert c._hold(S(params_version=1, data_version=5), now)  # more steps of what is on screen: wait
    assert not c._hold(S(params_version=1, data_version=6), now)  # the change itself
    c._shown = (S(params_version=1, data_version=4), {})
    assert not c._hold(S(params_version=1, data_version=5), now)  # newer than the screen: show it
    c._shown = (S(params_version=1, data_version=5), {})
    assert not c._hold(S(params_version=1, data_version=5), now + HOLD_S)  # waited long enough

