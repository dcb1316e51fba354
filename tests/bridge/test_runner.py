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
