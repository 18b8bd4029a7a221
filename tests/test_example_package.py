"""examples/own-workload end to end: installed as a user installs it, listed, recorded, compared, in a suite.

The package goes into a throwaway virtual environment that sees the packages of the interpreter
running the tests (a `.pth` file adds its site folders: `--system-site-packages` would see the base
interpreter's instead, which inside a virtualenv lacks bench's dependencies and has an old setuptools),
with no pip of its own (this pip installs into it with `--python`). So the test needs no network,
takes seconds, works from a virtualenv as from a system interpreter, and leaves the environment the
other tests run in unchanged. The import-path form (`--workload own_workload:BLOBS`) runs from the package's
folder without any install, as a user's first try would.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # starts Ray and trains (tests/conftest.py: slow)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "own-workload"


def _run(python, args, cwd, timeout=240):
    env = {k: v for k, v in os.environ.items() if k not in ("RAY_ADDRESS", "BENCH_WORKLOADS")}
    env["PYTHONPATH"] = str(ROOT)  # this checkout's bench, in the driver and in Ray's workers
    done = subprocess.run([str(python), *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, f"{args}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    """A copy of the example (its build files stay out of the checkout) and a venv it is installed in."""
    root = tmp_path_factory.mktemp("example")
    source = shutil.copytree(EXAMPLE, root / "own-workload",
                             ignore=shutil.ignore_patterns("build", "*.egg-info"))
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                             check=True, capture_output=True, text=True).stdout.strip()
    outer = [*site.getsitepackages(), *([site.getusersitepackages()] if site.ENABLE_USER_SITE else [])]
    # addsitedir, not a bare path: the outer folders' own .pth files (editable installs) count too.
    (Path(purelib) / "outer_site.pth").write_text(
        "".join(f"import site; site.addsitedir({folder!r})\n" for folder in outer))
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
                    "--no-build-isolation", "--disable-pip-version-check", str(source)], check=True)
    return source, python, root


def test_installed_example_is_listed_recorded_and_compared_and_runs_by_import_path(example):
    source, python, root = example
    listed = _run(python, ["-m", "bench", "list"], cwd=root)
    assert "[plugin: entry point in own-workload 0.1.0 (own_workload:BLOBS)]" in listed

    # --until budget: the package ships its table, so a run would otherwise stop at that table's target.
    recorded = _run(python, ["-m", "bench", "run", "--strategy", "grid", "--workload", "blobs", "--until",
                             "budget", "--out", str(root / "grid"), "--quiet"], cwd=root)
    assert ": complete" in recorded and "learning-curve table (1 repeat)" in recorded
    (table,) = (root / "grid").glob("grid-blobs-seed0-*/table")

    compared = _run(python, ["-m", "bench", "compare", "--replay", str(table), "--workload", "blobs",
                             "--strategies", "grid,random,asha", "--seeds", "2", "--out",
                             str(root / "compare")],
                    cwd=root)
    assert "blobs: 6 runs against table" in compared and "compute-to-target" in compared
    assert (root / "compare" / "report" / "report.md").exists()

    suite = root / "blobs.toml"
    suite.write_text('schema = 1\nname = "blobs"\n[replay]\nworkloads = ["blobs"]\nstrategies = ["asha"]\n'
                     'seeds = 2\n[regression]\nfactor = 1.1\n')
    nightly = _run(python, ["-m", "bench", "nightly", "--suite", str(suite), "--history",
                            str(root / "history"), "--out", str(root / "nightly"), "--verbose"], cwd=root)
    assert "[2/2] asha seed " in nightly and "history run 1 (accepted)" in nightly
    assert "asha seed 0: best" in nightly and "asha seed 1: best" in nightly  # both runs, in either order

    # Without the install: the import path, from the package's folder. (Ray's workers find an import
    # path through BENCH_WORKLOADS and PYTHONPATH, which tests/bench/test_plugins.py checks are
    # exported; a second live run here would double this test's time.)
    plain = sys.executable
    replayed = _run(plain, ["-m", "bench", "compare", "--replay", str(table), "--workload",
                            "own_workload:BLOBS", "--strategies", "asha", "--seeds", "2", "--out",
                            str(root / "compare-by-path")], cwd=source)
    assert "blobs: 2 runs against table" in replayed
    single = _run(plain, ["-m", "bench", "run", "--replay", str(table), "--strategy", "hyperband",
                          "--workload", "own_workload:BLOBS", "--out", str(root / "by-path"), "--quiet"],
                  cwd=source)
    assert "run hyperband-blobs-seed0-" in single


def test_the_installed_example_is_recorded_checked_and_replayed_from_its_dataset(example):
    """The README's own-model path: `bench record` (grid x 3 seeds + 16 Sobol configurations x 2, as
    Ray tasks), `bench check` (the surrogate chosen and cross-validated on it), then `bench compare
    --replay` on the dataset, which replays through the chosen surrogate and its cost function."""
    import json

    _, python, root = example
    dataset = root / "blobs-dataset"
    recorded = _run(python, ["-m", "bench", "record", "--workload", "blobs", "--configs", "16", "--out",
                             str(dataset), "--quiet"], cwd=root)
    assert "dataset   " in recorded and "56 trainings" in recorded
    meta = json.loads((dataset / "table.json").read_text())
    assert meta["cost_model"]["form"] == "function"
    assert [axis["name"] for axis in meta["cost_model"]["axes"]] == ["batch_size", "hidden_units"]

    checked = _run(python, ["-m", "bench", "check", str(dataset), "--models", "knn-5,neural-net", "--folds",
                            "3", "--inner-folds", "2"], cwd=root)
    assert checked.count("verdict   ") >= 4 and (dataset / "fidelity.json").exists()
    chosen = json.loads((dataset / "fidelity.json").read_text())["chosen"]

    compared = _run(python, ["-m", "bench", "compare", "--replay", str(dataset), "--workload", "blobs",
                             "--strategies", "grid,random,asha", "--seeds", "2", "--out",
                             str(root / "compare-dataset")], cwd=root)
    assert "blobs: 6 runs against table" in compared and "was never checked" not in compared
    manifest = json.loads(next((root / "compare-dataset").glob("asha-*/manifest.json")).read_text())
    assert f"surrogate's ({chosen})" in manifest["table"]["config_mapping"]
    assert manifest["compute_unit"]["name"] == "reference-seconds"
