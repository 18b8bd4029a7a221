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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench.cli import main
from bench.store.results import write_manifest
from tests.conftest import built_once

ROOT = Path(__file__).resolve().parents[2]
RUN = ("run", "--strategy", "grid", "--until", "budget", "--workers", "1", "--quiet")


@pytest.fixture(scope="session")
def real_run(tmp_path_factory) -> Path:
    """One complete run folder from a real `bench run` (3 epochs of one grid trial), run once per test
    session (also across pytest-xdist's workers); the tests copy it, never change it."""

    def build() -> Path:
        out = tmp_path_factory.mktemp("real") / "out"
        env = {k: v for k, v in __import__("os").environ.items() if k != "RAY_ADDRESS"}
        argv = [sys.executable, "-m", "bench", *RUN, "--budget-epochs", "3", "--out", str(out)]
        done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        (folder,) = [p for p in out.iterdir() if p.is_dir()]
        return folder

    return built_once(tmp_path_factory, "real_run", build)


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
    env: tuple[tuple[str, str], ...] = ()  # environment variables set for the case ("{ws}" is the workspace)
    needs_run: bool = False  # prepare copies the real run folder (`run`); the others ignore it


LONG = "x" * 300  # one folder name longer than any file system allows (255 bytes)
REPLAY = ("run", "--strategy", "asha", "--replay", "--quiet")
ACCEPTED_OUT = "accepted: a writable folder"


def _file(ws: Path, name: str = "afile", data: bytes = b"x") -> Path:
    path = ws / name
    path.write_bytes(data)
    return path


def _compare(ws: Path, *extra: str) -> list[str]:
    return ["compare", "--strategies", "asha", "--seeds", "1", "--out", str(ws / "o"), *extra]


def _nightly(ws: Path, *extra: str, suite: str = "smoke") -> list[str]:
    return ["nightly", "--suite", suite, "--history", str(ws / "h"), "--out", str(ws / "n"), *extra]


SUITE = 'schema = 1\nname = "probe"\n[replay]\nworkloads = ["digits"]\nstrategies = ["asha"]\nseeds = 1\n'


def _suite(ws: Path, text: str) -> str:
    return str(_file(ws, "suite.toml", text.encode()))


def _table_meta(ws: Path, edit: Callable[[dict], object]) -> list[str]:
    """A copy of the shipped table whose table.json is edited, replayed for digits."""
    table = _table(ws)
    meta = json.loads((table / "table.json").read_text())
    meta = edit(meta) or meta
    (table / "table.json").write_text(json.dumps(meta))
    return ["run", "--strategy", "asha", "--replay", str(table), "--quiet", "--out", str(ws / "o")]


def _other_space(meta: dict) -> None:
    meta["workload"]["space"][-1]["grid"] = [4, 8, 32]  # width


def _each_run(ws: Path, run: Path, edit: Callable[[Path], object]) -> list[str]:
    folder = _complete(ws, run)
    edit(folder)
    return _report(ws)


