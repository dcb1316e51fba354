"""``gdplay fit svm``: run() with a parser built by add_arguments; JSON output; one-line errors."""

import argparse
import json

import numpy as np
import pytest

from gdplay.commands import fit_svm
from gdplay.core import datasets
from gdplay.core.svm import SVMParams, SVMTrainer


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="gdplay fit svm")
    fit_svm.add_arguments(parser)
    return parser.parse_args(list(argv))


def write_csv(path, X, y, header=True) -> str:
    lines = ["x1,x2,label"] if header else []
    lines += [f"{float(a)!r},{float(b)!r},{int(c)}" for (a, b), c in zip(X, y)]
    path.write_text("\n".join(lines) + "\n")
    return str(path)


@pytest.fixture
def exp1_csv(tmp_path):
    X, y = datasets.make_gaussian_pair(50, variance=5, random_state=0)
    return write_csv(tmp_path / "train.csv", X, np.where(y == 1, 1, -1)), X, y


def run_json(capsys, *argv):
    code = fit_svm.run(parse(*argv, "--json"))
    out, err = capsys.readouterr()
    assert code == 0, err
    assert err == ""
    return json.loads(out)


def test_json_matches_the_trainer(capsys, exp1_csv):
    path, X, y = exp1_csv
    out = run_json(capsys, "--data", path, "--kernel", "linear", "--C", "1")
    assert set(out) == {"w", "b", "n_support", "support", "train_accuracy", "test_accuracy", "primal_objective",
                        "dual_objective", "gap", "status"}
    t = SVMTrainer(SVMParams(C=1.0))
    t.set_data(X, y)
    t.fit()
    np.testing.assert_allclose(out["w"], t.coef_)
    assert out["b"] == pytest.approx(t.intercept_)
    assert out["support"] == t.support_.tolist() and out["n_support"] == len(t.support_)
    assert out["train_accuracy"] == 1.0 and out["test_accuracy"] is None
    assert out["dual_objective"] == pytest.approx(t.dual_) and out["status"] == "converged"
    assert out["primal_objective"] == pytest.approx(t.primal_)
    assert out["gap"] == pytest.approx(t.primal_ - t.dual_)


def test_libsvm_and_primal_solvers_agree(capsys, exp1_csv):
    path, _, _ = exp1_csv
    dual = run_json(capsys, "--data", path)
    ref = run_json(capsys, "--data", path, "--solver", "libsvm")
    primal = run_json(capsys, "--data", path, "--solver", "primal", "--steps", "3000")
    for other in (ref, primal):
        np.testing.assert_allclose(other["w"], dual["w"], rtol=0.02)
        assert other["b"] == pytest.approx(dual["b"], abs=0.05)
    assert ref["support"] == dual["support"]
    assert primal["status"] == "converged"  # the relative duality gap against D(α̂) reached tol


def test_rbf_with_test_file_and_01_labels_without_header(capsys, tmp_path):
    X, y = datasets.make_gaussian_pair(150, variance=25, random_state=0)
    test = datasets.train_test_split(300, 0.1)
    train_csv = write_csv(tmp_path / "tr.csv", X[~test], y[~test], header=False)
    test_csv = write_csv(tmp_path / "te.csv", X[test], y[test])
    out = run_json(capsys, "--data", train_csv, "--test", test_csv, "--kernel", "rbf", "--gamma", "0.04")
    assert out["w"] is None
    assert 0.8 <= out["test_accuracy"] <= 1.0 and 0.8 <= out["train_accuracy"] <= 1.0


def test_text_output(capsys, exp1_csv):
    path, _, _ = exp1_csv
    assert fit_svm.run(parse("--data", path)) == 0
    out = capsys.readouterr().out
    assert "w = [" in out and "support vectors: " in out and "status: converged" in out


@pytest.mark.parametrize(
    ("content", "argv", "message"),
    [
        ("x1,x2,label\n1,2,1\n3,abc,-1\n", (), "Line 3, column x2: 'abc' is not a number."),
        ("1,2,1\n3,4\n", (), "Line 2 has 2 values; expected 3 (x1, x2, label)."),
        ("1,2,1\n3,4,2\n", (), "Line 2, column label: 2 is not a class label (use +1/-1 or 0/1)."),
        ("1,2,1\n3,nan,0\n", (), "Line 2, column x2: 'nan' is not a finite number."),
        ("a,b,c\n1,2,1\n", (), "Line 1 is a header a, b, c; expected x1, x2, label"),
        ("x1,x2,label\n", (), "The file has a header but no rows"),
        ("1,2,1\n3,4,0\n5,6,-1\n", (), "the labels mix the +1/-1 and 0/1 conventions"),
        ("1,2,1\n3,4,1\n", (), "The number of classes has to be greater than one; got 1 class."),
        ("1,2,1\n3,4,-1\n", ("--C", "0"), "C must be > 0; got 0."),
        ("1,2,1\n3,4,-1\n", ("--kernel", "rbf", "--solver", "primal"),
         "The primal solver works on the linear kernel only; got kernel='rbf'."),
        ("1,2,1\n3,4,-1\n", ("--steps", "0"), "max_steps must be an integer >= 1; got 0."),
    ],
)
def test_bad_input_is_one_line_and_status_2(capsys, tmp_path, content, argv, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    code = fit_svm.run(parse("--data", str(path), *argv, "--json"))
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.startswith("gdplay: error: ") and err.count("\n") == 1
    assert message in err
    assert "Traceback" not in err


def test_missing_files(capsys, tmp_path, exp1_csv):
    assert fit_svm.run(parse("--data", str(tmp_path / "nope.csv"))) == 2
    err = capsys.readouterr().err
    assert err.startswith("gdplay: error: ") and "Cannot open" in err
    path, _, _ = exp1_csv
    assert fit_svm.run(parse("--data", path, "--test", str(tmp_path / "gone.csv"))) == 2
    assert "Cannot open" in capsys.readouterr().err
