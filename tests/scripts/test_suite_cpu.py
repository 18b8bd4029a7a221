"""scripts/suite_cpu.py sorts a command's processes by kind and counts their CPU; bad input is one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "suite_cpu.py"

#: A parent that starts `python -m bench list` (a bench command) and a child with nothing in its
#: command line naming a kind (other) that burns 0.5 s of CPU, then sleeps for a second so that the
#: polls see all of it (a process's CPU after the last poll before it exits is not counted); the parent
#: exits with 3.
PARENT = ("import subprocess, sys\n"
          "subprocess.run([sys.executable, '-m', 'bench', 'list'], capture_output=True, check=True)\n"
          "subprocess.run([sys.executable, '-c', 'import time\\nt = time.process_time()\\n"
          "while time.process_time() - t < 0.5: pass\\ntime.sleep(1)'], check=True)\n"
          "raise SystemExit(3)\n")


def test_a_bench_command_and_a_busy_child_are_counted_by_kind():
    command = [sys.executable, str(SCRIPT), "--interval", "0.05", "--", sys.executable, "-c", PARENT]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=SCRIPT.parents[1])
    assert done.returncode == 3, done.stderr  # the command's exit status is the script's
    rows = {line[:20].strip(): line[20:].split() for line in done.stdout.splitlines()[2:]
            if line[:20].strip() in ("bench command", "other")}
    cpu, _, _, count, _ = rows["bench command"]
    assert int(count) == 1  # its CPU may be counted only in part: it exits at once
    cpu, _, _, count, _ = rows["other"]  # the parent and the busy child
    assert int(count) == 2 and float(cpu) >= 0.5


@pytest.mark.parametrize("argv, message", [
    ([], "error: no command given; accepted: suite_cpu.py [--interval S] -- COMMAND ..."),
    (["--interval", "0", "--", "true"], "error: --interval must be a positive number of seconds, not 0.0"),
])
def test_bad_input_is_one_line_and_exit_2(argv, message):
    done = subprocess.run([sys.executable, str(SCRIPT), *argv], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip().splitlines() == [message]
