"""Where a command's CPU goes, by kind of process: run it, watch /proc, print seconds and counts.

    python scripts/suite_cpu.py [--interval 0.2] -- python -m pytest -q -n 4

Made for the test suite (issue 21's goals: its CPU halved, 10 minutes of wall time on 2 cores):
most of the suite's CPU is not in bench's code or the tests' own work but in the processes the
tests start, each of which pays its libraries' start-up first. This tells how much, per kind:

  pytest               the pytest process and its xdist workers (collection, in-process tests)
  bench command        `python -m bench ...` subprocesses the tests start (drivers, replays)
  Ray trial or task    Ray worker processes running a Tune trial or a Ray task (`ray::NAME`)
  Ray idle worker      Ray worker processes that never ran anything (`ray::IDLE`)
  process pool worker  multiprocessing's spawned workers (a matrix's replay workers)
  Ray daemons          gcs_server, raylet, the dashboard head and agent, the runtime-env agent,
                       the log monitor and the autoscaler monitor of each local Ray
  browser              chromium and chromedriver (the HTML page tests)
  other                anything else started below this command (pip, helper scripts)

Each process's CPU is its user+sys from /proc/PID/stat, read every --interval seconds while it
lives: a process that exits between two reads loses at most one interval of its CPU, and one that
lives less than an interval may be missed. So the kinds add up to a little less than the machine's
busy time (/proc/stat), which is printed beside them as the check. Linux only. Only processes
below this command are counted (Ray's daemons are: `ray.init` starts them as children).

A process is one of a kind by its command line; a Ray worker's is `ray::` and the class or task it
runs (Ray renames its workers so), read at every poll, so a worker that ran a trial is counted as a
trial worker even if it was idle at first.
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

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

#: (kind, substrings of the command line, any of which makes a process that kind), first match wins.
KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Ray daemons", ("gcs_server", "/raylet", "dashboard", "DashboardAgent", "RuntimeEnvAgent",
                     "log_monitor", "autoscaler/_private/monitor", "monitor.py")),
    ("Ray idle worker", ("ray::IDLE",)),
    ("Ray trial or task", ("ray::", "default_worker.py")),
    ("bench command", ("-m bench ", "bench/cli.py", "bin/bench ")),
    ("pytest", ("pytest", "xdist", "execnet", "exec(eval(sys.stdin")),
    ("process pool worker", ("multiprocessing", "concurrent.futures")),
    ("browser", ("chrom",)),
)


def kind_of(command: str) -> str:
    for kind, marks in KINDS:
        if any(mark in command for mark in marks):
            return kind
    return "other"


def machine_busy_s() -> float:
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq = map(int, fields[:7])
    return (user + nice + system + irq + softirq) / TICK


def children_of() -> dict[int, list[int]]:
    children: dict[int, list[int]] = defaultdict(list)
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(f"/proc/{entry.name}/stat").read_text()
            except OSError:
                continue
            children[int(stat.rsplit(")", 1)[1].split()[1])].append(int(entry.name))
    return children


class Watch:
    """CPU seconds and the latest command line of every process below one pid, by (pid, start time)."""

    def __init__(self, root: int):
        self.root = root
        self.cpu: dict[tuple[int, int], float] = {}
        self.system: dict[tuple[int, int], float] = {}
        self.kind: dict[tuple[int, int], str] = {}

    def poll(self) -> None:
        children = children_of()
        below, todo = set(), [self.root]
        while todo:
            pid = todo.pop()
            if pid not in below:
                below.add(pid)
                todo.extend(children.get(pid, ()))
        # Every process once seen below the root is followed to its end: Ray's daemons outlive a
        # killed driver, adopted by init, and go on using CPU (a reused pid has another start time).
        followed = {pid for pid, _ in self.cpu} - below
        for pid in below | followed:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                raw = Path(f"/proc/{pid}/cmdline").read_bytes()
                command = raw.replace(b"\0", b" ").decode("utf-8", "replace")
            except OSError:
                continue
            key = (pid, int(fields[19]))
            if pid in followed and key not in self.cpu:
                continue
            self.cpu[key] = (int(fields[11]) + int(fields[12])) / TICK
            self.system[key] = int(fields[12]) / TICK
            if command.strip() and self.kind.get(key) != "Ray trial or task":
                # A Ray worker starts as default_worker.py or ray::IDLE and is renamed when it runs
                # something: what it ran is its kind, whichever name a poll saw first.
                self.kind[key] = kind_of(command)

    def by_kind(self) -> dict[str, tuple[float, float, int]]:
        """kind -> (CPU seconds, of them in the kernel, processes)."""
        totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
        for key, cpu in self.cpu.items():
            kind = self.kind.get(key, "other")
            totals[kind][0] += cpu
            totals[kind][1] += self.system[key]
            totals[kind][2] += 1
        return {kind: (cpu, system, int(count)) for kind, (cpu, system, count) in totals.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--interval", type=float, default=0.2, help="seconds between reads of /proc (0.2)")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command to run, after --")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        print("error: no command given; accepted: suite_cpu.py [--interval S] -- COMMAND ...",
              file=sys.stderr)
        return 2
    if not Path("/proc/stat").exists():
        print("error: /proc is needed (Linux)", file=sys.stderr)
        return 2
    if not args.interval > 0:
        print(f"error: --interval must be a positive number of seconds, not {args.interval}", file=sys.stderr)
        return 2

    busy, start = machine_busy_s(), time.monotonic()
    proc = subprocess.Popen(command)
    watch = Watch(proc.pid)
    while proc.poll() is None:
        watch.poll()
        time.sleep(args.interval)
    wall, busy = time.monotonic() - start, machine_busy_s() - busy

    kinds = watch.by_kind()
    counted = sum(cpu for cpu, _, _ in kinds.values())
    print(f"\n{' '.join(command)}: exit {proc.returncode}, {wall:.0f} s wall")
    print(f"{'kind':<20} {'CPU s':>8} {'share':>6} {'of it sys':>10} {'processes':>10} {'CPU s each':>11}")
    for kind, (cpu, system, count) in sorted(kinds.items(), key=lambda item: -item[1][0]):
        share = cpu / counted if counted else 0.0
        print(f"{kind:<20} {cpu:8.1f} {share:6.1%} {system:10.1f} {count:10d} {cpu / count:11.2f}")
    print(f"{'counted':<20} {counted:8.1f}")
    own = resource.getrusage(resource.RUSAGE_SELF)
    print(f"this script's own polling: {own.ru_utime + own.ru_stime:.1f} s")
    print(f"machine busy (/proc/stat, every process on the machine): {busy:.1f} s; "
          f"counted {counted / max(busy, 1e-9):.0%} of it")
    return proc.returncode


if __name__ == "__main__":
    raise SystemExit(main())
