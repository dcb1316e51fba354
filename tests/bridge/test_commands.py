"""The commands a tab sends its trainer: which ones supersede which (coalesce), what each does in the
training loop (Runner, without Qt or a process), and what a new process is given after a crash (Replay)."""

import numpy as np
import pytest

from gdplay.bridge.commands import (
    CallFailed,
    Edit,
    LoadTrainer,
    Pause,
    Play,
    Request,
    Reset,
    SetData,
    SetParams,
    SetRate,
    SetView,
    Step,
    Stop,
    coalesce,
)
from gdplay.bridge.runner import Runner
from gdplay.bridge.worker import Replay
from gdplay.core.points import Add
from gdplay.core.regression import RegressionParams, RegressionTrainer, views
from gdplay.core.trainer import Status


def params(lr, **kw):
    return RegressionParams(learning_rate=lr, max_steps=kw.pop("max_steps", 10**9), **kw)


# -- coalesce ------------------------------------------------------------------------------------------------
def test_only_the_newest_params_survive_in_place():
    cmds = [SetParams(params(1e-4), 1), Play(), SetParams(params(2e-4), 2), Step(3), SetParams(params(3e-4), 3)]
    assert coalesce(cmds) == [Play(), Step(3), SetParams(params(3e-4), 3)]


def test_the_newest_view_of_each_name_survives():
    a1, b1, a2 = SetView("a", views.surface, (1,)), SetView("b", views.surface, (2,)), SetView("a", None)
    assert coalesce([a1, b1, Play(), a2]) == [b1, Play(), a2]


def test_a_data_replacement_drops_the_data_and_edits_before_it_not_after():
    d1, e1, d2, e2 = SetData((1,)), Edit("e1", 1), SetData((2,)), Edit("e2", 3)
    assert coalesce([d1, e1, Pause(), d2, e2]) == [Pause(), d2, e2]
    assert coalesce([e1, Edit("e1b", 2)]) == [e1, Edit("e1b", 2)]  # edits alone all stay, in order


def test_transport_and_requests_are_never_dropped():
    cmds = [Play(), Pause(), Step(2), Reset(), Request(1, views.residuals), SetRate(5.0), SetRate(None), Stop()]
    assert coalesce(cmds) == cmds


# -- the runner, command by command ---------------------------------------------------------------------------
@pytest.fixture
def runner(nedrich):
    t = RegressionTrainer(params(1e-4))
    t.set_data(*nedrich)
    sent = []
    r = Runner(t, lambda kind, payload: sent.append((kind, payload)))
    r.sent = sent
    return r


def kinds(r, kind):
    return [p for k, p in r.sent if k == kind]


def test_play_and_pause_publish_running(runner):
    runner.apply([Play()])
    assert runner.playing and kinds(runner, "running") == [True]
    runner.apply([Pause()])
    assert not runner.playing and runner.user_paused and kinds(runner, "running") == [True, False]


def test_step_takes_exactly_n_steps_paused(runner):
    runner.apply([Play(), Step(7)])
    assert runner.trainer.n_iter_ == 7 and not runner.playing and runner.user_paused


def test_reset_returns_to_step_zero(runner):
    runner.apply([Step(5), Reset()])
    assert runner.trainer.n_iter_ == 0


def test_params_apply_with_their_version(runner):
    runner.apply([SetParams(params(2e-4), 9)])
    runner.tick()
    snap = kinds(runner, "snapshot")[-1][0]
    assert snap.learning_rate == 2e-4 and snap.params_version == 9


def test_params_after_the_run_ended_train_again_unless_paused(runner):
    runner.trainer.set_params(params(1e-4, max_steps=3), 1)
    runner.apply([Play()])
    runner.tick()
    assert runner.trainer.status is Status.MAX_STEPS and not runner.playing
    runner.apply([SetParams(params(2e-4, max_steps=3), 2)])
    assert runner.playing and runner.trainer.status.can_step
    runner.apply([Pause(), SetParams(params(3e-4, max_steps=3), 3)])
    assert not runner.playing


