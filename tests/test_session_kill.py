"""A save killed at any moment (no cleanup runs) leaves the previous file whole and readable, and the
temp file it leaves behind is removed the next time a session in that folder is saved or opened.

Two harnesses. One kills the writing process at a chosen byte of the write: the kernel's file-size limit
(RLIMIT_FSIZE) with SIGXFSZ at its default action ends the process the moment a write would pass that byte,
so every kill lands inside a write, at random offsets (a plain write in place of the atomic save tears the
file on every one of them). The other sends SIGKILL at random moments, mid-encode, mid-write or mid-rename."""

import json
import os
import random
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from gdplay.core import session as S

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and resource limits")

N_POINTS = 20_000

SAVE = f"N_POINTS = {N_POINTS}\n" + """
import sys
import numpy as np
from gdplay.core import session as S
from gdplay.core.regression import RegressionParams

def save(path, i):
    xy = np.full((N_POINTS, 2), float(i))
    S.save(path, S.Session({"regression": S.TabState(RegressionParams(seed=i), xy, np.zeros(len(xy), int))},
                           name=f"save {i}"))
"""

WRITER_AT_BYTE = SAVE + """
import resource, signal
path, i, limit = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
signal.signal(signal.SIGXFSZ, signal.SIG_DFL)  # Python ignores it; the default ends the process at once
resource.setrlimit(resource.RLIMIT_CORE, (0, resource.RLIM_INFINITY))
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
save(path, i)
"""

WRITER_FOREVER = SAVE + """
path = sys.argv[1]
i = 0
while True:
    i += 1
    save(path, i)
    print(i, flush=True)
"""


def whole_save(path) -> int:
    """The number of the save the file holds, after checking every part of it is that save's."""
    doc = S.parse_document(path.read_bytes())  # raises if the file were torn
    n = int(doc["name"].split()[1])
    xy = np.array(doc["tabs"]["regression"]["points"]["xy"])
    assert xy.shape == (N_POINTS, 2) and (xy == n).all() and doc["tabs"]["regression"]["params"]["seed"] == n
    return n


def leftovers(folder, keep):
    return sorted(p.name for p in folder.iterdir() if p.name != keep)


def test_a_save_killed_at_any_byte_of_its_write_leaves_the_old_file_whole(tmp_path):
    path = tmp_path / "s.gdplay.json"
    subprocess.run([sys.executable, "-c", WRITER_AT_BYTE, str(path), "0", str(2**40)], check=True)
    size = path.stat().st_size
    rng = random.Random(13)
    held, killed = 0, 0
    for i in range(1, 21):
        limit = rng.randrange(1, size + size // 4)  # mostly inside the write; some saves complete
        p = subprocess.run([sys.executable, "-c", WRITER_AT_BYTE, str(path), str(i), str(limit)],
                           capture_output=True)
        if p.returncode == -signal.SIGXFSZ:
            killed += 1
        else:
            assert p.returncode == 0, p.stderr.decode()
            held = i
        assert whole_save(path) == held, f"kill {i} at byte {limit:,} of {size:,}"
        # each save removes the temp files of the saves killed before it (their processes are gone)
        assert len(leftovers(tmp_path, path.name)) == (p.returncode != 0)
    assert killed >= 10
    # ... and so does opening a session in that folder
    p = subprocess.run([sys.executable, "-c", WRITER_AT_BYTE, str(path), "21", str(size // 2)])
    assert p.returncode == -signal.SIGXFSZ and len(leftovers(tmp_path, path.name)) == 1
    S.read_document(path)
    assert leftovers(tmp_path, path.name) == []


def test_sigkill_at_random_moments_of_saves_never_damages_the_file(tmp_path):
    path = tmp_path / "s.gdplay.json"
    rng = random.Random(7)
    seen = set()
    for _ in range(8):
        p = subprocess.Popen([sys.executable, "-c", WRITER_FOREVER, str(path)], stdout=subprocess.PIPE, text=True)
        p.stdout.readline()  # one save done: the file exists
        time.sleep(rng.uniform(0.0, 0.15))  # land the kill at different moments of a save
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
        p.stdout.close()
        seen.add(whole_save(path))
    # a killed writer may leave its temp file (no cleanup runs on SIGKILL), never a damaged target; the next
    # save there removes it
    assert all(name.startswith(".gdplay-") and name.endswith(".tmp") for name in leftovers(tmp_path, path.name))
    subprocess.run([sys.executable, "-c", WRITER_AT_BYTE, str(path), "99", str(2**40)], check=True)
    assert leftovers(tmp_path, path.name) == []
    assert json.loads(path.read_text())["format"] == "gdplay-session"
