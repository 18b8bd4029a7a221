"""One run description: every RunSpec field survives its record (bench.spec.spec_record and
spec_from_record), a RunRecipe pickled to a matrix worker, and a run's manifest read back on resume."""

from __future__ import annotations

import dataclasses
import json
import pickle
from pathlib import Path

import pytest

import strategies
import workloads
from bench.budget import Budget
from bench.errors import BenchError
from bench.matrix.plan import RunRecipe
from bench.spec import RunSpec, spec_from_record, spec_record

#: RunSpec fields the matrix sets itself: a matrix run shows no progress bar of its own and is
#: resumed by the matrix (from its folder name), never through `resume`.
MATRIX_OWN = {"progress": False, "resume": None}


#: RunSpec fields RunSpec.of fills from the resolved strategy and workload it is given.
FROM_OBJECTS = {"strategy_name", "strategy_params", "workload_name", "workload_version"}


def _spec_with_every_field_changed() -> RunSpec:
    """A RunSpec whose every field differs from its default, so a dropped field shows."""
    values = {
        "seed": 7, "budget": Budget("seconds", 123.0, "reference-seconds"), "samples": 9, "workers": 3,
        "out_dir": Path("/tmp/somewhere"), "target": 0.9, "address": "127.0.0.1:6379",
        "workload_options": {"data_dir": "/data/x"}, "trials_per_gpu": 4, "command": ("bench", "compare"),
        "max_failures": 5, **MATRIX_OWN,
    }
    fields = {f.name for f in dataclasses.fields(RunSpec)}
    # A new RunSpec field must be given a value here, and RunRecipe must carry it (or MATRIX_OWN name it).
    assert set(values) | FROM_OBJECTS == fields, f"fields not covered: {sorted(fields ^ set(values))}"
    return RunSpec.of(strategies.resolve("asha", {"grace_period": "2"}), workloads.get("digits"), **values)


def _assert_same_run(given: RunSpec, back: RunSpec, own: dict) -> None:
    for field in dataclasses.fields(RunSpec):
        expected, value = getattr(given, field.name), getattr(back, field.name)
        assert value == own.get(field.name, expected), field.name
    # the names resolve to the same strategy (every parameter) and the same registered workload
    assert back.strategy.describe() == given.strategy.describe()
    assert back.strategy.params == given.strategy.params
    assert back.workload is given.workload


def test_a_runspec_holds_names_and_pickles_without_the_objects_it_resolves():
    spec = _spec_with_every_field_changed()
    assert (spec.strategy_name, spec.workload_name, spec.workload_version) == ("asha", "digits", "2")
    assert spec.strategy_params["grace_period"] == "2"
    pickled = pickle.dumps(spec)
    assert b"ResolvedStrategy" not in pickled and b"Workload" not in pickled  # names only
    back = pickle.loads(pickled)
    assert back == spec and "strategy" not in back.__dict__  # looked up again where it is used
    _assert_same_run(spec, back, {})


def test_every_runspec_field_survives_its_record_as_json():
    spec = _spec_with_every_field_changed()
    record = json.loads(json.dumps(spec_record(spec)))
    # the record's keys since manifests first held it: strategy {name, params}, workload {name, version}
    names = {f.name for f in dataclasses.fields(RunSpec)}
    assert set(record) == names - FROM_OBJECTS | {"strategy", "workload"}
    assert record["strategy"] == {"name": "asha", "params": dict(spec.strategy_params)}
    assert record["workload"] == {"name": "digits", "version": "2"}
    _assert_same_run(spec, spec_from_record(record), {})


def test_every_runspec_field_survives_a_recipe_pickled_to_another_process():
    spec = _spec_with_every_field_changed()
    recipe = RunRecipe.of(spec, "live", 0, address=spec.address)
    rebuilt = pickle.loads(pickle.dumps(recipe)).spec()  # what a matrix worker or Ray task does
    _assert_same_run(spec, rebuilt, MATRIX_OWN)


def test_every_runspec_field_survives_the_manifest_a_resume_reads(tmp_path):
    from bench.spec import spec_from_manifest
    from bench.store.manifest import run_manifest

    spec = _spec_with_every_field_changed()
    manifest = json.loads(json.dumps(run_manifest(
        spec, "run-1", "running", "2026-12-06T00:00:00", replay=False, workers=spec.workers,
        trial_resources={"CPU": 1}, address=spec.address, cost_model=None)))
    folder = tmp_path / "moved" / "run-1"  # a run folder moved since: it continues where it is now
    back = spec_from_manifest(manifest, folder)
    _assert_same_run(spec, back, {"out_dir": folder.parent, "resume": folder})


def test_a_record_from_another_bench_or_workload_version_is_refused():
    spec = _spec_with_every_field_changed()
    with pytest.raises(BenchError, match="fields this bench does not know: colour"):
        spec_from_record({**spec_record(spec), "colour": "red"})
    older = {**spec_record(spec), "workload": {"name": "digits", "version": "0"}}
    with pytest.raises(BenchError, match="described with digits version 0, but the workload here is version"):
        spec_from_record(older)


def test_workload_options_name_the_run_only_when_given():
    spec = _spec_with_every_field_changed()
    plain = dataclasses.replace(spec, workload_options={})
    assert RunRecipe.of(plain, "live", 0).key != RunRecipe.of(spec, "live", 0).key
    # Without options the key is the one earlier matrices wrote (computed with the plan before
    # recipes carried options): their folders are found on a re-run.
    assert RunRecipe.of(plain, "live", 0).key == "aa04fff89923"
