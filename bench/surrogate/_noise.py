"""Seed noise for replayed curves: keyed random draws of recorded seed-to-seed residuals."""

from __future__ import annotations

import hashlib
import itertools

import numpy as np

from bench.surrogate._curves import CurveSet

#: Donors a residual is drawn from: the recorded configurations whose seed-mean final accuracy
#: (logit scale) ranks nearest the query's, so the noise level fits the accuracy band.
DONOR_BAND = 16
#: Uniform numbers one `draw` takes: two donors, a seed pair of each, an angle.
DRAW_UNIFORMS = 5


def _digest(seed: int, key: tuple) -> bytes:
    # blake2b of the pair's repr, not Python's hash(): that is salted per process for strings and
    # would give another draw in every replay worker.
    return hashlib.blake2b(repr((int(seed), tuple(key))).encode(), digest_size=64).digest()


def keyed_uniforms(seed: int, key: tuple) -> np.ndarray:
    """8 numbers uniform in [0, 1) keyed by (training seed, canonical configuration key),
    the same in every process.

    The 64 bytes of the key's blake2b digest read as 8 unsigned 64-bit integers over 2^64: as
    random as a Generator seeded from the digest, at a fifth of the cost (seeding a numpy
    Generator, through its SeedSequence, took longer than the model's forward pass, and curve()
    is called thousands of times a replay; see LATENCY_BUDGET_S).
    """
    return np.frombuffer(_digest(seed, key), dtype="<u8") / 2.0**64


def keyed_generator(seed: int, key: tuple) -> np.random.Generator:
    """A numpy Generator seeded by the same digest as keyed_uniforms (for the rarer draws:
    which diverged curve)."""
    return np.random.default_rng(int.from_bytes(_digest(seed, key), "little"))


class ResidualDonors:
    """Recorded seed residual curves, sorted by their configuration's seed-mean final logit accuracy.

    A donor is a recorded configuration whose seeds all trained to the end, with at least 2 seeds.
    Each pair of its seeds (a, b) gives a residual (curve_a - curve_b) / sqrt(2) on the model scale
    (logit accuracy, log losses): it has the variance, and the epoch-to-epoch covariance, of one
    seed's deviation from the seed-mean, so a mean plus two such draws differ as two recorded seeds do.

    `draw` picks two distinct donors of the DONOR_BAND nearest the query's level, one seed pair of
    each, and an angle t uniform in [0, 2 pi): residual = cos(t) r1 + sin(t) r2. For independent r1, r2
    of equal covariance this keeps the covariance (cos^2 + sin^2 = 1) and covers both signs, and no two
    seeds share a draw; one donor pair with a random sign (32-96 possible draws) would make seeds of
    a 20-seed replay repeat each other's noise.

    Args:
        curves: the recorded curves; scaled: curves.scaled_curves(), (curves, 3, max_epochs).
    """

    def __init__(self, curves: CurveSet, scaled: np.ndarray) -> None:
        counts = np.array([len(seeds) for seeds in curves.seeds])
        donors = np.flatnonzero(curves.clean & (counts >= 2))
        levels = curves.mean_scaled[donors, 0, -1]
        order = np.argsort(levels, kind="stable")
        self.levels = levels[order]
        residuals: list[np.ndarray]
        starts: list[int]
        residuals, starts = [], []
        for donor in donors[order]:
            starts.append(len(residuals))
            first = int(curves.first_curve[donor])
            for a, b in itertools.combinations(range(counts[donor]), 2):
                residuals.append((scaled[first + a] - scaled[first + b]) / np.sqrt(2.0))
        self.residuals = np.array(residuals).reshape(len(residuals), 3, curves.max_epochs)
        self.pair_start = np.array(starts, dtype=int)
        self.pair_count = np.diff(np.r_[self.pair_start, len(residuals)]).astype(int)
        self._zero = np.zeros((3, curves.max_epochs))

    def draw(self, level: float, uniforms: np.ndarray) -> np.ndarray:
        """A (3, max_epochs) residual for a seed-mean curve whose final logit accuracy is `level`.

        Args:
            uniforms: DRAW_UNIFORMS numbers uniform in [0, 1), keyed (keyed_uniforms).
        """
        donors = len(self.levels)
        if donors == 0:
            return self._zero
        band = min(DONOR_BAND, donors)
        low = min(max(int(np.searchsorted(self.levels, level)) - band // 2, 0), donors - band)
        first = int(uniforms[0] * band)
        if band == 1:
            return self._pair(low, uniforms[2]) * (1.0 if uniforms[4] < 0.5 else -1.0)
        second = (first + 1 + int(uniforms[1] * (band - 1))) % band  # another donor of the band, uniformly
        angle = 2.0 * np.pi * uniforms[4]
        return np.cos(angle) * self._pair(low + first, uniforms[2]) + np.sin(angle) * self._pair(low + second,
                                                                                                 uniforms[3])

    def _pair(self, donor: int, uniform: float) -> np.ndarray:
        return self.residuals[self.pair_start[donor] + int(uniform * self.pair_count[donor])]
