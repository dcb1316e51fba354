"""scripts/bench as a record: every figure numeric, with its unit and target, written to JSON with `met`."""

from __future__ import annotations

import json
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "scripts"))
bench = pytest.importorskip("bench")


@pytest.fixture
def figures(monkeypatch):
    monkeypatch.setattr(bench, "FIGURES", [])
    return bench.FIGURES


def test_figures_are_written_with_their_targets(figures, tmp_path, capsys):
    bench.report("edges", "frames per second", 42.0, "fps", ">= 30")
    bench.report("edges", "  ... lateness max", 61.5, "ms", "<= 50", name="lateness max")
    bench.report("edges", "steps/s", 1234.5, "steps/s", "~60 (a note)")
    bench.report("edges", "nothing seen", None, "ms", "<= 33", text="none seen")
    out = tmp_path / "run.json"
    bench.write_json(str(out))
    rows = json.loads(out.read_text())["figures"]
    assert [(r["name"], r["value"], r["unit"], r["target"], r["met"]) for r in rows] == [
        ("frames per second", 42.0, "fps", ">= 30", True),
        ("lateness max", 61.5, "ms", "<= 50", False),
        ("steps/s", 1234.5, "steps/s", "~60 (a note)", None),
        ("nothing seen", None, "ms", "<= 33", False),
    ]
    assert {r["section"] for r in rows} == {"edges"}
    printed = capsys.readouterr().out
    assert "MISSED" in printed and "none seen" in printed and "1,234" in printed


def test_targets_compare_numbers_with_thousands_separators():
    assert bench._met(1_200_000.0, "> 1,000,000") is True
    assert bench._met(999.0, ">= 1,000") is False
    assert bench._met(3.0, "< 2") is False
    assert bench._met(float("nan"), "<= 25") is False


def test_busy_core_runs_a_process_only_while_open(figures):
    with bench.BusyCore() as busy:
        assert busy.proc.poll() is None
        bench.report("window", "fps", 60.0, "fps", ">= 30")
    assert busy.proc.poll() is not None
    bench.report("window", "fps", 60.0, "fps", ">= 30")
    assert [f.section for f in figures] == ["window busy", "window"]


def test_figures_reported_by_the_section_modules_land_in_the_same_record(tmp_path):
    """scripts/bench.py runs as __main__, and the sections import it as "bench": both must fill one record
    (the driver runs the script as the main module, stopped by --help before any measuring)."""
    import subprocess

    script = os.path.join(os.path.dirname(bench.__file__), "bench.py")
    driver = tmp_path / "driver.py"
    driver.write_text(
        "import sys\n"
        f"sys.path.insert(0, {os.path.dirname(script)!r})\n"
        "sys.argv = ['bench.py', '--help']\n"
        "try:\n"
        f"    exec(compile(open({script!r}).read(), {script!r}, 'exec'))\n"
        "except SystemExit:\n"
        "    pass\n"
        "import bench as imported\n"
        "imported.report_probe('edges', type('P', (), {'summary': lambda self: (1.0, 2.0)})())\n"
        "print(len(FIGURES), imported.FIGURES is FIGURES)\n")
    out = subprocess.run([sys.executable, str(driver)], capture_output=True, text=True, timeout=60,
                         env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    assert out.stdout.split()[-2:] == ["2", "True"], out.stderr
