"""Beyond the convex bowl: gradient descent on two-variable surfaces with local minima, saddles and long
curved valleys, or on a formula you type; the basins of attraction of their minima; and a trainer for the
Surfaces tab and ``gdplay fit surface``.

Every surface gives its value f(x, y), its gradient (∂f/∂x, ∂f/∂y) and its Hessian (∂²f/∂x², ∂²f/∂x∂y,
∂²f/∂y²) in closed form, vectorised over arrays of points. The update rules are gdplay.core.optimizers'
(the Regression tab's), applied to a (2, n) array of n independent starts at once: a single run is n = 1,
and the basins map is every start of an N × N grid stepped together, so the map and a run are one code path.

The package, one job a module: ``functions`` (f, ∇f and the Hessian of each surface), ``critical`` (critical
points, curvature), ``catalogue`` (the surfaces offered, a typed formula as a surface), ``params``
(SurfaceParams, run specs), ``results`` (snapshots and pictures), ``walker`` (many starts stepped at once,
the gradient noise), ``basins`` (the basins map), ``trainer`` (SurfaceTrainer: protocol, snapshots,
sessions), ``views`` (the pictures the tab asks for, as functions of the trainer).
"""

from gdplay.core.surfaces import views
from gdplay.core.surfaces.basins import BASIN_CHECK, MAX_FOUND, basins
from gdplay.core.surfaces.catalogue import (
    FORMULA,
    FORMULA_WINDOW,
    SURFACES,
    SurfaceDef,
    formula_surface,
    surface_def,
)
from gdplay.core.surfaces.critical import (
    KINDS,
    CriticalPoint,
    Curvature,
    classify,
    critical_point,
    curvature_at,
    describe_curvature,
    find_critical_points,
    newton_refine,
)
from gdplay.core.surfaces.functions import (
    Beale,
    Function,
    Himmelblau,
    MonkeySaddle,
    Rastrigin,
    Rosenbrock,
    Saddle,
    SixHumpCamel,
    Typed,
)
from gdplay.core.surfaces.params import (
    FIELDS,
    HISTORY_CAPACITY,
    NOISE_SCHEDULES,
    NOISY,
    STATE_FORMAT,
    STATE_STRUCTURE,
    SURFACE_OPTIMIZERS,
    SurfaceParams,
    point_from_text,
    run_label,
    run_spec,
)
from gdplay.core.surfaces.results import DIVERGED, NOT_SETTLED, BasinsMap, SurfaceGrid, SurfaceRun, SurfaceSnapshot
from gdplay.core.surfaces.trainer import SurfaceTrainer
from gdplay.core.surfaces.walker import ESCAPE, Walker, noise_scale

__all__ = [
    "BASIN_CHECK",
    "DIVERGED",
    "ESCAPE",
    "FIELDS",
    "FORMULA",
    "FORMULA_WINDOW",
    "HISTORY_CAPACITY",
    "KINDS",
    "MAX_FOUND",
    "NOISE_SCHEDULES",
    "NOISY",
    "NOT_SETTLED",
    "STATE_FORMAT",
    "STATE_STRUCTURE",
    "SURFACES",
    "SURFACE_OPTIMIZERS",
    "BasinsMap",
    "Beale",
    "CriticalPoint",
    "Curvature",
    "Function",
    "Himmelblau",
    "MonkeySaddle",
    "Rastrigin",
    "Rosenbrock",
    "Saddle",
    "SixHumpCamel",
    "SurfaceDef",
    "SurfaceGrid",
    "SurfaceParams",
    "SurfaceRun",
    "SurfaceSnapshot",
    "SurfaceTrainer",
    "Typed",
    "Walker",
    "basins",
    "classify",
    "critical_point",
    "curvature_at",
    "describe_curvature",
    "find_critical_points",
    "formula_surface",
    "newton_refine",
    "noise_scale",
    "point_from_text",
    "run_label",
    "run_spec",
    "surface_def",
    "views",
]
