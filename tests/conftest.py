"""Shared fixtures: one Ray session for the whole test run (ray.init costs seconds)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("TUNE_DISABLE_AUTO_CALLBACK_LOGGERS", "1")

# Test-only workloads, visible to Ray's workers too (they inherit this environment).
_PLUGINS = os.path.join(os.path.dirname(__file__), "plugins")
os.environ["BENCH_WORKLOADS"] = "bench_test_workloads:EXPLODING,bench_test_workloads:TINY"
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [_PLUGINS, os.environ.get("PYTHONPATH")]))
sys.path.insert(0, _PLUGINS)

from tests.browser import browser  # noqa: E402,F401  (the headless chromium fixture)

#: Test folders whose every test starts Ray or trains a model (driver subprocesses, kills, clusters).
SLOW_FOLDERS = ("resilience", "live")


def pytest_collection_modifyitems(config, items):
    """Mark `slow` each test that starts Ray or trains a model: one in SLOW_FOLDERS, one using the
    shared Ray session, and those marked by hand (subprocess runs). `pytest -m "not slow"` is the
    quick pass; CI runs everything."""
    for item in items:
        if "ray_session" in item.fixturenames or Path(str(item.fspath)).parent.name in SLOW_FOLDERS:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def ray_session():
    """A local Ray with 2 CPUs, started once and shared by every test that needs it."""
    import ray

    from bench.live.ray_session import ensure_ray

    resources = ensure_ray(None, num_cpus=2)
    yield resources
    ray.shutdown()


@pytest.fixture
def run_spec_factory(tmp_path):
    """Build a RunSpec for a tiny real run of the digits workload."""
    import strategies
    import workloads
    from bench.budget import Budget
    from bench.spec import RunSpec

    def make(strategy="asha", params=None, budget_epochs=8, samples=4, workers=2, seed=0, target=None,
             workload="digits", out=None):
        return RunSpec.of(
            strategy=strategies.resolve(strategy, params or {}),
            workload=workloads.get(workload),
            seed=seed,
            budget=Budget("epochs", budget_epochs),
            samples=samples,
            workers=workers,
            out_dir=out or tmp_path / "results",
            target=target,
            progress=False,
        )

    return make
