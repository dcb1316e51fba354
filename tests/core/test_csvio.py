"""Strict CSV reading and atomic writing."""

import os
import stat

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from gdplay.core.atomic import atomic_write_text
from gdplay.core.csvio import CSVError, read_table, write_table


def read(tmp_path, content: bytes | str, **kw):
    p = tmp_path / "data.csv"
    p.write_bytes(content.encode() if isinstance(content, str) else content)
    return read_table(p, ("x", "y"), **kw)


def test_header_is_optional_and_bom_is_fine(tmp_path):
    a = read(tmp_path, "x,y\n1,2\n3.5,-4e3\n")
    b = read(tmp_path, "\ufeff1,2\n3.5,-4e3\n\n")
    assert a.header and not b.header
    assert a.values.tolist() == b.values.tolist() == [[1, 2], [3.5, -4000]]


@pytest.mark.parametrize(("content", "message"), [
    ("", "The file is empty; expected rows of x, y."),
    ("x,y\n", "The file has a header but no rows"),
    ("1,2\n3\n", "Line 2 has 1 values; expected 2 (x, y)."),
    ("1,2\n3,4,5\n", "Line 2 has 3 values; expected 2 (x, y)"),
    ("1,5,2\n", "is ',' used as a decimal mark?"),
    ("1;5\n", "Line 1 uses ';' between values"),
    ("1,2\n3,abc\n", "Line 2, column y: 'abc' is not a number."),
    ("1,2\n3,\n", "Line 2, column y is empty; expected a number."),
    ("1,nan\n", "Line 1, column y: 'nan' is not a finite number."),
    ("1,2\n1e400,2\n", "Line 2, column x: '1e400' is not a finite number."),
    ("a,b\n1,2\n", "Line 1 is a header a, b; expected x, y"),
    ("1,2\n\n3,4\n", "Line 2 is empty"),
])
def test_bad_files_name_the_line_and_column(tmp_path, content, message):
    with pytest.raises(CSVError) as info:
        read(tmp_path, content)
    assert message in str(info.value)


def test_other_encodings_are_refused(tmp_path):
    with pytest.raises(CSVError, match=r"not UTF-8 \(byte 0xE9 at offset 6, line 2\)"):
        read(tmp_path, "x,y\n1,\xe9\n".encode("latin-1"))
    with pytest.raises(CSVError, match="not UTF-8"):
        read(tmp_path, "x,y\n1,2\n".encode("utf-16"))


def test_size_limits_are_checked_before_reading(tmp_path):
    big = tmp_path / "big.csv"
    with open(big, "wb") as f:
        f.truncate(2 * 2**30)  # a sparse 2 GB file: refused without reading it
    with pytest.raises(CSVError, match=r"The file is 2.0 GB; the limit is 100.0 MB"):
        read_table(big, ("x", "y"))
    with pytest.raises(CSVError, match="more than 3 rows"):
        read(tmp_path, "1,2\n" * 10, max_rows=3)


def test_labels_are_whole_numbers(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text("x1,x2,label\n1,2,0\n3,4,1\n")
    t = read_table(p, ("x1", "x2"), label="label")
    assert t.labels.tolist() == [0, 1] and t.lines.tolist() == [2, 3]
    p.write_text("1,2,0.5\n")
    with pytest.raises(CSVError, match=r"Line 1, column label: '0\.5' is not a whole number"):
        read_table(p, ("x1", "x2"), label="label")


@given(hnp.arrays(np.float64, st.tuples(st.integers(1, 20), st.just(2)),
                  elements=st.floats(allow_nan=False, allow_infinity=False)))
def test_write_then_read_is_bit_exact(tmp_path_factory, values):
    path = tmp_path_factory.mktemp("rt") / "p.csv"
    write_table(path, ("x", "y"), values)
    back = read_table(path, ("x", "y")).values
    assert np.array_equal(back, values) and np.array_equal(np.signbit(back), np.signbit(values))


def test_atomic_write_keeps_mode_and_symlink(tmp_path):
    target = tmp_path / "t.csv"
    target.write_text("old")
    os.chmod(target, 0o640)
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    atomic_write_text(link, "new")
    assert link.is_symlink() and target.read_text() == "new"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".gdplay-")] == []


def test_failed_atomic_write_leaves_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "t.csv"
    target.write_text("old")

    def broken(*_a):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError, match="No space left"):
        atomic_write_text(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]
