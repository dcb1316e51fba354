"""The session file format: exact round trips, all-or-nothing checks, versions and migrations."""

import errno
import json
import os

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from gdplay.core import session as S
from gdplay.core.network import NetworkParams
from gdplay.core.regression import RegressionParams
from gdplay.core.state import StateError, decode_array, encode_array
from gdplay.core.svm import SVMParams

finite = st.floats(allow_nan=False, allow_infinity=False, width=64)


def parsers(seen=None):
    def make(cls):
        def parse(what, obj):
            params = S.params_from_json(cls, obj["params"], what)
            xy, labels = S.points_from_json(obj["points"], what)
            if seen is not None:
                seen.append(what)
            return S.TabState(params, xy, labels, dict(obj.get("settings", {})), obj.get("trained"))
        return parse
    return {"regression": make(RegressionParams), "network": make(NetworkParams), "svm": make(SVMParams)}


def session(xy, labels=None) -> S.Session:
    labels = np.zeros(len(xy), dtype=np.int64) if labels is None else labels
    return S.Session({"regression": S.TabState(RegressionParams(learning_rate=0.01, initial=(1.5, -2.0)), xy,
                                               labels, {"show_residuals": True}),
                      "network": S.TabState(NetworkParams(hidden=(3, 5), features=("x1", "x2", "x1*x2")),
                                            xy, labels % 2),
                      "svm": S.TabState(SVMParams(kernel="rbf", C=1e7, gamma=1e-5), xy, labels % 2)},
                     active_tab="network", name="test", description="a session for the tests")


@given(arrays(np.float64, st.tuples(st.integers(0, 40), st.just(2)), elements=finite),
       st.integers(0, 3))
def test_points_and_params_round_trip_bit_exactly(xy, k):
    labels = np.arange(len(xy), dtype=np.int64) % (k + 1)
    doc = S.parse_document(S.to_json(session(xy, labels)).encode())
    back = S.parse_session(doc, parsers())
    for key, tab in session(xy, labels).tabs.items():
        got = back.tabs[key]
        assert got.params == tab.params
        assert got.xy.tobytes() == tab.xy.astype(np.float64).tobytes()  # -0.0, 1e-308, 1.7e308 alike
        assert np.array_equal(got.labels, tab.labels)
    assert (back.active_tab, back.name, back.description) == ("network", "test", "a session for the tests")


@given(arrays(np.float64, st.integers(0, 30), elements=st.floats(width=64)))
def test_arrays_round_trip_bit_exactly_with_nan_and_inf(a):
    obj = json.loads(json.dumps(encode_array(a), allow_nan=False))
    assert decode_array(obj, "a", ndim=1).tobytes() == a.tobytes()


def test_save_is_json_without_nan_and_readable(tmp_path):
    path = tmp_path / "s.gdplay.json"
    S.save(path, session(np.array([[1.0, 2.0], [-0.0, 5e-324]])))
    text = path.read_text()
    doc = json.loads(text, parse_constant=lambda c: pytest.fail(f"{c} in the file"))
    assert doc["format"] == "gdplay-session" and doc["version"] == S.VERSION
    assert doc["tabs"]["regression"]["points"]["xy"] == [[1.0, 2.0], [-0.0, 5e-324]]
    assert doc["tabs"]["regression"]["params"]["initial"] == [1.5, -2.0]


def test_saving_keeps_the_files_permissions(tmp_path):
    path = tmp_path / "s.gdplay.json"
    path.write_text("old")
    path.chmod(0o640)
    S.save(path, session(np.zeros((1, 2))))
    assert path.stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize("raw, message", [
    (b"", "not valid JSON"),
    (b"\xff\xfe{", "not UTF-8"),
    (b"[1, 2]", "not a gdplay session"),
    (b'{"format": "gdplay-session"}', "no valid format version"),
    (b'{"format": "gdplay-session", "version": 99, "tabs": {}}', "newer gdplay"),
    (b'{"format": "gdplay-session", "version": 1, "tabs": {"x": NaN}}', "not valid JSON"),
])
def test_files_that_are_not_sessions_are_refused_with_a_reason(raw, message):
    with pytest.raises(S.SessionError, match=message):
        S.parse_session(S.parse_document(raw), parsers())


def good_doc() -> dict:
    return json.loads(S.to_json(session(np.array([[0.0, 1.0], [2.0, 3.0]]))))


@pytest.mark.parametrize("edit, message", [
    (lambda d: d["tabs"]["regression"]["params"].update(learning_rate=-1), "learning rate must be a positive"),
    (lambda d: d["tabs"]["regression"]["params"].update(learning_rate="fast"), "learning_rate is 'fast'"),
    (lambda d: d["tabs"]["regression"]["params"].update(speed=3), "unknown parameter 'speed'"),
    (lambda d: d["tabs"]["network"]["params"].update(hidden=[3, "x"]), "hidden is"),
    (lambda d: d["tabs"]["svm"]["params"].update(kernel="sigmoid"), "kernel must be one of"),
    (lambda d: d["tabs"]["svm"]["points"]["xy"].append([1.0]), "point 3 is \\[1.0\\]"),
    (lambda d: d["tabs"]["svm"]["points"]["labels"].pop(), "one label per point"),
    (lambda d: d["tabs"]["svm"]["points"]["labels"].__setitem__(0, 0.5), "label of point 1 is 0.5"),
    (lambda d: d["tabs"].update(extra={}), "unknown tab 'extra'"),
    (lambda d: d.update(tabs={}), "holds no tabs"),
    (lambda d: d.update(active_tab="plots"), "active tab 'plots'"),
])
def test_one_bad_value_anywhere_refuses_the_whole_file(edit, message):
    doc = good_doc()
    edit(doc)
    seen = []
    with pytest.raises(S.SessionError, match=message):
        S.parse_session(S.parse_document(json.dumps(doc).encode()), parsers(seen))


