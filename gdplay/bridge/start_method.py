"""How training processes start, chosen in one place for every desktop.

forkserver where the platform has it (Linux, macOS): children fork from a small server started before any
Qt thread, not from this multi-threaded process, and the server has numpy and the core imported already, so
a child starts in milliseconds. spawn elsewhere (Windows): each child is a fresh interpreter that imports
what it needs; ``warm_up`` starts them early so the first frame does not wait for that. ``fork`` only on
request: forking a process that runs Qt threads is unsafe.

``GDPLAY_START_METHOD=spawn|forkserver|fork`` overrides the choice, for tests and support.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Mapping
from multiprocessing.context import BaseContext

ENV_VAR = "GDPLAY_START_METHOD"
METHODS = ("forkserver", "spawn", "fork")
# what a training process needs before its first snapshot: imported once by the forkserver (its children
# inherit it), or by each spawned child before it asks for a trainer
PRELOAD = ("numpy", "gdplay.core.regression", "gdplay.core.network", "gdplay.core.svm", "gdplay.core.contours",
           "gdplay.bridge.runner")


class StartMethodError(RuntimeError):
    """The training processes cannot be started the way asked; the message says why and what to do."""


def choose(environ: Mapping[str, str] | None = None, available: list[str] | None = None) -> str:
    """The start method: the override if set and possible, else forkserver where it exists, else spawn."""
    env: Mapping[str, str] = os.environ if environ is None else environ
    available = mp.get_all_start_methods() if available is None else available
    wanted = env.get(ENV_VAR, "").strip().lower()
    if wanted:
        if wanted not in METHODS:
            raise StartMethodError(f"{ENV_VAR} must be one of {', '.join(METHODS)}; got {wanted!r}.")
        if wanted not in available:
            raise StartMethodError(f"{ENV_VAR} asks for {wanted!r}, which this platform does not have "
                                   f"(it has {', '.join(available)}); unset it to use the default.")
        return wanted
    return "forkserver" if "forkserver" in available else "spawn"


def context() -> BaseContext:
    """The multiprocessing context for training processes (see the module's notes)."""
    # one BLAS thread per trainer: its matrices are small, and a second thread only spins against the GUI
    # for the other core (a 2-8-8-1 network trained 2.5x faster with the window drawing). Children read
    # it from the environment when numpy starts in them, which is after this; the user's own setting wins.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    method = choose()
    try:
        ctx = mp.get_context(method)
    except ValueError as exc:  # a platform that lists a method but cannot make it
        raise StartMethodError(f"This platform cannot start training processes with {method!r} ({exc}).") from exc
    if method == "forkserver":
        ctx.set_forkserver_preload(list(PRELOAD))
    return ctx
