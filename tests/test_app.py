"""The app as a person starts it: in a subprocess, checking exit code and stderr."""

import os
import subprocess
import sys
import time

import pytest

ALARMING = ("QThread: Destroyed", "Fatal Python error", "Traceback", "Warning", "WARNING", "Error", "error:")


def run(args, tmp_path, timeout=60, env_extra=None):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "config"))
    env.update(env_extra or {})
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=timeout, env=env)


def alarming(stderr: str) -> list[str]:
    lines = [ln for ln in stderr.splitlines() if "propagateSizeHints" not in ln]
    return [ln for ln in lines if any(word in ln for word in ALARMING)]


def picture(path) -> tuple[int, int, int]:
    """Width, height and the number of distinct colours of a PNG the app wrote (a window whose tab never
    loaded or drew is a few flat colours; a drawn tab has a colour map, points and curves: a thousand)."""
    import numpy as np
    from PySide6.QtGui import QImage

    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    image = QImage(str(path)).convertToFormat(QImage.Format.Format_RGB32)
    pixels = np.frombuffer(image.constBits(), dtype=np.uint32, count=image.width() * image.height())
    return image.width(), image.height(), len(np.unique(pixels))


def test_start_train_every_tab_visit_every_tab_and_quit(tmp_path):
    t0 = time.monotonic()
    p = run(["-m", "gdplay", "--self-test", "1500"], tmp_path)
    assert p.returncode == 0, p.stderr
    assert alarming(p.stderr) == []
    assert time.monotonic() - t0 < 20
    # settings were written: size, position, last tab
    assert (tmp_path / "config" / "gdplay" / "gdplay.conf").exists()


def test_close_with_a_slow_step_exits_quickly(tmp_path):
    code = """
import sys
import gdplay.ui.regression.tab as tab
from fault_trainers import SlowTrainer
tab.RegressionTrainer = SlowTrainer
from gdplay.app import main
sys.exit(main(["--self-test", "600"]))
"""
    t0 = time.monotonic()
    p = run(["-c", code], tmp_path, env_extra={"PYTHONPATH": os.path.dirname(__file__)})
    assert p.returncode == 0, p.stderr
    assert alarming(p.stderr) == []
    assert time.monotonic() - t0 < 15


def test_screenshot_writes_a_png(tmp_path):
    out = tmp_path / "shot.png"
    p = run(["-m", "gdplay", "--screenshot", str(out), "--tab", "regression", "--steps", "300",
             "--size", "1200x800"], tmp_path)
    assert p.returncode == 0, p.stderr
    assert alarming(p.stderr) == []
    width, height, colours = picture(out)
    assert (width, height) == (1200, 800) and colours > 300


def test_screenshot_bad_size_is_a_clear_message(tmp_path):
    p = run(["-m", "gdplay", "--screenshot", str(tmp_path / "x.png"), "--size", "big"], tmp_path)
    assert p.returncode == 2
    assert "must look like 1400x860; got 'big'" in p.stderr
    assert "QThread" not in p.stderr


def test_signal_emit_canary(tmp_path):
    """PySide6 6.12.0 on Python 3.11 aborts after ~100 emits (bool_dealloc); the pin keeps us off it."""
    code = """
import sys
from PySide6.QtCore import QCoreApplication, QObject, Signal
class Emitter(QObject):
    sig = Signal(bool)
    obj = Signal(object)
app = QCoreApplication([])
e = Emitter()
seen = []
e.sig.connect(seen.append)
e.obj.connect(seen.append)
for i in range(5000):
    e.sig.emit(True)
    e.obj.emit(i)
assert len(seen) == 10000, len(seen)
print("ok")
"""
    p = run(["-c", code], tmp_path)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "ok"
    assert "Fatal Python error" not in p.stderr


