import os

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
