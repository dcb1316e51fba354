"""The training loop that drives one trainer, free of Qt so it can run in a child process.

Why a process: the trainers are Python, and so is much of pyqtgraph's painting. In one process they share
the GIL, and every time the GUI thread hands the GIL back and forth while painting it waits for the
training thread, so frames take several times longer and training slows as well. With the trainer in its
own process, GUI and training run in parallel on two cores and neither waits for the other.

The loop: read every pending command (the newest params and data win), run steps in chunks of about
16 ms, publish one snapshot per chunk, sleep when paused. Commands are the frozen dataclasses of
gdplay.bridge.commands, dispatched by type in ``Runner.apply``.

A view is a function of the trainer computed with every snapshot (a decision map over the plot's current
range, say) and sent along with it; None drops it. A request is a one-off call, answered by a reply. Either
answers a ``CallFailed`` instead of raising: ``NotReady`` (nothing to show yet) quietly, anything else with
its traceback in the log.

Messages out are ``(kind, payload)``: ("snapshot", (snap, views)), ("running", bool), ("failed", text),
("reply", (tag, result)).
"""

from __future__ import annotations

import contextlib
import dataclasses
import inspect
import logging
import math
import time
from collections.abc import Callable, Iterable
from typing import Any, ClassVar, cast

from gdplay.bridge.commands import (
    Call,
    CallFailed,
    Command,
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
    call_name,
    coalesce,
)
from gdplay.core.trainer import DataTrainer, EditableTrainer, NotReady, Status, Trainer

log = logging.getLogger(__name__)

CHUNK_SECONDS = 0.012  # one snapshot per ~12 ms of training: a fresh one is waiting at each 60 Hz frame
REPLY_SECONDS = 0.001  # after new params or data: one short call, so the change shows in the next frame
CALL_SECONDS = 0.002  # grow step(k) calls to about this long, so commands are seen within ~2 ms


class Unchanged:
    """Stands in, in a sent snapshot, for a large versioned field (a cost surface, a decision map) that
    is the same object as in the previous snapshot; the receiver puts the previous value back."""

    __slots__ = ()


def thin(snapshot: Any, sent: dict[str, Any]) -> Any:
    """Replace fields that carry a ``version`` and were already sent by ``Unchanged()``."""
    if not dataclasses.is_dataclass(snapshot) or isinstance(snapshot, type):
        return snapshot
    changes = {}
    for f in dataclasses.fields(snapshot):
        value = getattr(snapshot, f.name)
        if hasattr(value, "version"):
            if sent.get(f.name) is value:
                changes[f.name] = Unchanged()
            else:
                sent[f.name] = value
    return dataclasses.replace(snapshot, **changes) if changes else snapshot


def restore(snapshot: Any, received: dict[str, Any]) -> Any:
    """Undo ``thin`` on the receiving side."""
    if not dataclasses.is_dataclass(snapshot) or isinstance(snapshot, type):
        return snapshot
    changes = {}
    for f in dataclasses.fields(snapshot):
        value = getattr(snapshot, f.name)
        if isinstance(value, Unchanged):
            changes[f.name] = received.get(f.name)
        elif hasattr(value, "version"):
            received[f.name] = value
    return dataclasses.replace(snapshot, **changes) if changes else snapshot


