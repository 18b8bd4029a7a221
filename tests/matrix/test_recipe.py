"""A matrix run crosses a process boundary as a RunRecipe: every RunSpec field must survive the trip."""

from __future__ import annotations

import dataclasses
import pickle
from pathlib import Path

import strategies
import workloads
from bench.budget import Budget
from bench.matrix.plan import RunRecipe
from bench.spec import RunSpec

#: RunSpec fields the matrix sets itself: a matrix run shows no progress bar of its own and is
#: resumed by the matrix (from its folder name), never through `resume`.
MATRIX_OWN = {"progress": False, "resume": None}


def _spec_with_every_field_changed() -> RunSpec:
    """A RunSpec whose every field differs from its default, so a dropped field shows."""
    values = {
        "strategy": strategies.resolve("asha", {"grace_period": "2"}), "workload": workloads.get("digits"),
        "seed": 7, "budget": Budget("seconds", 123.0, "reference-seconds"), "samples": 9, "workers": 3,
        "out_dir": Path("/tmp/somewhere"), "target": 0.9, "address": "127.0.0.1:6379",
        "workload_options": {"data_dir": "/data/x"}, "trials_per_gpu": 4, "command": ("bench", "compare"),
        "max_failures": 5, **MATRIX_OWN,
    }
    fields = {f.name for f in dataclasses.fields(RunSpec)}
    # A new RunSpec field must be given a value here, and RunRecipe must carry it (or MATRIX_OWN name it).
    assert set(values) == fields, f"fields not covered: {sorted(fields ^ set(values))}"
    return RunSpec(**values)


def test_every_runspec_field_survives_a_recipe_pickled_to_another_process():
    spec = _spec_with_every_field_changed()
    recipe = RunRecipe.of(spec, "live", 0, address=spec.address)
    rebuilt = pickle.loads(pickle.dumps(recipe)).spec()  # what a matrix worker or Ray task does
    for field in dataclasses.fields(RunSpec):
        given, back = getattr(spec, field.name), getattr(rebuilt, field.name)
        if field.name in MATRIX_OWN:
            assert back == MATRIX_OWN[field.name], field.name
        elif field.name == "strategy":
            assert back.describe() == given.describe()
        elif field.name == "workload":
            assert (back.name, back.version) == (given.name, given.version)
        else:
            assert back == given, field.name


def test_workload_options_name_the_run_only_when_given():
    spec = _spec_with_every_field_changed()
    plain = dataclasses.replace(spec, workload_options={})
    assert RunRecipe.of(plain, "live", 0).key != RunRecipe.of(spec, "live", 0).key
    # Without options the key is the one earlier matrices wrote (computed with the plan before
    # recipes carried options): their folders are found on a re-run.
    assert RunRecipe.of(plain, "live", 0).key == "aa04fff89923"
