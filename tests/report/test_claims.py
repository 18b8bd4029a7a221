"""Claims are data: the shipped file loads, a user's file overrides it, verdicts follow the rule."""

from __future__ import annotations

import pytest

from bench.errors import BenchError
from bench.reporting.claims import Claim, load_claims, verdict


def _row(median, low, high):
    def speed(v):
        return None if v is None else 100.0 / v

    return {"normalised_median": median, "normalised_low": low, "normalised_high": high,
            "speedup_median": speed(median), "speedup_low": speed(high), "speedup_high": speed(low)}


def test_shipped_claims_hold_the_published_figures():
    claims, sources = load_claims()
    figures = {(c.strategy, c.measure): (c.low, c.high) for c in claims}
    assert figures[("random", "normalised")] == (60, 60) and figures[("pbt", "normalised")] == (22, 22)
    assert figures[("asha", "speedup")] == (4, 10) and figures[("fifo", "speedup")] == (1, 1)
    assert len(claims) == 13 and set(sources) == {"resnet-sweep", "typical-savings"}


def test_verdicts():
    point = Claim("asha", "normalised", 14.0, 14.0, "x")
    assert verdict(point, _row(12.0, 10.0, 15.0))["verdict"] == "inside"  # 14 lies in [10, 15]
    assert verdict(point, _row(12.0, 10.0, 13.0))["verdict"] == "outside"
    assert verdict(point, _row(12.0, 10.0, None))["verdict"] == "inside"  # the interval is open above
    assert verdict(point, _row(None, 20.0, None))["verdict"] == "not reached"
    span = Claim("asha", "speedup", 4.0, 10.0, "x")
    assert verdict(span, _row(20.0, 5.0, 30.0))["verdict"] == "inside"  # 5x
    assert verdict(span, _row(50.0, 40.0, 60.0))["verdict"] == "outside"  # 2x


def test_users_file_overrides(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('schema_version = 1\n[[claims]]\nstrategy = "tpe"\nmeasure = "speedup"\nlow = '
                    '1.5\nhigh = 3\n')
    claims, sources = load_claims(path)
    assert claims == [Claim("tpe", "speedup", 1.5, 3.0, "")] and sources == {}


@pytest.mark.parametrize("body, message", [
    ('schema_version = 2\n', "schema_version must be 1"),
    ('schema_version = 1\nextra = 1\n', "unknown key 'extra'"),
    ('schema_version = 1\n[[claims]]\nstrategy = "a"\nmeasure = "speedup"\nvalue = 2\nlow = 1\n',
     "either value"),
    ('schema_version = 1\n[[claims]]\nstrategy = "a"\nmeasure = "speedup"\nlow = 3\nhigh = 1\n',
     "low <= high"),
    ('schema_version = 1\n[[claims]]\nstrategy = "a"\nmeasure = "speedup"\nvalue = 2\nnote = "x"\n',
     "unknown key 'note'"),
    ('not toml [', "not a valid TOML"),
])
def test_bad_claims_files(tmp_path, body, message):
    path = tmp_path / "bad.toml"
    path.write_text(body)
    with pytest.raises(BenchError, match=message):
        load_claims(path)
