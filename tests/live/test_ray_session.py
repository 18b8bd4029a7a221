"""The local Ray that bench starts: no idle workers started ahead of a run that never uses them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: Runs in a fresh process: starts a local Ray through bench, waits 6 s, then lists Ray's worker processes
#: below this process (the raylet is its child, the workers the raylet's), before and after one task.
COUNT_WORKERS = r"""
import os, time
from pathlib import Path
from bench.live.ray_session import ensure_ray
import ray

def workers():
    parents, commands = {}, {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                commands[int(entry.name)] = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    def below(pid):
        ancestor = parents.get(pid)
        while ancestor and ancestor != os.getpid():
            ancestor = parents.get(ancestor)
        return ancestor == os.getpid()
    # A worker renames itself ray::IDLE, or ray::<task> while it runs one; Ray's agents end in Agent.
    return sum(1 for pid, command in commands.items()
               if command.startswith(b"ray::") and not command.rstrip(b"\0").endswith(b"Agent")
               and below(pid))

ensure_ray(None, num_cpus=2)
time.sleep(6)  # Ray's default prestarts its idle workers within a second of the driver connecting
idle = workers()
ray.get(ray.remote(lambda: 1).remote())
print(idle, workers())
"""


def test_a_local_ray_prestarts_no_idle_workers(tmp_path):
    env = {name: value for name, value in os.environ.items() if name != "RAY_ADDRESS"}
    done = subprocess.run([sys.executable, "-c", COUNT_WORKERS], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    idle, after_a_task = map(int, done.stdout.split())
    # Ray's default is one idle worker per CPU: (2, 2) here before bench turned it off; the task
    # shows that the count sees workers (Ray starts them when work arrives).
    assert idle == 0 and after_a_task >= 1, (idle, after_a_task)
