import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest
from hypothesis import settings

settings.register_profile("ci", deadline=None, max_examples=100, print_blob=True)
settings.load_profile("ci")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def nedrich() -> tuple[np.ndarray, np.ndarray]:
    d = np.loadtxt(os.path.join(ROOT, "resources", "data", "nedrich_data.csv"), delimiter=",")
    return d[:, 0], d[:, 1]


@pytest.fixture(autouse=True, scope="session")
def _private_app_data(tmp_path_factory):
    """Autosave, its lock and QSettings in a folder of the test run's own, for this process and the
    app processes the tests start (they inherit the environment), never the user's."""
    folder = tmp_path_factory.mktemp("app-data")
    os.environ["GDPLAY_DATA_DIR"] = str(folder)
    os.environ["XDG_CONFIG_HOME"] = str(folder / "config")
    yield folder


# UI updates from a thread other than the GUI thread raise in tests (gdplay.ui.gui_thread.check)
os.environ["GDPLAY_STRICT_THREADS"] = "1"


def running_training() -> list[str]:
    """Training threads and processes still running (a test's leak), after a short grace to finish."""
    import multiprocessing
    import time

    from gdplay.bridge import controller as bridge

    deadline = time.monotonic() + 3.0
    while True:
        threads = [c for c in list(bridge._LIVE) if _alive(c)]
        procs = multiprocessing.active_children()
        if not (threads or procs) or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    return ([f"training thread {c._thread.objectName()!r}" for c in threads]
            + [f"training process {p.name} (pid {p.pid})" for p in procs])


def _alive(controller) -> bool:
    try:
        return controller.is_alive()
    except RuntimeError:  # its C++ side is gone: so is the thread
        return False


@pytest.fixture(autouse=True)
def _no_training_left_running(request):
    """A test that leaves a training thread or process running fails (napari's dangling-QThread guard is the
    model): it would slow or hang the tests after it, and on quit Qt aborts on a running QThread. The leak is
    then stopped, so the tests after it start clean."""
    yield
    if "gdplay.bridge.controller" not in sys.modules:
        return
    leaks = running_training()
    if leaks:
        import multiprocessing

        from gdplay.bridge import controller as bridge

        for c in list(bridge._LIVE):
            if _alive(c):
                c.shutdown(2000)
        for p in multiprocessing.active_children():  # its relay is gone (a controller collected while running)
            p.terminate()
            p.join(2)
        pytest.fail(f"{request.node.nodeid} left {', '.join(leaks)} running: shut its controllers down "
                    "(controller.shutdown(), or close the window) before the test ends.", pytrace=False)


pytest_plugins = ["pytester"]
