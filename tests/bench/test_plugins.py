"""Plugins: entry points and import paths, and how a broken one is reported (bench.plugins)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bench.errors import BenchError
from bench.plugins import Plugins
from bench.registry import Registry
from workloads import Workload
from workloads.digits import DIGITS

ROOT = Path(__file__).resolve().parents[2]

GOOD = """
import dataclasses
from workloads.digits import DIGITS
TINY = dataclasses.replace(DIGITS, name="tiny", summary="a plugin test workload")
NAMED_WRONG = dataclasses.replace(DIGITS, name="other")
SMALL = dataclasses.replace(DIGITS, name="small", summary="declared by no entry point")
NOT_A_WORKLOAD = 42
"""


def _package(root: Path, entries: dict[str, str], modules: dict[str, str], strategies: str = "") -> None:
    """A fake installed distribution on `root`: modules plus a dist-info with entry points."""
    for name, text in modules.items():
        (root / f"{name}.py").write_text(textwrap.dedent(text))
    info = root / "fake_plugins-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: fake-plugins\nVersion: 0.1\n")
    lines = "".join(f"{name} = {value}\n" for name, value in entries.items())
    (info / "entry_points.txt").write_text(f"[bench.workloads]\n{lines}\n[bench.strategies]\n{strategies}")


ENTRIES = {
    "tiny": "good_plugin:TINY",
    "digits": "good_plugin:TINY",
    "crashes": "crashing_plugin:X",
    "number": "good_plugin:NOT_A_WORKLOAD",
    "misnamed": "good_plugin:NAMED_WRONG",
}


@pytest.fixture
def plugins(tmp_path, monkeypatch):
    _package(tmp_path, ENTRIES, {"good_plugin": GOOD, "crashing_plugin": "1 / 0\n"})
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("BENCH_TEST_EXPORT", raising=False)
    monkeypatch.setenv("PYTHONPATH", os.environ.get("PYTHONPATH", ""))  # an import path extends it
    registry: Registry[Workload] = Registry("workload")
    registry.register("digits", DIGITS)

    def check(obj):
        if not isinstance(obj, Workload):
            raise TypeError(f"is a {type(obj).__name__}, not a workloads.Workload")

    return Plugins("workload", "bench.workloads", registry, check, env_var="BENCH_TEST_EXPORT")


def test_an_entry_point_loads_when_asked_for_and_joins_the_registry(plugins):
    assert "tiny" not in plugins.registry
    tiny = plugins.find("tiny")
    assert tiny.name == "tiny" and plugins.registry.get("tiny") is tiny
    assert plugins.find("nothing") is None


@pytest.mark.parametrize("name, problem", [
    ("digits", "workload plugin 'digits' (entry point in fake-plugins 0.1 (good_plugin:TINY)) collides with "
               "the built-in workload 'digits'; rename the entry point"),
    ("crashes", "workload plugin 'crashes' (entry point in fake-plugins 0.1 (crashing_plugin:X)) failed to "
                "import (ZeroDivisionError: division by zero)"),
    ("number", "workload plugin 'number' (entry point in fake-plugins 0.1 (good_plugin:NOT_A_WORKLOAD)): "
               "is a int, not a workloads.Workload"),
    ("misnamed", "workload plugin 'misnamed' (entry point in fake-plugins 0.1 "
     "(good_plugin:NAMED_WRONG)): the "
                 "object is named 'other'; the entry point must carry the same name"),
])
def test_a_broken_plugin_is_one_line_naming_it_and_its_problem(plugins, name, problem):
    with pytest.raises(BenchError) as raised:
        plugins.find(name)
    assert str(raised.value) == problem


def test_listing_shows_every_plugin_and_a_broken_one_with_its_problem(plugins):
    listed = {item.name: item for item in plugins.listing()}
    assert set(listed) == set(ENTRIES)
    assert listed["tiny"].problem is None and listed["tiny"].entry.name == "tiny"
    assert all(listed[n].problem and listed[n].entry is None
               for n in ("digits", "crashes", "number", "misnamed"))


def test_an_import_path_registers_under_its_own_name_and_reaches_ray_workers(plugins):
    small = plugins.find("good_plugin:SMALL")
    assert plugins.registry.get("small") is small and plugins.find("good_plugin:SMALL") is small
    assert os.environ["BENCH_TEST_EXPORT"] == "good_plugin:SMALL"  # inherited by Ray's workers
    assert os.getcwd() in os.environ["PYTHONPATH"].split(os.pathsep)


@pytest.mark.parametrize("path, problem", [
    ("good_plugin:NOT_A_WORKLOAD", "workload good_plugin:NOT_A_WORKLOAD: is a int, not a workloads.Workload"),
    ("good_plugin:MISSING", "workload good_plugin:MISSING: module 'good_plugin' has no attribute 'MISSING'"),
    ("no_such_module:X", "workload no_such_module:X: module 'no_such_module' failed to import "
                         "(ModuleNotFoundError: No module named 'no_such_module')"),
    ("good_plugin:", "workload 'good_plugin:' is not an import path; expected module:attribute "
                     "(mypkg.module:my_object)"),
    ("workloads.digits:DIGITS", None),  # the built-in itself: found, not a collision
    ("good_plugin:TINY", None),  # an installed plugin by its import path: the same object
])
def test_import_path_errors(plugins, path, problem):
    if problem is None:
        assert plugins.find(path).name in ("digits", "tiny")
        return
    with pytest.raises(BenchError) as raised:
        plugins.find(path)
    assert str(raised.value) == problem


def test_an_import_path_may_not_shadow_a_builtin(plugins, tmp_path):
    (tmp_path / "shadow.py").write_text("import dataclasses\nfrom workloads.digits import DIGITS\n"
                                        "FAKE = dataclasses.replace(DIGITS, summary='not the real one')\n")
    with pytest.raises(BenchError, match="its name 'digits' collides with the built-in workload 'digits'"):
        plugins.find("shadow:FAKE")


def _bench(args, tmp_path, timeout=120):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), str(ROOT),
                                                       os.environ.get("PYTHONPATH", "")]))
    env.pop("RAY_ADDRESS", None)
    # The suite's own test workloads (tests/conftest.py: BENCH_WORKLOADS, among them one named 'tiny')
    # would collide with the fake plugins' names; these children see only the fake distribution's.
    env.pop("BENCH_WORKLOADS", None)
    return subprocess.run([sys.executable, "-m", "bench", *args], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=timeout)


def test_bench_list_shows_plugins_and_survives_broken_ones_and_run_refuses_them(tmp_path):
    _package(tmp_path, ENTRIES, {"good_plugin": GOOD, "crashing_plugin": "1 / 0\n"},
             strategies="halving = bench_test_strategies:HALVING_STRATEGY\n")
    listed = _bench(["list"], tmp_path)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert any(line.startswith("  tiny ")
               and "[plugin: entry point in fake-plugins 0.1 (good_plugin:TINY)]" in line
               for line in lines)
    assert any(line.startswith("  crashes ") and "BROKEN: workload plugin 'crashes'" in line
               for line in lines)
    # the plugin, not the built-in
    assert any(line.startswith("  digits ") and "BROKEN" in line for line in lines)
    assert any(line.startswith("  halving      random+halving ")
               and "[plugin: entry point in fake-plugins 0.1 "
               "(bench_test_strategies:HALVING_STRATEGY)]" in line for line in lines)
    refused = _bench(["run", "--strategy", "grid", "--workload", "crashes", "--replay"], tmp_path)
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines() == [
        "error: workload plugin 'crashes' (entry point in fake-plugins 0.1 (crashing_plugin:X)) "
        "failed to import (ZeroDivisionError: division by zero)"]


def test_a_plugin_strategy_with_its_own_component_resolves_and_replays(tmp_path):
    import strategies

    try:
        resolved = strategies.resolve("bench_test_strategies:HALVING_STRATEGY", {"halving_factor": "3"})
        assert (resolved.name, resolved.searcher.name, resolved.scheduler.name) == ("halving", "random",
                                                                                    "halving")
        assert resolved.params["halving_factor"] == 3
        with pytest.raises(BenchError, match="parameter 'halving_factor' takes an int in \\(1, inf\\)"):
            strategies.resolve("bench_test_strategies:HALVING_STRATEGY", {"halving_factor": "1"})
    finally:
        strategies.REGISTRY._entries.pop("halving", None)  # other tests count the built-ins
    done = _bench(["run", "--replay", "--strategy", "bench_test_strategies:HALVING_STRATEGY", "--samples",
                   "9", "--budget-epochs", "100", "--until", "budget", "--out", str(tmp_path / "out"),
                   "--quiet"],
                  tmp_path)
    assert done.returncode == 0, done.stderr
    assert "run halving-digits-seed0-" in done.stdout


def test_an_entry_point_already_registered_from_its_import_path_is_no_collision(plugins):
    # A Ray worker registers an import path from BENCH_WORKLOADS before it looks at entry points.
    import good_plugin

    registry = Registry("workload")
    registry.register("tiny", good_plugin.TINY)
    worker = Plugins("workload", "bench.workloads", registry, lambda obj: None)
    assert worker.find("tiny") is good_plugin.TINY