class Runner:
    """Applies commands to a trainer and steps it; ``publish(kind, payload)`` sends results out."""

    def __init__(self, trainer: Trainer, publish: Callable[[str, Any], None]) -> None:
        self.trainer = trainer
        self.publish = publish
        self.playing = False
        self.user_paused = False  # paused by the user (not by the run's end): edits then do not start it
        self.rate: float | None = None  # steps per second; None = full speed
        self._rate_start: tuple[float, int] | None = None  # (when, step) the set speed counts from
        self._rate_at = 0  # the step the last tick left the run at (another means the run was replaced)
        self._k = 1  # steps per call, adapted to CALL_SECONDS
        self.stopped = False
        self.dirty = True  # something changed since the last snapshot
        self._sent: dict[str, Any] = {}  # large fields already sent (see thin)
        self._published_at = -math.inf
        # per view: (call, args, kwargs, max_share, whether it takes ``hurry``; see _compute_views)
        self.views: dict[str, tuple[Call, tuple, dict, float, bool]] = {}
        # per view (max_share < 1): (value, when its computation started, how long it took)
        self._view_cache: dict[str, tuple[Any, float, float]] = {}
        self._views_stale = False  # a snapshot carried a view kept from before (see _compute_views)
        self._kept: set[str] = set()

    # -- commands ----------------------------------------------------------------------------------
    def apply(self, commands: Iterable[Command]) -> None:
        """Apply a batch of commands in order. Superseded ones are skipped: all but the newest params, and
        data replacements and point edits before the newest replacement."""
        for cmd in coalesce(list(commands)):
            self._handlers[type(cmd)](self, cmd)

    def _stop(self, cmd: Stop) -> None:
        self.stopped = True

    def _set_data(self, cmd: SetData) -> None:
        cast(DataTrainer, self.trainer).set_data(*cmd.args, **cmd.kwargs)
        self._data_changed()

    def _edit(self, cmd: Edit) -> None:
        # the trainer updates its sums for one point, no rescan
        cast(EditableTrainer, self.trainer).edit(cmd.command, cmd.version)
        self._data_changed()

    def _data_changed(self) -> None:
        self.dirty = True
        self._view_cache.clear()  # views of other data (predictions per point) are not kept
        if not self.user_paused:
            self._set_playing(True)  # an edit re-fits at once, unless the user has paused

    def _set_params(self, cmd: SetParams) -> None:
        t = self.trainer
        was_finished = t.status.finished and t.status is not Status.INVALID
        t.set_params(cmd.params, cmd.version)
        self.dirty = True
        if was_finished:
            # the run had ended (limit, converged, diverged): a change trains again, going on from where it
            # was if the trainer reopened the run (a warm start), else from the start
            if t.status.finished:
                t.reset()
            if not self.user_paused:
                self._set_playing(True)

    def _set_view(self, cmd: SetView) -> None:
        self._view_cache.pop(cmd.name, None)
        if cmd.view is None:
            self.views.pop(cmd.name, None)
        else:
            hurries = "hurry" in inspect.signature(cmd.view).parameters
            self.views[cmd.name] = (cmd.view, cmd.args, cmd.kwargs, cmd.max_share, hurries)
        self.dirty = True

    def _play(self, cmd: Play) -> None:
        self.user_paused = False
        self._set_playing(True)

    def _pause(self, cmd: Pause) -> None:
        self.user_paused = True
        self._set_playing(False)

    def _reset(self, cmd: Reset) -> None:
        self.trainer.reset()
        self.dirty = True
        self._view_cache.clear()

    def _set_rate(self, cmd: SetRate) -> None:
        self.rate = cmd.steps_per_second
        self._rate_start = None

    def _step(self, cmd: Step) -> None:
        self.user_paused = True
        self._set_playing(False)
        self.run_steps(int(cmd.n), deadline=math.inf)
        self.dirty = True

    def _request(self, cmd: Request) -> None:
        self.publish("reply", (cmd.tag, self._call(cmd.call, cmd.args, cmd.kwargs)))
        self.dirty = True

    def _load_trainer(self, cmd: LoadTrainer) -> None:
        raise RuntimeError("a training process receives its trainer once, first")

    _handlers: ClassVar[dict[type, Callable[[Runner, Any], None]]] = {
        Stop: _stop, SetData: _set_data, Edit: _edit, SetParams: _set_params, SetView: _set_view, Play: _play,
        Pause: _pause, Reset: _reset, SetRate: _set_rate, Step: _step, Request: _request,
        LoadTrainer: _load_trainer,
    }

    def _set_playing(self, playing: bool) -> None:
        if playing != self.playing:
            self.playing = playing
            self._rate_start = None
            self.publish("running", playing)

    # -- stepping ----------------------------------------------------------------------------------
    def run_steps(self, budget: int, deadline: float, interrupted: Callable[[], bool] = lambda: False) -> int:
        """Step until ``budget`` steps are done, the deadline passes, the trainer finishes or
        ``interrupted()`` says new commands are waiting."""
        t = self.trainer
        done = 0
        while done < budget and t.status.can_step:
            k = min(self._k, budget - done)
            t0 = time.perf_counter()
            n = t.step(k)
            dt = time.perf_counter() - t0
            done += n
            if n == 0:
                break
            if dt < CALL_SECONDS / 2 and n == k == self._k:  # grow only when the call size was the limit
                self._k = min(self._k * 2, 1 << 22)
            elif dt > CALL_SECONDS * 2 and self._k > 1:
                self._k //= 2
            if time.perf_counter() >= deadline or interrupted():
                break
        return done

    def tick(self, interrupted: Callable[[], bool] = lambda: False, chunk: float = CHUNK_SECONDS) -> float:
        """Train one chunk if playing and publish a snapshot if anything changed.
        Returns how long the caller may sleep waiting for commands (0 = come back at once)."""
        t = self.trainer
        wait = 0.25
        if self.playing and t.status.can_step:
            now = time.perf_counter()
            if self.rate is None:
                budget = 1 << 62
            else:
                if self._rate_start is None or t.n_iter_ != self._rate_at:
                    # (again) from here: a run started over (a reset, a structural change, a restored run)
                    # neither makes up the steps its predecessor took nor waits for them
                    self._rate_start = (now - 1.0 / self.rate, t.n_iter_)
                t0, s0 = self._rate_start
                due = int((now - t0) * self.rate + 1e-9) - (t.n_iter_ - s0)
                budget = max(0, min(due, int(self.rate) + 1))
            if budget:
                self.run_steps(budget, deadline=now + chunk, interrupted=interrupted)
                self.dirty = True
            self._rate_at = t.n_iter_
            if budget and interrupted() and time.perf_counter() - self._published_at < CHUNK_SECONDS:
                # commands are waiting (a new learning rate, say): apply them before the next snapshot,
                # which then shows the change, instead of sending one that is already stale
                return 0.0
            wait = 0.0 if self.rate is None else max(0.0, min(0.25, 1.0 / self.rate))
        if self.playing and t.status.finished:
            self._set_playing(False)
            self.dirty = True
        if not (self.playing and t.status.can_step) and self._views_stale:
            self.dirty = True  # stopped with a kept view on screen: send the views of where it stopped
        if self.dirty:
            views = self._compute_views(hurry=interrupted())
            for name, value in views.items():  # a view that did not change (the same object): send once
                if (hasattr(value, "version") or name in self._kept) and self._sent.get(f"view:{name}") is value:
                    views[name] = Unchanged()
                else:
                    self._sent[f"view:{name}"] = value
            self.publish("snapshot", (thin(t.snapshot(), self._sent), views))
            self._published_at = time.perf_counter()
            self.dirty = False
        return wait

    def _compute_views(self, hurry: bool = False) -> dict[str, Any]:
        """Every view for the snapshot about to be sent; one with max_share < 1 is kept from before while
        training runs and its share of the time would be exceeded. ``hurry``: newer commands are waiting (a
        slider being dragged); a view that takes a ``hurry`` parameter is told, and may answer coarser (the
        snapshot after the drag, with nothing waiting, has the full answer)."""
        live = self.playing and self.trainer.status.can_step
        self._views_stale = False
        self._kept = set()
        out = {}
        for name, (view, args, kwargs, share, hurries) in self.views.items():
            kept = self._view_cache.get(name)
            now = time.perf_counter()
            if live and kept is not None and now < kept[1] + kept[2] / share:
                out[name] = kept[0]
                self._kept.add(name)
                self._views_stale = True
                continue
            if hurries:
                kwargs = {**kwargs, "hurry": hurry}
            out[name] = value = self._call(view, args, kwargs)
            if share < 1.0:
                self._view_cache[name] = (value, now, time.perf_counter() - now)
        return out

    def _call(self, call: Call, args: tuple, kwargs: dict) -> Any:
        """``call(trainer, *args, **kwargs)``, or a CallFailed that says why not."""
        try:
            return call(self.trainer, *args, **kwargs)
        except NotReady as exc:  # nothing to show yet (no data, one class): the tab shows the sentence
            return CallFailed(call_name(call), str(exc))
        except Exception as exc:
            log.error("%s failed", call_name(call), exc_info=exc)
            return CallFailed(call_name(call), f"{type(exc).__name__}: {exc}")

    def fail(self, exc: BaseException) -> None:
        """A trainer bug stops this trainer only, with its message; the loop stays up for reset."""
        log.error("trainer failed", exc_info=exc)
        self._set_playing(False)
        self.publish("failed", f"{type(exc).__name__}: {exc}")


