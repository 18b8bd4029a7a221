"""Shared fixtures: one Ray session for the whole test run (ray.init costs seconds)."""

from __future__ import annotations

import os
import pickle
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from filelock import FileLock

os.environ.setdefault("TUNE_DISABLE_AUTO_CALLBACK_LOGGERS", "1")

# Test-only workloads, visible to Ray's workers too (they inherit this environment).
_PLUGINS = os.path.join(os.path.dirname(__file__), "plugins")
os.environ["BENCH_WORKLOADS"] = ("bench_test_workloads:EXPLODING,bench_test_workloads:TINY,"
                                  "bench_test_workloads:SHORT")
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [_PLUGINS, os.environ.get("PYTHONPATH")]))
sys.path.insert(0, _PLUGINS)

from tests.browser import browser  # noqa: E402,F401  (the headless chromium fixture)

#: Test folders whose every test starts Ray or trains a model (driver subprocesses, kills, clusters).
SLOW_FOLDERS = ("resilience", "live")


T = TypeVar("T")


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the xdist_group marks added here
def pytest_collection_modifyitems(config, items):
    """Mark `slow` each test that starts Ray or trains a model: one in SLOW_FOLDERS, one using the
    shared Ray session, and those marked by hand (subprocess runs). `pytest -m "not slow"` is the
    quick pass; CI runs everything.

    Then order and group for pytest-xdist (the README's `-n 4`; `--dist loadgroup` is in pyproject.toml):
    whole modules, those with a slow test first (the fault-injection folders before the others), so the long
    runs start early instead of ending the suite one after another; and each test that uses a
    module-scoped fixture grouped with its module (`xdist_group`), so that fixture is built once, on one
    worker, not once per worker.
    """
    for item in items:
        if "ray_session" in item.fixturenames or Path(str(item.fspath)).parent.name in SLOW_FOLDERS:
            item.add_marker(pytest.mark.slow)
    rank: dict[str, int] = {}
    for item in items:
        folder = Path(str(item.fspath)).parent.name
        mine = 0 if folder in SLOW_FOLDERS else 1 if item.get_closest_marker("slow") else 2
        rank[str(item.fspath)] = min(rank.get(str(item.fspath), 2), mine)
    items.sort(key=lambda item: rank[str(item.fspath)])  # stable: a module's tests stay in their order
    for item in items:
        info = getattr(item, "_fixtureinfo", None)  # pytest has no public accessor for fixture scopes
        definitions = info.name2fixturedefs if info is not None else {}
        if any(d.scope == "module" for defs in definitions.values() for d in defs):
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))


def built_once(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[], T]) -> T:
    """`build()` once for the whole test session, also when pytest-xdist runs it in several workers:
    the first worker to ask builds it, under a file lock, and pickles it beside the workers' own
    temporary folders; the others read that (pytest-xdist's documented way to share a session fixture).
    Only for values the tests read and never change (a table, a folder they copy)."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        return build()
    stored = tmp_path_factory.getbasetemp().parent / f"{name}.pickle"
    with FileLock(f"{stored}.lock"):
        if stored.exists():
            return pickle.loads(stored.read_bytes())
        value = build()
        stored.write_bytes(pickle.dumps(value))
        return value


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
