"""The one list of gdplay's tabs, read by the main window, sessions, ``--tab``, ``--preset`` and ``gdplay fit``.

Standard library only: it names each tab's classes and modules as import paths and loads them on demand, so
the core (sessions), the command line and the window can all read it without pulling Qt in. A fifth tab is a
tab class, a presets module, a ``gdplay fit`` command and one line here.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TabSpec:
    key: str  # in session files and for --tab
    title: str  # on the tab
    tab_class: str  # "module:Class", built when the tab is first shown
    presets: str  # a Qt-free module with PRESETS (each with .key) or KEYS
    fit: str  # gdplay fit <fit>: the module gdplay.commands.fit_<fit>


TABS: tuple[TabSpec, ...] = (
    TabSpec("regression", "Regression", "gdplay.ui.regression.tab:RegressionTab", "gdplay.ui.regression.presets",
            "regression"),
    TabSpec("network", "Neural network", "gdplay.ui.network.tab:NetworkTab", "gdplay.ui.network.presets", "network"),
    TabSpec("svm", "SVM", "gdplay.ui.svm.tab:SvmTab", "gdplay.ui.svm.presets", "svm"),
    TabSpec("surfaces", "Surfaces", "gdplay.ui.surfaces.tab:SurfacesTab", "gdplay.ui.surfaces.presets", "surface"),
)
TAB_KEYS: tuple[str, ...] = tuple(t.key for t in TABS)
TAB_TITLES: dict[str, str] = {t.key: t.title for t in TABS}
FIT_MODELS: tuple[str, ...] = tuple(t.fit for t in TABS)


def spec(key: str) -> TabSpec:
    for t in TABS:
        if t.key == key:
            return t
    raise KeyError(f"no tab {key!r}; the tabs are {', '.join(TAB_KEYS)}")


def tab_class(key: str) -> Any:
    """The tab's widget class (importing its module, and so Qt and pyqtgraph, now)."""
    module, name = spec(key).tab_class.split(":")
    return getattr(importlib.import_module(module), name)


def preset_keys(key: str) -> tuple[str, ...]:
    """The keys of the tab's experiments, from its Qt-free presets module."""
    module = importlib.import_module(spec(key).presets)
    keys = getattr(module, "KEYS", None)
    return tuple(keys) if keys is not None else tuple(p.key for p in module.PRESETS)
