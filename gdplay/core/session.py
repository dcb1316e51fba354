"""The session file (``*.gdplay.json``): every tab's points, parameters, settings and trained state.

Shape (format version 1)::

    {"format": "gdplay-session", "version": 1, "name": "...", "description": "...", "active_tab": "svm",
     "tabs": {"regression": {"params": {...}, "points": {"xy": [[x, y], ...], "labels": [0, ...]},
                             "settings": {...}, "trained": {...} or null}, ...}}

Points are plain JSON numbers (Python writes the shortest text that reads back to the same float, so they
round-trip bit-exactly and stay readable); trained state holds base64 arrays (see gdplay.core.state).
Reading checks the whole file before anything is changed; a newer version is refused; older versions are
migrated one step at a time by ``MIGRATIONS``. JSON only, written with ``allow_nan=False``, never pickle.
A key given twice in one object, NaN/Infinity and whole numbers longer than any session value are refused
(not silently resolved); only a regular file is read, its size checked first.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gdplay.core.atomic import FileTooLarge, NotARegularFile, atomic_write_text, read_regular_file, remove_stale_temps
from gdplay.core.state import StateError
from gdplay.core.trainer import ValidationError
from gdplay.tabs import TAB_KEYS  # the one list of tabs (stdlib only: it names their classes as strings)

FORMAT = "gdplay-session"
VERSION = 1
SUFFIX = ".gdplay.json"
MAX_BYTES = 200 * 2**20
MAX_POINTS = 1_000_000
MAX_INT_DIGITS = 60  # the longest whole number a session holds is a random generator's 128-bit state (39)

# MIGRATIONS[v] turns a version-v document into a version v+1 one (a new dict; the input is not changed)
MIGRATIONS: dict[int, Callable[[dict], dict]] = {}


class SessionError(ValidationError):
    """A session file that cannot be opened or saved; the message says why and what to do."""


@dataclass(frozen=True)
class TabState:
    """One tab's part of a session. ``params`` is the tab's frozen params object; ``settings`` its display
    and data options (each tab checks its own); ``trained`` a trainer's ``export_state()`` or None."""

    params: Any
    xy: np.ndarray  # (n, 2)
    labels: np.ndarray  # (n,) int64
    settings: dict[str, Any] = field(default_factory=dict)
    trained: dict[str, Any] | None = None


@dataclass(frozen=True)
class Session:
    tabs: dict[str, TabState]
    active_tab: str = "regression"
    name: str = ""
    description: str = ""


# -- params -------------------------------------------------------------------------------------------------
def params_to_json(params: Any) -> dict[str, Any]:
    """A frozen params dataclass as JSON values (tuples become lists)."""
    out = {}
    for f in dataclasses.fields(params):
        v = getattr(params, f.name)
        out[f.name] = list(v) if isinstance(v, tuple) else v
    return out


def _matches(value: Any, hint: Any) -> Any:
    """``value`` (from JSON) converted to the annotated type, or raise TypeError."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        for option in typing.get_args(hint):
            try:
                return _matches(value, option)
            except TypeError:
                continue
        raise TypeError
    if hint is type(None):
        if value is None:
            return None
        raise TypeError
    if origin is tuple:
        if not isinstance(value, list):
            raise TypeError
        item = (typing.get_args(hint) or (Any,))[0]
        return tuple(_matches(v, item) for v in value)
    if hint is bool:
        if isinstance(value, bool):
            return value
        raise TypeError
    if hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise TypeError
    if hint is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            return float(value)
        raise TypeError
    if hint is str:
        if isinstance(value, str):
            return value
        raise TypeError
    return value


def params_from_json(cls: type, obj: Any, what: str) -> Any:
    """``cls`` built from ``params_to_json``'s dict and validated. Missing fields take their defaults (a file
    from before a field existed); unknown fields and wrong types are refused with the field named."""
    if not isinstance(obj, Mapping):
        raise SessionError(f"{what} is not an object of named parameters.")
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(obj) - names)
    if unknown:
        raise SessionError(f"{what} has an unknown parameter {unknown[0]!r}; this version of gdplay knows "
                           f"{', '.join(sorted(names))}.")
    values = {}
    for name, value in obj.items():
        try:
            values[name] = _matches(value, hints[name])
        except TypeError:
            raise SessionError(f"{what}: {name} is {value!r}, which is not a valid value for it.") from None
    try:
        return cls(**values).validate()
    except ValidationError as exc:
        raise SessionError(f"{what}: {exc}") from None


# -- points ---------------------------------------------------------------------------------------------------
def points_to_json(xy: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
    return {"xy": np.asarray(xy, dtype=np.float64).reshape(-1, 2).tolist(),
            "labels": np.asarray(labels, dtype=np.int64).tolist()}


def points_from_json(obj: Any, what: str) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(obj, Mapping) or "xy" not in obj:
        raise SessionError(f"{what} has no point list 'xy'.")
    xy, labels = obj["xy"], obj.get("labels")
    if not isinstance(xy, list) or len(xy) > MAX_POINTS:
        raise SessionError(f"{what}: 'xy' must be a list of at most {MAX_POINTS:,} [x, y] pairs.")
    for i, row in enumerate(xy):
        if not (isinstance(row, list) and len(row) == 2 and all(
                isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in row)):
            raise SessionError(f"{what}: point {i + 1} is {row!r}; expected [x, y] with two finite numbers.")
    if labels is None:
        labels = [0] * len(xy)
    if not isinstance(labels, list) or len(labels) != len(xy):
        raise SessionError(f"{what}: 'labels' must be a list with one label per point ({len(xy)}).")
    for i, v in enumerate(labels):
        if not (isinstance(v, int) and not isinstance(v, bool)) or abs(v) > 1000:
            raise SessionError(f"{what}: the label of point {i + 1} is {v!r}; expected a whole number.")
    return (np.array(xy, dtype=np.float64).reshape(-1, 2), np.array(labels, dtype=np.int64))


# -- documents ------------------------------------------------------------------------------------------------
def to_json(session: Session) -> str:
    tabs = {}
    for key, tab in session.tabs.items():
        tabs[key] = {"params": params_to_json(tab.params), "points": points_to_json(tab.xy, tab.labels),
                     "settings": tab.settings, "trained": tab.trained}
    doc = {"format": FORMAT, "version": VERSION, "name": session.name, "description": session.description,
           "active_tab": session.active_tab, "tabs": tabs}
    try:
        return json.dumps(doc, allow_nan=False, indent=1, ensure_ascii=False) + "\n"
    except ValueError as exc:  # a NaN in params or settings: a bug, but the user must hear it
        raise SessionError(f"The session holds a value JSON cannot store ({exc}); it was not saved.") from None


def save(path: str | os.PathLike[str], session: Session, mode: int | None = None) -> None:
    """Write atomically: a crash or kill mid-save leaves the previous file as it was. The file gets the
    permissions ``mode`` (an autosave: 0o600), by default those of the file it replaces."""
    text = to_json(session)
    try:
        atomic_write_text(path, text, mode)
    except OSError as exc:
        raise SessionError(f"Could not save {os.fspath(path)!r}: {exc.strerror or exc}. "
                           "Your session is still open and unsaved; choose another folder.") from None


def read_document(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The file's JSON, migrated to the current version; not yet checked beyond its header."""
    name = os.fspath(path)
    try:
        raw = read_regular_file(name, MAX_BYTES)
    except NotARegularFile as exc:
        raise SessionError(f"Could not open {name!r}: {exc.kind} is not a session file; choose a file.") from None
    except FileTooLarge as exc:
        raise SessionError(f"{name!r} is {exc.size / 2**20:.0f} MB; a session file may be at most "
                           f"{MAX_BYTES // 2**20} MB.") from None
    except OSError as exc:
        raise SessionError(f"Could not open {name!r}: {exc.strerror or exc}.") from None
    remove_stale_temps(os.path.dirname(os.path.realpath(name)))  # a killed save's leftovers beside it
    return parse_document(raw, name)


