"""Shipped suites parse; a GPU-only section is skipped with a message where no GPU exists."""

import pytest

import strategies
from bench.environment import gpu_names
from bench.errors import BenchError
from bench.nightly.execute import skip_reason
from bench.nightly.suite import load_suite, parse_suite


def test_shipped_suites():
    smoke, nightly = load_suite("smoke"), load_suite("nightly")
    assert [s.mode for s in smoke.sections] == ["replay"]
    assert (set(smoke.sections[0].strategies) == set(strategies.REGISTRY.names())
            and smoke.sections[0].seeds == 4)
    replay, live = nightly.sections
    assert replay.seeds == 20 and set(replay.strategies) == set(strategies.REGISTRY.names())
    assert live.mode == "live" and live.requires_gpu
    assert nightly.factor_of("pbt") == 1.25 and nightly.factor_of("asha") == 1.10
    reason = skip_reason(live)
    assert (reason is None) == bool(gpu_names())
    if reason:
        assert "requires a GPU" in reason


def test_strict_values():
    good = {"schema": 1, "name": "x", "replay": {"strategies": ["asha"], "seeds": 2}}
    assert parse_suite(good, "x.toml").sections[0].strategies == ("asha",)
    for bad, message in [
        ({**good, "schema": 2}, "schema must be 1"),
        ({**good, "tolerance_pp": 1, "target": 0.9}, "tolerance_pp or target, not both"),
        ({**good, "replay": {"seeds": True}}, "replay.seeds must be a positive integer"),
        ({**good, "replay": {"workloads": ["nope"]}}, "nope"),
        ({**good, "replay": {"strategies": ["asha"], "params": {"tpe": {"gamma": 0.5}}}}, "not among"),
        ({"schema": 1, "name": "x"}, "needs a [replay] or a [live] table"),
        ({**good, "live": {"strategies": ["asha"], "max_failures": -1}},
         "live.max_failures must be an integer >= 0"),
        ({**good, "live": {"strategies": ["asha"], "trials_per_gpu": 0}},
         "live.trials_per_gpu must be a positive"),
    ]:
        with pytest.raises(BenchError, match=None) as caught:
            parse_suite(bad, "x.toml")
        assert message in str(caught.value) and str(caught.value).startswith("x.toml")


def test_a_sections_run_options_reach_its_runs(tmp_path):
    import workloads
    from bench.nightly.execute import run_specs

    suite = {"schema": 1, "name": "x", "live": {"strategies": ["asha"], "seeds": 2, "trials_per_gpu": 4,
                                                "max_failures": 0}}
    (section,) = parse_suite(suite, "x.toml").sections
    assert (section.trials_per_gpu, section.max_failures) == (4, 0)

    specs = run_specs(section, workloads.get("digits"), tmp_path, ("bench", "nightly"))
    assert [(s.seed, s.trials_per_gpu, s.max_failures) for s in specs] == [(0, 4, 0), (1, 4, 0)]
