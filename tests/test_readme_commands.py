"""Every command the README shows runs as written (issue 12, §5), and the command line explains itself
without a display."""

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pictures import DRAWN, picture

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    """The ``gdplay ...`` lines of the README's code blocks, without their trailing comments."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = []
    for block in re.findall(r"```\n(.*?)```", text, re.S):
        for line in block.splitlines():
            if line.startswith("gdplay "):
                lines.append(re.sub(r"\s+#.*$", "", line).strip())
    return lines


def run(args: list[str], cwd: Path, env_extra: dict | None = None, timeout: float = 120):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(cwd / "config"))
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "gdplay", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=env)


def test_the_readme_shows_commands():
    commands = readme_commands()
    assert len(commands) >= 6
    assert any(c.startswith("gdplay fit svm --data resources/data/") for c in commands)


@pytest.mark.parametrize("command", readme_commands())
def test_every_readme_command_runs_as_written(tmp_path, command):
    (tmp_path / "resources").symlink_to(ROOT / "resources")  # the README's paths are from the checkout
    args = shlex.split(command)[1:]
    p = run(args, tmp_path)
    assert p.returncode == 0, (command, p.stderr[-2000:])
    if "--json" in args:
        json.loads(p.stdout)
    if "--screenshot" in args:
        out = tmp_path / args[args.index("--screenshot") + 1]
        size = args[args.index("--size") + 1] if "--size" in args else "1400x860"
        width, height, colours = picture(out)
        assert f"{width}x{height}" == size and colours > DRAWN  # the size asked, a tab drawn
    for path in (a for a in args if a.startswith("resources/")):
        assert (ROOT / path).exists(), path


@pytest.mark.parametrize("model", ["regression", "network", "svm"])
def test_fit_help_lists_every_option(tmp_path, model):
    p = run(["fit", model, "--help"], tmp_path)
    assert p.returncode == 0 and "--json" in p.stdout


def test_help_needs_no_display_and_lists_the_preset_keys(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    p = subprocess.run([sys.executable, "-m", "gdplay", "--help"], cwd=tmp_path, capture_output=True, text=True,
                       timeout=60, env=env)
    assert p.returncode == 0, p.stderr
    text = " ".join(p.stdout.split())
    for key in ("seed", "one-weight", "cubic", "deep-sigmoid", "worked", "exp1", "exp2", "banana", "lr-basins"):
        assert key in text


def test_a_bad_preset_names_the_valid_keys(tmp_path):
    p = run(["--screenshot", "out.png", "--tab", "svm", "--preset", "seed"], tmp_path)
    assert p.returncode == 2
    assert "'seed' is not an experiment of the svm tab" in p.stderr
    assert "exp1, exp2, circles, moons, xor" in p.stderr
    p = run(["--screenshot", "out.png", "--preset", "nope"], tmp_path)
    assert p.returncode == 2 and "regression: seed," in p.stderr and "svm: exp1" in p.stderr
    assert "surfaces: four-minima" in p.stderr


def test_scripts_run_help_works_without_a_display(tmp_path):
    stamp = ROOT / ".venv" / ".gdplay-installed-test"
    if not stamp.exists() or shutil.which("bash") is None:
        pytest.skip("scripts/run would set up .venv first (run the suite through scripts/test)")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    p = subprocess.run([str(ROOT / "scripts" / "run"), "--help"], capture_output=True, text=True, timeout=120,
                       env=env)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("usage: gdplay")


def test_fit_network_takes_the_svm_label_coding(tmp_path):
    """-1/+1 labels, as `fit svm` reads them, are the two classes; the JSON reports them as given."""
    (tmp_path / "resources").symlink_to(ROOT / "resources")
    p = run(["fit", "network", "--data", "resources/data/two_blobs.csv", "--layers", "4", "--steps", "300",
             "--json"], tmp_path)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["classes"] == [-1, 1] and out["train_accuracy"] == 1.0
