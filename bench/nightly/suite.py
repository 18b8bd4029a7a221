"""Suites: TOML files naming workloads, strategies, seeds, mode, budget, target and thresholds."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.errors import MAX_SEED, BenchError, option
from bench.spec import MAX_FAILURES

SCHEMA = 1
SUITES_DIR = Path(__file__).parent / "suites"
MODES = ("replay", "live")
DEFAULT_FACTOR = 1.10
_TOP = {"schema": "1", "name": "a name", "description": "text",
        "tolerance_pp": "percentage points in [0, 100)", "target": "an accuracy in (0, 1]",
        "regression": "a table", "replay": "a table", "live": "a table"}
_SECTION = {"workloads": "a list of workload names", "strategies": '"all" or a list of strategy names',
            "seeds": "a positive integer", "root_seed": f"an integer in [0, {MAX_SEED}]",
            "samples": "a positive integer", "budget_fraction": "a fraction of the grid's cost in (0, 10]",
            "workers": "a positive integer", "requires_gpu": "true or false",
            "trials_per_gpu": "a positive integer (live: trials packed onto each GPU)",
            "max_failures": "an integer >= 0 (live: retries of a failed trial)",
            "params": "a table of strategy = {param = value}"}
_REGRESSION = {"factor": "a number > 1", "factors": "a table of strategy = number > 1"}


@dataclass(frozen=True)
class Section:
    """One mode's runs: workloads x strategies x seeds (seeds root_seed .. root_seed + seeds - 1)."""

    mode: str
    workloads: tuple[str, ...]
    strategies: tuple[str, ...]
    seeds: int
    root_seed: int = 0
    samples: int | None = None
    budget_fraction: float | None = None
    workers: int | None = None
    requires_gpu: bool = False
    params: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    trials_per_gpu: int = 1
    max_failures: int = MAX_FAILURES


@dataclass(frozen=True)
class Suite:
    """A nightly suite: its sections, target rule and per-strategy regression factors."""

    name: str
    source: str
    description: str
    sections: tuple[Section, ...]
    tolerance_pp: float | None
    target: float | None
    factor: float
    factors: Mapping[str, float]

    def factor_of(self, strategy: str) -> float:
        """The factor by which `strategy`'s median must worsen to count as a regression."""
        return float(self.factors.get(strategy, self.factor))


def _bad(source: str, key: str, accepted: str, value: Any = None) -> BenchError:
    got = "" if value is None else f", not {value!r}"
    return BenchError(f"{source}: {key} must be {accepted}{got}")


def _check_keys(source: str, where: str, table: Mapping, accepted: Mapping[str, str]) -> None:
    for key in table:
        if key not in accepted:
            raise BenchError(f"{source}: unknown key {where}{key!r}; accepted: {', '.join(accepted)}")