def serve(commands, messages, preload: tuple[str, ...] = ()) -> None:
    """Entry point of a training process: ``commands`` and ``messages`` are one-way pipe ends. The first
    command is ``("trainer", trainer)``; a spare process imports ``preload`` while it waits for it."""
    import importlib
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C in the terminal is the GUI's to handle
    for name in preload:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    try:
        first = commands.recv()
    except (EOFError, OSError):  # never used: the GUI ended or let the spare go
        messages.close()
        return
    if not isinstance(first, LoadTrainer):
        messages.close()
        raise RuntimeError(f"a training process expects its trainer first; got {first!r}")
    child_main(first.trainer, commands, messages)


def child_main(trainer: Trainer, commands, messages) -> None:
    """The loop of a training process running ``trainer``."""
    import os
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError, AttributeError):
        # training is background work: with more busy processes than cores, the GUI gets the CPU first
        os.nice(5)
    runner = Runner(trainer, lambda kind, payload: messages.send((kind, payload)))

    def drain(timeout: float) -> list[Command]:
        out = []
        if commands.poll(timeout):
            while True:
                try:
                    out.append(commands.recv())
                except EOFError:  # the GUI process is gone
                    out.append(Stop())
                    break
                if not commands.poll():
                    break
        return out

    wait = 0.0
    try:
        while not runner.stopped:
            try:
                cmds = drain(wait)
                runner.apply(cmds)
                if runner.stopped:
                    break
                wait = runner.tick(interrupted=commands.poll, chunk=REPLY_SECONDS if cmds else CHUNK_SECONDS)
            except (BrokenPipeError, EOFError):
                break
            except Exception as exc:
                try:
                    runner.fail(exc)
                except (BrokenPipeError, EOFError):
                    break
                wait = 0.25
    finally:
        messages.close()