def test_importing_the_core_loads_no_qt(tmp_path):
    code = """
import sys
import gdplay.core
import pkgutil, importlib
for m in pkgutil.iter_modules(gdplay.core.__path__):
    importlib.import_module("gdplay.core." + m.name)
bad = sorted(n for n in sys.modules if n.split(".")[0] in ("PySide6", "pyqtgraph", "superqt", "shiboken6", "sklearn")
             or n.startswith(("gdplay.ui", "gdplay.bridge")))
print(bad)
"""
    p = run(["-c", code], tmp_path)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "[]"


@pytest.mark.parametrize("args", [["--tab", "nowhere"], ["--steps", "many"]])
def test_bad_options_exit_2_with_usage(tmp_path, args):
    p = run(["-m", "gdplay", *args], tmp_path)
    assert p.returncode == 2
    assert "usage: gdplay" in p.stderr


@pytest.mark.parametrize("content, message", [
    ('{"format": "gdplay-session", "version": 1, "tabs": {"svm": {"params": {"C": -1}}}}', "C must be > 0"),
    ("not json at all", "not valid JSON"),
    ('{"format": "gdplay-session", "version": 999, "tabs": {}}', "newer gdplay"),
])
def test_a_damaged_session_on_the_command_line_is_a_message_not_a_traceback(tmp_path, content, message):
    bad = tmp_path / "bad.gdplay.json"
    bad.write_text(content)
    p = run(["-m", "gdplay", str(bad), "--screenshot", str(tmp_path / "x.png")], tmp_path)
    assert p.returncode == 2
    assert message in p.stderr and "Traceback" not in p.stderr
    assert not (tmp_path / "x.png").exists()


def test_an_example_session_renders_from_the_command_line(tmp_path):
    from gdplay.resources import resource_path

    out = tmp_path / "example.png"
    example = resource_path("examples", "08-vanishing-sigmoid.gdplay.json")
    p = run(["-m", "gdplay", str(example), "--screenshot", str(out), "--steps", "200"], tmp_path)
    assert p.returncode == 0, p.stderr
    assert alarming(p.stderr) == []
    width, height, colours = picture(out)
    assert (width, height) == (1400, 860) and colours > 300  # the default --size, the tab drawn


NO_FORKSERVER = """
import multiprocessing as mp, sys
real = mp.get_context
def get_context(method=None):
    if method == "forkserver":
        raise ValueError("cannot find context for 'forkserver'")  # as on Windows
    return real(method)
mp.get_context = get_context
mp.get_all_start_methods = lambda: ["spawn"]
from gdplay.app import main
if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("how", ["spawn", "no forkserver"])
def test_a_screenshot_trains_without_forkserver(tmp_path, how):
    """Windows has no forkserver: training must start all the same (before, every tab stayed blank)."""
    out = tmp_path / "net.png"
    args = ["--screenshot", str(out), "--tab", "network", "--steps", "200"]
    if how == "spawn":
        p = run(["-m", "gdplay", *args], tmp_path, env_extra={"GDPLAY_START_METHOD": "spawn"})
    else:
        script = tmp_path / "no_forkserver.py"
        script.write_text(NO_FORKSERVER)
        env = {"PYTHONPATH": os.pathsep.join(sys.path)}
        p = run([str(script), *args], tmp_path, env_extra={**env, "GDPLAY_START_METHOD": ""})
    assert p.returncode == 0, p.stderr
    assert alarming(p.stderr) == []
    from PySide6.QtGui import QImage

    image = QImage(str(out))
    assert image.width() == 1400 and image.height() == 860


def test_an_impossible_start_method_is_one_line_and_exit_2(tmp_path):
    p = run(["-m", "gdplay", "--screenshot", str(tmp_path / "x.png")], tmp_path,
            env_extra={"GDPLAY_START_METHOD": "threads"})
    assert p.returncode == 2
    assert p.stderr.strip() == ("gdplay: error: GDPLAY_START_METHOD must be one of forkserver, spawn, fork; "
                                "got 'threads'.")