def _epochs_folder(folder: Path) -> None:
    (folder / "epochs.parquet").unlink()
    (folder / "epochs.parquet").mkdir()


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
    Case("run: unknown strategy", lambda ws, run: ["run", "--strategy", "nosuch", "--out", str(ws / "o")],
         "unknown strategy 'nosuch'"),
    Case("run: unknown workload", lambda ws, run: [*RUN, "--workload", "nosuch", "--out", str(ws / "o")],
         "nosuch"),
    Case("run: --set without =", lambda ws, run: [*RUN, "--set", "oops", "--out", str(ws / "o")],
         "KEY=VALUE"),
    Case("run: unknown parameter",
         lambda ws, run: ["run", "--strategy", "asha", "--set", "nosuch=1", "--out", str(ws / "o")],
         "unknown parameter 'nosuch'"),
    Case("run: ill-typed parameter",
         lambda ws, run: ["run", "--strategy", "asha", "--set", "grace_period=abc", "--out", str(ws / "o")],
         "takes an int"),
    Case("run: two budgets",
         lambda ws, run: [*RUN, "--budget-epochs", "5", "--budget-seconds", "5", "--out", str(ws / "o")],
         "at most one budget"),
    Case("run: negative budget", lambda ws, run: [*RUN, "--budget-epochs", "-1", "--out", str(ws / "o")],
         "positive"),
    Case("run: target above 1", lambda ws, run: [*RUN, "--target", "1.5", "--out", str(ws / "o")], "(0, 1]"),
    Case("run: zero seeds", lambda ws, run: [*RUN, "--seeds", "0", "--out", str(ws / "o")], "--seeds"),
    Case("run: zero workers",
         lambda ws, run: ["run", "--strategy", "grid", "--workers", "0", "--out", str(ws / "o")],
         "--workers"),
    Case("run: zero samples", lambda ws, run: [*RUN, "--samples", "0", "--out", str(ws / "o")], "--samples"),
    Case("run: unknown flag", lambda ws, run: [*RUN, "--bogus", "--out", str(ws / "o")], "--bogus"),
    Case("run: seed not an integer", lambda ws, run: [*RUN, "--seed", "x", "--out", str(ws / "o")], "--seed"),
    Case("run: --out is a file", lambda ws, run: [*RUN, "--out", str(_claims(ws, "x") / "o")],
         "cannot write results"),
    Case("run: negative retry limit", lambda ws, run: [*RUN, "--max-failures", "-1", "--out", str(ws / "o")],
         "--max-failures"),
    Case("run: no strategy", lambda ws, run: ["run", "--out", str(ws / "o")], "--strategy is required"),
    # `bench run --resume` of missing, finished or damaged run folders
    Case("resume: no such run", lambda ws, run: ["run", "--resume", "nosuch", "--out", str(ws / "results")],
         "no run 'nosuch'"),
    Case("resume: run already complete", lambda ws, run: ["run", "--resume", str(_complete(ws, run))],
         "already complete", needs_run=True),
    Case("resume: corrupt manifest",
         lambda ws, run: (lambda f: (f / "manifest.json").write_text("{not json")
                          and ["run", "--resume", str(f)])(_unfinished(ws, run)),
         "corrupt manifest", needs_run=True),
    Case("resume: hand-edited manifest",
         lambda ws, run: (lambda f: _edit_json(f / "manifest.json", seed=1)
                          or ["run", "--resume", str(f)])(_unfinished(ws, run)),
         "checksum does not match", needs_run=True),
    Case("resume: foreign schema version",
         lambda ws, run: (lambda f: _edit_json(f / "manifest.json", schema_version=99)
                          or ["run", "--resume", str(f)])(_unfinished(ws, run)),
         "schema version 99", needs_run=True),
    Case("resume: damaged line inside the rows",
         lambda ws, run: (lambda f: _edit_partial(f, lambda ls: [ls[0], ls[1][:40], ls[2]])
                          or ["run", "--resume", str(f)])(_unfinished(ws, run)),
         "line 2 is not a valid record", needs_run=True),
    Case("resume: a row deleted",
         lambda ws, run: (lambda f: _edit_partial(f, lambda ls: [ls[0], ls[2]])
                          or ["run", "--resume", str(f)])(_unfinished(ws, run)),
         "rows missing or edited", needs_run=True),
    Case("resume: a row from another run",
         lambda ws, run: (lambda f: _edit_partial(f, lambda ls: [ls[0].replace('"run_id": "', '"run_id": "x'),
                                                                 *ls[1:]])
                          or ["run", "--resume", str(f)])(_unfinished(ws, run)),
         "belongs to run", needs_run=True),
    Case("resume: damaged Tune state, no snapshot",
         lambda ws, run: (lambda f: (f / "tune_state.snapshot").unlink()
                          or [p.write_text(p.read_text()[:100])
                              for p in (f / "ray" / "tune").glob("experiment_state-*.json")]
                          and ["run", "--resume", str(f)])(_unfinished(ws, run)),
         "experiment state is damaged", needs_run=True),
    Case("resume: damaged snapshot of Tune state",
         lambda ws, run: (lambda f: (f / "tune_state.snapshot").write_bytes(
                              (f / "tune_state.snapshot").read_bytes()[:100])
                          and ["run", "--resume", str(f)])(_unfinished(ws, run)),
         "damaged snapshot of Ray Tune's state", needs_run=True),
    Case("resume: different options",
         lambda ws, run: ["run", "--resume", str(_unfinished(ws, run)), "--strategy", "asha"],
         "different options", needs_run=True),
    # results folders read by `bench report`
    Case("results: hand-edited epochs table", lambda ws, run: _edit_epochs(_complete(ws, run)) or _report(ws),
         "checksum differs", needs_run=True),
    Case("results: truncated epochs table", _truncated_epochs, "epochs.parquet", needs_run=True),
    Case("results: hand-edited manifest",
         lambda ws, run: _edit_json(_complete(ws, run) / "manifest.json", rows=2) or _report(ws),
         "checksum does not match", needs_run=True),
    Case("results: manifest checksum removed",
         lambda ws, run: _edit_json(_complete(ws, run) / "manifest.json", manifest_sha256=None)
         or _report(ws), "checksum does not match", needs_run=True),
    # `bench compare` options and tables
    Case("compare: unknown strategy",
         lambda ws, run: ["compare", "--strategies", "nosuch", "--out", str(ws / "o")],
         "unknown strategy 'nosuch'"),
    Case("compare: zero seeds", lambda ws, run: ["compare", "--seeds", "0", "--out", str(ws / "o")],
         "--seeds"),
    Case("compare: replay of a missing table",
         lambda ws, run: ["compare", "--replay", str(ws / "nosuch"), "--out", str(ws / "o")],
         "not a learning-curve table"),
    # learning-curve tables
    Case("table: damaged curves", _corrupt_table, "checksum differs from table.json", needs_run=True),
    Case("table: not a table", lambda ws, run: _complete(ws, run) and _report(ws, "--reference", str(ws)),
         "not a reference", needs_run=True),
    # claims files
    Case("claims: not TOML", lambda ws, run: _complete(ws, run)
         and _report(ws, "--claims", str(_claims(ws, "[[claims"))), "claims.toml", needs_run=True),
    Case("claims: unknown measure", lambda ws, run: _complete(ws, run)
         and _report(ws, "--claims", str(_claims(ws, 'schema_version = 1\n[[claims]]\nstrategy = '
                                                 '"asha"\nmeasure = "speed"\nvalue = 3\n'))),
         "measure must be one of", needs_run=True),
    Case("claims: missing file", lambda ws, run: _complete(ws, run)
         and _report(ws, "--claims", str(ws / "nosuch.toml")), "nosuch.toml", needs_run=True),
    # ---- issue 14: the outside probe's cases, then more of the same classes ----
    # `bench run`: paths, numbers, names, repeated or empty options, environment
    Case("run: --out ''", lambda ws, run: [*REPLAY, "--out", ""], "not an empty string"),
    Case("run: --out with a 300-character folder name", lambda ws, run: [*RUN, "--out", str(ws / "o" / LONG)],
         "too long; " + ACCEPTED_OUT),
    Case("run: replay --out with a 300-character folder name",
         lambda ws, run: [*REPLAY, "--out", str(ws / LONG)], "too long; " + ACCEPTED_OUT),
    Case("run: --out under a file", lambda ws, run: [*REPLAY, "--out", str(_file(ws) / "o")],
         "is a file, not a writable folder; " + ACCEPTED_OUT),
    Case("run: --budget-epochs nan",
         lambda ws, run: [*REPLAY, "--budget-epochs", "nan", "--out", str(ws / "o")],
         "positive number of epochs"),
    Case("run: --budget-epochs inf",
         lambda ws, run: [*REPLAY, "--budget-epochs", "inf", "--out", str(ws / "o")],
         "positive number of epochs"),
    Case("run: --budget-fraction 0",
         lambda ws, run: [*REPLAY, "--budget-fraction", "0", "--out", str(ws / "o")], "(0, 1000]"),
    Case("run: --budget-seconds negative",
         lambda ws, run: [*REPLAY, "--budget-seconds", "-5", "--out", str(ws / "o")],
         "positive number of seconds"),
    Case("run: --target nan", lambda ws, run: [*REPLAY, "--target", "nan", "--out", str(ws / "o")], "(0, 1]"),
    Case("run: --target 0", lambda ws, run: [*REPLAY, "--target", "0", "--out", str(ws / "o")], "(0, 1]"),
    Case("run: --trials-per-gpu 0", lambda ws, run: [*RUN, "--trials-per-gpu", "0", "--out", str(ws / "o")],
         "positive integer"),
    Case("run: --seeds negative", lambda ws, run: [*REPLAY, "--seeds", "-2", "--out", str(ws / "o")],
         "positive integer"),
    Case("run: --repeats 0",
         lambda ws, run: ["run", "--strategy", "grid", "--repeats", "0", "--out", str(ws / "o")],
         "positive integer"),
    Case("run: empty --workload", lambda ws, run: [*REPLAY, "--workload", "", "--out", str(ws / "o")],
         "accepted: digits"),
    Case("run: empty --strategy",
         lambda ws, run: ["run", "--strategy", "", "--replay", "--out", str(ws / "o")], "accepted: grid"),
    Case("run: searcher+ with no scheduler",
         lambda ws, run: ["run", "--strategy", "random+", "--replay", "--out", str(ws / "o")],
         "accepted: fifo"),
    Case("run: non-ASCII strategy name",
         lambda ws, run: ["run", "--strategy", "äsha", "--replay", "--out", str(ws / "o")], "accepted: grid"),
    Case("run: --set with an empty value",
         lambda ws, run: [*REPLAY, "--set", "grace_period=", "--out", str(ws / "o")], "takes an int in [1"),
    Case("run: --set the same key twice",
         lambda ws, run: [*REPLAY, "--set", "grace_period=1", "--set", "grace_period=3",
                          "--out", str(ws / "o")],
         "accepted: each parameter once"),
    Case("run: --set for a strategy without parameters",
         lambda ws, run: ["run", "--strategy", "grid", "--replay", "--set", "reduction_factor=3",
                          "--out", str(ws / "o")], "accepted: none"),
    Case("run: --data-dir for a workload without data",
         lambda ws, run: [*RUN, "--data-dir", str(ws), "--out", str(ws / "o")], "workloads that do: cifar10"),
    Case("run: cifar10 --data-dir a file",
         lambda ws, run: ["run", "--strategy", "asha", "--workload", "cifar10", "--data-dir", str(_file(ws)),
                          "--out", str(ws / "o")], "point --data-dir", env=(("BENCH_DOWNLOAD", "0"),)),
    Case("run: BENCH_DATA_DIR a file",
         lambda ws, run: (_file(ws), ["run", "--strategy", "asha", "--workload", "cifar10",
                                      "--out", str(ws / "o")])[1],
         "point --data-dir", env=(("BENCH_DATA_DIR", "{ws}/afile"), ("BENCH_DOWNLOAD", "0"))),
    Case("run: BENCH_CACHE_DIR a file", lambda ws, run: (_file(ws), [*REPLAY, "--out", str(ws / "o")])[1],
         "accepted: a folder for fitted surrogates", env=(("BENCH_CACHE_DIR", "{ws}/afile"),)),
    Case("run: --replay a file",
         lambda ws, run: ["run", "--strategy", "asha", "--replay", str(_file(ws)), "--out", str(ws / "o")],
         "nor a table name; known"),
    Case("run: --address ''", lambda ws, run: [*RUN, "--address", "", "--out", str(ws / "o")],
         "auto, host:port or ray://host:port"),
    Case("run: --address without a port",
         lambda ws, run: [*RUN, "--address", "somehost:", "--out", str(ws / "o")],
         "accepted: auto, host:port"),
    Case("run: --replay with --address",
         lambda ws, run: [*REPLAY, "--address", "auto", "--out", str(ws / "o")], "--address is not accepted"),
    Case("run: --max-failures not a number",
         lambda ws, run: [*RUN, "--max-failures", "x", "--out", str(ws / "o")], "invalid int value"),
    # `bench run --resume`
    Case("resume: empty run id", lambda ws, run: ["run", "--resume", "", "--out", str(ws / "results")],
         "--resume takes a run folder"),
    Case("resume: a file", lambda ws, run: ["run", "--resume", str(_file(ws))],
         "--resume takes a run folder"),
    Case("resume: with --replay",
         lambda ws, run: ["run", "--resume", str(_unfinished(ws, run)), "--strategy", "grid", "--replay"],
         "not resumed", needs_run=True),
    # `bench report` options
    Case("report: --out an existing file",
         lambda ws, run: _complete(ws, run) and ["report", str(ws / "results"), "--out", str(_file(ws))],
         "is a file, not a writable folder; " + ACCEPTED_OUT, needs_run=True),
    Case("report: --out under a file", lambda ws, run: _complete(ws, run)
         and ["report", str(ws / "results"), "--out", str(_file(ws) / "r")],
         "is a file, not a writable folder; " + ACCEPTED_OUT, needs_run=True),
    Case("report: --out ''", lambda ws, run: _complete(ws, run)
         and ["report", str(ws / "results"), "--out", ""], "not an empty string", needs_run=True),
    Case("report: --out with a 300-character folder name",
         lambda ws, run: _complete(ws, run) and ["report", str(ws / "results"), "--out", str(ws / LONG)],
         ACCEPTED_OUT, needs_run=True),
    Case("report: results ''", lambda ws, run: ["report", "", "--out", str(ws / "r")], "not an empty string"),
    Case("report: results a file", lambda ws, run: ["report", str(_file(ws)), "--out", str(ws / "r")],
         "no such results folder"),
    Case("report: --target nan", lambda ws, run: _complete(ws, run) and _report(ws, "--target", "nan"),
         "(0, 1]", needs_run=True),
    Case("report: --tolerance negative",
         lambda ws, run: _complete(ws, run) and _report(ws, "--tolerance", "-1"), "[0, 100)", needs_run=True),
    Case("report: --tolerance inf", lambda ws, run: _complete(ws, run) and _report(ws, "--tolerance", "inf"),
         "[0, 100)", needs_run=True),
    Case("report: --target with --tolerance",
         lambda ws, run: _complete(ws, run) and _report(ws, "--target", "0.5", "--tolerance", "1"),
         "not allowed with", needs_run=True),
    Case("report: --reference ''", lambda ws, run: _complete(ws, run) and _report(ws, "--reference", ""),
         "not an empty string", needs_run=True),
    Case("report: --reference a file", lambda ws, run: _complete(ws, run)
         and _report(ws, "--reference", str(_file(ws))), "neither a learning-curve table nor a grid run",
         needs_run=True),
    Case("report: --claims a folder", lambda ws, run: _complete(ws, run)
         and _report(ws, "--claims", str(ws / "results")), "cannot read the claims file", needs_run=True),
    Case("report: --claims not UTF-8", lambda ws, run: _complete(ws, run)
         and _report(ws, "--claims", str(_file(ws, "c.toml", b"\xff\xfe"))), "not a valid TOML claims file",
         needs_run=True),
    Case("report: --workload absent from the results",
         lambda ws, run: _complete(ws, run) and _report(ws, "--workload", "cifar10"), "found digits v2",
         needs_run=True),
    # results folders
    Case("results: empty manifest",
         lambda ws, run: _each_run(ws, run, lambda f: (f / "manifest.json").write_text("")),
         "corrupt manifest", needs_run=True),
    Case("results: manifest a JSON list",
         lambda ws, run: _each_run(ws, run, lambda f: (f / "manifest.json").write_text("[]")),
         "schema version", needs_run=True),
    Case("results: epochs table a folder", lambda ws, run: _each_run(ws, run, _epochs_folder),
         "not a file; accepted", needs_run=True),
    # `bench compare`: every option checked before any run or file is written
    Case("compare: --target 2", lambda ws, run: _compare(ws, "--target", "2"), "(0, 1]"),
    Case("compare: --tolerance -1", lambda ws, run: _compare(ws, "--tolerance", "-1"), "[0, 100)"),
    Case("compare: --max-failures -1", lambda ws, run: _compare(ws, "--max-failures", "-1"), "0 or more"),
    Case("compare: --trials-per-gpu 0", lambda ws, run: _compare(ws, "--trials-per-gpu", "0"),
         "positive integer"),
    Case("compare: --data-dir for a workload without data",
         lambda ws, run: _compare(ws, "--data-dir", str(ws)), "workloads that do: cifar10"),
    Case("compare: --tolerance nan", lambda ws, run: _compare(ws, "--tolerance", "nan"), "[0, 100)"),
    Case("compare: garbage --reference", lambda ws, run: _compare(ws, "--reference", str(_file(ws))),
         "neither a learning-curve table nor a grid run"),
    Case("compare: a folder as --claims", lambda ws, run: _compare(ws, "--claims", str(ws)),
         "cannot read the claims file"),
    Case("compare: --strategies with an empty item",
         lambda ws, run: ["compare", "--strategies", "asha,,random", "--out", str(ws / "o")],
         "no empty item"),
    Case("compare: --strategies naming one twice",
         lambda ws, run: ["compare", "--strategies", "asha,asha", "--out", str(ws / "o")],
         "accepted: each strategy once"),
    Case("compare: --strategies all and a name",
         lambda ws, run: ["compare", "--strategies", "all,asha", "--out", str(ws / "o")], "accepted: grid"),
    Case("compare: --budget-epochs nan", lambda ws, run: _compare(ws, "--budget-epochs", "nan"),
         "positive number of epochs"),
    Case("compare: --out an existing file",
         lambda ws, run: ["compare", "--strategies", "asha", "--seeds", "1", "--out", str(_file(ws))],
         "is a file, not a writable folder; " + ACCEPTED_OUT),
    Case("compare: --out ''",
         lambda ws, run: ["compare", "--strategies", "asha", "--seeds", "1", "--out", ""],
         "not an empty string"),
    Case("compare: --out with a 300-character folder name",
         lambda ws, run: ["compare", "--strategies", "asha", "--seeds", "1", "--out", str(ws / LONG)],
         ACCEPTED_OUT),
    Case("compare: --replay a file", lambda ws, run: _compare(ws, "--replay", str(_file(ws))),
         "accepted: a table folder"),
    Case("compare: --replay with --live", lambda ws, run: _compare(ws, "--replay", "--live"),
         "not allowed with"),
    # learning-curve tables
    Case("table: recorded for another workload",
         lambda ws, run: _table_meta(ws, lambda m: m["workload"].update(name="cifar10", version="1")),
         "recorded for workload 'cifar10', not 'digits'"),
    Case("table: table.json holding only its schema version",
         lambda ws, run: _table_meta(ws, lambda m: {"schema_version": 1}), "missing workload, grid_size"),
    Case("table: table.json a JSON list", lambda ws, run: _table_meta(ws, lambda m: [1]),
         "must be a JSON object"),
    Case("table: another search space, same version", lambda ws, run: _table_meta(ws, _other_space),
         "another search space than digits version 2 has now"),
    Case("table: workload fields missing",
         lambda ws, run: _table_meta(ws, lambda m: m["workload"].pop("space") and None),
         "missing workload.space"),
    # `bench tables`
    Case("tables: --dir missing", lambda ws, run: ["tables", "--dir", str(ws / "nosuch")],
         "no such folder; accepted"),
    Case("tables: --dir a file", lambda ws, run: ["tables", "--dir", str(_file(ws))],
         "not a folder; accepted"),
    Case("tables: --dir ''", lambda ws, run: ["tables", "--dir", ""], "not an empty string"),
    # `bench nightly`: every option checked before history.sqlite is created
    Case("nightly: --baseline 999 with no history", lambda ws, run: _nightly(ws, "--baseline", "999"),
         "accepted: a run id of an existing history"),
    Case("nightly: --baseline abc", lambda ws, run: _nightly(ws, "--baseline", "abc"), "positive integer"),
    Case("nightly: --baseline -1", lambda ws, run: _nightly(ws, "--baseline", "-1"), "positive integer"),
    Case("nightly: --out an existing file",
         lambda ws, run: ["nightly", "--suite", "smoke", "--history", str(ws / "h"), "--out", str(_file(ws))],
         "is a file, not a writable folder; " + ACCEPTED_OUT),
    Case("nightly: --out ''", lambda ws, run: ["nightly", "--suite", "smoke", "--out", ""],
         "not an empty string"),
    Case("nightly: --history a file",
         lambda ws, run: ["nightly", "--suite", "smoke", "--history", str(_file(ws)), "--out", str(ws / "n")],
         "is a file, not a writable folder; " + ACCEPTED_OUT),
    Case("nightly: --history with a 300-character folder name",
         lambda ws, run: ["nightly", "--suite", "smoke", "--history", str(ws / LONG), "--out", str(ws / "n")],
         ACCEPTED_OUT),
    Case("nightly: --history ''", lambda ws, run: ["nightly", "--suite", "smoke", "--history", ""],
         "not an empty string"),
    Case("nightly: --suite ''", lambda ws, run: _nightly(ws, suite=""),
         "or a .toml path, not an empty string"),
    Case("nightly: --suite a folder", lambda ws, run: _nightly(ws, suite=str(ws)),
         "a folder, not a suite file; accepted"),
    Case("nightly: --suite unknown name", lambda ws, run: _nightly(ws, suite="nosuch"),
         "shipped: nightly, smoke"),
    Case("nightly: --suite not UTF-8",
         lambda ws, run: _nightly(ws, suite=str(_file(ws, "suite.toml", b"\xff\xfe"))), "not valid TOML"),
    Case("nightly: --suite empty file", lambda ws, run: _nightly(ws, suite=_suite(ws, "")), "suite"),
    Case("nightly: suite with seeds = 0",
         lambda ws, run: _nightly(ws, suite=_suite(ws, SUITE.replace("seeds = 1", "seeds = 0"))), "seeds"),
    Case("nightly: suite with tolerance_pp = nan",
         lambda ws, run: _nightly(ws, suite=_suite(ws, SUITE.replace("[replay]", "tolerance_pp "
                                                                     "= nan\n[replay]"))), "tolerance_pp"),
    Case("nightly: suite with a parameter out of range",
         lambda ws, run: _nightly(ws, suite=_suite(ws, SUITE + "[replay.params.asha]\ngrace_period = -1\n")),
         "grace_period"),
    Case("nightly: suite with root_seed -1",
         lambda ws, run: _nightly(ws, suite=_suite(ws, SUITE + "root_seed = -1\n")), "root_seed"),
    Case("nightly: suite with regression factor 0",
         lambda ws, run: _nightly(ws, suite=_suite(ws, SUITE + "[regression]\nfactor = 0\n")), "factor"),
    Case("nightly: history file not a database",
         lambda ws, run: ((ws / "h").mkdir(), _file(ws / "h", "history.sqlite", b"garbage"), _nightly(ws))[2],
         "not a usable history database"),
    # the command line itself
    Case("cli: no command", lambda ws, run: [], "required: command"),
    Case("cli: unknown command", lambda ws, run: ["frobnicate"], "choose from 'run', 'list'"),
    Case("cli: list with an extra argument", lambda ws, run: ["list", "extra"],
         "unrecognized arguments: extra"),
]


def snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(root.rglob("*"))}


#: What docs/resilience.md's "Bad data" section says the table covers, and the case-name prefix of each.
README_KINDS = {
    "`bench run`": "run", "`bench compare` options": "compare",
    "`--resume` of missing, finished or damaged runs": "resume", "results folders": "results",
    "learning-curve tables": "table", "claims files": "claims", "`bench report` options": "report",
    "`bench tables --dir`": "tables", "`bench nightly` options and suite files": "nightly",
    "the command line itself": "cli",
}


def test_the_table_is_the_one_the_readme_promises():
    import re

    # the promise is wrapped over lines
    docs = " ".join((ROOT / "docs" / "resilience.md").read_text().split())
    promise = re.search(r"holds the table of bad inputs \((\d+) cases: ([^)]*)\)", docs)
    assert promise is not None, ("docs/resilience.md's Bad data section no longer states the "
                                 "table's size and kinds")
    assert len(CASES) == int(promise[1])
    assert [kind for kind in README_KINDS if kind not in promise[2]] == []
    assert {c.name.partition(":")[0] for c in CASES} == set(README_KINDS.values())
    assert len({c.name for c in CASES}) == len(CASES)  # ids name one case each


def refused_cleanly(case: Case, run: Path | None, workspace: Path, capsys, monkeypatch) -> None:
    """Run the case's command in `workspace`: exit 2, one line naming the problem, nothing written."""
    workspace.mkdir()
    for key, value in case.env:
        monkeypatch.setenv(key, value.format(ws=workspace))
    if any(key == "BENCH_CACHE_DIR" for key, _ in case.env):
        # `bench run` is a fresh process: no surrogate held in memory from a replay earlier in this one
        import bench.store.curves

        monkeypatch.setattr(bench.store.curves, "_BOOKS", {})
        monkeypatch.setattr(bench.store.curves, "_SURROGATES", {})
    monkeypatch.chdir(workspace)  # a path that fell back to the current folder would show in the snapshot
    argv = case.prepare(workspace, run)
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


@pytest.mark.parametrize("case", [c for c in CASES if not c.needs_run],
                         ids=[c.name for c in CASES if not c.needs_run])
def test_bad_input_is_refused_cleanly(case, tmp_path, capsys, monkeypatch):
    refused_cleanly(case, None, tmp_path / "ws", capsys, monkeypatch)


@pytest.mark.slow  # the real run folder comes from a real `bench run` (Ray, 3 epochs of training)
@pytest.mark.parametrize("case", [c for c in CASES if c.needs_run],
                         ids=[c.name for c in CASES if c.needs_run])
def test_bad_input_about_a_real_run_folder_is_refused_cleanly(case, tmp_path, capsys, real_run, monkeypatch):
    refused_cleanly(case, real_run, tmp_path / "ws", capsys, monkeypatch)
