"""Strategies as data: a searcher component, a scheduler component and typed parameters."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bench.errors import BenchError
from workloads.space import SearchSpace

METRIC = "val_accuracy"
MODE = "max"
TIME_ATTR = "training_iteration"  # one training iteration is one epoch
_ARTICLE = {int: "an"}


@dataclass(frozen=True)
class Param:
    """A strategy parameter with a typed default, settable with `--set name=value`.

    Args:
        low, high: the accepted range of a number (None: unbounded on that side).
        open_low, open_high: the bound itself is excluded.
    """

    name: str
    default: Any
    doc: str
    low: float | None = None
    high: float | None = None
    open_low: bool = False
    open_high: bool = False

    def accepted(self) -> str:
        """The accepted values in words, for error messages."""
        if self.low is None and self.high is None:
            return f"{_ARTICLE.get(self.kind, 'a')} {self.kind.__name__}"
        left = "(" if self.open_low or self.low is None else "["
        right = ")" if self.open_high or self.high is None else "]"
        low = "-inf" if self.low is None else f"{self.low:g}"
        high = "inf" if self.high is None else f"{self.high:g}"
        return f"{_ARTICLE.get(self.kind, 'a')} {self.kind.__name__} in {left}{low}, {high}{right}"

    def check(self, value: Any) -> Any:
        """`value` if it lies in the declared range, else BenchError naming the range."""
        import math

        if self.kind in (int, float):
            inside = math.isfinite(value)
            if self.low is not None:
                inside = inside and (value > self.low if self.open_low else value >= self.low)
            if self.high is not None:
                inside = inside and (value < self.high if self.open_high else value <= self.high)
            if not inside:
                raise BenchError(f"parameter {self.name!r} takes {self.accepted()}, not {value!r}")
        return value

    @property
    def kind(self) -> type:
        return type(self.default)

    def coerce(self, text: str) -> Any:
        """Parse `text` as this parameter's type, or raise BenchError."""
        kind = self.kind
        try:
            if kind is bool:
                lowered = text.strip().lower()
                if lowered not in ("true", "false", "1", "0", "yes", "no"):
                    raise ValueError
                return lowered in ("true", "1", "yes")
            if kind is int:
                return self.check(int(text))
            if kind is float:
                return self.check(float(text))
            return str(text)
        except ValueError:
            raise BenchError(f"parameter {self.name!r} takes {self.accepted()}, not {text!r}") from None


@dataclass(frozen=True)
class BuildContext:
    """What a component needs to know about the run it is built for."""

    space: SearchSpace
    max_epochs: int
    seed: int
    samples: int


@dataclass(frozen=True)
class Built:
    """A component's Ray Tune objects.

    Args:
        search_alg: a Ray Tune Searcher or SearchAlgorithm, or None for Tune's default.
        param_space: the Tuner's param_space (empty when the searcher holds the space).
        scheduler: a Ray Tune TrialScheduler, or None for Tune's default (FIFO).
        num_samples: the Tuner's num_samples.
        live_trials: trials the scheduler needs alive at once, paused or pending while
            `workers` of them train (a PBT population, a Hyperband bracket); None: `workers`.
    """

    search_alg: Any = None
    param_space: dict = field(default_factory=dict)
    scheduler: Any = None
    num_samples: int | None = None
    live_trials: int | None = None

    def trial_slots(self, workers: int) -> int:
        """Trials Tune may keep alive at once (max_concurrent_trials and pending trials).

        Resources, not this number, keep at most `workers` trials training at a time.
        """
        return max(workers, self.live_trials or 0)

    def cap_generator(self, slots: int) -> None:
        """Give a BasicVariantGenerator passed in the `slots` cap that Tune gives only its own default one.

        Tune limits a Searcher with a ConcurrencyLimiter and builds its default generator with
        `max_concurrent=max_concurrent_trials`, but ignores that setting (with a warning) for a
        BasicVariantGenerator passed in (grid, random, and the schedulers over random), which then
        creates a trial ahead of the busy workers. A trial that failed and is retried, or that a
        resume restores, then trains after that waiting trial (Tune requeues it at the end, and the
        waiting trial holds the worker's resource request), so a retry or a resume reordered a run
        (issue 14, item 5). Only under schedulers that never pause a trial (FIFO, ASHA): for
        Hyperband, PBT, PB2 and the median stopping rule the waiting trials are part of the
        decisions (the median rule pauses a trial that lacks comparisons when others wait; capping
        its generator moved its replayed compute-to-target from 21.3 to 2.74, 20 seeds), so they
        stay as Tune builds them.
        """
        from ray.tune.schedulers import AsyncHyperBandScheduler, FIFOScheduler
        from ray.tune.search.basic_variant import BasicVariantGenerator

        never_pauses = self.scheduler is None or type(self.scheduler) in (FIFOScheduler,
                                                                          AsyncHyperBandScheduler)
        if (isinstance(self.search_alg, BasicVariantGenerator) and never_pauses
            and not self.search_alg.max_concurrent):
            self.search_alg.max_concurrent = slots


@dataclass(frozen=True)
class Component:
    """A searcher or a scheduler: its parameters and a factory of Ray Tune objects.

    `build(ctx, params)` returns a Built with only its own fields set.
    """

    name: str
    summary: str
    params: tuple[Param, ...]
    build: Callable[[BuildContext, Mapping[str, Any]], Built]
    reference: str = ""


@dataclass(frozen=True)
class Strategy:
    """A named pairing of a searcher and a scheduler.

    Args:
        searcher, scheduler: a registered component's name ("random", "asha"), or a Component
            of one's own (a plugin strategy bringing its own algorithm).
    """

    name: str
    searcher: str | Component
    scheduler: str | Component
    summary: str

    @property
    def pairing(self) -> str:
        """`searcher+scheduler` by component names."""
        return "+".join(getattr(c, "name", c) for c in (self.searcher, self.scheduler))


@dataclass(frozen=True)
class ResolvedStrategy:
    """A strategy with its components and every parameter's value."""

    name: str
    searcher: Component
    scheduler: Component
    params: Mapping[str, Any]

    def build(self, ctx: BuildContext) -> Built:
        """Make fresh Ray Tune searcher and scheduler objects for one run."""
        searched = self.searcher.build(ctx, self.params)
        scheduled = self.scheduler.build(ctx, self.params)
        num_samples = scheduled.num_samples or searched.num_samples or ctx.samples
        return Built(
            search_alg=searched.search_alg,
            param_space=searched.param_space,
            scheduler=scheduled.scheduler,
            num_samples=num_samples,
            live_trials=scheduled.live_trials,
        )

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "searcher": self.searcher.name,
            "scheduler": self.scheduler.name,
            "params": dict(self.params),
        }


def resolve_params(components: list[Component], overrides: Mapping[str, str]) -> dict[str, Any]:
    """Defaults of all components, with `overrides` parsed strictly against them."""
    accepted = {p.name: p for c in components for p in c.params}
    unknown = sorted(set(overrides) - set(accepted))
    if unknown:
        names = ", ".join(f"{n} ({p.kind.__name__})" for n, p in accepted.items()) or "none"
        raise BenchError(f"unknown parameter {unknown[0]!r}; accepted: {names}")
    values = {name: p.default for name, p in accepted.items()}
    for name, text in overrides.items():
        values[name] = accepted[name].coerce(text)
    return values
