"""The statistics against hand-computed results and by simulation."""

import numpy as np
import pytest

from unstuck.insights import stats


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([1, 2, 3, 4], 50, 2.5),
        ([1, 2, 3, 4, 100], 50, 3.0),
        ([10, 20, 30, 40, 50], 75, 40.0),
        ([1, 2, 3, 4], 75, 3.25),  # linear interpolation: 1 + 0.75 * 3 = index 3.25 -> 3.25
        ([7], 75, 7.0),
        ([], 50, None),
    ],
)
def test_percentiles_match_hand_computed_values(values, q, expected):
    assert stats.percentile(values, q) == expected


def test_the_wilson_interval_matches_the_textbook_value():
    # 5 of 10: centre 0.5, half-width 1.96*sqrt(.025 + .0096)/1.384 = 0.2634 -> [0.2366, 0.7634]
    interval = stats.wilson_interval(5, 10)
    assert interval.estimate == 0.5
    assert interval.low == pytest.approx(0.2366, abs=1e-4)
    assert interval.high == pytest.approx(0.7634, abs=1e-4)
    assert stats.wilson_interval(0, 0).estimate is None


def test_a_bootstrap_of_constant_values_collapses_to_that_value():
    interval = stats.bootstrap_ci([42.0] * 30)
    assert (interval.estimate, interval.low, interval.high, interval.n) == (42.0, 42.0, 42.0, 30)


def test_a_bootstrap_is_repeatable_with_its_seed():
    data = np.random.default_rng(1).exponential(60, 80)
    assert stats.bootstrap_ci(data) == stats.bootstrap_ci(data)
    assert stats.bootstrap_ci(data, seed=1) != stats.bootstrap_ci(data, seed=2)


def test_the_difference_in_differences_estimate_is_the_hand_computed_one():
    # medians: pilot 10 -> 6, control 10 -> 9: (6-10) - (9-10) = -3
    did = stats.diff_in_diff([9, 10, 11], [5, 6, 7], [9, 10, 11], [8, 9, 10])
    assert did.estimate == -3.0
    mean_did = stats.diff_in_diff([1, 3], [2, 2], [0, 2], [5, 7], stat="mean")
    assert mean_did.estimate == (2 - 2) - (6 - 1)


def test_difference_in_differences_recovers_a_constructed_effect():
    rng = np.random.default_rng(7)
    base, trend, effect = 120_000.0, 5_000.0, -30_000.0
    pb = base + rng.normal(0, 10_000, 400)
    pa = base + trend + effect + rng.normal(0, 10_000, 400)
    cb = base + 8_000 + rng.normal(0, 10_000, 400)  # a different level is fine: only changes count
    ca = base + 8_000 + trend + rng.normal(0, 10_000, 400)
    did = stats.diff_in_diff(pb, pa, cb, ca, stat="median")
    assert did.low < effect < did.high
    assert abs(did.estimate - effect) < 4_000
    assert did.high < 0


def test_bootstrap_intervals_cover_the_true_median_about_95_percent_of_the_time():
    # 200 simulated data sets of 60 log-normal task times; the true median is exp(mu).
    rng = np.random.default_rng(2024)
    mu, sigma, n = np.log(90.0), 0.5, 60
    true_median = float(np.exp(mu))
    covered = 0
    for i in range(200):
        sample = rng.lognormal(mu, sigma, n)
        interval = stats.bootstrap_ci(sample, "median", seed=i, resamples=1000)
        covered += interval.low <= true_median <= interval.high
    # Binomial(200, .95) has sd ~3.1 points; percentile intervals of a median run a
    # little narrow at n=60, so allow 88%..99%.
    assert 176 <= covered <= 198, covered


def test_difference_intervals_cover_the_true_difference_about_95_percent_of_the_time():
    rng = np.random.default_rng(99)
    covered = 0
    for i in range(200):
        a = rng.normal(100, 20, 80)
        b = rng.normal(90, 20, 80)
        interval = stats.difference_ci(a, b, "mean", seed=i, resamples=1000)
        covered += interval.low <= -10 <= interval.high
    assert 176 <= covered <= 198, covered


def test_a_verdict_says_when_the_sample_is_too_small():
    did = stats.diff_in_diff([1, 2], [1, 2], [1, 2], [1, 2])
    text = stats.time_verdict(did, pilot_n=4, control_n=4)
    assert text.startswith("Too few task attempts to tell")


def test_a_verdict_never_claims_an_effect_when_the_interval_includes_zero():
    text = stats.time_verdict(
        stats.Interval(-2000.0, -9000.0, 4000.0, 50), pilot_n=50, control_n=50
    )
    assert "No clear difference" in text
    assert "it works" not in text.lower()


def test_a_verdict_reports_a_faster_task_with_its_interval():
    text = stats.time_verdict(
        stats.Interval(-30000.0, -40000.0, -20000.0, 300), pilot_n=300, control_n=300
    )
    assert "faster" in text and "−40 s to −20 s" in text


def test_proportion_and_mean_verdicts_name_what_changed():
    before, after = stats.wilson_interval(60, 200), stats.wilson_interval(20, 200)
    assert stats.proportion_verdict(before, after, what="error rate").startswith(
        "Error rate fell from 30% to 10%"
    )
    assert "Too few" in stats.mean_verdict(
        stats.Interval(3, 2, 4, 3), stats.Interval(4, 3, 5, 3), what="confidence"
    )


@pytest.mark.parametrize("stat", ["median", "p75"])
def test_drawing_quantiles_exactly_matches_resampling_indices(stat):
    data = np.random.default_rng(5).lognormal(4, 0.6, 301)
    exact = stats._resampled(data, stat, np.random.default_rng(1), 20000)
    idx = np.random.default_rng(2).integers(0, data.size, size=(20000, data.size))
    brute = stats.STATISTICS[stat](data[idx], axis=1)
    for q in (0.025, 0.25, 0.5, 0.75, 0.975):
        assert np.quantile(exact, q) == pytest.approx(np.quantile(brute, q), rel=0.02)


def test_difference_in_differences_intervals_cover_the_constructed_effect_about_95_percent_of_the_time():
    rng = np.random.default_rng(11)
    effect, covered = -20.0, 0
    for i in range(200):
        pb, cb, ca = (rng.normal(100, 25, 120) for _ in range(3))
        pa = rng.normal(100 + effect, 25, 120)
        interval = stats.diff_in_diff(pb, pa, cb, ca, "median", seed=i, resamples=1000)
        covered += interval.low <= effect <= interval.high
    assert 176 <= covered <= 198, covered