def _no_constants(token: str) -> None:
    raise ValueError(f"{token} is not allowed")


class _Refused(ValueError):
    """JSON that parses but that a session never holds; the message says what, in words."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Refused(f"the key {key!r} appears twice in one object, so which value is meant is unclear")
        out[key] = value
    return out


def _bounded_int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        raise _Refused(f"it holds a whole number of {digits:,} digits; no session value has more than "
                       f"{MAX_INT_DIGITS}")
    return int(text)


def parse_document(raw: bytes, name: str = "the file") -> dict[str, Any]:
    try:
        doc = json.loads(raw.decode("utf-8-sig"), parse_constant=_no_constants, parse_int=_bounded_int,
                         object_pairs_hook=_unique_keys)
    except UnicodeDecodeError:
        raise SessionError(f"{name} is not a gdplay session (it is not UTF-8 text).") from None
    except _Refused as exc:
        raise SessionError(f"{name} cannot be opened: {exc}. The file may be damaged or edited by hand.") from None
    except (ValueError, RecursionError) as exc:
        raise SessionError(f"{name} is not a gdplay session: it is not valid JSON ({exc}).") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise SessionError(f"{name} is not a gdplay session (it has no \"format\": \"{FORMAT}\").")
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise SessionError(f"{name} has no valid format version; it may be damaged.")
    if version > VERSION:
        raise SessionError(f"{name} was saved by a newer gdplay (session format {version}; this one reads up to "
                           f"{VERSION}). Update gdplay to open it; the file is left untouched.")
    while version < VERSION:
        doc = MIGRATIONS[version](doc)
        version += 1
        doc["version"] = version
    return doc


TabParser = Callable[[str, Mapping[str, Any]], TabState]


def parse_session(doc: Mapping[str, Any], parsers: Mapping[str, TabParser], name: str = "the file") -> Session:
    """Check a migrated document completely; ``parsers[key]`` checks one tab's part (params, points,
    settings, trained state) and returns its TabState or raises ValidationError."""
    tabs_obj = doc.get("tabs")
    if not isinstance(tabs_obj, Mapping) or not tabs_obj:
        raise SessionError(f"{name} holds no tabs.")
    unknown = sorted(set(tabs_obj) - set(TAB_KEYS))
    if unknown:
        raise SessionError(f"{name} has an unknown tab {unknown[0]!r}; the tabs are {', '.join(TAB_KEYS)}.")
    tabs = {}
    for key, obj in tabs_obj.items():
        what = f"The {key} tab"
        if not isinstance(obj, Mapping):
            raise SessionError(f"{what} in {name} is not an object.")
        try:
            tabs[key] = parsers[key](what, obj)
        except StateError as exc:
            raise SessionError(f"{what}'s trained state cannot be restored: {exc}") from None
        except ValidationError as exc:
            raise SessionError(str(exc)) from None
    active = doc.get("active_tab", next(iter(tabs)))
    if active not in TAB_KEYS:
        raise SessionError(f"{name}: the active tab {active!r} is not one of {', '.join(TAB_KEYS)}.")
    text = {k: doc.get(k, "") for k in ("name", "description")}
    for k, v in text.items():
        if not isinstance(v, str):
            raise SessionError(f"{name}: the session's {k} must be text; got {v!r}.")
    return Session(tabs, active, text["name"], text["description"])


def load(path: str | os.PathLike[str], parsers: Mapping[str, TabParser]) -> Session:
    return parse_session(read_document(path), parsers, repr(os.fspath(path)))
