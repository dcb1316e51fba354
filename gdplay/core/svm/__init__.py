"""Support vector machines: the soft-margin classifier trained two ways, plus the sweeps of the seed article.

Primal (linear kernel only), minimised by (sub)gradient descent:

    P(w, b) = ½‖w‖² + C Σ_i max(0, 1 − y_i (w·x_i + b))

Dual, solved by SMO as in libsvm (Fan, Chen & Lin 2005, second-order working-set selection); with
Q_ij = y_i y_j K(x_i, x_j):

    maximise D(α) = Σ α_i − ½ αᵀQα   subject to 0 <= α_i <= C,  Σ α_i y_i = 0

and f(x) = Σ α_i y_i K(x_i, x) + b. libsvm reports obj = −D. The duality gap P − D >= 0 is 0 at the optimum.

The solver keeps v = −y∘∇(½αᵀQα − Σα) (libsvm's −y_t G_t), updated with two kernel rows per step, so a step
costs O(n) and y_t f(x_t) = 1 − y_t v_t + y_t b comes for free. It stops when the maximal KKT violation
max_{I_up} v − min_{I_low} v <= tol (libsvm's stopping rule, tol = 1e-3 as libsvm's default).

The package, one job a module: ``params`` (hyperparameters, constants, data checks), ``results`` (result,
snapshot, pictures), ``objectives`` (P, D, the gap, the primal surface), ``smo`` and ``primal`` (the two
solvers, mixins of the trainer), ``trainer`` (SVMTrainer: data, protocol, sessions), ``reference`` (libsvm,
comparisons, the article's sweeps and numbers), ``tab_trainer`` (the tab's trainer) and ``views`` (what
the tab asks it for: functions of the trainer).
"""

from gdplay.core.svm.objectives import (
    dual_certificate,
    hinge_sum,
    linear_grid,
    primal_cost_surface,
    primal_objective,
    relative_gap,
)
from gdplay.core.svm.params import (
    ALPHA_RTOL,
    CERTIFICATE_EPS,
    CERTIFICATE_EVERY,
    F32_MAX,
    HISTORY_FIELDS,
    LR_SCHEDULES,
    MAX_DUAL_POINTS,
    SOLVERS,
    STATE_FORMAT,
    STATE_SCALARS,
    STRUCTURAL,
    TAU,
    SVMParams,
    _check_X,
    as_signed_labels,
    data_problem,
    scale_note,
)
from gdplay.core.svm.reference import (
    ARTICLE_EXP1,
    ARTICLE_EXP2_ACCURACY,
    ARTICLE_SIGMA2_ACCURACY,
    LIBSVM_C_SWEEP_N_SUPPORT,
    SEED_C_VALUES,
    SEED_SIGMA2_VALUES,
    ArticleExperiment1,
    CSweepPoint,
    SigmaSweepPoint,
    SolutionDiff,
    article_experiment_of,
    compare_solutions,
    reference,
    sweep_C,
    sweep_sigma2,
)
from gdplay.core.svm.results import (
    CostSurface,
    DecisionMap,
    SVMResult,
    SVMSnapshot,
)
from gdplay.core.svm.tab_trainer import (
    SVMTabTrainer,
)
from gdplay.core.svm.trainer import (
    SVMTrainer,
)
from gdplay.core.svm.views import (
    Comparison,
    CSweep,
    SigmaSweep,
    surface_window,
)

__all__ = [
    "ALPHA_RTOL",
    "ARTICLE_EXP1",
    "ARTICLE_EXP2_ACCURACY",
    "ARTICLE_SIGMA2_ACCURACY",
    "CERTIFICATE_EPS",
    "CERTIFICATE_EVERY",
    "F32_MAX",
    "HISTORY_FIELDS",
    "LIBSVM_C_SWEEP_N_SUPPORT",
    "LR_SCHEDULES",
    "MAX_DUAL_POINTS",
    "SEED_C_VALUES",
    "SEED_SIGMA2_VALUES",
    "SOLVERS",
    "STATE_FORMAT",
    "STATE_SCALARS",
    "STRUCTURAL",
    "TAU",
    "ArticleExperiment1",
    "CSweep",
    "CSweepPoint",
    "Comparison",
    "CostSurface",
    "DecisionMap",
    "SVMParams",
    "SVMResult",
    "SVMSnapshot",
    "SVMTabTrainer",
    "SVMTrainer",
    "SigmaSweep",
    "SigmaSweepPoint",
    "SolutionDiff",
    "_check_X",
    "article_experiment_of",
    "as_signed_labels",
    "compare_solutions",
    "data_problem",
    "dual_certificate",
    "hinge_sum",
    "linear_grid",
    "primal_cost_surface",
    "primal_objective",
    "reference",
    "relative_gap",
    "scale_note",
    "surface_window",
    "sweep_C",
    "sweep_sigma2",
]
