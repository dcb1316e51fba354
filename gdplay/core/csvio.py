"""Strict CSV for point sets: a header is optional, a UTF-8 BOM is fine; other encodings, decimal commas,
ragged rows, text cells, NaN/inf and empty files are refused with the line and column named and what
was expected. Only a regular file is read, and size limits are checked before the file is read; rows end
at LF, CRLF or a lone CR (and nowhere else: a form feed inside a line does not start a new one)."""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass

import numpy as np

from gdplay.core.trainer import ValidationError

MAX_ROWS = 1_000_000
MAX_BYTES = 100 * 2**20
_LINE_END = re.compile(r"\r\n|\r|\n")
_INTEGER = re.compile(r"^[-+]?\d+$")
_DIGITS = re.compile(r"^\d+$")
MAX_LABEL = 2**31 - 1  # a class label is a small whole number; beyond this it is surely not one


class CSVError(ValidationError):
    """A file that cannot be read as the expected table; the message says where and why."""


@dataclass(frozen=True)
class Table:
    values: np.ndarray  # (n, number of float columns)
    labels: np.ndarray | None  # (n,) integers, when the table has a label column
    header: bool
    lines: np.ndarray  # (n,) the file's line number of each row, for messages about a row


def _size_text(n: int) -> str:
    return f"{n / 2**20:.1f} MB" if n < 2**30 else f"{n / 2**30:.1f} GB"


