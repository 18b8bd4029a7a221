"""README promises no other test held: `bench list`, `--budget-fraction`, searcher+scheduler
combinations and their refusals, an unreachable `--address`, `BENCH_DATA_DIR`.

Refusals must give one line on stderr, exit 2, write nothing, and name what is accepted.
"""

from __future__ import annotations

import socket

import pytest

import strategies
import workloads
from bench.cli import main


def refused(capsys, argv, out) -> str:
    capsys.readouterr()
    assert main(argv) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), captured.err
    assert captured.out == "" and not out.exists()
    return lines[0]


def test_list_names_every_strategy_and_workload_on_one_line_each(capsys):
    assert main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    for name in strategies.REGISTRY.names():
        strategy = strategies.REGISTRY.get(name)
        (line,) = [line for line in lines
                   if line.split()[:1] == [name] and f"{strategy.searcher}+{strategy.scheduler}" in line]
        assert strategy.summary in line
    for name in workloads.REGISTRY.names():
        workload = workloads.get(name)
        (line,) = [line for line in lines if line.split()[:2] == [name, f"v{workload.version}"]]
        assert f"{workload.space.grid_size()} grid points x {workload.max_epochs} epochs" in line
    (combos,) = [line for line in lines if line.strip().startswith("searcher+scheduler:")]
    assert all(name in combos for name in strategies.SEARCHERS.names() + strategies.SCHEDULERS.names())


@pytest.mark.parametrize("fraction", [0.01, 0.5])
def test_budget_fraction_is_a_share_of_the_grid_budget(fraction, digits_table_path, tmp_path):
    from bench.store.results import load_run

    out = tmp_path / "runs"
    assert main(["run", "--strategy", "random", "--replay", "--budget-fraction", str(fraction), "--until",
                 "budget", "--samples", "243", "--quiet", "--out", str(out)]) == 0
    (folder,) = out.iterdir()
    stored = load_run(folder)
    grid_epochs = workloads.get("digits").grid_budget_epochs
    assert stored.manifest["budget"] == {"unit": "epochs", "limit": fraction * grid_epochs}
    spent = len(stored.epochs)  # one row per epoch; replay stops at the result that spends the budget
    assert fraction * grid_epochs <= spent < fraction * grid_epochs + 1


@pytest.mark.parametrize("fraction", ["0", "-1", "1001", "nan"])
def test_budget_fraction_outside_its_range_names_the_range(fraction, capsys, tmp_path):
    out = tmp_path / "runs"
    line = refused(capsys, ["run", "--strategy", "random", "--replay", "--budget-fraction", fraction, "--out",
                            str(out)],
                   out)
    assert "--budget-fraction must be in (0, 1000]" in line


@pytest.mark.parametrize("name, searcher, scheduler", [
    ("tpe+asha", "HyperOptSearch", "AsyncHyperBandScheduler"),
    ("optuna+median", "OptunaSearch", "MedianStoppingRule"),
    ("nevergrad+hyperband", "NevergradSearch", "HyperBandScheduler"),
    ("random+pbt", "BasicVariantGenerator", "PopulationBasedTraining"),
])
def test_searcher_plus_scheduler_builds_both_and_replays(name, searcher, scheduler, digits_table_path,
                                                         tmp_path):
    from bench.store.results import load_run
    from strategies import BuildContext

    digits = workloads.get("digits")
    built = strategies.resolve(name).build(BuildContext(space=digits.space, max_epochs=digits.max_epochs,
                                                        seed=0, samples=8))
    found = type(built.search_alg).__name__ if built.search_alg is not None else None
    assert (found, type(built.scheduler).__name__) == (searcher, scheduler)
    out = tmp_path / "runs"
    assert main(["run", "--strategy", name, "--replay", "--samples", "8", "--budget-epochs", "40", "--quiet",
                 "--out", str(out)]) == 0
    (folder,) = out.iterdir()
    assert load_run(folder).manifest["strategy"]["name"] == name


@pytest.mark.parametrize("name, reason, accepted", [
    ("tpe+bohb", "only work together", "use 'bohb'"),
    ("bohb+asha", "only work together", "use 'bohb'"),
    ("tpe+pbt", "needs a random initial population", "use random+pbt"),
    ("optuna+pb2", "needs a random initial population", "use random+pb2"),
    ("nosuch+asha", "nosuch", "tpe"),
    ("tpe+nosuch", "nosuch", "median"),
])
def test_combinations_that_cannot_work_are_refused_with_the_reason(name, reason, accepted, capsys, tmp_path):
    out = tmp_path / "runs"
    line = refused(capsys, ["run", "--strategy", name, "--replay", "--out", str(out)], out)
    assert reason in line and accepted in line


