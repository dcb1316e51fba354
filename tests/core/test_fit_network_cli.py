"""``gdplay fit network``: run() driven directly with a parser built from add_arguments."""

from __future__ import annotations

import argparse
import json
import math

import pytest

from gdplay.commands import fit_network
from gdplay.core.datasets import make_blobs, make_xor


def _run(argv: list[str], capsys) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="gdplay fit network")
    fit_network.add_arguments(parser)
    code = fit_network.run(parser.parse_args(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _write(path, X, y, header=True) -> str:
    lines = ["x1,x2,label"] if header else []
    lines += [f"{float(a)!r},{float(b)!r},{int(c)}" for (a, b), c in zip(X, y)]
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def _sig(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def test_chain_example_json(capsys):
    code, out, err = _run(["--example", "chain", "--steps", "50", "--json"], capsys)
    assert code == 0 and err == ""
    result = json.loads(out)
    first = result["first_step"]
    a1 = _sig(0.415)
    a2 = _sig(0.45 * a1 + 0.65)
    d2 = -(0.25 - a2) * a2 * (1 - a2)
    d1 = d2 * 0.45 * a1 * (1 - a1)
    assert first["z1"] == pytest.approx(0.415) and first["a1"] == pytest.approx(a1)
    assert first["a2"] == pytest.approx(a2) and first["E"] == pytest.approx(0.5 * (0.25 - a2) ** 2)
    assert first["dE_dw2"] == pytest.approx(d2 * a1) and first["dE_db2"] == pytest.approx(d2)
    assert first["dE_dw1"] == pytest.approx(d1 * 0.1) and first["dE_db1"] == pytest.approx(d1)
    assert first["w2"] == pytest.approx(0.45 - 0.4 * d2 * a1) and first["b1"] == pytest.approx(0.4 - 0.4 * d1)
    assert result["steps"] == 50 and result["error_after"] < first["E"] / 10
    assert result["status"] == "max_steps"


def test_chain_example_text(capsys):
    code, out, _ = _run(["--example", "chain", "--steps", "1"], capsys)
    assert code == 0 and "z1      = 0.415" in out and "after 1 steps" in out


def test_trains_on_a_csv_and_scores_a_test_file(tmp_path, capsys):
    X, y = make_xor(200)
    Xt, yt = make_xor(60, random_state=5)
    data = _write(tmp_path / "train.csv", X, y)
    test = _write(tmp_path / "test.csv", Xt, yt, header=False)
    code, out, err = _run(["--data", data, "--test", test, "--layers", "8", "--activation", "tanh",
                           "--loss", "xent", "--optimizer", "adam", "--lr", "0.05", "--steps", "600",
                           "--seed", "1", "--json"], capsys)
    assert code == 0 and err == ""
    result = json.loads(out)
    assert result["status"] == "max_steps" and result["steps"] == 600
    assert result["train_accuracy"] > 0.95 and result["test_accuracy"] > 0.9
    assert result["train_loss"] < 0.2 and result["n_test"] == 60 and result["layers"] == [2, 8, 1]


def test_three_classes_mini_batch(tmp_path, capsys):
    X, y = make_blobs(90, 3)
    data = _write(tmp_path / "blobs.csv", X, y)
    code, out, _ = _run(["--data", data, "--layers", "none", "--batch", "10", "--steps", "300", "--json",
                         "--lr", "0.2"], capsys)
    result = json.loads(out)
    assert code == 0 and result["layers"] == [2, 3] and result["epochs"] >= 30
    assert "test_loss" not in result


def test_divergence_is_a_result_not_an_error(tmp_path, capsys):
    X, y = make_xor(100)
    data = _write(tmp_path / "xor.csv", X, y)
    code, out, _ = _run(["--data", data, "--layers", "8", "--activation", "relu", "--lr", "1e10",
                         "--steps", "500", "--json"], capsys)
    result = json.loads(out)
    assert code == 0 and result["status"] == "diverged" and "lower the learning rate" in result["message"]


@pytest.mark.parametrize(("content", "message"), [
    ("x1,x2,label\n1,2,0\n1,abc,0\n", "Line 3, column x2: 'abc' is not a number."),
    ("1,2,0\n3,4\n", "Line 2 has 2 values; expected 3 (x1, x2, label)."),
    ("1,2,0\n3,4,1.5\n", "Line 2, column label: '1.5' is not a whole number"),
    ("1,2,0\n3,4,-1\n", "Line 1, column label: 0, but other rows use -1; label two classes -1/+1 or 0/1"),
    ("1,2,1\n3,4,-2\n", "Line 2, column label: -2 is not a class; labels are 0..k-1, or -1/+1"),
    ("1,2,-1\n3,4,2\n", "Line 2, column label: 2 is not a class; the file labels its classes -1/+1"),
    ("1,inf,0\n", "Line 1, column x2: 'inf' is not a finite number."),
    ("a,b,c\n1,2,0\n", "Line 1 is a header a, b, c; expected x1, x2, label"),
    ("x1,x2,label\n", "The file has a header but no rows"),
    ("1,2,1\n3,4,1\n", "The number of classes has to be greater than one; got 1 class."),
])
def test_bad_csv_is_one_line_on_stderr(tmp_path, capsys, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    code, out, err = _run(["--data", str(path)], capsys)
    assert code == 2 and out == ""
    assert err.startswith("gdplay: error: ") and err.count("\n") == 1
    assert message in err


@pytest.mark.parametrize(("argv", "message"), [
    (["--layers", "8,x"], "--layers: 'x' is not a layer width"),
    (["--activation", "softmax"], "The activation must be one of"),
    (["--optimizer", "sgd"], "The optimizer must be one of gd, momentum"),
    (["--lr", "-1"], "learning rate must be a positive finite number"),
    (["--layers", "8,8,8,8,8,8,8"], "between 0 and 6; got 7"),
    (["--steps", "0"], "--steps must be >= 1"),
])
def test_bad_options(tmp_path, capsys, argv, message):
    X, y = make_xor(20)
    data = _write(tmp_path / "xor.csv", X, y)
    code, _, err = _run(["--data", data, *argv], capsys)
    assert code == 2 and err.startswith("gdplay: error: ") and message in err


def test_missing_file_and_missing_data(tmp_path, capsys):
    code, _, err = _run(["--data", str(tmp_path / "nope.csv")], capsys)
    assert code == 2 and err.startswith("gdplay: error: ") and "Cannot open" in err
    code, _, err = _run([], capsys)
    assert code == 2 and "give --data FILE.csv" in err


def test_minus_one_plus_one_labels_are_two_classes_as_for_the_svm(tmp_path, capsys):
    X, y = make_xor(120)
    signed = _write(tmp_path / "signed.csv", X, 2 * y - 1)
    zero_one = _write(tmp_path / "zero_one.csv", X, y)
    code, out, err = _run(["--data", signed, "--layers", "8", "--steps", "300", "--seed", "1", "--json"], capsys)
    assert code == 0, err
    a = json.loads(out)
    code, out, _ = _run(["--data", zero_one, "--layers", "8", "--steps", "300", "--seed", "1", "--json"], capsys)
    b = json.loads(out)
    assert a["classes"] == [-1, 1] and b["classes"] == [0, 1]
    assert a["train_loss"] == b["train_loss"]  # the same classes, the same run
    code, _, err = _run(["--data", signed, "--test", zero_one], capsys)
    assert code == 2 and "use one convention in both" in err
