"""libsvm's solution in a process of its own, so that a slow solve (points of 1e12 make libsvm crawl for
minutes) can be cancelled by ending that process: libsvm's C loop cannot be interrupted from Python, and
run in the training process it would hold the tab's training until it finished. numpy + stdlib only here;
the SVM tab starts the process, polls its pipe and kills it on Cancel."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from gdplay.core.svm import SVMParams, reference
from gdplay.core.trainer import ValidationError


def solve(conn: Any, X: np.ndarray, y: np.ndarray, params: SVMParams) -> None:
    """The process's target: send ("ok", SVMResult) or ("error", sentence) on ``conn``, then end."""
    try:
        with np.errstate(all="ignore"):
            result: tuple[str, Any] = ("ok", reference(X, y, replace(params, solver="dual")))
    except (ValidationError, ValueError, ImportError, MemoryError) as exc:
        result = ("error", f"libsvm could not solve this problem: {exc}")
    try:
        conn.send(result)
    finally:
        conn.close()
