"""Where a command's CPU goes, by kind of process: run it, watch /proc, print seconds and counts.

    python scripts/suite_cpu.py [--interval 0.2] -- python -m pytest -q -n 4

Made for the test suite (issue 21's goals: its CPU halved, 10 minutes of wall time on 2 cores):
most of the suite's CPU is not in bench's code or the tests' own work but in the processes the
tests start, each of which pays its libraries' start-up first. This tells how much, per kind:

  pytest                     pytest and its xdist workers (collection, in-process tests and runs)
  bench command              `python -m bench ...` subprocesses the tests start (drivers, replays)
  Ray trial or task          Ray workers that ran a Tune trial or a Ray task (`ray::NAME`)
  Ray idle worker            Ray workers only ever seen idle (`ray::IDLE`)
  Ray worker, not named yet  Ray workers only ever seen before Ray renamed them (default_worker.py)
  process pool worker        multiprocessing's spawned workers (a matrix's replay workers)
  Ray daemons                gcs_server, raylet, the dashboard and its agent, the runtime-env agent,
                             the log monitor and the autoscaler's monitor of each local Ray
  browser                    chromium and chromedriver (the HTML page tests)
  other                      anything else (pip, helper scripts the tests run)

A process's kind comes from its program and the script or module it runs, never from its other
arguments (a test's temporary path holds "pytest"; every Ray worker's arguments name the raylet's
socket). A Ray worker renames itself after what it runs; one that ran a trial is a trial worker
whatever a poll saw first.

Each process's CPU is its user+sys from /proc/PID/stat, read every --interval seconds while it
lives: a process that exits between two reads loses at most one interval of its CPU, and one that
lives less than an interval may be missed. So the kinds add up to a little less than the machine's
busy time (/proc/stat), printed beside them as the check. Linux only. Every process below this
script is counted, orphans too: it adopts them (a subreaper), so Ray's daemons that outlive a
killed driver are still counted. Counting stops when the command exits: a process still running then
is counted up to that moment (one last poll), not to its end.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import NoReturn

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

#: Ray's daemons that are programs of their own; the others are scripts in the ray package.
RAY_DAEMON_PROGRAMS = ("gcs_server", "raylet")
#: Ray's own names for its Python daemons, once they rename themselves (`ray::DashboardAgent`).
RAY_DAEMON_TITLES = ("DashboardAgent", "RuntimeEnvAgent")
TRIAL = "Ray trial or task"
USAGE = "suite_cpu.py [--interval S] -- COMMAND ..."


def kind_of(argv: list[str]) -> str:
    """The kind of a process from its argument list (/proc/PID/cmdline split at its NULs).

    Only the program and the script or module it runs decide, never the other arguments: a test's
    temporary path holds "pytest", and every Ray worker's arguments name the raylet's socket.
    """
    program = os.path.basename(argv[0]) if argv else ""
    if program.startswith("ray::"):  # a Ray process that renamed itself after what it runs
        title = program[len("ray::"):].split(".")[0].split(" ")[0]
        if title in RAY_DAEMON_TITLES:
            return "Ray daemons"
        return "Ray idle worker" if title == "IDLE" else TRIAL
    if program in RAY_DAEMON_PROGRAMS:
        return "Ray daemons"
    if "chrom" in program:
        return "browser"
    if program in ("pytest", "py.test"):
        return "pytest"
    if program == "bench":
        return "bench command"
    # an interpreter: what it runs is its first argument that is not an interpreter option
    rest = [arg for arg in argv[1:4] if arg not in ("-u", "-B", "-E", "-s", "-O", "-I")]
    if rest[:2] == ["-m", "bench"] or (rest and rest[0].endswith("bench/cli.py")):
        return "bench command"
    if rest[:2] == ["-m", "pytest"]:
        return "pytest"
    if rest[:1] == ["-c"] and len(rest) > 1:
        code = rest[1]
        if "exec(eval(sys.stdin" in code or "xdist" in code or "execnet" in code:
            return "pytest"  # an xdist worker, started by execnet
        if code.startswith("from multiprocessing"):
            return "process pool worker"
    script = rest[0] if rest and rest[0].endswith(".py") else ""
    if "/ray/" in script:  # the log monitor, the autoscaler's monitor, the dashboard and its agents
        return "Ray worker, not named yet" if script.endswith("workers/default_worker.py") else "Ray daemons"
    return "other"


def machine_busy_s() -> float:
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq = map(int, fields[:7])
    return (user + nice + system + irq + softirq) / TICK


def processes() -> dict[int, list[str]]:
    """Every process's /proc/PID/stat fields after the command name (field 3 on), by pid."""
    found = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(f"/proc/{entry.name}/stat").read_text()
            except OSError:  # it exited
                continue
            found[int(entry.name)] = stat.rsplit(")", 1)[1].split()
    return found