def _positive_int(source: str, key: str, value: Any, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise _bad(source, key, _SECTION.get(key.split(".")[-1], "a positive integer"), value)
    return value


def _number(source: str, key: str, value: Any, low: float, high: float, accepted: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (low < value <= high):
        raise _bad(source, key, accepted, value)
    return float(value)


def _section(source: str, mode: str, table: Mapping) -> Section:
    import strategies
    import workloads

    if not isinstance(table, dict):
        raise _bad(source, f"[{mode}]", "a table")
    _check_keys(source, f"in [{mode}] ", table, _SECTION)
    names = table.get("workloads", ["digits"])
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise _bad(source, f"{mode}.workloads", _SECTION["workloads"], names)
    for name in names:
        try:
            workloads.get(name)
        except BenchError as exc:  # names the accepted workloads
            raise BenchError(f"{source}: {mode}.workloads: {exc}") from None
    chosen = table.get("strategies", "all")
    if chosen == "all":
        chosen = strategies.REGISTRY.names()
    if not isinstance(chosen, list) or not chosen or not all(isinstance(n, str) for n in chosen):
        raise _bad(source, f"{mode}.strategies", _SECTION["strategies"], chosen)
    params = table.get("params", {})
    if not isinstance(params, dict) or not all(isinstance(v, dict) for v in params.values()):
        raise _bad(source, f"{mode}.params", _SECTION["params"], params)
    for name in chosen:
        try:
            strategies.resolve(name, {k: str(v) for k, v in params.get(name, {}).items()})
        except BenchError as exc:
            raise BenchError(f"{source}: [{mode}] strategy {name!r}: {exc}") from None
    for name in params:
        if name not in chosen:
            raise BenchError(f"{source}: {mode}.params names {name!r}, which is not among the "
                             "suite's strategies")
    requires_gpu = table.get("requires_gpu", False)
    if not isinstance(requires_gpu, bool):
        raise _bad(source, f"{mode}.requires_gpu", _SECTION["requires_gpu"], requires_gpu)
    seeds = _positive_int(source, f"{mode}.seeds", table.get("seeds", 5))
    root = table.get("root_seed", 0)
    if isinstance(root, bool) or not isinstance(root, int) or not 0 <= root <= MAX_SEED - (seeds - 1):
        raise _bad(source, f"{mode}.root_seed", _SECTION["root_seed"] + " (root_seed + seeds - 1 too)", root)
    optional: dict[str, int] = {k: _positive_int(source, f"{mode}.{k}", table[k])
                                for k in ("samples", "workers", "trials_per_gpu") if k in table}
    if "max_failures" in table:
        retries = table["max_failures"]
        if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
            raise _bad(source, f"{mode}.max_failures", _SECTION["max_failures"], retries)
        optional["max_failures"] = retries
    fraction = table.get("budget_fraction")
    return Section(
        mode=mode, workloads=tuple(names), strategies=tuple(chosen),
        seeds=seeds, root_seed=root,
        budget_fraction=None if fraction is None
        else _number(source, f"{mode}.budget_fraction", fraction, 0, 10,
                                                              _SECTION["budget_fraction"]),
        requires_gpu=requires_gpu, params={k: {p: str(v) for p, v in d.items()} for k, d in params.items()},
        **optional,
    )


def parse_suite(data: Mapping, source: str) -> Suite:
    """A Suite from parsed TOML; every problem is one BenchError naming the file and key."""
    _check_keys(source, "", data, _TOP)
    if data.get("schema") != SCHEMA:
        raise _bad(source, "schema", str(SCHEMA), data.get("schema"))
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _bad(source, "name", "a non-empty string", name)
    sections = tuple(_section(source, mode, data[mode]) for mode in MODES if mode in data)
    if not sections:
        raise BenchError(f"{source}: a suite needs a [replay] or a [live] table (or both)")
    regression = data.get("regression", {})
    if not isinstance(regression, dict):
        raise _bad(source, "regression", "a table", regression)
    _check_keys(source, "in [regression] ", regression, _REGRESSION)
    factor = _number(source, "regression.factor", regression.get("factor", DEFAULT_FACTOR), 1, 100,
                     "a number > 1")
    factors = regression.get("factors", {})
    if not isinstance(factors, dict):
        raise _bad(source, "regression.factors", _REGRESSION["factors"], factors)
    factors = {k: _number(source, f"regression.factors.{k}", v, 1, 100, "a number > 1")
               for k, v in factors.items()}
    tolerance, target = data.get("tolerance_pp"), data.get("target")
    if tolerance is not None and target is not None:
        raise BenchError(f"{source}: give tolerance_pp or target, not both")
    if tolerance is not None:
        tolerance = _number(source, "tolerance_pp", tolerance, -1e-12, 99.999, _TOP["tolerance_pp"])
    if target is not None:
        target = _number(source, "target", target, 0, 1, _TOP["target"])
    return Suite(name=name, source=source, description=str(data.get("description", "")), sections=sections,
                 tolerance_pp=tolerance, target=target, factor=factor, factors=factors)


def shipped_suites() -> list[str]:
    return sorted(p.stem for p in SUITES_DIR.glob("*.toml"))


def load_suite(name_or_path: str) -> Suite:
    """A shipped suite by name, or a suite file by path."""
    if not name_or_path.strip():
        raise BenchError(f"{option('suite')} takes a shipped suite ({', '.join(shipped_suites())}) "
                         f"or a .toml path, not an empty string")
    path = Path(name_or_path)
    if not path.suffix and not path.exists():
        path = SUITES_DIR / f"{name_or_path}.toml"
        if not path.exists():
            raise BenchError(f"unknown suite {name_or_path!r}; shipped: {', '.join(shipped_suites())}, "
                             "or a .toml path")
    if not path.is_file():
        raise BenchError(f"{path}: "
                         f"{'a folder, not a suite file' if path.is_dir() else 'no such suite file'}; "
                         f"accepted: a shipped suite ({', '.join(shipped_suites())}) or a .toml path")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise BenchError(f"{path}: not valid TOML ({exc})") from None
    return parse_suite(data, str(path))
