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


def test_rows_are_counted_however_lines_end(tmp_path):
    """A lone CR ends a row as LF and CRLF do: the row limit holds for old-Mac files too."""
    for end in ("\n", "\r\n", "\r"):
        with pytest.raises(CSVError, match="more than 3 rows"):
            read(tmp_path, f"1,2{end}" * 10, max_rows=3)
    t = read(tmp_path, "x,y\r1,2\r3,4\r")
    assert t.values.tolist() == [[1, 2], [3, 4]] and t.lines.tolist() == [2, 3]


def test_a_form_feed_does_not_shift_line_numbers(tmp_path):
    """Only LF, CRLF and CR end a line (str.splitlines would also split at a form feed or U+2028)."""
    with pytest.raises(CSVError, match=r"^Line 3, column x: 'oops' is not a number\.$"):
        read(tmp_path, "1,2\n3,4\x0c\noops,5\n")
    with pytest.raises(CSVError, match=r"^Line 2, column y: .* is not a number\.$"):
        read(tmp_path, "1,2\n3,a\u2028b\n")


@pytest.mark.parametrize(("content", "label", "hint"), [
    ("1,5,2\n", None, True),  # 1.5 and 2
    ("1,5,2,25\n", None, True),  # 1.5 and 2.25
    ("1,5,2,25,1\n", "label", True),  # 1.5, 2.25, label 1
    ("1,2,3,4,5,6\n", None, False),  # six values cannot be two numbers with decimal commas
    ("1.5,2,3\n", None, False),  # this row writes decimals with '.'
    ("x,y\n0.5,1\n1,2,3\n", None, False),  # so does the file
    ("1,-2,-3\n", None, False),  # a fraction has no sign
    ("1,2,3,4,5,6,7\n", "label", False),
    ("1,a,2\n", None, False),
])
def test_the_decimal_comma_hint_only_where_it_fits(tmp_path, content, label, hint):
    p = tmp_path / "d.csv"
    p.write_text(content)
    with pytest.raises(CSVError) as info:
        read_table(p, ("x", "y"), label=label)
    assert ("decimal mark" in str(info.value)) is hint, str(info.value)


def test_a_huge_label_is_one_sentence(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text("1,2,0\n3,4,1e19\n")
    with pytest.raises(CSVError, match=r"^Line 2, column label: '1e19' is too large for a class label"):
        read_table(p, ("x1", "x2"), label="label")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_only_regular_files_are_read(tmp_path):
    """A named pipe would block the open for ever, a device would read without end: both refused first."""
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(CSVError, match="a named pipe is not a CSV file"):
        read_table(fifo, ("x", "y"))
    with pytest.raises(CSVError, match="a folder is not a CSV file"):
        read_table(tmp_path, ("x", "y"))
    if os.path.exists("/dev/zero"):
        with pytest.raises(CSVError, match="a device is not a CSV file"):
            read_table("/dev/zero", ("x", "y"))


@pytest.mark.skipif(os.name != "posix", reason="whether a process is gone is asked the POSIX way")
def test_a_killed_saves_temp_files_are_cleaned_up_next_time(tmp_path):
    """Temp files of a save whose process is gone, or older than any save takes, go at the next save;
    another live process's, a young one of unknown origin, and other files stay."""
    import subprocess
    import sys
    import time

    from gdplay.core import atomic

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    killed = tmp_path / f".gdplay-{atomic._HOST}-{pid}-abc123.tmp"
    live = tmp_path / f".gdplay-{atomic._HOST}-{os.getppid()}-def456.tmp"
    old = tmp_path / ".gdplay-oldstyle.tmp"
    young = tmp_path / ".gdplay-youngstyle.tmp"
    other = tmp_path / "notes.tmp"
    for f in (killed, live, old, young, other):
        f.write_bytes(b"x" * 10)
    past = time.time() - atomic.STALE_SECONDS - 60
    os.utime(old, (past, past))
    atomic_write_text(tmp_path / "t.csv", "1,2\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, young.name, other.name, "t.csv"])
