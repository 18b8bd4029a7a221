"""Every kind of bad input, one table: one clear line, exit code 2, nothing written, nothing damaged.

(Suite files join the table once `bench nightly --suite` exists.)

The results folders here come from one real (tiny) `bench run`, then are damaged the ways a
crash, a full disk or a hand edit damages them.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from bench.cli import main
from bench.store.results import write_manifest

ROOT = Path(__file__).resolve().parents[2]
RUN = ("run", "--strategy", "grid", "--until", "budget", "--workers", "1", "--quiet")


@pytest.fixture(scope="session")
def real_run(tmp_path_factory) -> Path:
    """One complete run folder from a real `bench run` (3 epochs of one grid trial)."""
    out = tmp_path_factory.mktemp("real") / "out"
    env = {k: v for k, v in __import__("os").environ.items() if k != "RAY_ADDRESS"}
    done = subprocess.run([sys.executable, "-m", "bench", *RUN, "--budget-epochs", "3", "--out", str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    (folder,) = [p for p in out.iterdir() if p.is_dir()]
    return folder


# ---- ways to prepare a workspace: each returns the argv to run, given the workspace -----------

def _complete(ws: Path, run: Path) -> Path:
    folder = ws / "results" / run.name
    shutil.copytree(run, folder)
    return folder


def _unfinished(ws: Path, run: Path, status: str = "running") -> Path:
    """A copy of the run as a killed driver leaves it: no epochs.parquet, status not complete."""
    folder = _complete(ws, run)
    (folder / "epochs.parquet").unlink()
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["status"] = status
    write_manifest(folder, manifest)
    return folder


def _edit_json(path: Path, **changes) -> None:
    body = json.loads(path.read_text())
    body.update(changes)
    path.write_text(json.dumps(body, indent=2))


def _edit_partial(folder: Path, edit: Callable[[list[str]], list[str]]) -> None:
    path = folder / "epochs.partial.jsonl"
    path.write_text("\n".join(edit(path.read_text().splitlines())) + "\n")


def _edit_epochs(folder: Path) -> None:
    import pandas as pd

    frame = pd.read_parquet(folder / "epochs.parquet")
    frame.loc[0, "val_accuracy"] = 0.99  # a better result, hand-written
    frame.to_parquet(folder / "epochs.parquet", index=False)


def _table(ws: Path) -> Path:
    from bench.store.tables import default_table_path

    table = ws / "table"
    shutil.copytree(default_table_path("digits"), table)
    return table


def _report(ws: Path, *extra: str) -> list[str]:
    return ["report", str(ws / "results"), "--out", str(ws / "report"), *extra]


def _claims(ws: Path, text: str) -> Path:
    path = ws / "claims.toml"
    path.write_text(text)
    return path


@dataclass(frozen=True)
class Case:
    name: str
    prepare: Callable[[Path, Path], list[str]]
    expect: str  # a piece of the one-line message


def _corrupt_table(ws, run):
    table = _table(ws)
    data = bytearray((table / "curves.parquet").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (table / "curves.parquet").write_bytes(bytes(data))
    _complete(ws, run)
    return _report(ws, "--reference", str(table))


def _truncated_epochs(ws, run):
    folder = _complete(ws, run)
    data = (folder / "epochs.parquet").read_bytes()
    (folder / "epochs.parquet").write_bytes(data[: len(data) // 2])
    return _report(ws)


CASES = [
    # `bench run` options
    Case("run: unknown strategy", lambda ws, run: ["run", "--strategy", "nosuch", "--out", str(ws / "o")], "unknown strategy 'nosuch'"),
    Case("run: unknown workload", lambda ws, run: [*RUN, "--workload", "nosuch", "--out", str(ws / "o")], "nosuch"),
    Case("run: --set without =", lambda ws, run: [*RUN, "--set", "oops", "--out", str(ws / "o")], "KEY=VALUE"),
    Case("run: unknown parameter", lambda ws, run: ["run", "--strategy", "asha", "--set", "nosuch=1", "--out", str(ws / "o")], "unknown parameter 'nosuch'"),
    Case("run: ill-typed parameter", lambda ws, run: ["run", "--strategy", "asha", "--set", "grace_period=abc", "--out", str(ws / "o")], "takes an int"),
    Case("run: two budgets", lambda ws, run: [*RUN, "--budget-epochs", "5", "--budget-seconds", "5", "--out", str(ws / "o")], "at most one budget"),
    Case("run: negative budget", lambda ws, run: [*RUN, "--budget-epochs", "-1", "--out", str(ws / "o")], "positive"),
    Case("run: target above 1", lambda ws, run: [*RUN, "--target", "1.5", "--out", str(ws / "o")], "(0, 1]"),
    Case("run: zero seeds", lambda ws, run: [*RUN, "--seeds", "0", "--out", str(ws / "o")], "--seeds"),
    Case("run: zero workers", lambda ws, run: ["run", "--strategy", "grid", "--workers", "0", "--out", str(ws / "o")], "--workers"),
    Case("run: zero samples", lambda ws, run: [*RUN, "--samples", "0", "--out", str(ws / "o")], "--samples"),
    Case("run: unknown flag", lambda ws, run: [*RUN, "--bogus", "--out", str(ws / "o")], "--bogus"),
    Case("run: seed not an integer", lambda ws, run: [*RUN, "--seed", "x", "--out", str(ws / "o")], "--seed"),
    Case("run: --out is a file", lambda ws, run: [*RUN, "--out", str(_claims(ws, "x") / "o")], "cannot write results"),
    Case("run: negative retry limit", lambda ws, run: [*RUN, "--max-failures", "-1", "--out", str(ws / "o")], "--max-failures"),
    Case("run: no strategy", lambda ws, run: ["run", "--out", str(ws / "o")], "--strategy is required"),
    # `bench run --resume` of missing, finished or damaged run folders
    Case("resume: no such run", lambda ws, run: ["run", "--resume", "nosuch", "--out", str(ws / "results")], "no run 'nosuch'"),
    Case("resume: run already complete", lambda ws, run: ["run", "--resume", str(_complete(ws, run))], "already complete"),
    Case("resume: corrupt manifest", lambda ws, run: (lambda f: (f / "manifest.json").write_text("{not json") and ["run", "--resume", str(f)])(_unfinished(ws, run)), "corrupt manifest"),
    Case("resume: hand-edited manifest", lambda ws, run: (lambda f: _edit_json(f / "manifest.json", seed=1) or ["run", "--resume", str(f)])(_unfinished(ws, run)), "checksum does not match"),
    Case("resume: foreign schema version", lambda ws, run: (lambda f: _edit_json(f / "manifest.json", schema_version=99) or ["run", "--resume", str(f)])(_unfinished(ws, run)), "schema version 99"),
    Case("resume: damaged line inside the rows", lambda ws, run: (lambda f: _edit_partial(f, lambda ls: [ls[0], ls[1][:40], ls[2]]) or ["run", "--resume", str(f)])(_unfinished(ws, run)), "line 2 is not a valid record"),
    Case("resume: a row deleted", lambda ws, run: (lambda f: _edit_partial(f, lambda ls: [ls[0], ls[2]]) or ["run", "--resume", str(f)])(_unfinished(ws, run)), "rows missing or edited"),
    Case("resume: a row from another run", lambda ws, run: (lambda f: _edit_partial(f, lambda ls: [ls[0].replace('"run_id": "', '"run_id": "x'), *ls[1:]]) or ["run", "--resume", str(f)])(_unfinished(ws, run)), "belongs to run"),
    Case("resume: damaged Tune state, no snapshot", lambda ws, run: (lambda f: (f / "tune_state.snapshot").unlink() or [p.write_text(p.read_text()[:100]) for p in (f / "ray" / "tune").glob("experiment_state-*.json")] and ["run", "--resume", str(f)])(_unfinished(ws, run)), "experiment state is damaged"),
    Case("resume: damaged snapshot of Tune state", lambda ws, run: (lambda f: (f / "tune_state.snapshot").write_bytes((f / "tune_state.snapshot").read_bytes()[:100]) and ["run", "--resume", str(f)])(_unfinished(ws, run)), "damaged snapshot of Ray Tune's state"),
    Case("resume: different options", lambda ws, run: ["run", "--resume", str(_unfinished(ws, run)), "--strategy", "asha"], "different options"),
    # results folders read by `bench report`
    Case("results: hand-edited epochs table", lambda ws, run: _edit_epochs(_complete(ws, run)) or _report(ws), "checksum differs"),
    Case("results: truncated epochs table", _truncated_epochs, "epochs.parquet"),
    Case("results: hand-edited manifest", lambda ws, run: _edit_json(_complete(ws, run) / "manifest.json", rows=2) or _report(ws), "checksum does not match"),
    Case("results: manifest checksum removed", lambda ws, run: _edit_json(_complete(ws, run) / "manifest.json", manifest_sha256=None) or _report(ws), "checksum does not match"),
    # `bench compare` options and tables
    Case("compare: unknown strategy", lambda ws, run: ["compare", "--strategies", "nosuch", "--out", str(ws / "o")], "unknown strategy 'nosuch'"),
    Case("compare: zero seeds", lambda ws, run: ["compare", "--seeds", "0", "--out", str(ws / "o")], "--seeds"),
    Case("compare: replay of a missing table", lambda ws, run: ["compare", "--replay", str(ws / "nosuch"), "--out", str(ws / "o")], "not a learning-curve table"),
    # learning-curve tables
    Case("table: damaged curves", _corrupt_table, "checksum differs from table.json"),
    Case("table: not a table", lambda ws, run: _complete(ws, run) and _report(ws, "--reference", str(ws)), "not a reference"),
    # claims files
    Case("claims: not TOML", lambda ws, run: _complete(ws, run) and _report(ws, "--claims", str(_claims(ws, "[[claims"))), "claims.toml"),
    Case("claims: unknown measure", lambda ws, run: _complete(ws, run) and _report(ws, "--claims", str(_claims(ws, 'schema_version = 1\n[[claims]]\nstrategy = "asha"\nmeasure = "speed"\nvalue = 3\n'))), "measure must be one of"),
    Case("claims: missing file", lambda ws, run: _complete(ws, run) and _report(ws, "--claims", str(ws / "nosuch.toml")), "nosuch.toml"),
]


def snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(root.rglob("*"))}


#: What the README's "Bad data" section says the table covers, and the case-name prefix of each.
README_KINDS = {
    "`bench run`": "run", "`bench compare` options": "compare", "`--resume` of missing, finished or damaged runs": "resume",
    "results folders": "results", "learning-curve tables": "table", "claims files": "claims",
}


def test_the_table_is_the_one_the_readme_promises():
    import re

    readme = " ".join((ROOT / "README.md").read_text().split())  # the promise is wrapped over lines
    promise = re.search(r"holds the table of bad inputs \((\d+) cases: ([^)]*)\)", readme)
    assert promise is not None, "README's Bad data section no longer states the table's size and kinds"
    assert len(CASES) == int(promise[1])
    assert [kind for kind in README_KINDS if kind not in promise[2]] == []
    assert {c.name.partition(":")[0] for c in CASES} == set(README_KINDS.values())
    assert len({c.name for c in CASES}) == len(CASES)  # ids name one case each


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_is_refused_cleanly(case, tmp_path, capsys, real_run):
    workspace = tmp_path / "ws"
    workspace.mkdir()
    argv = case.prepare(workspace, real_run)
    before = snapshot(workspace)
    capsys.readouterr()
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 2, (code, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err, err
    assert case.expect in lines[0], lines[0]
    assert out == ""
    assert snapshot(workspace) == before  # nothing written, nothing damaged
