"""Bad input to `bench report`: one line on stderr, exit 2, nothing written."""

from __future__ import annotations

import pytest

from bench.cli import main

from report_builders import write_run


def _refused(capsys, out, *argv) -> str:
    assert main(["report", *argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("error: ")
    assert not out.exists()
    return err


def test_no_reference_says_how_to_make_one(tmp_path, capsys, monkeypatch):
    import bench.store.tables

    monkeypatch.setattr(bench.store.tables, "REFERENCE_DIR", tmp_path / "nothing-shipped")
    write_run(tmp_path / "results", "asha", 0, [(0, 1, 0.9, 1.0)])
    err = _refused(capsys, tmp_path / "out", str(tmp_path / "results"))
    assert "no reference for workload 'digits'" in err and "--strategy grid" in err and "--reference" in err


def test_mixed_workload_versions_are_refused_by_name(tmp_path, capsys, shipped_reference):
    write_run(tmp_path / "results", "asha", 0, [(0, 1, 0.9, 1.0)])
    write_run(tmp_path / "results", "asha", 1, [(0, 1, 0.9, 1.0)], version="1")
    err = _refused(capsys, tmp_path / "out", str(tmp_path / "results"))
    assert "digits v1" in err and "digits v2" in err


def test_mixed_workloads_are_refused_by_name(tmp_path, capsys, shipped_reference):
    write_run(tmp_path / "a", "asha", 0, [(0, 1, 0.9, 1.0)])
    write_run(tmp_path / "b", "asha", 0, [(0, 1, 0.9, 1.0)], workload="cifar10", version="1")
    err = _refused(capsys, tmp_path / "out", str(tmp_path / "a"), str(tmp_path / "b"))
    assert "cifar10 v1" in err and "digits v2" in err


def test_runs_of_another_version_than_the_reference(tmp_path, capsys, shipped_reference):
    write_run(tmp_path / "results", "asha", 0, [(0, 1, 0.9, 1.0)], version="1")
    err = _refused(capsys, tmp_path / "out", str(tmp_path / "results"), "--reference", str(shipped_reference))
    assert "version 1" in err and "version 2" in err


def test_target_above_anything_reached(tmp_path, capsys, shipped_reference):
    write_run(tmp_path / "results", "asha", 0, [(0, 1, 0.93, 1.0)])
    err = _refused(capsys, tmp_path / "out", str(tmp_path / "results"), "--target", "0.99")
    assert "above anything reached" in err and "0.9300" in err


@pytest.mark.parametrize("argv", [["--target", "1.5"], ["--tolerance", "-1"],
                                  ["--target", "0.9", "--tolerance", "1"]])
def test_bad_target_options(tmp_path, capsys, shipped_reference, argv):
    write_run(tmp_path / "results", "asha", 0, [(0, 1, 0.93, 1.0)])
    _refused(capsys, tmp_path / "out", str(tmp_path / "results"), *argv)


def test_empty_results_folder(tmp_path, capsys, shipped_reference):
    (tmp_path / "results").mkdir()
    err = _refused(capsys, tmp_path / "out", str(tmp_path / "results"))
    assert "no run folders" in err
    err = _refused(capsys, tmp_path / "out", str(tmp_path / "missing"))
    assert "no such results folder" in err


def test_corrupt_manifest(tmp_path, capsys, shipped_reference):
    folder = write_run(tmp_path / "results", "asha", 0, [(0, 1, 0.9, 1.0)])
    (folder / "manifest.json").write_text("{not json")
    assert "corrupt manifest" in _refused(capsys, tmp_path / "out", str(tmp_path / "results"))


def test_truncated_epochs_table(tmp_path, capsys, shipped_reference):
    folder = write_run(tmp_path / "results", "asha", 0, [(0, 1, 0.9, 1.0)])
    data = (folder / "epochs.parquet").read_bytes()
    (folder / "epochs.parquet").write_bytes(data[: len(data) // 2])
    err = _refused(capsys, tmp_path / "out", str(tmp_path / "results"))
    assert "epochs.parquet" in err and ("unreadable" in err or "checksum" in err)


def test_only_unfinished_runs(tmp_path, capsys, shipped_reference):
    write_run(tmp_path / "results", "asha", 0, [(0, 1, 0.9, 1.0)], status="interrupted")
    assert "no complete runs" in _refused(capsys, tmp_path / "out", str(tmp_path / "results"))


def test_bad_claims_file(tmp_path, capsys, shipped_reference):
    write_run(tmp_path / "results", "asha", 0, [(0, 1, 0.9, 1.0)])
    claims = tmp_path / "claims.toml"
    claims.write_text('schema_version = 1\n[[claims]]\nstrategy = "asha"\nmeasure = "speed"\nvalue = 3\n')
    err = _refused(capsys, tmp_path / "out", str(tmp_path / "results"), "--claims", str(claims))
    assert "measure must be one of normalised, speedup" in err


@pytest.mark.parametrize("where", ["an existing file", "a path under a file"])
def test_out_that_is_or_lies_under_a_file(tmp_path, capsys, shipped_reference, where):
    write_run(tmp_path / "results", "asha", 0, [(0, 1, 0.9, 1.0)])
    blocker = tmp_path / "afile"
    blocker.write_text("mine")
    out = blocker if where == "an existing file" else blocker / "report"
    assert main(["report", str(tmp_path / "results"), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert "is a file, not a writable folder; accepted: a writable folder" in err
    assert blocker.read_text() == "mine"


def test_read_only_out_is_refused_before_the_report_is_built(tmp_path):
    """A read-only file system (a tmpfs remounted read-only, so it holds for root too)."""
    import shlex
    import subprocess
    import sys
    from pathlib import Path

    if subprocess.run(["sh", "-c", "unshare -rm true"], capture_output=True).returncode != 0:
        pytest.skip("needs unshare -rm (user and mount namespaces) to mount a read-only tmpfs")
    root = Path(__file__).resolve().parents[2]
    results = tmp_path / "results"
    write_run(results, "asha", 0, [(0, 1, 0.9, 1.0)])
    mount = tmp_path / "ro"
    mount.mkdir()
    report = shlex.join([sys.executable, "-m", "bench", "report", str(results), "--reference",
                         str(root / "results" / "reference" / "digits-v2"), "--out", str(mount / "report")])
    done = subprocess.run(["unshare", "-rm", "sh", "-c", f"mount -t tmpfs -o size=1m tmpfs {mount} && "
                           f"mount -o remount,ro {mount} && {report}; echo rc=$?"],
                          cwd=root, capture_output=True, text=True, timeout=300)
    lines = done.stderr.strip().splitlines()
    assert done.stdout.strip().endswith("rc=2"), (done.stdout, done.stderr[-2000:])
    assert len(lines) == 1 and "not a writable folder; accepted: a writable folder" in lines[0], lines
