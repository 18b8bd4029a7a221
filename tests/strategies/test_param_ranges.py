"""Strategy parameters and seeds outside their declared range: one line naming the range, exit 2,
nothing written."""

from __future__ import annotations

import pytest

from bench.cli import main


@pytest.mark.parametrize("strategy, setting, accepted", [
    ("asha", "reduction_factor=1", "(1, inf)"),
    ("asha", "grace_period=-1", "[1, inf)"),
    ("asha", "grace_period=99", "[1, 27]"),
    ("median", "grace_period=28", "[1, 27]"),
    ("median", "min_samples_required=0", "[1, inf)"),
    ("pbt", "quantile_fraction=2", "(0, 0.5]"),
    ("pbt", "population_size=0", "[2, inf)"),
    ("pbt", "resample_probability=1.5", "[0, 1]"),
    ("tpe", "gamma=nan", "(0, 1)"),
    ("tpe", "gamma=inf", "(0, 1)"),
    ("tpe", "n_initial_points=0", "[1, inf)"),
    ("bohb", "reduction_factor=0.5", "(1, inf)"),
    ("bayesopt", "random_search_steps=0", "[1, inf)"),
    ("optuna-asha", "n_startup_trials=-3", "[0, inf)"),
])
def test_out_of_range_strategy_parameters(capsys, tmp_path, strategy, setting, accepted):
    out = tmp_path / "out"
    code = main(["run", "--strategy", strategy, "--set", setting, "--replay", "--quiet", "--out", str(out)])
    lines = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(lines) == 1, lines
    assert (lines[0].startswith("error: parameter ") and setting.split("=")[0] in lines[0]
            and accepted in lines[0])
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize("argv", [
    ["run", "--strategy", "asha", "--seed", "-1", "--replay"],
    ["run", "--strategy", "asha", "--seed", "-1"],
    ["run", "--strategy", "asha", "--seed", "1000000000000000000000000000000", "--replay"],
    ["run", "--strategy", "asha", "--seed", "4294967295", "--seeds", "2", "--replay"],
    ["compare", "--strategies", "asha", "--seed", "-5", "--seeds", "1"],
])
def test_seeds_outside_numpys_range(capsys, tmp_path, argv):
    out = tmp_path / "out"
    code = main([*argv, "--out", str(out)])
    lines = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(lines) == 1, lines
    assert "--seed takes an integer in [0, 4294967295]" in lines[0]
    assert not out.exists()


def test_declared_ranges_accept_the_defaults():
    import strategies

    for name in strategies.REGISTRY.names():
        resolved = strategies.resolve(name)
        for component in (resolved.searcher, resolved.scheduler):
            for param in component.params:
                assert param.check(param.default) == param.default, (name, param.name)
