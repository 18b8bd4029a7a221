"""scripts/suite_cpu.py sorts a command's processes by kind and counts their CPU, orphans' too; bad input
is one line."""

from __future__ import annotations

import functools
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "suite_cpu.py"

#: Waits until its parent has exited (so that the CPU it burns is an orphan's; its interpreter's start is
#: not), burns 0.5 s of CPU, then sleeps for a second so that the polls see all of it (a process's CPU after
#: the last poll before it exits is not counted). It holds the write end of the command's pipe open until
#: it exits (inherited).
BUSY = ("import os, sys, time\nwhile os.getppid() == int(sys.argv[1]): time.sleep(0.01)\n"
        "t = time.process_time()\nwhile time.process_time() - t < 0.5: pass\ntime.sleep(1)\n")
#: Starts the busy process, passing it its own process id and the pipe's write end (argv[1]), and exits at
#: once, so the busy one is an orphan.
MIDDLE = ("import os, subprocess, sys\n"
          f"subprocess.Popen([sys.executable, '-c', {BUSY!r}, str(os.getpid())],"
          " pass_fds=[int(sys.argv[1])])\n")
#: The command: `python -m bench list` (a bench command), then the middle process; it waits until the
#: orphan has exited (the pipe's read end sees its end when the orphan, the last holder of the write end,
#: is gone; at most 60 s), since counting stops when the command exits, and exits with 3.
PARENT = ("import os, select, subprocess, sys\n"
          "subprocess.run([sys.executable, '-m', 'bench', 'list'], capture_output=True, check=True)\n"
          "r, w = os.pipe()\n"
          f"subprocess.run([sys.executable, '-c', {MIDDLE!r}, str(w)], pass_fds=[w], check=True)\n"
          "os.close(w)\n"
          "select.select([r], [], [], 60)\n"
          "raise SystemExit(3)\n")


def test_a_bench_command_and_an_orphan_are_counted_by_kind():
    command = [sys.executable, str(SCRIPT), "--interval", "0.05", "--", sys.executable, "-c", PARENT]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=SCRIPT.parents[1])
    assert done.returncode == 3, done.stderr  # the command's exit status is the script's
    rows = {line[:26].strip(): line[26:].split() for line in done.stdout.splitlines()[2:]
            if line[:26].strip() in ("bench command", "other")}
    _, _, _, count, _ = rows["bench command"]
    assert int(count) == 1  # its CPU may be counted only in part: it exits at once
    # The command and the orphan, and the middle process unless it exited between two polls (it lives
    # a few hundredths of a second, and a loaded machine delays polls). Without the orphan counted, the
    # CPU would be the three processes' starts, about a tenth of a second.
    cpu, _, _, count, _ = rows["other"]
    assert int(count) in (2, 3) and float(cpu) >= 0.5, done.stdout


@functools.cache
def _kind_of():
    spec = importlib.util.spec_from_file_location("suite_cpu", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.kind_of


SITE = "/venv/lib/python3.11/site-packages"


@pytest.mark.parametrize("argv, kind", [
    # Ray 2.60's command lines: only the program and its script decide, never the other arguments
    ([f"{SITE}/ray/core/src/ray/raylet/raylet", "--raylet_socket_name=/tmp/ray/s/sockets/raylet"],
     "Ray daemons"),
    ([f"{SITE}/ray/core/src/ray/gcs/gcs_server", "--log_dir=/tmp/pytest-of-root/pytest-1/x"], "Ray daemons"),
    (["/venv/bin/python", "-u", f"{SITE}/ray/_private/log_monitor.py", "--logs-dir=/tmp/pytest-of-root/x"],
     "Ray daemons"),
    (["/venv/bin/python", "-u", f"{SITE}/ray/_private/runtime_env/agent/main.py", "--node-ip-address=1"],
     "Ray daemons"),
    (["ray::DashboardAgent"], "Ray daemons"),
    (["ray::RuntimeEnvAgent"], "Ray daemons"),
    (["/venv/bin/python", f"{SITE}/ray/_private/workers/default_worker.py",
      "--raylet-name=/tmp/ray/session_1/sockets/raylet"], "Ray worker, not named yet"),
    (["ray::IDLE"], "Ray idle worker"),
    (["ray::ImplicitFunc.train          "], "Ray trial or task"),
    (["/venv/bin/python", "-m", "bench", "run", "--out", "/tmp/pytest-of-root/pytest-1/out"],
     "bench command"),
    (["/venv/bin/python", "-m", "pytest", "-q", "-n", "4"], "pytest"),
    (["/venv/bin/python", "-c", "import sys;exec(eval(sys.stdin.readline()))"], "pytest"),
    (["/venv/bin/python", "-c", "from multiprocessing.spawn import spawn_main; spawn_main(tracker_fd=5)",
      "--multiprocessing-fork"], "process pool worker"),
    (["/venv/bin/python", "tests/resilience/kill_while_syncing_error.py", "--out", "/tmp/pytest-of-root/x"],
     "other"),
    (["/usr/lib/chromium/chromium", "--headless"], "browser"),
])
def test_a_process_kind_comes_from_its_program_and_script(argv, kind):
    assert _kind_of()(argv) == kind


@pytest.mark.parametrize("argv, message", [
    ([], "error: no command given; accepted: suite_cpu.py [--interval S] -- COMMAND ..."),
    (["--interval", "0", "--", "true"],
     "error: --interval must be a number of seconds above 0 and at most 60, not 0.0"),
    (["--interval", "inf", "--", "true"],
     "error: --interval must be a number of seconds above 0 and at most 60, not inf"),
    (["--bogus"],
     "error: unrecognized arguments: --bogus; accepted: suite_cpu.py [--interval S] -- COMMAND ..."),
    (["--", "/no/such/program"],
     "error: cannot run '/no/such/program': No such file or directory; accepted: a command on PATH or a path "
     "to one"),
])
def test_bad_input_is_one_line_and_exit_2(argv, message):
    done = subprocess.run([sys.executable, str(SCRIPT), *argv], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip().splitlines() == [message]