def read_table(path: str | os.PathLike[str], columns: tuple[str, ...], label: str | None = None,
               max_rows: int = MAX_ROWS, max_bytes: int = MAX_BYTES) -> Table:
    """Read ``columns`` (floats) and optionally a last ``label`` column (integers) from a CSV file."""
    names = (*columns, label) if label else columns
    expected = ", ".join(names)
    from gdplay.core.atomic import FileTooLarge, NotARegularFile, read_regular_file

    try:
        raw = read_regular_file(path, max_bytes)
    except NotARegularFile as exc:
        raise CSVError(f"Cannot open {os.fspath(path)!r}: {exc.kind} is not a CSV file; choose a file.") from None
    except FileTooLarge as exc:
        raise CSVError(f"The file is {_size_text(exc.size)}; the limit is {_size_text(max_bytes)}.") from None
    except OSError as exc:
        raise CSVError(f"Cannot open {os.fspath(path)!r}: {exc.strerror or exc}.") from None
    # every line end counts (LF, CRLF, a lone CR): counted on the bytes, before any line list is made
    ends = raw.count(b"\n") + raw.count(b"\r") - raw.count(b"\r\n")
    if ends > max_rows + 1:
        raise CSVError(f"The file has more than {max_rows:,} rows; the limit is {max_rows:,}.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        where = len(_LINE_END.findall(raw[: exc.start].decode("latin-1"))) + 1
        raise CSVError(f"The file is not UTF-8 (byte 0x{raw[exc.start]:02X} at offset {exc.start}, line {where}); "
                       "save it as UTF-8 and try again.") from None
    lines = _LINE_END.split(text)  # not str.splitlines, which also breaks at form feeds and U+2028
    while lines and not lines[-1].strip():
        lines.pop()
    if not any(line.strip() for line in lines):
        raise CSVError(f"The file is empty; expected rows of {expected}.")
    rows: list[list[float]] = []
    labels: list[int] = []
    line_numbers: list[int] = []
    header = False
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            raise CSVError(f"Line {number} is empty; expected {len(names)} values ({expected}).")
        if ";" in line or "\t" in line:
            sep = "';'" if ";" in line else "a tab"
            raise CSVError(f"Line {number} uses {sep} between values; gdplay reads comma-separated values "
                           f"with '.' as the decimal point ({expected}).")
        cells = [c.strip() for c in line.split(",")]
        if number == 1 and not _numeric(cells[0]):
            header = True
            got = [c.strip().strip('"').lower() for c in cells]
            if got != [n.lower() for n in names]:
                raise CSVError(f"Line 1 is a header {', '.join(cells)!s}; expected {expected} "
                               "(or no header, just numbers).")
            continue
        if len(cells) != len(names):
            hint = ""
            if _decimal_comma_fits(cells, len(columns), label is not None) and "." not in text:
                hint = " (is ',' used as a decimal mark? gdplay needs '.')"
            raise CSVError(f"Line {number} has {len(cells)} values; expected {len(names)} ({expected}){hint}.")
        row = []
        for name, cell in zip(columns, cells):
            row.append(_number(cell, number, name))
        rows.append(row)
        line_numbers.append(number)
        if label:
            labels.append(_integer(cells[-1], number, label))
    if not rows:
        raise CSVError(f"The file has a header but no rows; expected rows of {expected}.")
    values = np.array(rows, dtype=np.float64).reshape(-1, len(columns))
    return Table(values, np.array(labels, dtype=np.int64) if label else None, header,
                 np.array(line_numbers, dtype=np.int64))


def _decimal_comma_fits(cells: list[str], floats: int, labelled: bool) -> bool:
    """Whether ``cells`` could be the row's values written with ',' as the decimal mark: each float column
    one whole number or two (whole part, then a fraction of plain digits), a label column one whole number,
    and that adds up to exactly the row's cells. (The caller also checks that the file has no '.' at all:
    a file that writes decimals with '.' does not use ',' for them.)"""
    if not all(_INTEGER.match(c) for c in cells):
        return False
    if labelled:
        cells = cells[:-1]
    extra = len(cells) - floats  # the number of values that would have been split at a decimal comma
    if not 0 < extra <= floats:
        return False
    # a split value's fraction has no sign; find whether `extra` splits fit, left to right (greedy is exact:
    # a cell that can start a split pair is taken as one only if enough cells remain otherwise)
    i, values, splits = 0, 0, 0
    while i < len(cells):
        remaining_cells, remaining_values = len(cells) - i, floats - values
        if remaining_cells > remaining_values and i + 1 < len(cells) and _DIGITS.match(cells[i + 1]):
            i, splits = i + 2, splits + 1
        else:
            i += 1
        values += 1
    return values == floats and splits == extra


def _numeric(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _number(cell: str, line: int, column: str) -> float:
    try:
        value = float(cell)
    except ValueError:
        if not cell:
            raise CSVError(f"Line {line}, column {column} is empty; expected a number.") from None
        raise CSVError(f"Line {line}, column {column}: {cell!r} is not a number.") from None
    if not math.isfinite(value):
        raise CSVError(f"Line {line}, column {column}: {cell!r} is not a finite number.")
    return value


def _integer(cell: str, line: int, column: str) -> int:
    value = _number(cell, line, column)
    if value != int(value):
        raise CSVError(f"Line {line}, column {column}: {cell!r} is not a whole number (a class label).")
    if abs(value) > MAX_LABEL:
        raise CSVError(f"Line {line}, column {column}: {cell!r} is too large for a class label; labels are small "
                       "whole numbers such as 0 and 1.")
    return int(value)


def format_number(v: float) -> str:
    """Shortest text that reads back to exactly the same float (whole numbers without '.0', keeping -0.0)."""
    v = float(v)
    if v.is_integer() and abs(v) < 2**53 and not (v == 0 and math.copysign(1.0, v) < 0):
        return str(int(v))
    return repr(v)


def write_table(path: str | os.PathLike[str], header: tuple[str, ...], rows: np.ndarray) -> None:
    """Write rows under a header, numbers in round-trip form; atomically (temp file, fsync, rename)."""
    from gdplay.core.atomic import atomic_write_text

    lines = [",".join(header)]
    lines += [",".join(format_number(v) for v in row) for row in np.asarray(rows, dtype=np.float64)]
    atomic_write_text(path, "\n".join(lines) + "\n")
