"""Bad `--parallel` and `--address` values: one line naming what is accepted, exit 2, nothing written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bench.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("command", ["compare", "nightly"])
@pytest.mark.parametrize("value", ["0", "-1", "1.5", "two", ""])
def test_bad_parallel(command, value, tmp_path, capsys):
    extra = ["--suite", "smoke", "--history", str(tmp_path / "h")] if command == "nightly" else []
    assert main([command, *extra, f"--parallel={value}", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and "--parallel" in err[0]
    assert "takes a positive integer" in err[0]
    assert list(tmp_path.iterdir()) == []


def test_unreachable_address(tmp_path):
    """A subprocess: this test session's own Ray would otherwise be reused."""
    done = subprocess.run([sys.executable, "-m", "bench", "compare", "--strategies", "asha", "--seeds", "1",
                           "--address", "127.0.0.1:9", "--out", str(tmp_path / "out")],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1, done.stderr
    assert (lines[0].startswith("error: cannot reach a Ray cluster at '127.0.0.1:9'")
            and "accepted:" in lines[0])
    assert list(tmp_path.iterdir()) == []
