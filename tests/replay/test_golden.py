"""bench's answers on the shipped data are pinned: a fixed matrix replays to the committed figures.

A change that moves them fails here; if it is meant to, regenerate with
`python tests/replay/golden.py` and say why in the commit.
"""

from __future__ import annotations

import json

import pytest

from golden import GOLDEN, golden_figures


def test_the_fixed_matrix_replays_to_the_committed_figures(tmp_path):
    expected = json.loads(GOLDEN.read_text())
    measured = golden_figures(tmp_path)
    assert [(r["strategy"], r["seed"], r["reached"], r["epochs_trained"], r["trials"]) for r in measured] == \
        [(r["strategy"], r["seed"], r["reached"], r["epochs_trained"], r["trials"]) for r in expected]
    for got, want in zip(measured, expected):
        assert got["unit"] == want["unit"] and got["target"] == pytest.approx(want["target"], rel=1e-12)
        for key in ("compute_to_target", "normalised", "best_final_accuracy"):
            if want[key] is None:
                assert got[key] is None, (got["strategy"], got["seed"], key)
            else:
                assert got[key] == pytest.approx(want[key], rel=1e-9), (got["strategy"], got["seed"], key)
