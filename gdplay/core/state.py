"""JSON-safe pieces of a saved state: numpy arrays (bit-exact, NaN and inf included, as base64 of their
little-endian bytes, so the file can be written with ``allow_nan=False``) and random generators. Decoding
checks everything and raises StateError with a sentence naming the field, never a bare KeyError."""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from gdplay.core.history import History
from gdplay.core.trainer import Status, ValidationError

_DTYPES = {"float64": "<f8", "int64": "<i8", "bool": "|b1"}
MAX_ELEMENTS = 50_000_000  # ~400 MB of float64: far beyond any real session; refuses a hostile shape first


class StateError(ValidationError):
    """A saved state that cannot be restored; the message names the field and what was expected."""


def encode_array(a: np.ndarray) -> dict[str, Any]:
    a = np.asarray(a)
    kind = "bool" if a.dtype == bool else "int64" if a.dtype.kind in "iu" else "float64"
    data = np.ascontiguousarray(a, dtype=_DTYPES[kind]).tobytes()
    return {"dtype": kind, "shape": list(a.shape), "base64": base64.b64encode(data).decode("ascii")}


def decode_array(obj: Any, what: str, dtype: str = "float64", ndim: int | None = None,
                 shape: tuple[int | None, ...] | None = None, finite: bool = False) -> np.ndarray:
    """The array ``encode_array`` made, checked: its dtype, its number of dimensions, its shape (None in
    ``shape`` is any length) and, with ``finite``, that it holds no NaN or inf. Writable, native order."""
    if not isinstance(obj, Mapping) or not {"dtype", "shape", "base64"} <= obj.keys():
        raise StateError(f"{what} is not a saved array (expected dtype, shape and base64 fields).")
    if obj["dtype"] != dtype:
        raise StateError(f"{what} holds {obj['dtype']!r} values; expected {dtype}.")
    dims = obj["shape"]
    if not isinstance(dims, list) or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0
                                              for d in dims):
        raise StateError(f"{what} has shape {dims!r}; expected a list of non-negative whole numbers.")
    if ndim is not None and len(dims) != ndim:
        raise StateError(f"{what} has {len(dims)} dimensions; expected {ndim}.")
    if shape is not None and (len(dims) != len(shape) or any(s is not None and s != d for s, d in zip(shape, dims))):
        want = "×".join("any" if s is None else str(s) for s in shape)
        raise StateError(f"{what} has shape {'×'.join(map(str, dims))}; expected {want}.")
    count = math.prod(dims)
    if count > MAX_ELEMENTS:
        raise StateError(f"{what} has {count:,} values; the limit is {MAX_ELEMENTS:,}.")
    text = obj["base64"]
    try:
        raw = base64.b64decode(text.encode("ascii") if isinstance(text, str) else b"?", validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise StateError(f"{what} is damaged (its data is not valid base64).") from None
    item = np.dtype(_DTYPES[dtype]).itemsize
    if len(raw) != count * item:
        raise StateError(f"{what} is damaged: {len(raw)} bytes for {count} values of {item} bytes.")
    out = np.frombuffer(raw, dtype=_DTYPES[dtype]).reshape(dims).astype(np.dtype(dtype), copy=True)
    if finite and dtype == "float64" and not np.isfinite(out).all():
        raise StateError(f"{what} contains NaN or infinity; every value must be a finite number.")
    return out


def encode_rng(rng: np.random.Generator) -> dict[str, Any]:
    """A generator's exact position (its bit generator's state: plain ints and strings)."""
    return dict(rng.bit_generator.state)


def decode_rng(obj: Any, what: str) -> np.random.Generator:
    """A generator at the position ``encode_rng`` saved."""
    if not isinstance(obj, Mapping) or "bit_generator" not in obj:
        raise StateError(f"{what} is not a saved random generator state.")
    name = obj["bit_generator"]
    cls = getattr(np.random, str(name), None) if name in ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64") \
        else None
    if cls is None:
        raise StateError(f"{what} uses the random generator {name!r}, which gdplay does not know.")
    bit = cls()
    try:
        bit.state = dict(obj)
    except (TypeError, ValueError, KeyError, OverflowError) as exc:
        raise StateError(f"{what} is damaged ({exc}).") from None
    return np.random.Generator(bit)


def field(obj: Mapping[str, Any], key: str, what: str, kind: type | tuple[type, ...]) -> Any:
    """``obj[key]`` checked to be of ``kind`` (bool is not taken for int, ints are taken for float)."""
    if not isinstance(obj, Mapping):
        raise StateError(f"{what} is not an object with named fields.")
    if key not in obj:
        raise StateError(f"{what} has no {key!r} field.")
    value = obj[key]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if float in kinds and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if isinstance(value, bool) and bool not in kinds:
        ok = False
    else:
        ok = isinstance(value, kinds)
    if not ok:
        names = " or ".join(k.__name__ for k in kinds)
        raise StateError(f"{what}: {key!r} is {value!r}; expected {names}.")
    return value


def check_header(obj: Any, kind: str, fmt: int, what: str) -> None:
    """Refuse a state of another kind (a network's given to the SVM) or of another format version."""
    saved = field(obj, "kind", what, str)
    if saved != kind:
        raise StateError(f"{what} is a saved {saved!r} state; expected {kind!r}.")
    version = field(obj, "format", what, int)
    if version != fmt:
        raise StateError(f"{what} has format version {version}; this version of gdplay reads version {fmt}.")


def check_structure(obj: Any, params: Any, keys: tuple[str, ...], what: str) -> None:
    """Refuse a state made under other structural settings (``obj["structure"]`` against ``params``): what
    the saved numbers mean depends on them (a line's two coefficients are not a cubic's four)."""
    structure = field(obj, "structure", what, dict)
    for k in keys:
        now = getattr(params, k)
        if structure.get(k) != now:
            raise StateError(f"{what} was made with {k}={structure.get(k)!r}; the current setting is {now!r}.")


def decode_status(obj: Mapping[str, Any], what: str, allow_invalid: bool = True) -> Status:
    """``obj["status"]``: one of Status's values ("ready", "training", ...). ``allow_invalid=False`` for a
    trainer whose saved state only exists when it has something to restore (INVALID comes from the data)."""
    value = field(obj, "status", what, str)
    allowed = [s for s in Status if allow_invalid or s is not Status.INVALID]
    if value not in [s.value for s in allowed]:
        names = ", ".join(repr(s.value) for s in allowed)
        raise StateError(f"{what}: 'status' is {value!r}; expected one of {names}.")
    return Status(value)


def count(obj: Mapping[str, Any], key: str, what: str) -> int:
    """``obj[key]``, a whole number >= 0 (a step, an epoch, a position)."""
    value = field(obj, key, what, int)
    if value < 0:
        raise StateError(f"{what}: {key!r} is {value}; expected a whole number >= 0.")
    return int(value)


def items(obj: Mapping[str, Any], key: str, what: str, n: int) -> list[Any]:
    """``obj[key]``, a list of exactly ``n`` entries (one per layer, say)."""
    value = field(obj, key, what, list)
    if len(value) != n:
        raise StateError(f"{what} has {len(value)} {key}; expected {n}.")
    return list(value)


def encode_history(h: History) -> dict[str, Any]:
    """A History's rows and stride (its fields are written too, so a load can check they still match)."""
    return {"fields": list(h.fields), "stride": h.stride, "rows": encode_array(h.rows())}


def decode_history(obj: Any, what: str, fields: tuple[str, ...], capacity: int) -> History:
    """A ``History(fields, capacity)`` holding the rows ``encode_history`` saved, checked: the same fields, at
    most ``capacity`` rows, a power-of-two stride, and steps that are whole, increasing multiples of it
    (values may be NaN or inf: a diverged run's last rows)."""
    saved = field(obj, "fields", what, list)
    if saved != list(fields):
        raise StateError(f"{what} records {saved!r}; expected {list(fields)!r}.")
    stride = field(obj, "stride", what, int)
    if stride < 1 or stride & (stride - 1):
        raise StateError(f"{what}: 'stride' is {stride}; expected a power of two.")
    rows = decode_array(field(obj, "rows", what, Mapping), f"{what} rows", shape=(None, 1 + len(fields)))
    if len(rows) > capacity:
        raise StateError(f"{what} has {len(rows)} rows; it can hold at most {capacity}.")
    steps = rows[:, 0]
    if not (np.isfinite(steps).all() and (steps >= 0).all() and (steps % stride == 0).all()
            and (np.diff(steps) > 0).all()):
        raise StateError(f"{what} has bad steps: they must be increasing whole multiples of its stride ({stride}).")
    h = History(fields, capacity)
    h._data[: len(rows)] = rows  # History has no loader: fill its buffer as append would have
    h._n = len(rows)
    h.stride = stride
    return h
