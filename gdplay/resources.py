"""Finds files shipped in ``resources/`` (example data, sessions, icons), from a checkout or an editable
install (the folder beside the package) or from an installed wheel (``gdplay/resources`` inside it)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

_HERE = Path(__file__).resolve().parent


def resource_dir() -> Path:
    for candidate in (_HERE.parent / "resources", _HERE / "resources"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("gdplay's resources folder is missing; reinstall gdplay.")


def resource_path(*parts: str) -> Path:
    return resource_dir().joinpath(*parts)


def load_xy(name: str) -> tuple[np.ndarray, np.ndarray]:
    """A shipped two-column data set (x, y; no header) from resources/data."""
    data = np.loadtxt(resource_path("data", name), delimiter=",", ndmin=2)
    return data[:, 0], data[:, 1]


def examples() -> list[tuple[str, str, str]]:
    """The example sessions in resources/examples as (path, title, one-line description), in file-name
    order (the names start with a number). A damaged example is left out rather than breaking the menu."""
    import json

    folder = resource_dir() / "examples"
    out = []
    for path in sorted(folder.glob("*.gdplay.json")) if folder.is_dir() else ():
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            out.append((str(path), str(doc["name"]), str(doc.get("description", ""))))
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return out