def test_new_data_refits_and_plays_unless_the_user_paused(runner):
    runner.apply([SetData((np.array([0.0, 1.0, 2.0]), np.array([1.0, 3.0, 5.0])), {"version": 4})])
    assert runner.trainer.snapshot().n_points == 3 and runner.playing
    runner.apply([Pause(), SetData((np.array([0.0, 1.0]), np.array([1.0, 3.0])), {"version": 5})])
    assert runner.trainer.snapshot().n_points == 2 and not runner.playing


def test_an_edit_changes_one_point(runner):
    n = runner.trainer.snapshot().n_points
    runner.apply([Pause(), Edit(Add((1.0, 2.0), 0), 6)])
    snap = runner.trainer.snapshot()
    assert snap.n_points == n + 1 and snap.data_version == 6


def test_a_rate_limits_steps_and_none_lifts_it(runner):
    runner.apply([SetRate(10.0)])
    assert runner.rate == 10.0
    runner.apply([SetRate(None)])
    assert runner.rate is None


def test_views_are_computed_with_each_snapshot_and_dropped_by_none(runner):
    runner.apply([SetView("surface", views.surface, ((0, 1), (-1.0, 2.0), (0.0, 9.0), (3, 4)))])
    runner.tick()
    assert kinds(runner, "snapshot")[-1][1]["surface"].cost.shape == (3, 4)
    runner.apply([SetView("surface", None)])
    runner.tick()
    assert "surface" not in kinds(runner, "snapshot")[-1][1]


def test_a_request_is_answered_with_its_tag_and_a_failing_one_with_call_failed(runner, caplog):
    runner.apply([Request(1, views.residuals), Request(2, views.surface, ("not axes",))])
    (tag1, value), (tag2, failure) = kinds(runner, "reply")
    assert tag1 == 1 and value.shape == (100, 3)
    assert tag2 == 2 and isinstance(failure, CallFailed) and failure.name == "surface"
    assert failure.message.startswith("TypeError: ") and "surface failed" in caplog.text  # a bug: logged


def test_a_view_with_nothing_to_show_yet_answers_its_sentence_quietly(caplog):
    """NotReady is not a bug: its sentence comes back as the CallFailed's message, with no traceback."""
    from gdplay.bridge.runner import Runner

    sent = []
    empty = Runner(RegressionTrainer(RegressionParams()), lambda kind, payload: sent.append((kind, payload)))
    empty.apply([SetView("fit", views.fit_curves, ((0.0, 1.0),))])
    empty.tick()
    failure = [p for k, p in sent if k == "snapshot"][-1][1]["fit"]
    assert isinstance(failure, CallFailed) and failure.message == views.NO_POINTS
    assert "failed" not in caplog.text


def test_only_functions_the_training_process_can_import_are_sent():
    from gdplay.bridge.commands import check_call

    assert check_call(views.surface) is views.surface
    assert check_call(RegressionTrainer.export_state) is RegressionTrainer.export_state
    trainer = RegressionTrainer(RegressionParams())

    def local(t):
        return t

    for bad in (lambda t: t, local, trainer.export_state, "surface"):
        with pytest.raises(TypeError, match="import by name"):
            check_call(bad)


def test_stop_ends_the_loop(runner):
    runner.apply([Stop()])
    assert runner.stopped


def test_a_second_trainer_is_refused(runner):
    with pytest.raises(RuntimeError, match="receives its trainer once"):
        runner.apply([LoadTrainer(object())])


# -- replay after a crash ----------------------------------------------------------------------------------------
def test_replay_keeps_what_makes_the_tabs_state_and_nothing_else():
    r = Replay()
    p1, p2 = SetParams(params(1e-4), 1), SetParams(params(2e-4), 2)
    d, e1, e2 = SetData((1,)), Edit("e1", 1), Edit("e2", 2)
    v1, v2, rate = SetView("a", views.surface), SetView("a", views.residuals), SetRate(3.0)
    for cmd in [p1, Edit("before", 0), d, e1, Play(), v1, Request(1, views.fit_curves), p2, e2, v2, Step(3), rate,
                Reset()]:
        r.record(cmd)
    assert r.commands() == [p2, d, e1, e2, v2, rate]
