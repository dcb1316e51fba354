"""Regression by gradient descent: slope y = w·x, line y = m·x + b, or a polynomial, on the mean (or sum)
of squared errors, with any of the optimizers, batch / mini-batch / stochastic updates and line searches,
and several optimizers side by side from one start (compare mode).

Plain batch gradient descent on the line is exactly the seed article's rule, from the same start:

    ∂E/∂b = -(2/N) Σ (y_i - (m x_i + b)),   ∂E/∂m = -(2/N) Σ x_i (y_i - (m x_i + b))
    b ← b - lr·∂E/∂b,   m ← m - lr·∂E/∂m

computed from sufficient statistics (see least_squares), so a step costs the same for 10 points or a
million. Stochastic and mini-batch updates use the points themselves: one shuffled pass is an epoch.

The package, one job a module: ``params`` (RegressionParams, run specs), ``results`` (optimum, snapshots,
pictures), ``run`` (one optimizer's run), ``steps`` (stepping, a mixin of the trainer), ``views`` (the pictures,
functions of the trainer that the tab names as views), ``trainer`` (RegressionTrainer: data, protocol,
sessions).
"""

from gdplay.core.regression.params import (
    ARMIJO_C,
    ARMIJO_SHRINK,
    AVERAGE_WINDOWS,
    COSTS,
    HISTORY_CAPACITY,
    LINE_SEARCHES,
    OPTIMIZER_LABELS,
    REGRESSION_OPTIMIZERS,
    STATE_FORMAT,
    STATE_STRUCTURE,
    RegressionParams,
    run_label,
    split_run,
)
from gdplay.core.regression.results import (
    CostCurve,
    FitCurves,
    Optimum,
    RegressionSnapshot,
    RunHistory,
    RunSnapshot,
    Surface,
    column_index,
    history_fields,
)
from gdplay.core.regression.run import (
    run_generator,
)
from gdplay.core.regression.trainer import (
    RegressionTrainer,
)

__all__ = [
    "ARMIJO_C",
    "ARMIJO_SHRINK",
    "AVERAGE_WINDOWS",
    "COSTS",
    "HISTORY_CAPACITY",
    "LINE_SEARCHES",
    "OPTIMIZER_LABELS",
    "REGRESSION_OPTIMIZERS",
    "STATE_FORMAT",
    "STATE_STRUCTURE",
    "CostCurve",
    "FitCurves",
    "Optimum",
    "RegressionParams",
    "RegressionSnapshot",
    "RegressionTrainer",
    "RunHistory",
    "RunSnapshot",
    "Surface",
    "column_index",
    "history_fields",
    "run_generator",
    "run_label",
    "split_run",
]