class Watch:
    """CPU seconds and kind of every process below this one, by (pid, start time).

    This process is made a subreaper (Linux's PR_SET_CHILD_SUBREAPER): a process whose parent exits
    (Ray's daemons after a driver is killed, a daemonised `ray start`) is adopted by it rather than
    by init, so it stays below and is counted while the command runs. It reaps the zombies so adopted.
    """

    def __init__(self, command: subprocess.Popen):
        self.command = command
        self.me = os.getpid()
        self.cpu: dict[tuple[int, int], float] = {}
        self.system: dict[tuple[int, int], float] = {}
        self.kind: dict[tuple[int, int], str] = {}

    @staticmethod
    def become_subreaper() -> None:
        import ctypes

        pr_set_child_subreaper = 36
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(pr_set_child_subreaper, 1, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")

    def poll(self) -> None:
        stats = processes()
        children: dict[int, list[int]] = defaultdict(list)
        for pid, fields in stats.items():
            children[int(fields[1])].append(pid)
        todo = list(children[self.me])
        while todo:
            pid = todo.pop()
            todo.extend(children[pid])
            fields = stats[pid]
            key = (pid, int(fields[19]))
            self.cpu[key] = (int(fields[11]) + int(fields[12])) / TICK
            self.system[key] = int(fields[12]) / TICK
            try:
                raw = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            except OSError:  # it exited since its stat was read
                continue
            argv = [arg.decode("utf-8", "replace") for arg in raw if arg]
            if argv and self.kind.get(key) != TRIAL:
                # A Ray worker starts as default_worker.py, then is ray::IDLE, then is renamed after
                # what it runs: a trial is its kind, whichever name a poll saw first or last.
                self.kind[key] = kind_of(argv)
        for pid in children[self.me]:  # adopted orphans that exited: read above, reap now
            if pid != self.command.pid:
                try:
                    os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    pass

    def by_kind(self) -> dict[str, tuple[float, float, int]]:
        """kind -> (CPU seconds, of them in the kernel, processes)."""
        totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
        for key, cpu in self.cpu.items():
            kind = self.kind.get(key, "other")
            totals[kind][0] += cpu
            totals[kind][1] += self.system[key]
            totals[kind][2] += 1
        return {kind: (cpu, system, int(count)) for kind, (cpu, system, count) in totals.items()}


class OneLineParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line and exit 2, no usage block
        print(f"error: {message}; accepted: {USAGE}", file=sys.stderr)
        raise SystemExit(2)


def main(argv: list[str] | None = None) -> int:
    parser = OneLineParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--interval", type=float, default=0.2, help="seconds between reads of /proc (0.2)")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command to run, after --")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        print(f"error: no command given; accepted: {USAGE}", file=sys.stderr)
        return 2
    if not Path("/proc/stat").exists():
        print("error: /proc is needed (Linux)", file=sys.stderr)
        return 2
    if not 0 < args.interval <= 60:
        print(f"error: --interval must be a number of seconds above 0 and at most 60, not {args.interval}",
              file=sys.stderr)
        return 2

    Watch.become_subreaper()
    busy, start = machine_busy_s(), time.monotonic()
    try:
        proc = subprocess.Popen(command)
    except OSError as exc:
        print(f"error: cannot run {command[0]!r}: {exc.strerror or exc}; accepted: a command on PATH "
              "or a path to one", file=sys.stderr)
        return 2
    watch = Watch(proc)
    while proc.poll() is None:
        watch.poll()
        time.sleep(args.interval)
    watch.poll()  # the processes that outlive the command, up to now
    wall, busy = time.monotonic() - start, machine_busy_s() - busy
    code = proc.returncode if proc.returncode >= 0 else 128 - proc.returncode  # killed by a signal

    kinds = watch.by_kind()
    counted = sum(cpu for cpu, _, _ in kinds.values())
    print(f"\n{' '.join(command)}: exit {code}, {wall:.0f} s wall")
    print(f"{'kind':<26} {'CPU s':>8} {'share':>6} {'of it sys':>10} {'processes':>10} {'CPU s each':>11}")
    for kind, (cpu, system, count) in sorted(kinds.items(), key=lambda item: -item[1][0]):
        share = cpu / counted if counted else 0.0
        print(f"{kind:<26} {cpu:8.1f} {share:6.1%} {system:10.1f} {count:10d} {cpu / count:11.2f}")
    print(f"{'counted':<26} {counted:8.1f}")
    own = resource.getrusage(resource.RUSAGE_SELF)
    print(f"this script's own polling: {own.ru_utime + own.ru_stime:.1f} s")
    print(f"machine busy (/proc/stat, every process on the machine): {busy:.1f} s; "
          f"counted {counted / max(busy, 1e-9):.0%} of it")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
