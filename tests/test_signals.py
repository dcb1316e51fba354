"""Ctrl+C in the terminal and SIGTERM quit the app cleanly, idle or training: exit code 0, no traceback,
a last autosave, and no training process left behind."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX signals")


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (Linux: /proc; elsewhere the check is skipped)."""
    out: set[int] = set()
    todo = [pid]
    while todo:
        p = todo.pop()
        for task in Path(f"/proc/{p}/task").glob("*"):
            with open(task / "children") as f:
                kids = {int(k) for k in f.read().split()}
            todo += kids - out
            out |= kids
    return out


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie waits for a parent that is gone: as good as ended
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return True


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize("training", [False, True])
def test_a_signal_quits_cleanly_with_a_last_autosave(tmp_path, sig, training):
    data = tmp_path / "data"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", GDPLAY_DATA_DIR=str(data),
               XDG_CONFIG_HOME=str(tmp_path / "config"))
    p = subprocess.Popen([sys.executable, "-m", "gdplay", "--tab", "network" if training else "regression"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        deadline = time.monotonic() + 20
        # up: the autosave lock taken, and (when training) the tab's training process running
        while time.monotonic() < deadline and not list(data.glob("*.lock")):
            time.sleep(0.05)
        time.sleep(1.5 if training else 0.5)
        kids = descendants(p.pid) if Path("/proc").is_dir() else set()
        p.send_signal(sig)
        _, err = p.communicate(timeout=15)
    finally:
        if p.poll() is None:
            p.kill()
            p.communicate()
    assert p.returncode == 0, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert (data / "autosave.gdplay.json").exists()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and [k for k in kids if alive(k)]:
        time.sleep(0.05)
    assert not [k for k in kids if alive(k)], "training processes outlived the app"
