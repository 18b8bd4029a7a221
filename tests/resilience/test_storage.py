"""A full or read-only output folder: one clear line, exit 2, and what was written stays readable.

Real small and read-only file systems: a tmpfs mounted inside a private mount namespace
(`unshare -rm`), so nothing outside the test is touched.
"""

from __future__ import annotations

import shlex
import subprocess
import sys

import pytest

from bench.live.resume import RESUMABLE, ROW_KEYS
from bench.store.jsonl import read_records
from bench.store.results import read_manifest

from .resilience_cli import GRID_ARGS, ROOT, env


def in_namespace(script: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(["unshare", "-rm", "sh", "-c", script], cwd=ROOT, env=env(), capture_output=True,
                          text=True, timeout=timeout)


pytestmark = pytest.mark.skipif(
    subprocess.run(["sh", "-c", "unshare -rm true"], capture_output=True).returncode != 0,
    reason="needs unshare -rm (user and mount namespaces) to mount a small tmpfs",
)


def bench_run(out) -> str:
    return shlex.join([sys.executable, "-m", "bench", "run", *GRID_ARGS, "--out", str(out)])


def test_full_disk_fails_the_run_with_one_line_and_keeps_what_was_written(tmp_path):
    small, copy = tmp_path / "small", tmp_path / "copy"
    small.mkdir()
    # 200 KiB: the manifest and some epochs fit, then a checkpoint or a row does not.
    script = (f"mount -t tmpfs -o size=200k tmpfs {small} && {{ {bench_run(small / 'out')} 2> "
              f"{tmp_path / 'err'}; echo $? > {tmp_path / 'rc'}; cp -a {small / 'out'} {copy}; }}")
    done = in_namespace(script)
    assert done.returncode == 0, done.stderr[-2000:]
    stderr = (tmp_path / "err").read_text().strip().splitlines()
    assert (tmp_path / "rc").read_text().strip() == "2"
    assert (stderr[-1].startswith("error: cannot write results under")
            and "No space left on device" in stderr[-1])
    # Only bench's lines: Ray Tune's ERROR records, tracebacks and warnings go to the run's driver.log
    assert len(stderr) == 2 and stderr[0].startswith("hardware: "), stderr[-40:]
    assert "--resume" in stderr[-1]
    (folder,) = [p for p in copy.iterdir() if p.is_dir()]
    manifest = read_manifest(folder)  # still valid JSON with a matching checksum
    assert manifest["status"] in RESUMABLE
    # readable; a torn last line is left out
    rows, _ = read_records(folder / "epochs.partial.jsonl", ROW_KEYS, damaged_line="refuse")
    assert [row["run_epochs"] for row in rows] == list(range(1, len(rows) + 1))
    assert not (folder / "epochs.parquet").exists()


def test_read_only_output_folder_is_refused_before_anything_starts(tmp_path):
    mount = tmp_path / "ro"
    mount.mkdir()
    script = (f"mount -t tmpfs -o size=1m tmpfs {mount} && mkdir {mount / 'out'} && "
              f"mount -o remount,ro {mount} && {bench_run(mount / 'out')}; echo rc=$?; ls -A {mount / 'out'}")
    done = in_namespace(script)
    lines = done.stderr.strip().splitlines()
    assert "rc=2" in done.stdout and done.stdout.strip().endswith("rc=2")  # and the folder is still empty
    assert (len(lines) == 1 and lines[0].startswith("error: cannot write results under")
            and "not a writable folder" in lines[0])
