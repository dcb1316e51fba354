"""The state SVMTrainer holds and its solver mixins (smo, warm_start, primal) read, declared once for the type
checker."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from gdplay.core.history import History
from gdplay.core.svm.params import SVMParams
from gdplay.core.trainer import Status


class SolverState:
    """Declarations only: SVMTrainer sets these (see trainer.py)."""

    params: SVMParams
    X: np.ndarray
    y: np.ndarray
    status: Status
    message: str
    n_iter_: int
    history_: History
    w_: np.ndarray
    intercept_: float
    dual_: float
    primal_: float
    _finish: Callable[[Status], None]
    _overflow_message: Callable[[], str]
