"""The training loop without Qt or a process: what it publishes, and when."""

import itertools

import pytest

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


@pytest.fixture
def clock(monkeypatch):
    """The runner's clock, the test's own: each reading is 1 ms later, so a busy machine cannot change what
    the runner decides."""
    import types

    from gdplay.bridge import runner as runner_module

    now = [0.0]

    def perf_counter() -> float:
        now[0] += 0.001
        return now[0]

    monkeypatch.setattr(runner_module, "time", types.SimpleNamespace(perf_counter=perf_counter))
    return now


def test_a_chunk_cut_short_by_waiting_commands_sends_no_stale_snapshot(nedrich, clock):
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


def test_commands_arriving_all_the_time_still_let_snapshots_through(nedrich, clock):
    """A slider dragged fast sends params faster than chunks end: a snapshot still goes out at least
    every chunk, so the plots never freeze while the user drags."""
    now = clock
    r, sent = playing_runner(nedrich)
    published = []
    r.publish = lambda kind, payload: (sent.append((kind, payload)), kind == "snapshot" and published.append(now[0]))
    while now[0] < 40 * CHUNK_SECONDS:
        r.tick(interrupted=lambda: True, chunk=0.001)
    gaps = [b - a for a, b in itertools.pairwise(published)]
    assert len(published) >= 20 and max(gaps) <= CHUNK_SECONDS + 0.01


def test_an_expensive_view_takes_at_most_its_share_while_training(nedrich, clock):
    """A view given max_share is kept (and sent as Unchanged) while training runs and computing it again
    would take more than its share of the time; stopped, the views of where it stopped are sent. On the
    test's own clock: the view takes 10 ms of it."""
    from gdplay.bridge.commands import Pause, SetView
    from gdplay.bridge.runner import Unchanged

    r, sent = playing_runner(nedrich)
    calls = []

    def slow_view(trainer):
        calls.append(trainer.n_iter_)
        clock[0] += 0.010  # 10 ms a call: with a 10 % share, at most once per 100 ms
        return ("view at", trainer.n_iter_)

    # the runner calls what it is given (the controller refuses closures, which cannot cross processes)
    r.apply([SetView("slow", slow_view, max_share=0.1), SetView("cheap", type(r.trainer).snapshot)])
    while len(snapshots(sent)) < 60:
        r.tick(chunk=0.002)
    ticks = len(snapshots(sent))
    assert 2 <= len(calls) <= clock[0] / 0.1 + 1 and len(calls) < ticks / 3  # not with every snapshot
    views = [payload[1] for kind, payload in sent if kind == "snapshot"]
    assert sum(isinstance(v["slow"], Unchanged) for v in views) >= ticks - len(calls)
    assert not any(isinstance(v["cheap"], Unchanged) for v in views)  # no share: every snapshot, as before
    r.apply([Pause()])
    r.tick()
    last = [payload[1] for kind, payload in sent if kind == "snapshot"][-1]
    assert last["slow"] == ("view at", r.trainer.n_iter_)  # the view of where training stopped


@pytest.mark.parametrize("restart", ["reset", "structural change"])
def test_a_run_started_over_at_a_set_speed_does_not_make_up_the_old_runs_steps(nedrich, clock, restart):
    """At 100 steps/s, 1,000 steps in, a restart: the new run goes at 100 steps/s from its step 0, not in a
    burst of the 1,000 steps the old run had taken (seen as Adam at step 2,000 two seconds after a switch)."""
    from gdplay.bridge.commands import Reset, SetRate

    r, _sent = playing_runner(nedrich)
    r.apply([SetRate(100.0)])
    while r.trainer.n_iter_ < 1000:
        r.tick(chunk=0.002)
    start = clock[0]
    r.apply([Reset()] if restart == "reset" else
            [SetParams(RegressionParams(learning_rate=1e-4, max_steps=10**9, optimizer="adam"), 2)])
    assert r.trainer.n_iter_ == 0
    while clock[0] < start + 0.5:
        r.tick(chunk=0.002)
    assert 40 <= r.trainer.n_iter_ <= 60  # half a second at 100 steps/s


def test_a_view_that_takes_hurry_is_told_when_newer_commands_wait(nedrich):
    """While a slider is dragged, commands wait as each snapshot is made: a view with a ``hurry`` parameter
    gets True then (it may answer coarser), False when nothing waits (the snapshot after the drag); a view
    without the parameter is called as it was set."""
    from gdplay.bridge.commands import SetView

    r, sent = playing_runner(nedrich)
    told = []

    def hasty_view(trainer, scale, hurry=False):
        told.append(hurry)
        return scale * (1 if hurry else 2)

    def plain_view(trainer, scale):
        return scale

    r.apply([SetView("hasty", hasty_view, (10,)), SetView("plain", plain_view, (3,))])
    r.tick(interrupted=lambda: True, chunk=0.001)
    r.apply([SetParams(RegressionParams(learning_rate=2e-4, max_steps=10**9), 1)])
    r.tick(interrupted=lambda: False, chunk=0.001)
    views = [payload[1] for kind, payload in sent if kind == "snapshot"]
    assert told == [True, False]
    assert [v["hasty"] for v in views] == [10, 20] and [v["plain"] for v in views] == [3, 3]