def test_an_unreachable_address_is_refused_naming_the_accepted_forms(tmp_path):
    """Through a fresh process: in this one a shared Ray session may already be up, and bench
    joins a running session instead of connecting again."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    environment = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    out = tmp_path / "runs"
    with socket.socket() as sock:  # a port nothing listens on: bound, never listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        for address in (f"127.0.0.1:{port}", "nohostport"):
            done = subprocess.run([sys.executable, "-m", "bench", "run", "--strategy", "asha", "--address",
                                   address, "--out", str(out)], cwd=Path(__file__).resolve().parents[1],
                                  env=environment, capture_output=True, text=True, timeout=120)
            lines = done.stderr.strip().splitlines()
            assert done.returncode == 2 and len(lines) == 1 and lines[0].startswith("error: "), (
                done.stderr[-2000:])
            assert address in lines[0] and "accepted: auto, host:port or ray://host:port" in lines[0]
            assert done.stdout == "" and not out.exists()


def test_bench_data_dir_is_where_cifar10_looks_without_data_dir(monkeypatch, capsys, tmp_path):
    from workloads import _cifar_data

    given = tmp_path / "from-env"
    monkeypatch.setenv(_cifar_data.DATA_DIR_ENV, str(given))
    monkeypatch.setenv(_cifar_data.DOWNLOAD_ENV, "0")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    out = tmp_path / "runs"
    line = refused(capsys, ["run", "--strategy", "asha", "--workload", "cifar10", "--out", str(out)], out)
    assert str(given) in line and "--data-dir" in line and "data_batch_1" in line
    assert not given.exists() and not (tmp_path / "cache").exists()
    # --data-dir wins over the variable
    other = tmp_path / "from-option"
    line = refused(capsys, ["run", "--strategy", "asha", "--workload", "cifar10", "--data-dir", str(other),
                            "--out", str(out)], out)
    assert str(other) in line and str(given) not in line


@pytest.fixture
def digits_table_path():
    from bench.store.tables import default_table_path

    path = default_table_path("digits")
    assert path is not None
    return path


def _readme() -> str:
    from pathlib import Path

    return (Path(__file__).resolve().parents[1] / "README.md").read_text()


def _docs() -> dict[str, str]:
    """README.md and every docs/*.md, by path relative to the checkout."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    return {str(p.relative_to(root)): p.read_text()
            for p in [root / "README.md", *sorted((root / "docs").glob("*.md"))]}


def test_own_model_step_one_copies_the_example_from_any_folder(tmp_path):
    """README, "Your own model", step 1: run as written from a folder nowhere near the checkout."""
    import os
    import re
    import subprocess
    from pathlib import Path

    section = _readme().split("## Your own model", 1)[1]
    step = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    walkthrough = _docs()["docs/own-model.md"]
    # one step 1, README and docs alike
    assert step == re.search(r"```bash\n(.*?)```", walkthrough, re.S).group(1)
    assert "../" not in step
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])}
    elsewhere = tmp_path / "some" / "other" / "place"
    elsewhere.mkdir(parents=True)
    done = subprocess.run(["bash", "-euc", step], cwd=elsewhere, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    copied = elsewhere / "mine"
    assert (copied / "pyproject.toml").exists() and (copied / "own_workload" / "__init__.py").exists()
    assert sorted(p.name for p in copied.iterdir()) == sorted(
        p.name for p in (root / "examples" / "own-workload").iterdir()
        if p.name not in ("__pycache__",) and not p.name.endswith(".egg-info"))


def test_the_target_is_defined_one_way_in_the_readme_and_the_report():
    """Every text gives the grid's best as each repeat's best final accuracy, averaged over repeats; figures
    that are something else (one seed's best, the best seed-averaged point) say what they are."""
    import re

    from bench.reporting.basis import resolve_target
    from bench.reporting.reference import load_reference

    texts = _docs()
    reference = load_reference("digits")
    value, rule, _ = resolve_target(reference)
    assert f"{reference.best_final_accuracy():.4f}" == "0.9162" and f"{value:.4f}" == "0.9062"
    assert "for each grid repeat, the best final accuracy over its points; mean over repeats" in rule
    # the README and both definitions
    for where in ("README.md", "docs/reading-a-report.md", "docs/glossary.md"):
        assert "0.9162 - 1 pp = 0.9062" in texts[where] or "0.9162 minus 1 point" in texts[where], where
    for where, text in texts.items():
        for other in ("0.9086", "0.9081", "0.8981"):
            for sentence in re.split(r"(?<=[.;])\s", text.replace("\n", " ")):
                if other in sentence:
                    assert "grid's best" not in sentence or "0.9162" in sentence, (where, sentence)
