"""The one list of tabs: everything that names tabs reads it, and each entry points at what exists."""

import importlib

import pytest

from gdplay import tabs
from gdplay.core import session


def test_every_entry_has_its_tab_class_presets_and_fit_command():
    for t in tabs.TABS:
        assert tabs.tab_class(t.key).__name__ == t.tab_class.split(":")[1]
        assert tabs.preset_keys(t.key)
        assert hasattr(importlib.import_module(f"gdplay.commands.fit_{t.fit}"), "run")


def test_sessions_the_window_and_the_command_line_read_the_registry():
    from gdplay import app
    from gdplay.ui import main_window

    assert session.TAB_KEYS is tabs.TAB_KEYS and main_window.TAB_KEYS is tabs.TAB_KEYS
    assert app.FIT_MODELS is tabs.FIT_MODELS
    assert set(app.preset_keys()) == set(tabs.TAB_KEYS)


def test_an_unknown_tab_names_the_tabs():
    with pytest.raises(KeyError, match="regression, network, svm, surfaces"):
        tabs.spec("plots")
