"""Training processes on every desktop: the start method, a fallback where forkserver is missing (Windows),
a process that dies and is started again with the tab's data and settings."""

import multiprocessing as mp
import os
import signal

import numpy as np
import pytest

from gdplay.bridge import CallFailed, processes, start_method
from gdplay.bridge.controller import TrainingController
from gdplay.core.regression import RegressionParams, RegressionTrainer
from gdplay.core.trainer import Status, export_state

KILL = getattr(signal, "SIGKILL", signal.SIGTERM)


def test_forkserver_where_the_platform_has_it_spawn_elsewhere():
    assert start_method.choose({}, ["fork", "spawn", "forkserver"]) == "forkserver"
    assert start_method.choose({}, ["spawn"]) == "spawn"  # Windows
    assert start_method.choose({"GDPLAY_START_METHOD": "spawn"}, ["fork", "spawn", "forkserver"]) == "spawn"
    assert start_method.choose({"GDPLAY_START_METHOD": " Fork "}, ["fork", "spawn"]) == "fork"


@pytest.mark.parametrize("value, words", [("threads", "must be one of forkserver, spawn, fork; got 'threads'"),
                                          ("forkserver", "which this platform does not have (it has spawn)")])
def test_an_impossible_override_is_a_sentence(value, words):
    with pytest.raises(start_method.StartMethodError, match="GDPLAY_START_METHOD") as info:
        start_method.choose({"GDPLAY_START_METHOD": value}, ["spawn"])
    assert words in str(info.value)


def regression_trainer(nedrich):
    t = RegressionTrainer(RegressionParams(learning_rate=1e-4, max_steps=10**9))
    t.set_data(*nedrich)
    return t


def test_training_works_where_forkserver_does_not_exist(qtbot, nedrich, monkeypatch):
    """As on Windows: forkserver is not listed and asking for it raises; training falls back to spawn."""
    monkeypatch.delenv("GDPLAY_START_METHOD", raising=False)
    real = mp.get_context

    def get_context(method=None):
        if method == "forkserver":
            raise ValueError("cannot find context for 'forkserver'")
        return real(method)

    monkeypatch.setattr(mp, "get_all_start_methods", lambda: ["spawn"])
    monkeypatch.setattr(mp, "get_context", get_context)
    c = TrainingController(regression_trainer(nedrich))
    try:
        c.play()
        qtbot.waitUntil(lambda: c.latest is not None and c.latest.step > 100, timeout=10_000)
        assert c.error is None
    finally:
        assert c.shutdown()


def test_a_start_method_that_cannot_work_is_reported_as_a_sentence(qtbot, nedrich, monkeypatch):
    monkeypatch.setenv("GDPLAY_START_METHOD", "threads")
    failures = []
    c = TrainingController(regression_trainer(nedrich))
    c.failed.connect(failures.append)
    try:
        qtbot.waitUntil(lambda: bool(failures), timeout=5000)
        assert failures[0].startswith("Could not start training: StartMethodError: GDPLAY_START_METHOD must be")
        # the request a save makes is answered at once, not after a timeout
        replies = []
        c.request(export_state, on_reply=replies.append)
        qtbot.waitUntil(lambda: bool(replies), timeout=1000)
        assert isinstance(replies[0], CallFailed)
        # fixed, and Reset starts training
        monkeypatch.delenv("GDPLAY_START_METHOD")
        c.reset()
        c.play()
        qtbot.waitUntil(lambda: c.latest is not None and c.latest.step > 0, timeout=10_000)
    finally:
        assert c.shutdown()


def test_a_killed_training_process_is_started_again_with_the_tabs_data_and_settings(qtbot, nedrich):
    c = TrainingController(regression_trainer(nedrich))
    failures = []
    c.failed.connect(failures.append)
    try:
        version = c.set_params(RegressionParams(learning_rate=2e-4, max_steps=10**9))
        c.set_data(np.array([0.0, 1.0, 2.0, 3.0]), np.array([1.0, 3.0, 5.0, 7.0]), version=5)
        c.play()
        qtbot.waitUntil(lambda: c.latest is not None and c.latest.step > 100 and c.latest.data_version == 5,
                        timeout=5000)
        first = c._worker.pid
        os.kill(first, KILL)
        qtbot.waitUntil(lambda: bool(failures), timeout=5000)
        assert failures[0].startswith("the training process stopped unexpectedly (exit code ")
        qtbot.waitUntil(lambda: not c.running, timeout=2000)
        # a save asks every trainer for its state: answered at once that the run is gone
        replies = []
        c.request(export_state, on_reply=replies.append)
        qtbot.waitUntil(lambda: bool(replies), timeout=1000)
        assert isinstance(replies[0], CallFailed) and "not running" in replies[0].message
        # a change made meanwhile is kept for the new process
        c.set_params(RegressionParams(learning_rate=3e-4, max_steps=10**9))
        c.reset()
        qtbot.waitUntil(lambda: c._worker.pid != first and c.latest.step == 0 and c.latest.n_points == 4,
                        timeout=10_000)
        snap = c.latest
        assert snap.params_version == version + 1 and snap.learning_rate == 3e-4 and snap.data_version == 5
        c.play()
        qtbot.waitUntil(lambda: c.latest.step > 100 and c.running, timeout=5000)
        assert c.latest.status is Status.TRAINING
    finally:
        assert c.shutdown()


def test_play_after_a_crash_starts_a_new_process_and_trains(qtbot, nedrich):
    c = TrainingController(regression_trainer(nedrich))
    try:
        c.play()
        qtbot.waitUntil(lambda: c.latest is not None and c.latest.step > 0, timeout=5000)
        first = c._worker.pid
        os.kill(first, KILL)
        qtbot.waitUntil(lambda: c.error is not None and not c.running, timeout=5000)
        c.toggle()  # the Play button
        qtbot.waitUntil(lambda: c._worker.pid != first and c.running and c.latest.step > 100, timeout=10_000)
        assert c.error is None
    finally:
        assert c.shutdown()


def test_spare_processes_started_ahead_under_spawn_are_taken_by_the_tabs(qtbot, nedrich, monkeypatch):
    monkeypatch.setenv("GDPLAY_START_METHOD", "spawn")
    try:
        assert processes.warm_up(2) == 2
        first, second = (p.process.pid for p in processes._spares)
        c = TrainingController(regression_trainer(nedrich))
        try:
            c.play()
            qtbot.waitUntil(lambda: c.latest is not None and c.latest.step > 0, timeout=10_000)
            assert c._worker.pid == first and [p.process.pid for p in processes._spares] == [second]
        finally:
            assert c.shutdown()
    finally:
        processes.discard_spares()  # what the app does at exit with spares nobody took
    assert processes._spares == []
    assert not [p for p in mp.active_children() if p.pid in (first, second)]


def test_no_spares_where_forkserver_starts_children_quickly(monkeypatch):
    monkeypatch.setenv("GDPLAY_START_METHOD", "forkserver")
    assert processes.warm_up(3) == 0 and processes._spares == []
