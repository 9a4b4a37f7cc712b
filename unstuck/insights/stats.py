"""Statistics for insights: percentiles, bootstrap intervals, difference-in-differences,
rates and plain-language verdicts.

Everything random takes a seed, so a report shows the same interval every time it is
opened. Intervals are percentile bootstrap intervals (Efron & Tibshirani, ch. 13): the
2.5th and 97.5th percentiles of the statistic over resamples drawn with replacement
from each group independently. They are honest for medians and quantiles, where no
closed form is simple, and the coverage test in tests/test_stats.py checks that they
cover the true value about 95% of the time.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from numpy.typing import ArrayLike

DEFAULT_SEED = 20240601
DEFAULT_RESAMPLES = 2000
# Below this many observations in any group a comparison is reported as "too small to
# tell": bootstrap intervals of a median from a handful of values are too optimistic.
MIN_SAMPLE = 20
# Above this many values, resampling a mean is replaced by its normal limit (the
# bootstrap distribution of a mean of thousands of values is normal to display precision).
MAX_RESAMPLED_MEAN_N = 5000


@dataclass(frozen=True)
class Interval:
    estimate: float | None
    low: float | None
    high: float | None
    n: int

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def excludes_zero(self) -> bool:
        return self.low is not None and self.high is not None and (self.low > 0 or self.high < 0)


STATISTICS = {
    "median": lambda a, axis=None: np.median(a, axis=axis),
    "p75": lambda a, axis=None: np.percentile(a, 75, axis=axis),
    "mean": lambda a, axis=None: np.mean(a, axis=axis),
}


def percentile(values: ArrayLike, q: float) -> float | None:
    """The q-th percentile (0..100) with linear interpolation; None for no values."""
    arr = np.asarray(values, dtype=float)
    if arr.size == 0:
        return None
    return float(np.percentile(arr, q))


def median(values: ArrayLike) -> float | None:
    return percentile(values, 50)


QUANTILES = {"median": 0.5, "p75": 0.75}


def _resampled(arr: np.ndarray, stat: str, rng: np.random.Generator, resamples: int) -> np.ndarray:
    """`resamples` draws of the statistic over bootstrap resamples of arr.

    Quantiles are drawn exactly and in O(resamples), without building resamples: a
    resample is F_n^-1(U_1..U_n) for uniform U, so its k-th smallest value is
    F_n^-1(U_(k)) with U_(k) ~ Beta(k, n-k+1), and the next one is
    U_(k) + (1 - U_(k)) * Beta(1, n-k). np.percentile interpolates between those two.
    This has the same distribution as resampling indices (the simulation tests check
    coverage), and keeps a report over a million attempts under a second.
    """
    n = arr.size
    if stat in QUANTILES:
        xs = np.sort(arr)
        h = (n - 1) * QUANTILES[stat]
        k = int(np.floor(h))
        frac = h - k
        u_k = rng.beta(k + 1, n - k, size=resamples)
        low = xs[np.minimum((u_k * n).astype(np.int64), n - 1)]
        if frac == 0 or k + 1 >= n:
            return low
        u_next = u_k + (1 - u_k) * rng.beta(1, n - k - 1, size=resamples)
        high = xs[np.minimum((u_next * n).astype(np.int64), n - 1)]
        return low + frac * (high - low)
    if n > MAX_RESAMPLED_MEAN_N:
        return rng.normal(arr.mean(), arr.std() / np.sqrt(n), size=resamples)
    idx = rng.integers(0, n, size=(resamples, n))
    return STATISTICS[stat](arr[idx], axis=1)


def bootstrap_ci(
    values: ArrayLike,
    stat: str = "median",
    *,
    seed: int = DEFAULT_SEED,
    resamples: int = DEFAULT_RESAMPLES,
    level: float = 0.95,
) -> Interval:
    """Percentile bootstrap interval of one group's statistic."""
    arr = np.asarray(values, dtype=float)
    if arr.size == 0:
        return Interval(None, None, None, 0)
    estimate = float(STATISTICS[stat](arr))
    if arr.size == 1:
        return Interval(estimate, None, None, 1)
    rng = np.random.default_rng(seed)
    boot = _resampled(arr, stat, rng, resamples)
    alpha = (1 - level) / 2
    low, high = np.quantile(boot, [alpha, 1 - alpha])
    return Interval(estimate, float(low), float(high), int(arr.size))


