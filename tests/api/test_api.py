"""The Python API (bench.api, also bench.run / bench.compare / bench.report): real replays and one tiny
live run, no mocks; bad arguments raise BenchError with the line the CLI prints, and write nothing."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import bench
from bench.api import BenchError, CompareResult, ReportResult, StoredRun
from bench.cli import main
from bench.store.results import load_run

ROOT = Path(__file__).resolve().parents[2]


def test_import_bench_stays_light():
    script = ("import sys, bench\nbench.__version__\n"
              "print(sorted(m for m in ('ray', 'torch', 'pandas', 'bench.api') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.stdout.strip() == "[]", done.stderr


def test_run_replay_returns_the_stored_run(tmp_path):
    run = bench.run(strategy="asha", replay=True, seed=1, out=tmp_path / "results")
    assert isinstance(run, StoredRun)
    assert run.folder.parent == tmp_path / "results" and run.manifest["status"] == "complete"
    assert run.manifest["strategy"]["name"] == "asha" and run.manifest["seed"] == 1
    assert len(run.epochs) == run.manifest["rows"] > 0 and run.epochs["replay"].all()
    assert run.manifest["command"] == ["bench.run(strategy='asha', workload='digits', seed=1, replay=True, "
                                       f"out={str(tmp_path / 'results')!r})"]


def test_run_replay_matches_the_cli_run(tmp_path, capsys):
    """The CLI is built on the same functions: the same values give the same trajectory."""
    run = bench.run(strategy="hyperband", replay=True, seed=2, out=tmp_path / "api")
    assert main(["run", "--strategy", "hyperband", "--replay", "--seed", "2", "--quiet", "--out",
                 str(tmp_path / "cli")]) == 0
    (folder,) = (tmp_path / "cli").iterdir()
    cli = load_run(folder)
    columns = ["trial_id", "epoch", "val_accuracy", "run_compute_s", "outcome"]
    assert run.epochs[columns].equals(cli.epochs[columns])
    assert f"results            {folder}" in capsys.readouterr().out


def test_params_reach_the_strategy(tmp_path):
    run = bench.run(strategy="asha", replay=True, params={"grace_period": 3, "reduction_factor": 2.0},
                    budget_fraction=0.1, out=tmp_path)
    assert run.manifest["strategy"]["params"]["grace_period"] == 3
    assert run.manifest["strategy"]["params"]["reduction_factor"] == 2.0
    assert run.manifest["budget"]["limit"] == pytest.approx(0.1 * 6561)


def test_compare_then_report(tmp_path):
    lines = []
    matrix = bench.compare(["asha", "random"], seeds=2, out=tmp_path / "compare", parallel=1,
                           log=lines.append)
    assert isinstance(matrix, CompareResult) and not matrix.failed and len(matrix.runs) == 4
    assert sorted(matrix.summary["strategy"]) == ["asha", "grid", "random"]  # grid: the reference, = 100
    assert (matrix.summary.set_index("strategy").loc[["asha", "random"], "seeds"] == 2).all()
    assert all(path.is_file() for path in matrix.report.plots) and len(matrix.report.plots) == 5
    assert any(line.startswith("matrix: 4 runs") for line in lines)

    again = bench.report([tmp_path / "compare"], out=tmp_path / "report")
    assert isinstance(again, ReportResult) and again.folder == tmp_path / "report"
    assert again.summary.equals(matrix.summary) and again.per_seed.equals(matrix.report.per_seed)
    assert sorted(p.name for p in again.plots) == ["anytime.png", "budget.png", "distribution.png",
                                                   "learning_curves.png", "runtime_distribution.png"]
    assert all(path.is_file() for path in again.files) and tmp_path / "report" / "report.md" in again.files
    again = bench.api.report(tmp_path / "compare", out=tmp_path / "r2", tolerance=2.0)
    assert again.report.basis.tolerance_pp == 2.0


# (API call, the CLI argv that refuses the same value, what the API's message says, what the CLI's
# says). The API names parameters (`samples`), the CLI its flags (`--samples`), from the one check.
# `o` is an output folder in the test's workspace: neither must write anything there.
BAD = [
    (lambda o: bench.run("nosuch", replay=True, out=o),
     ["run", "--strategy", "nosuch", "--replay", "--out", "{o}"],
     "unknown strategy 'nosuch'; accepted: grid, random",
     "unknown strategy 'nosuch'; accepted: grid, random"),
    (lambda o: bench.run("asha", workload="nosuch", out=o),
     ["run", "--strategy", "asha", "--workload", "nosuch", "--out", "{o}"], "nosuch", "nosuch"),
    (lambda o: bench.run("asha", params={"nosuch": 1}, replay=True, out=o),
     ["run", "--strategy", "asha", "--set", "nosuch=1", "--replay", "--out", "{o}"],
     "unknown parameter 'nosuch'", "unknown parameter 'nosuch'"),
    (lambda o: bench.run("asha", params={"grace_period": "abc"}, replay=True, out=o),
     ["run", "--strategy", "asha", "--set", "grace_period=abc", "--replay", "--out", "{o}"], "takes an int",
     "takes an int"),
    (lambda o: bench.run("asha", budget_epochs=5, budget_seconds=5, replay=True, out=o),
     ["run", "--strategy", "asha", "--budget-epochs", "5", "--budget-seconds", "5", "--replay", "--out",
      "{o}"],
     "at most one budget option, not budget_epochs and budget_seconds",
     "at most one budget option, not --budget-epochs and --budget-seconds"),
    (lambda o: bench.run("asha", target=1.5, replay=True, out=o),
     ["run", "--strategy", "asha", "--target", "1.5", "--replay", "--out", "{o}"],
     "target is a validation accuracy in (0, 1], not 1.5", "--target is a validation accuracy in (0, 1]"),
    (lambda o: bench.run("asha", seed=-1, replay=True, out=o),
     ["run", "--strategy", "asha", "--seed", "-1", "--replay", "--out", "{o}"],
     "seed takes an integer in [0,", "--seed takes an integer in [0,"),
    (lambda o: bench.run("asha", until="forever", out=o),
     ["run", "--strategy", "asha", "--until", "forever", "--out", "{o}"],
     "until takes 'budget' or 'target', not 'forever'", "argument --until: invalid choice: 'forever'"),
    (lambda o: bench.run("asha", replay=True, address="auto", out=o),
     ["run", "--strategy", "asha", "--replay", "--address", "auto", "--out", "{o}"],
     "replay runs without Ray, so address is not accepted", "--replay runs without Ray, so --address"),
    (lambda o: bench.run("asha", replay=True, out=""), ["run", "--strategy", "asha", "--replay", "--out", ""],
     "out takes a path, not an empty string", "argument --out: takes a path, not an empty string"),
    (lambda o: bench.compare(["asha", "asha"], seeds=1, out=o),
     ["compare", "--strategies", "asha,asha", "--seeds", "1", "--out", "{o}"],
     "strategies names asha twice; accepted: each strategy once (seeds sets the runs per strategy)",
     "--strategies names asha twice; accepted: each strategy once (--seeds sets the runs per strategy)"),
    (lambda o: bench.compare("asha,nosuch", seeds=1, out=o),
     ["compare", "--strategies", "asha,nosuch", "--seeds", "1", "--out", "{o}"], "unknown strategy 'nosuch'",
     "unknown strategy 'nosuch'"),
    (lambda o: bench.compare(["asha"], seeds=0, out=o),
     ["compare", "--strategies", "asha", "--seeds", "0", "--out", "{o}"], "seeds must be a positive integer",
     "--seeds must be a positive integer"),
    (lambda o: bench.compare(["asha"], seeds=1, parallel=0, out=o),
     ["compare", "--strategies", "asha", "--seeds", "1", "--parallel", "0", "--out", "{o}"],
     "parallel takes a positive integer", "argument --parallel: takes a positive integer"),
    (lambda o: bench.compare(["asha"], seeds=1, tolerance=100.0, out=o),
     ["compare", "--strategies", "asha", "--seeds", "1", "--tolerance", "100", "--out", "{o}"],
     "tolerance is in percentage points", "--tolerance is in percentage points"),
    (lambda o: bench.compare(["asha"], seeds=1, replay=o / "nosuch-table", out=o),
     ["compare", "--strategies", "asha", "--seeds", "1", "--replay", "{o}/nosuch-table", "--out", "{o}"],
     "nosuch", "nosuch"),
    (lambda o: bench.report([o / "nothing"], out=o / "report"),
     ["report", "{o}/nothing", "--out", "{o}/report"], "nothing", "nothing"),
    (lambda o: bench.report([o], target=2.0, out=o / "report"),
     ["report", "{o}", "--target", "2", "--out", "{o}/report"],
     "target is a validation accuracy in (0, 1], not 2", "--target is a validation accuracy in (0, 1]"),
]
FLAG = re.compile(r"(?<![\w-])--[a-z]")


@pytest.mark.parametrize("call, argv, api_says, cli_says", BAD,
                         ids=[f"{argv[0]}: {api_says}" for _, argv, api_says, _ in BAD])
def test_bad_arguments_raise_one_line_naming_the_parameter_and_write_nothing(call, argv, api_says, cli_says,
                                                                            tmp_path, capsys):
    out = tmp_path / "o"
    with pytest.raises(BenchError) as raised:
        call(out)
    message = str(raised.value)
    assert api_says in message and not FLAG.search(message), message  # parameters, not flags
    assert main([part.replace("{o}", str(out)) for part in argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and cli_says in err, err
    assert list(tmp_path.iterdir()) == []


def test_bench_report_is_the_api_function_and_no_module_swaps_its_class():
    import inspect
    from pathlib import Path

    import bench.api
    import bench.reporting.build  # noqa: F401  (importing the report package must not hide the function)

    assert bench.report is bench.api.report and inspect.isfunction(bench.report)
    assert {"run", "compare", "report", "BenchError"} <= set(dir(bench)) and "run" in bench.__all__
    with pytest.raises(BenchError, match="give target or tolerance, not both"):
        bench.report(["results"], target=0.5, tolerance=1.0)
    package = Path(bench.__file__).parent
    swapped = [str(p) for p in package.rglob("*.py") if ".__class__ =" in p.read_text()]
    assert swapped == []


def test_help_on_bench_lists_the_api():
    import pydoc

    import bench

    text = pydoc.render_doc(bench, renderer=pydoc.plaintext)
    functions = text[text.index("\nFUNCTIONS\n"):]  # the signatures, loaded through the lazy loader
    names = ("run", "compare", "report", "record")
    assert all(f"\n    {name}(" in functions for name in names), functions[:300]


def test_live_run_through_the_api(ray_session, tmp_path):
    """One tiny live run (6 epochs of the grid, one worker): the stored rows and manifest come back."""
    run = bench.run(strategy="grid", budget_epochs=6, until="budget", workers=1, out=tmp_path)
    assert run.manifest["status"] == "complete" and not run.epochs["replay"].any()
    assert run.epochs["run_epochs"].max() <= 6 + 1 and run.manifest["budget"] == {"unit": "epochs",
                                                                                  "limit": 6.0}
