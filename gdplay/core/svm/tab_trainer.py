"""The SVM tab's trainer: SVMTrainer plus the state its views keep between snapshots (the primal cost
surface, recomputed only when it changes). The views and requests themselves are functions of it in
``views.py``."""

from __future__ import annotations

from gdplay.core.svm.params import SVMParams
from gdplay.core.svm.results import CostSurface
from gdplay.core.svm.trainer import SVMTrainer


class SVMTabTrainer(SVMTrainer):
    """SVMTrainer with the primal surface's cache (``views.primal_surface``)."""

    def __init__(self, params: SVMParams | None = None, history_capacity: int = 4096) -> None:
        super().__init__(params, history_capacity)
        self.surface_key: tuple | None = None
        self.surface_cache: CostSurface | None = None
        self.surface_version = 0