def difference_ci(
    a: ArrayLike,
    b: ArrayLike,
    stat: str = "median",
    *,
    seed: int = DEFAULT_SEED,
    resamples: int = DEFAULT_RESAMPLES,
    level: float = 0.95,
) -> Interval:
    """Interval of stat(b) - stat(a) (e.g. after minus before, pilot minus control)."""
    a_arr, b_arr = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    n = int(min(a_arr.size, b_arr.size))
    if n == 0:
        return Interval(None, None, None, n)
    estimate = float(STATISTICS[stat](b_arr) - STATISTICS[stat](a_arr))
    if n < 2:
        return Interval(estimate, None, None, n)
    rng = np.random.default_rng(seed)
    diffs = _resampled(b_arr, stat, rng, resamples) - _resampled(a_arr, stat, rng, resamples)
    alpha = (1 - level) / 2
    low, high = np.quantile(diffs, [alpha, 1 - alpha])
    return Interval(estimate, float(low), float(high), n)


def diff_in_diff(
    pilot_before: ArrayLike,
    pilot_after: ArrayLike,
    control_before: ArrayLike,
    control_after: ArrayLike,
    stat: str = "median",
    *,
    seed: int = DEFAULT_SEED,
    resamples: int = DEFAULT_RESAMPLES,
    level: float = 0.95,
) -> Interval:
    """Difference-in-differences of a statistic with a bootstrap interval:

        (stat(pilot_after) - stat(pilot_before)) - (stat(control_after) - stat(control_before))

    The control group's change stands in for what would have happened to the pilot group
    without the pilot (seasonality, a new release, a busy quarter); what is left is the
    pilot's effect, under the parallel-trends assumption. The four groups are resampled
    independently. `n` is the smallest group.
    """
    groups = [
        np.asarray(g, dtype=float)
        for g in (pilot_before, pilot_after, control_before, control_after)
    ]
    n = int(min(g.size for g in groups))
    if n == 0:
        return Interval(None, None, None, 0)
    f = STATISTICS[stat]
    estimate = float((f(groups[1]) - f(groups[0])) - (f(groups[3]) - f(groups[2])))
    if n < 2:
        return Interval(estimate, None, None, n)
    rng = np.random.default_rng(seed)
    pb, pa, cb, ca = (_resampled(g, stat, rng, resamples) for g in groups)
    boot = (pa - pb) - (ca - cb)
    alpha = (1 - level) / 2
    low, high = np.quantile(boot, [alpha, 1 - alpha])
    return Interval(estimate, float(low), float(high), n)


def wilson_interval(successes: int, trials: int, level: float = 0.95) -> Interval:
    """Wilson score interval of a proportion (good at small n and near 0 or 1)."""
    if trials <= 0:
        return Interval(None, None, None, 0)
    z = 1.959963984540054 if level == 0.95 else _z(level)
    p = successes / trials
    denom = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    return Interval(p, max(0.0, centre - half), min(1.0, centre + half), trials)


def _z(level: float) -> float:
    # Inverse normal CDF by bisection on erf; only used for non-95% levels.
    target = 1 - (1 - level) / 2
    lo, hi = 0.0, 10.0
    for _ in range(100):
        mid = (lo + hi) / 2
        if 0.5 * (1 + math.erf(mid / math.sqrt(2))) < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def rate_per_person_week(
    counts_per_person: ArrayLike,
    weeks: float,
    *,
    seed: int = DEFAULT_SEED,
    resamples: int = DEFAULT_RESAMPLES,
) -> Interval:
    """Mean events per person-week with a bootstrap interval over people (events of one
    person are not independent, so people, not events, are resampled)."""
    if weeks <= 0:
        return Interval(None, None, None, 0)
    per_week = np.asarray(counts_per_person, dtype=float) / weeks
    return bootstrap_ci(per_week, "mean", seed=seed, resamples=resamples)


