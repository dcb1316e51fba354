"""Helpers shared by the saved-state tests (tests/core/test_*_state.py) and the session tests: a state's
trip through a session file's JSON, bit-exact comparison of snapshots and states, and damaging a saved
state at a path."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import fields, is_dataclass
from typing import Any

import numpy as np

DELETE = object()  # set_at(path, DELETE): remove the field


def through_json(obj: Any) -> Any:
    """``obj`` written as a session file writes it (no NaN or inf allowed) and read back."""
    return json.loads(json.dumps(obj, allow_nan=False))


def saved_state(trainer: Any) -> Any:
    """The trainer's ``export_state()`` after a trip through JSON, as a session file gives it back."""
    return through_json(trainer.export_state())


def assert_same(a: Any, b: Any, path: str = "") -> None:
    """Equal to the bit: dataclasses field by field, arrays by dtype, shape and bytes, floats by their bytes
    (NaN == NaN, 0.0 != -0.0); ``path`` names where they differ."""
    if is_dataclass(a):
        assert type(a) is type(b), path
        for f in fields(a):
            assert_same(getattr(a, f.name), getattr(b, f.name), f"{path}.{f.name}")
    elif isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray) and (a.dtype, a.shape) == (b.dtype, b.shape), path
        assert a.tobytes() == b.tobytes(), path
    elif isinstance(a, (tuple, list)):
        assert type(a) is type(b) and len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{path}[{i}]")
    elif isinstance(a, Mapping):
        assert isinstance(b, Mapping) and a.keys() == b.keys(), path
        for k in a:
            assert_same(a[k], b[k], f"{path}[{k!r}]")
    elif isinstance(a, float):
        assert isinstance(b, float) and np.float64(a).tobytes() == np.float64(b).tobytes(), (path, a, b)
    else:
        assert a == b, (path, a, b)


def _parent(state: Any, path: Sequence[Any]) -> Any:
    for key in path[:-1]:
        state = state[key]
    return state


def set_at(path: Sequence[Any] | str, value: Any) -> Callable[[Any], None]:
    """A damage for a saved state: the field at ``path`` (keys and indices from the top; one key as a
    string) set to ``value``, or removed with DELETE."""
    keys = (path,) if isinstance(path, str) else tuple(path)

    def damage(state: Any) -> None:
        parent = _parent(state, keys)
        if value is DELETE:
            del parent[keys[-1]]
        else:
            parent[keys[-1]] = value
    return damage


def damage_base64(path: Sequence[Any]) -> Callable[[Any], None]:
    """A damage for a saved state: the array at ``path`` with its last bytes' base64 made invalid."""
    keys = tuple(path)

    def damage(state: Any) -> None:
        array = _parent(state, (*keys, "base64"))
        array["base64"] = array["base64"][:-4] + "@@@@"
    return damage
