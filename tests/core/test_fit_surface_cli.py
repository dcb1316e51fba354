"""``gdplay fit surface``: the final point and the nearest known point, the basins counts, one-sentence
errors with exit status 2, through app.main as a user types it."""

import json

import pytest

from gdplay.app import main


def run(capsys, *argv):
    code = main(["fit", "surface", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_himmelblau_from_a_start_names_the_minimum(capsys):
    code, out, err = run(capsys, "--name", "himmelblau", "--init", "1,1", "--json")
    assert code == 0 and err == ""
    r = json.loads(out)
    assert r["status"] == "converged" and r["x"] == pytest.approx(3) and r["y"] == pytest.approx(2)
    assert r["nearest"]["name"] == "minimum A (3, 2)" and r["curvature"] == "minimum"


def test_negative_start_and_text_output(capsys):
    code, out, _ = run(capsys, "--name", "himmelblau", "--init", "-1,-1", "--optimizer", "momentum", "--lr", "0.002")
    assert code == 0
    assert "converged" in out and "nearest known point: minimum C" in out


def test_basins_counts_add_up(capsys):
    code, out, _ = run(capsys, "--name", "himmelblau", "--basins", "30", "--json")
    b = json.loads(out)["basins"]
    assert code == 0 and b["grid"] == 30
    assert sum(p["starts"] for p in b["points"]) + b["diverged"] + b["not_settled"] == 900
    assert sorted(p["name"][:9] for p in b["points"]) == ["minimum A", "minimum B", "minimum C", "minimum D"]
    code, out, _ = run(capsys, "--name", "himmelblau", "--basins", "20")
    assert "basins of attraction, 20 x 20 starts" in out and "diverged" in out and "not settled" in out


def test_formula_with_noise(capsys):
    code, out, _ = run(capsys, "--formula", "x**2 - y**2", "--init", "-1.5,0", "--noise", "0.05", "--seed", "3",
                       "--json")
    r = json.loads(out)
    assert code == 0 and r["status"] == "diverged" and "towards infinity" in r["message"]
    code, out, _ = run(capsys, "--formula", "x**2 - y**2", "--init", "-1.5,0", "--json")
    r = json.loads(out)
    assert r["status"] == "converged" and r["nearest"]["kind"] == "saddle" and r["curvature"] == "saddle"


@pytest.mark.parametrize("argv, words", [
    (("--formula", "2x + y"), "without an operator (write 2*x, not 2x) at character 2"),
    (("--formula", "log(x"), "not closed"),
    (("--name", "beale", "--init", "1;2"), "two finite numbers"),
    (("--name", "beale", "--lr", "-1"), "learning rate"),
    (("--name", "beale", "--noise", "-0.5"), "noise"),
    (("--name", "beale", "--optimizer", "exact", "--noise", "0.1"), None),  # noise is ignored by line searches
    (("--name", "beale", "--basins", "0"), "--basins"),
    (("--formula", "log(x)", "--init", "-1,0"), "log of a negative number"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, argv, words):
    code, out, err = run(capsys, *argv)
    if words is None:
        assert code == 0
        return
    assert code == 2 and out == ""
    assert err.startswith("gdplay: error: ") and err.count("\n") == 1 and words in err


def test_argparse_refuses_an_unknown_surface(capsys):
    with pytest.raises(SystemExit) as info:
        main(["fit", "surface", "--name", "nope"])
    assert info.value.code == 2