# --- verdicts ----------------------------------------------------------------------


def _fmt_s(ms: float) -> str:
    s = abs(ms) / 1000
    if s >= 90:
        return f"{s / 60:.1f} min"
    return f"{s:.0f} s"


def time_verdict(
    did: Interval,
    *,
    pilot_n: int,
    control_n: int,
    subject: str = "the pilot group",
    min_sample: int = MIN_SAMPLE,
) -> str:
    """Plain language for a task-time difference-in-differences (negative = faster).

    It never says "it works": it says what was measured, how sure we are, and when the
    sample is too small to tell.
    """
    if pilot_n < min_sample or control_n < min_sample or did.estimate is None:
        return (
            f"Too few task attempts to tell yet ({pilot_n} in {subject}, {control_n} in the comparison "
            f"group; at least {min_sample} each are needed). Keep the pilot running."
        )
    if did.low is None or did.high is None:
        return "Not enough variation to estimate an interval yet."
    span = f"95% interval {_signed_s(did.low)} to {_signed_s(did.high)}"
    if did.high < 0:
        return (
            f"Tasks got faster for {subject} by about {_fmt_s(did.estimate)} per task beyond the change in "
            f"the comparison group ({span}). The interval excludes no change, so the difference is "
            f"unlikely to be chance; it shows association in this period, not a guarantee."
        )
    if did.low > 0:
        return (
            f"Tasks got slower for {subject} by about {_fmt_s(did.estimate)} per task beyond the change "
            f"in the comparison group ({span}). Look at the units and placements tried."
        )
    return (
        f"No clear difference in task time: the estimate is {_signed_s(did.estimate)} per task, but the "
        f"{span} includes no change. The data cannot tell an effect this size from chance."
    )


def _signed_s(ms: float) -> str:
    return ("−" if ms < 0 else "+") + _fmt_s(ms)


def proportion_verdict(
    before: Interval, after: Interval, *, what: str, min_sample: int = MIN_SAMPLE
) -> str:
    """Plain language for a before/after proportion (error rate, helpful rate)."""
    if (
        before.n < min_sample
        or after.n < min_sample
        or before.estimate is None
        or after.estimate is None
    ):
        return (
            f"Too few observations to tell a change in {what} ({before.n} before, {after.n} after)."
        )
    b, a = before.estimate * 100, after.estimate * 100
    if after.high is not None and before.low is not None and after.high < before.low:
        return (
            f"{what.capitalize()} fell from {b:.0f}% to {a:.0f}%; the 95% intervals do not overlap."
        )
    if after.low is not None and before.high is not None and after.low > before.high:
        return (
            f"{what.capitalize()} rose from {b:.0f}% to {a:.0f}%; the 95% intervals do not overlap."
        )
    return (
        f"{what.capitalize()} moved from {b:.0f}% to {a:.0f}%, within the range chance alone could "
        f"produce at this sample size."
    )


def mean_verdict(
    before: Interval, after: Interval, *, what: str, unit: str = "", min_sample: int = MIN_SAMPLE
) -> str:
    if (
        before.n < min_sample
        or after.n < min_sample
        or before.estimate is None
        or after.estimate is None
    ):
        return f"Too few answers to tell a change in {what} ({before.n} before, {after.n} after)."
    b, a = before.estimate, after.estimate
    if after.low is not None and before.high is not None and after.low > before.high:
        return f"{what.capitalize()} rose from {b:.2f}{unit} to {a:.2f}{unit}; the 95% intervals do not overlap."
    if after.high is not None and before.low is not None and after.high < before.low:
        return f"{what.capitalize()} fell from {b:.2f}{unit} to {a:.2f}{unit}; the 95% intervals do not overlap."
    return (
        f"{what.capitalize()} moved from {b:.2f}{unit} to {a:.2f}{unit}, within the range chance alone "
        f"could produce at this sample size."
    )
