"""A save killed at any moment (SIGKILL, no cleanup) leaves the previous file whole and readable."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np

from gdplay.core import session as S

WRITER = """
import sys
import numpy as np
from gdplay.core import session as S
from gdplay.core.regression import RegressionParams
path = sys.argv[1]
i = 0
while True:
    i += 1
    xy = np.full((60_000, 2), float(i))  # ~2 MB a save: a kill lands mid-write often
    S.save(path, S.Session({"regression": S.TabState(RegressionParams(seed=i), xy, np.zeros(len(xy), int))},
                           name=f"save {i}"))
    print(i, flush=True)
"""


def test_sigkill_in_the_middle_of_saves_never_damages_the_file(tmp_path):
    path = tmp_path / "s.gdplay.json"
    seen = set()
    for attempt in range(6):
        p = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True)
        p.stdout.readline()  # one save done: the file exists
        time.sleep(0.05 + 0.037 * attempt)  # land the kill at different moments of a write
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
        p.stdout.close()
        doc = S.read_document(path)  # raises if the file were torn
        n = int(doc["name"].split()[1])
        xy = np.array(doc["tabs"]["regression"]["points"]["xy"])
        assert xy.shape == (60_000, 2) and (xy == n).all() and doc["tabs"]["regression"]["params"]["seed"] == n
        seen.add(n)
    leftovers = [f.name for f in tmp_path.iterdir() if f.name != path.name]
    # a killed writer may leave its temp file (no cleanup runs on SIGKILL), never a damaged target
    assert all(name.startswith(".gdplay-") and name.endswith(".tmp") for name in leftovers)
    assert json.loads(path.read_text())["format"] == "gdplay-session"
