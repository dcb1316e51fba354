"""Qt threads around the core: one training process per tab, behind a relay QThread, no widgets.

The public face for the UI: ``TrainingController``, the commands it sends (``gdplay.bridge.commands``) and
``CallFailed``, the one type that stands in for a result a trainer could not give, and ``process_context()``,
the multiprocessing context for any other background process (libsvm's comparison), started as trainers are.
``TrainingController`` is imported on first use, so a training process (which imports ``gdplay.bridge.runner``)
never loads Qt.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gdplay.bridge.commands import CallFailed
from gdplay.bridge.start_method import context as process_context

if TYPE_CHECKING:
    from gdplay.bridge.controller import TrainingController

__all__ = ["CallFailed", "TrainingController", "process_context"]


def __getattr__(name: str) -> Any:
    if name == "TrainingController":
        from gdplay.bridge.controller import TrainingController

        return TrainingController
    raise AttributeError(f"module 'gdplay.bridge' has no attribute {name!r}")
