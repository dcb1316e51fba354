"""The training loop without Qt or a process: what it publishes, and when."""

import time

from gdplay.bridge.commands import Play, SetParams
from gdplay.bridge.runner import CHUNK_SECONDS, Runner
from gdplay.core.regression import RegressionParams, RegressionTrainer


def playing_runner(nedrich):
    x, y = nedrich
    t = RegressionTrainer(RegressionParams(learning_rate=1e-4, max_steps=10**9))
    t.set_data(x, y)
    sent = []
    r = Runner(t, lambda kind, payload: sent.append((kind, payload)))
    r.apply([Play()])
    return r, sent


def snapshots(sent):
    return [payload[0] for kind, payload in sent if kind == "snapshot"]


def test_a_chunk_cut_short_by_waiting_commands_sends_no_stale_snapshot(nedrich):
    r, sent = playing_runner(nedrich)
    r.tick(chunk=0.002)  # one ordinary snapshot
    assert len(snapshots(sent)) == 1
    # commands wait (a new learning rate): the chunk stops early and its snapshot, already stale, is not sent
    r.tick(interrupted=lambda: True, chunk=0.002)
    assert len(snapshots(sent)) == 1
    r.apply([SetParams(RegressionParams(learning_rate=2e-4, max_steps=10**9), 7)])
    r.tick(chunk=0.001)
    snap = snapshots(sent)[-1]
    assert len(snapshots(sent)) == 2 and snap.learning_rate == 2e-4 and snap.params_version == 7


def test_commands_arriving_all_the_time_still_let_snapshots_through(nedrich):
    """A slider dragged fast sends params faster than chunks end: a snapshot still goes out at least
    every chunk, so the plots never freeze while the user drags."""
    r, sent = playing_runner(nedrich)
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < 20 * CHUNK_SECONDS:
        r.tick(interrupted=lambda: True, chunk=0.001)
    assert len(snapshots(sent)) >= 10


def test_an_expensive_view_takes_at_most_its_share_while_training(nedrich):
    """A view given max_share is kept (and sent as Unchanged) while training runs and computing it again
    would take more than its share of the time; stopped, the views of where it stopped are sent."""
    from gdplay.bridge.commands import Pause, SetView
    from gdplay.bridge.runner import Unchanged

    r, sent = playing_runner(nedrich)
    calls = []

    def slow_view():
        calls.append(r.trainer.n_iter_)
        time.sleep(0.01)  # 10 ms a call: with a 10 % share, at most once per 100 ms
        return ("view at", r.trainer.n_iter_)

    r.trainer.slow_view = slow_view
    r.apply([SetView("slow", "slow_view", max_share=0.1), SetView("cheap", "snapshot")])
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < 0.25:
        r.tick(chunk=0.002)
    ticks = len(snapshots(sent))
    assert ticks >= 10
    assert 2 <= len(calls) <= 4  # at 0, ~110 and ~220 ms: not with every snapshot
    views = [payload[1] for kind, payload in sent if kind == "snapshot"]
    assert sum(isinstance(v["slow"], Unchanged) for v in views) >= ticks - len(calls)
    assert not any(isinstance(v["cheap"], Unchanged) for v in views)  # no share: every snapshot, as before
    r.apply([Pause()])
    r.tick()
    last = [payload[1] for kind, payload in sent if kind == "snapshot"][-1]
    assert last["slow"] == ("view at", r.trainer.n_iter_)  # the view of where training stopped
