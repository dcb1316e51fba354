"""The suite's guard against training threads and processes left running catches a leak."""

from pathlib import Path

CONFTEST = Path(__file__).parents[1] / "conftest.py"


def test_the_guard_fails_a_test_that_leaves_training_running(pytester):
    pytester.makeconftest(CONFTEST.read_text())
    pytester.makepyfile(test_leaky="""
import numpy as np
from gdplay.bridge.controller import TrainingController
from gdplay.core.regression import RegressionParams, RegressionTrainer

LEAKED = []

def test_forgets_to_shut_down(qtbot):
    t = RegressionTrainer(RegressionParams())
    t.set_data(np.arange(5.0), np.arange(5.0))
    c = TrainingController(t)
    c.play()
    qtbot.waitUntil(lambda: c.latest is not None, timeout=10_000)
    LEAKED.append(c)  # held: a controller collected while running would abort the process

def test_cleans_up(qtbot):
    t = RegressionTrainer(RegressionParams())
    t.set_data(np.arange(5.0), np.arange(5.0))
    c = TrainingController(t)
    qtbot.waitUntil(lambda: c.latest is not None, timeout=10_000)
    assert c.shutdown()
""")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning")
    result.assert_outcomes(passed=2, errors=1)
    assert "QThread: Destroyed" not in result.stderr.str()
    result.stdout.fnmatch_lines(["*test_forgets_to_shut_down left training * running: shut its controllers down*"])
    assert "test_cleans_up left" not in result.stdout.str()  # the leak was stopped: the next test starts clean
