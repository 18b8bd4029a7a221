"""scripts/startup_cost.py refuses a bad --repeats in one line (its figures come from `nox -s benchmarks`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "startup_cost.py"


def test_zero_repeats_is_one_line_and_exit_2():
    done = subprocess.run([sys.executable, str(SCRIPT), "--repeats", "0"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip().splitlines() == ["error: --repeats must be a positive integer, not 0"]
