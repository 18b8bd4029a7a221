"""Published figures (a TOML data file) set beside measured ones, inside or outside their range."""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.errors import BenchError
from bench.reporting.summary import records

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_CLAIMS = Path(__file__).with_name("claims.toml")
CLAIMS_SCHEMA_VERSION = 1
MEASURES = ("normalised", "speedup")
_CLAIM_KEYS = {"strategy", "measure", "value", "low", "high", "source"}


@dataclass(frozen=True)
class Claim:
    """A published figure: a value or a [low, high] range of one measure for one strategy."""

    strategy: str
    measure: str
    low: float
    high: float
    source: str

    @property
    def text(self) -> str:
        unit = "x" if self.measure == "speedup" else ""
        span = f"{self.low:g}{unit}" if self.low == self.high else f"{self.low:g}-{self.high:g}{unit}"
        return f"{span} ({'speed-up' if self.measure == 'speedup' else 'normalised'})"


def _parse_claim(entry: Any, number: int, path: Path) -> Claim:
    where = f"{path}: claim {number}"
    if not isinstance(entry, dict):
        raise BenchError(f"{where}: each [[claims]] entry is a table")
    unknown = sorted(set(entry) - _CLAIM_KEYS)
    if unknown:
        raise BenchError(f"{where}: unknown key {unknown[0]!r}; accepted: {', '.join(sorted(_CLAIM_KEYS))}")
    if entry.get("measure") not in MEASURES:
        raise BenchError(f"{where}: measure must be one of {', '.join(MEASURES)}, not "
                         f"{entry.get('measure')!r}")
    if not isinstance(entry.get("strategy"), str):
        raise BenchError(f"{where}: needs a strategy name")
    if "value" in entry and not ({"low", "high"} & set(entry)):
        low = high = entry["value"]
    elif {"low", "high"} <= set(entry) and "value" not in entry:
        low, high = entry["low"], entry["high"]
    else:
        raise BenchError(f"{where}: give either value or both low and high")
    if not all(isinstance(v, (int, float)) and math.isfinite(v) and v > 0 for v in (low, high)) or low > high:
        raise BenchError(f"{where}: figures must be positive numbers with low <= high")
    return Claim(entry["strategy"], entry["measure"], float(low), float(high), str(entry.get("source", "")))


def load_claims(path: Path | str | None = None) -> tuple[list[Claim], dict[str, str]]:
    """Claims and source descriptions from a TOML file (default: the shipped claims.toml)."""
    path = Path(path) if path is not None else DEFAULT_CLAIMS
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BenchError(f"{path}: no such claims file") from None
    except OSError as exc:
        raise BenchError(f"{path}: cannot read the claims file "
                         f"({exc.strerror or type(exc).__name__})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise BenchError(f"{path}: not a valid TOML claims file ({exc})") from None
    if data.get("schema_version") != CLAIMS_SCHEMA_VERSION:
        raise BenchError(f"{path}: claims schema_version must be {CLAIMS_SCHEMA_VERSION}")
    unknown = sorted(set(data) - {"schema_version", "sources", "claims"})
    if unknown:
        raise BenchError(f"{path}: unknown key {unknown[0]!r}; accepted: schema_version, sources, claims")
    sources = {}
    for name, body in (data.get("sources") or {}).items():
        if not isinstance(body, dict) or set(body) - {"description"}:
            raise BenchError(f"{path}: source {name!r} takes only a description")
        sources[name] = str(body.get("description", ""))
    claims = [_parse_claim(entry, i + 1, path) for i, entry in enumerate(data.get("claims") or [])]
    return claims, sources


def verdict(claim: Claim, row: dict) -> dict:
    """Measured against claimed: "inside" or "outside" the claim, or "not reached".

    A range claim is met when the measured median falls inside it; a single-figure claim
    when the figure lies inside the measured 95% interval (a median never equals a figure).
    """
    prefix = "normalised" if claim.measure == "normalised" else "speedup"
    median, low, high = row[f"{prefix}_median"], row[f"{prefix}_low"], row[f"{prefix}_high"]
    result = {"strategy": claim.strategy, "measure": claim.measure, "claimed_low": claim.low,
              "claimed_high": claim.high, "claim": claim.text, "source": claim.source,
              "measured_median": median, "measured_low": low, "measured_high": high}
    if median is None:
        return {**result, "verdict": "not reached"}
    if claim.low == claim.high:
        upper = math.inf if high is None else high
        inside = (low if low is not None else 0.0) <= claim.low <= upper
    else:
        inside = claim.low <= median <= claim.high
    return {**result, "verdict": "inside" if inside else "outside"}


def compare_claims(claims: list[Claim], summary: pd.DataFrame) -> list[dict]:
    """A verdict for every claim whose strategy the summary has."""
    rows = {row["strategy"]: row for row in records(summary)}
    return [verdict(claim, rows[claim.strategy]) for claim in claims if claim.strategy in rows]