def test_a_missing_parameter_takes_its_default():
    doc = good_doc()
    del doc["tabs"]["regression"]["params"]["seed"]
    back = S.parse_session(doc, parsers())
    assert back.tabs["regression"].params.seed == RegressionParams().seed


def test_older_versions_are_migrated_one_step_at_a_time(monkeypatch):
    calls = []

    def v1_to_v2(doc):
        calls.append(doc["version"])
        return {**doc, "name": doc["name"] + " (migrated)"}

    def v2_to_v3(doc):
        calls.append(doc["version"])
        return {**doc, "description": "v3"}

    monkeypatch.setattr(S, "VERSION", 3)
    monkeypatch.setitem(S.MIGRATIONS, 1, v1_to_v2)
    monkeypatch.setitem(S.MIGRATIONS, 2, v2_to_v3)
    doc = good_doc()
    doc["version"] = 1
    out = S.parse_document(json.dumps(doc).encode())
    assert calls == [1, 2] and out["version"] == 3
    assert (out["name"], out["description"]) == ("test (migrated)", "v3")


def test_a_state_error_names_the_tab():
    def bad(what, obj):
        raise StateError("the weights have shape 2×3; expected 2×4.")

    with pytest.raises(S.SessionError, match="The network tab's trained state cannot be restored: the weights"):
        S.parse_session(good_doc(), {**parsers(), "network": bad})


def test_a_file_too_large_is_refused_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "big.gdplay.json"
    path.write_text(S.to_json(session(np.zeros((100, 2)))))
    monkeypatch.setattr(S, "MAX_BYTES", 1000)
    with pytest.raises(S.SessionError, match="may be at most"):
        S.read_document(path)


def test_a_save_that_cannot_be_written_says_so_and_leaves_the_old_file(tmp_path, monkeypatch):
    with pytest.raises(S.SessionError, match=r"Could not save .*No such file.*still open and unsaved"):
        S.save(tmp_path / "missing" / "s.gdplay.json", session(np.zeros((1, 2))))
    path = tmp_path / "s.gdplay.json"
    S.save(path, session(np.zeros((1, 2))))
    before = path.read_bytes()

    def disk_full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(S.SessionError, match="No space left on device"):
        S.save(path, session(np.ones((3, 2))))
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["s.gdplay.json"]  # no temp file left behind


@pytest.mark.parametrize("raw, message", [
    (b'{"format": "gdplay-session", "version": 1, "version": 2}', "the key 'version' appears twice"),
    (b'{"format": "gdplay-session", "version": 1, "tabs": {"svm": {"params": {"C": 1, "C": 2}}}}',
     "the key 'C' appears twice"),
    (b'{"format": "gdplay-session", "version": 1, "tabs": {"regression": {"params": {"seed": '
     + b"7" * 4000 + b"}}}}", "a whole number of 4,000 digits"),
    (b'{"format": "gdplay-session", "version": 1, "tabs": {"svm": {"points": {"xy": [[1, -'
     + b"9" * 400 + b"]]}}}}", "a whole number of 400 digits"),
])
def test_duplicate_keys_and_endless_numbers_are_refused(raw, message):
    """Last-wins would open something other than what the file seems to say; a number of thousands of
    digits is no session's (and took float() and the spin boxes down)."""
    with pytest.raises(S.SessionError, match=message):
        S.parse_document(raw, "s.gdplay.json")


def test_the_longest_whole_numbers_a_session_holds_still_read():
    """A random generator's 128-bit state is the longest whole number in a saved session."""
    doc = good_doc()
    doc["tabs"]["regression"]["trained"] = {"rng": {"state": 2**128 - 1}}
    assert S.parse_document(json.dumps(doc).encode())["tabs"]["regression"]["trained"]["rng"]["state"] == 2**128 - 1


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_only_regular_files_are_opened(tmp_path):
    fifo = tmp_path / "pipe.gdplay.json"
    os.mkfifo(fifo)
    with pytest.raises(S.SessionError, match="a named pipe is not a session file"):
        S.read_document(fifo)
    with pytest.raises(S.SessionError, match="a folder is not a session file"):
        S.read_document(tmp_path)
    if os.path.exists("/dev/zero"):
        with pytest.raises(S.SessionError, match="a device is not a session file"):
            S.read_document("/dev/zero")


def test_a_new_file_can_be_made_owner_only(tmp_path):
    path = tmp_path / "auto.gdplay.json"
    S.save(path, session(np.zeros((1, 2))), mode=0o600)
    if os.name == "posix":
        assert path.stat().st_mode & 0o777 == 0o600
    S.read_document(path)


def test_opening_removes_a_killed_saves_temp_file_beside_the_session(tmp_path):
    from gdplay.core import atomic

    path = tmp_path / "s.gdplay.json"
    S.save(path, session(np.zeros((1, 2))))
    leftover = tmp_path / ".gdplay-aaaa.tmp"
    leftover.write_bytes(b"{")
    past = 1_000_000_000
    os.utime(leftover, (past, past))
    S.read_document(path)
    assert [p.name for p in tmp_path.iterdir()] == ["s.gdplay.json"]
    assert atomic.remove_stale_temps(tmp_path / "missing") == 0  # a folder that cannot be listed: no error
