"""`bench list` and `bench --help` answer without importing Ray or torch (seconds of start-up)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("argv", [["list"], ["--help"], ["run", "--help"]])
def test_light_commands_import_neither_ray_nor_torch(argv):
    script = (
        "import sys\n"
        "from bench.cli import main\n"
        "try:\n"
        f"    code = main({argv!r})\n"
        "except SystemExit as exit:\n"
        "    code = exit.code\n"
        "heavy = sorted(m for m in ('ray', 'torch', 'pandas') if m in sys.modules)\n"
        "print('HEAVY', ','.join(heavy), 'CODE', code)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "HEAVY  CODE 0"
