"""gdplay fit regression: the headless command drives the same core."""

import argparse
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from gdplay.commands import fit_regression

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NEDRICH = os.path.join(ROOT, "resources", "data", "nedrich_data.csv")


def run(capsys, *argv):
    parser = argparse.ArgumentParser()
    fit_regression.add_arguments(parser)
    code = fit_regression.run(parser.parse_args(list(argv)))
    out, err = capsys.readouterr()
    return code, out, err


def test_seed_run_as_json(capsys):
    code, out, err = run(capsys, "--data", NEDRICH, "--lr", "0.0001", "--steps", "2000", "--json")
    assert code == 0 and err == ""
    result = json.loads(out)
    assert result["model"] == "line" and result["status"] == "max_steps" and result["steps"] == 2000
    assert result["m"] == pytest.approx(1.4761958581741814, rel=1e-9)
    assert result["b"] == pytest.approx(0.16770787663942446, rel=1e-9)
    assert result["optimum"]["m"] == pytest.approx(1.32243102275536, rel=1e-9)
    assert result["optimum"]["unique"] is True


def test_converged_and_diverged_statuses(capsys):
    _, out, _ = run(capsys, "--data", NEDRICH, "--optimizer", "exact", "--grad-tol", "1e-6", "--json")
    assert json.loads(out)["status"] == "converged"
    code, out, _ = run(capsys, "--data", NEDRICH, "--lr", "0.001", "--steps", "100000", "--json")
    result = json.loads(out)
    assert code == 0 and result["status"] == "diverged"
    assert "lower the learning rate (now 0.001)" in result["message"]
    assert np.isfinite([result["m"], result["b"]]).all()


def test_history_csv(capsys, tmp_path):
    out = tmp_path / "h.csv"
    code, _, _ = run(capsys, "--data", NEDRICH, "--steps", "10", "--history", str(out), "--scale", "--lr", "0.1")
    assert code == 0
    lines = out.read_text().splitlines()
    assert lines[0] == "step,m,b,grad_m,grad_b,cost" and len(lines) == 12
    step, m, b, _gm, _gb, _cost = (float(v) for v in lines[1].split(","))
    assert (step, m, b) == (0, -1.0, 0.0)  # raw units even with scaling on


@pytest.mark.parametrize("extra", [(), ("--scale", "--lr", "0.1"), ("--optimizer", "momentum"),
                                   ("--model", "slope", "--lr", "1e-5")])
def test_history_gradient_is_the_closed_form_at_each_rows_parameters(capsys, tmp_path, extra):
    out = tmp_path / "h.csv"
    code, _, err = run(capsys, "--data", NEDRICH, "--steps", "30", "--history", str(out), *extra)
    assert code == 0, err
    data = np.loadtxt(NEDRICH, delimiter=",")
    x, y = data[:, 0], data[:, 1]
    lines = out.read_text().splitlines()
    head = lines[0].split(",")
    rows = np.array([[float(v) for v in line.split(",")] for line in lines[1:]])
    col = {name: rows[:, i] for i, name in enumerate(head)}
    if "b" in col:
        r = y - (col["m"][:, None] * x + col["b"][:, None])  # MSE: ∂/∂m = −2/N Σ x r, ∂/∂b = −2/N Σ r
        np.testing.assert_allclose(col["grad_m"], -2 * (r * x).mean(axis=1), rtol=1e-9, atol=1e-8)
        np.testing.assert_allclose(col["grad_b"], -2 * r.mean(axis=1), rtol=1e-9, atol=1e-9)
    else:
        r = y - col["w"][:, None] * x
        np.testing.assert_allclose(col["grad_w"], -2 * (r * x).mean(axis=1), rtol=1e-9)


@pytest.mark.parametrize(("content", "args", "message"), [
    ("1,2\n3,abc\n", (), "Line 2, column y: 'abc' is not a number."),
    ("x,y\n", (), "The file has a header but no rows"),
    ("1,2\n", ("--init", "1,2,3"), "--init must be 2 comma-separated finite numbers"),
    ("1,2\n", ("--lr", "-1"), "learning rate must be a positive finite number"),
    ("1,2\n", ("--model", "poly", "--degree", "9"), "degree must be 2 to 6"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, tmp_path, content, args, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    code, out, err = run(capsys, "--data", str(path), *args)
    assert code == 2 and out == ""
    assert err.startswith("gdplay: error: ") and err.count("\n") == 1
    assert message in err


def test_through_the_gdplay_command(tmp_path):
    p = subprocess.run([sys.executable, "-m", "gdplay", "fit", "regression", "--data", NEDRICH, "--json",
                        "--model", "poly", "--degree", "2", "--scale", "--optimizer", "exact", "--grad-tol", "1e-9"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    result = json.loads(p.stdout)
    x, y = np.loadtxt(NEDRICH, delimiter=",", unpack=True)
    assert [result["c2"], result["c1"], result["c0"]] == pytest.approx(np.polyfit(x, y, 2), rel=1e-5)
    p = subprocess.run([sys.executable, "-m", "gdplay", "fit", "regression", "--data", str(tmp_path / "none.csv")],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and "Cannot open" in p.stderr and "Traceback" not in p.stderr


def test_a_negative_start_can_be_typed_as_the_seed_writes_it(capsys):
    """``--init -1,0`` (argparse alone would call -1,0 an option and refuse it); a negative rate still gets
    the command's own message."""
    from gdplay.app import main

    assert main(["fit", "regression", "--data", NEDRICH, "--init", "-1,0", "--steps", "2000", "--json"]) == 0
    out, _ = capsys.readouterr()
    assert json.loads(out)["m"] == pytest.approx(1.4761958581741814, rel=1e-9)
    assert main(["fit", "regression", "--data", NEDRICH, "--lr", "-1"]) == 2
    assert "learning rate must be a positive" in capsys.readouterr().err


def test_stochastic_run_is_the_same_on_the_command_line_and_compared_in_the_window(capsys):
    """The window's main run, compared with another stochastic run, equals `gdplay fit` with the same seed."""
    from gdplay.core.regression import RegressionParams, RegressionTrainer

    code, out, err = run(capsys, "--data", NEDRICH, "--batch", "1", "--seed", "11", "--steps", "500", "--json")
    assert code == 0, err
    cli = json.loads(out)
    data = np.loadtxt(NEDRICH, delimiter=",")
    t = RegressionTrainer(RegressionParams(learning_rate=1e-4, batch_size=1, seed=11, initial=(-1.0, 0.0),
                                           max_steps=500, compare=("gd/1", "gd/4")))
    t.set_data(data[:, 0], data[:, 1])
    while t.status.can_step and t.step(37):
        pass
    m, b = t.snapshot().runs[0].coef
    assert (m, b) == (cli["m"], cli["b"])
