"""Bad input to ``gdplay fit ...`` is one line on stderr and exit status 2, never a traceback."""

import pytest

from gdplay.commands import fit_network, fit_regression, fit_svm


def fails_cleanly(capsys, main, argv, message):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("gdplay: error: ") and err.count("\n") == 1 and "Traceback" not in err, err
    assert message in err, err


@pytest.fixture
def files(tmp_path):
    (tmp_path / "xy.csv").write_text("1,2\n2,3\n3,5\n")
    (tmp_path / "huge_label.csv").write_text("1,2,1\n2,3,0\n3,5,1e19\n")
    return tmp_path


def test_a_negative_seed(capsys, files):
    fails_cleanly(capsys, fit_regression.main, ["--data", str(files / "xy.csv"), "--seed", "-1"],
                  "The seed must be a whole number >= 0; got -1.")


@pytest.mark.parametrize("main", [fit_regression.main, fit_svm.main, fit_network.main])
def test_data_that_is_a_folder(capsys, files, main):
    extra = ["--kernel", "linear", "--C", "1"] if main is fit_svm.main else []
    fails_cleanly(capsys, main, ["--data", str(files), *extra], "a folder is not a CSV file")


@pytest.mark.parametrize("main", [fit_svm.main, fit_network.main])
def test_a_label_of_1e19(capsys, files, main):
    extra = ["--kernel", "linear", "--C", "1"] if main is fit_svm.main else []
    fails_cleanly(capsys, main, ["--data", str(files / "huge_label.csv"), *extra],
                  "Line 3, column label: '1e19' is too large for a class label")
