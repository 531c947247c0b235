"""Tests of the period search (generalised Lomb-Scargle)."""

import math
import warnings

import numpy as np
import pytest
from scipy.signal import lombscargle as scipy_lombscargle

from skdualnet._periodogram import PeriodResult, estimate_period, lomb_scargle


def seasonal_times(rng, n_obs=300, span=1500.0, jitter=0.08):
    """ASAS-SN-like sampling: one observation per clear night in yearly seasons."""
    nights = np.arange(int(span))
    season = (nights - rng.uniform(0, 365.25)) % 365.25 < 240
    nights = rng.choice(nights[season], size=n_obs, replace=False)
    return np.sort(nights + rng.normal(0.0, jitter, n_obs)) + 2458000.0


def sawtooth(phase):
    """RR Lyrae-like: fast rise (15 % of the cycle), slow decline."""
    phase = phase % 1.0
    return np.where(phase < 0.15, 1 - phase / 0.15, (phase - 0.15) / 0.85) - 0.5


def weighted_fit_power(t, y, w, f, n_harmonics=1):
    """1 - chi2(model) / chi2(constant) by explicit weighted least squares."""
    cols = [np.ones_like(t)]
    for k in range(1, n_harmonics + 1):
        cols += [np.cos(2 * np.pi * k * f * t), np.sin(2 * np.pi * k * f * t)]
    design = np.stack(cols, axis=1)
    sw = np.sqrt(w)
    coef = np.linalg.lstsq(design * sw[:, None], y * sw, rcond=None)[0]
    chi2 = np.sum(w * (y - design @ coef) ** 2)
    chi2_0 = np.sum(w * (y - np.average(y, weights=w)) ** 2)
    return 1 - chi2 / chi2_0


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


# --------------------------------------------------------------------------
# The periodogram itself
# --------------------------------------------------------------------------


@pytest.mark.parametrize("n_harmonics", [1, 2, 3])
def test_power_is_weighted_least_squares_fit(rng, n_harmonics):
    t = np.sort(rng.uniform(0, 200, 60))
    err = rng.uniform(0.02, 0.3, t.size)
    mag = 11 + 0.2 * np.sin(2 * np.pi * t / 2.7) + err * rng.normal(size=t.size)
    freq = np.array([0.01, 0.1, 1 / 2.7, 0.5, 1.0, 1.37, 4.2])
    power = lomb_scargle(t, mag, err, freq, n_harmonics=n_harmonics, method="exact")
    expected = [weighted_fit_power(t, mag, err**-2.0, f, n_harmonics) for f in freq]
    np.testing.assert_allclose(power, expected, atol=1e-10)


def test_power_matches_scipy(rng):
    t = np.sort(rng.uniform(0, 100, 80))
    err = rng.uniform(0.05, 0.2, t.size)
    mag = 10 + 0.3 * np.sin(2 * np.pi * t / 3.3) + err * rng.normal(size=t.size)
    freq = np.linspace(0.01, 2, 200)
    w = err**-2.0
    # scipy's floating-mean power normalised by sum w y^2, y about its mean.
    centred = mag - np.average(mag, weights=w)
    expected = scipy_lombscargle(
        t, centred, 2 * np.pi * freq, weights=w, floating_mean=True, normalize=True
    )
    np.testing.assert_allclose(lomb_scargle(t, mag, err, freq), expected, atol=1e-10)
    expected = scipy_lombscargle(
        t, mag - mag.mean(), 2 * np.pi * freq, floating_mean=True, normalize=True
    )
    np.testing.assert_allclose(lomb_scargle(t, mag, None, freq), expected, atol=1e-10)


@pytest.mark.parametrize("f0", [0.0, 0.002, 0.3137])
@pytest.mark.parametrize("n_harmonics", [1, 2])
def test_fast_matches_exact(rng, f0, n_harmonics):
    t = seasonal_times(rng, n_obs=150, span=800)
    err = rng.uniform(0.02, 0.1, t.size)
    mag = 14 + 0.1 * sawtooth(t / 0.61) + err * rng.normal(size=t.size)
    freq = f0 + 1e-3 * np.arange(1, 3001)
    fast = lomb_scargle(t, mag, err, freq, n_harmonics=n_harmonics, method="fast")
    exact = lomb_scargle(t, mag, err, freq, n_harmonics=n_harmonics, method="exact")
    np.testing.assert_allclose(fast, exact, atol=2e-6)


def test_fast_needs_regular_grid(rng):
    t = np.sort(rng.uniform(0, 10, 20))
    with pytest.raises(ValueError, match="regular grid"):
        lomb_scargle(t, np.sin(t), None, [0.1, 0.2, 0.5], method="fast")


def test_errors_are_weights(rng):
    t = np.sort(rng.uniform(0, 50, 40))
    mag = np.sin(2 * np.pi * t / 1.7) + 0.1 * rng.normal(size=t.size)
    freq = np.linspace(0.05, 2, 30)
    err = rng.uniform(0.1, 1, t.size)
    # Scaling all errors changes nothing; repeating a point doubles its weight.
    np.testing.assert_allclose(
        lomb_scargle(t, mag, err, freq), lomb_scargle(t, mag, 7 * err, freq)
    )
    t2, mag2 = np.r_[t, t[:5]], np.r_[mag, mag[:5]]
    err2 = np.r_[err, err[:5]]
    err1 = err.copy()
    err1[:5] /= math.sqrt(2)
    np.testing.assert_allclose(
        lomb_scargle(t2, mag2, err2, freq), lomb_scargle(t, mag, err1, freq)
    )


def test_constant_magnitudes_give_zero_power():
    t = np.linspace(0, 20, 30)
    power = lomb_scargle(t, np.full(30, 12.5), None, np.linspace(0.1, 2, 10))
    np.testing.assert_array_equal(power, 0.0)


# --------------------------------------------------------------------------
# The period search
# --------------------------------------------------------------------------


@pytest.mark.parametrize("period", [0.0731, 0.317, 3.71, 47.3, 211.0])
def test_sinusoid_recovered(rng, period):
    t = seasonal_times(rng)
    err = rng.uniform(0.01, 0.05, t.size)
    mag = (
        13 + 0.2 * np.sin(2 * np.pi * t / period + 1.0) + err * rng.normal(size=t.size)
    )
    result = estimate_period(t, mag, err)
    assert isinstance(result, PeriodResult)
    assert result.period == pytest.approx(period, rel=1e-3)
    assert 0.8 < result.power <= 1
    assert result.false_alarm < 1e-10
    assert not result.alias


def test_rr_lyrae_sawtooth_recovered(rng):
    t = seasonal_times(rng)
    err = rng.uniform(0.02, 0.06, t.size)
    mag = 14 + 0.8 * sawtooth(t / 0.55) + err * rng.normal(size=t.size)
    result = estimate_period(t, mag, err)
    assert result.period == pytest.approx(0.55, rel=1e-3)
    assert not result.alias


def contact_binary(t, period, depths=(0.4, 0.4)):
    """EW light curve: continuous variation with two minima per orbit."""
    phase = (t / period) % 1.0
    depth = np.where(phase < 0.5, depths[0], depths[1])
    return depth * np.sin(2 * np.pi * phase) ** 2  # minima (fainter) at 1/4, 3/4


def test_eclipsing_binary_found_at_half_period(rng):
    # Two equal minima per orbit: the one-term periodogram peaks at P / 2.
    t = seasonal_times(rng)
    err = np.full(t.size, 0.02)
    mag = 12 + contact_binary(t, 0.8) + err * rng.normal(size=t.size)
    result = estimate_period(t, mag, err)
    assert result.period == pytest.approx(0.4, rel=1e-3)
    # ... and so does a two-term model: the curve repeats every P / 2.
    two = estimate_period(t, mag, err, n_harmonics=2)
    assert two.period == pytest.approx(0.4, rel=1e-3)


def test_unequal_minima_two_harmonics_find_orbit(rng):
    t = seasonal_times(rng)
    err = np.full(t.size, 0.02)
    mag = 12 + contact_binary(t, 0.8, depths=(0.5, 0.3)) + err * rng.normal(size=t.size)
    assert estimate_period(t, mag, err).period == pytest.approx(0.4, rel=1e-3)
    two = estimate_period(t, mag, err, n_harmonics=2)
    assert two.period == pytest.approx(0.8, rel=1e-3)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_search_finds_exhaustive_exact_best(seed):
    # The fast search returns the best peak of an exact evaluation of the
    # whole grid, for a clear signal, a weak one and pure noise.
    rng = np.random.default_rng(seed)
    t = seasonal_times(rng, n_obs=200, span=1200)
    err = rng.uniform(0.02, 0.08, t.size)
    amplitude = [0.3, 0.03, 0.0][seed]
    mag = 13 + amplitude * sawtooth(t / 1.37) + err * rng.normal(size=t.size)
    result = estimate_period(t, mag, err, min_period=0.25, max_period=500)
    baseline = t.max() - t.min()
    df = 1 / (5 * baseline)
    grid = df * np.arange(math.ceil(1 / 500 / df), math.floor(4 / df) + 1)
    assert result.n_frequencies == grid.size
    power = lomb_scargle(t, mag, err, grid, method="exact")
    best = np.argmax(power)
    assert abs(1 / result.period - grid[best]) <= df
    assert result.power >= power[best] - 1e-12


@pytest.mark.parametrize("amplitude", [0.03, 0.2])
def test_search_two_harmonics_finds_exhaustive_best(rng, amplitude):
    t = seasonal_times(rng, n_obs=200, span=1200)
    err = rng.uniform(0.02, 0.08, t.size)
    mag = 13 + amplitude * sawtooth(t / 0.73) + err * rng.normal(size=t.size)
    result = estimate_period(t, mag, err, min_period=0.25, n_harmonics=2)
    df = 1 / (5 * (t.max() - t.min()))
    grid = df * np.arange(math.ceil(1 / (t.max() - t.min()) / df), 4 / df + 1)
    power = lomb_scargle(t, mag, err, grid, n_harmonics=2, method="fast")
    assert abs(1 / result.period - grid[np.argmax(power)]) <= df
    if amplitude > 0.1:
        assert result.period == pytest.approx(0.73, rel=1e-3)


def test_direct_and_fast_paths_agree(rng, monkeypatch):
    import skdualnet._periodogram as module

    t = seasonal_times(rng, n_obs=80, span=400)
    err = rng.uniform(0.02, 0.08, t.size)
    mag = 13 + 0.1 * sawtooth(t / 2.37) + err * rng.normal(size=t.size)
    monkeypatch.setattr(module, "_DIRECT_LIMIT", 10**12)
    direct = estimate_period(t, mag, err, min_period=0.2)
    monkeypatch.setattr(module, "_DIRECT_LIMIT", 0)
    fast = estimate_period(t, mag, err, min_period=0.2)
    assert fast.n_frequencies == direct.n_frequencies
    for a, b in zip(fast, direct):
        assert a == pytest.approx(b, rel=1e-9, abs=1e-12)


def test_alias_flag(rng):
    t = seasonal_times(rng, jitter=0.12)
    err = np.full(t.size, 0.02)
    for period, flagged in [
        (1.0, True),
        (0.99727, True),
        (0.5, True),
        (1 / 3, True),
        (29.53, True),
        (365.25, True),
        (0.6, False),
        (2.3, False),
        (47.0, False),
    ]:
        mag = 12 + 0.3 * np.sin(2 * np.pi * t / period) + err * rng.normal(size=t.size)
        result = estimate_period(t, mag, err)
        assert result.alias is flagged, (period, result)
        if not flagged:
            assert result.period == pytest.approx(period, rel=1e-3)


def test_errors_weighted_in_search(rng):
    # Half the points carry a large spurious signal and are flagged as poor.
    t = np.sort(rng.uniform(0, 400, 400))
    good = rng.random(t.size) < 0.5
    err = np.where(good, 0.01, 1.0)
    mag = 10 + 0.05 * np.sin(2 * np.pi * t / 2.9)
    mag += np.where(good, 0.0, 2.0 * np.sin(2 * np.pi * t / 7.7))
    mag += 0.01 * rng.normal(size=t.size)
    assert estimate_period(t, mag, err).period == pytest.approx(2.9, rel=1e-3)
    assert estimate_period(t, mag).period == pytest.approx(7.7, rel=1e-3)


def test_second_period(rng):
    t = np.sort(rng.uniform(0, 500, 400))
    mag = 0.5 * np.sin(2 * np.pi * t / 0.7) + 0.3 * np.sin(2 * np.pi * t / 5.3)
    mag += 0.05 * rng.normal(size=t.size)
    result = estimate_period(t, mag)
    assert result.period == pytest.approx(0.7, rel=1e-3)
    assert result.second_period == pytest.approx(5.3, rel=1e-3)


def test_max_period_clipped_to_baseline(rng):
    t = np.sort(rng.uniform(0, 40, 100))
    mag = 0.01 * t + 0.001 * rng.normal(size=t.size)  # a trend: longest period
    result = estimate_period(t, mag, max_period=1000.0)
    baseline = t.max() - t.min()
    assert result.period <= baseline * (1 + 1e-9)
    assert result.period > 0.5 * baseline
    small = estimate_period(t, mag, max_period=10.0)
    assert small.period <= 10.0 * (1 + 1e-9)
    assert small.n_frequencies < result.n_frequencies


def test_noise_is_not_significant(rng):
    t = seasonal_times(rng)
    mag = 13 + 0.05 * rng.normal(size=t.size)
    result = estimate_period(t, mag, np.full(t.size, 0.05))
    assert result.false_alarm > 0.05
    assert result.power < 0.2


# (amplitude, n_obs, min_period, max_period, oversampling, with errors):
# pure noise, weak, moderate and strong signals; max_period 1000 d is
# clipped to the ~400 d baseline; one curve without error bars.
FAP_CASES = [
    (0.0, 60, 0.1, 100.0, 5, True),
    (0.03, 80, 0.05, 1000.0, 5, True),
    (0.05, 120, 0.2, 50.0, 3, True),
    (0.3, 100, 0.05, 1000.0, 5, True),
    (0.02, 200, 0.05, 1000.0, 10, False),
    (0.015, 50, 0.5, 30.0, 5, True),
]


@pytest.mark.parametrize("case", range(len(FAP_CASES)))
def test_false_alarm_matches_astropy_baluev(case):
    LombScargle = pytest.importorskip("astropy.timeseries").LombScargle
    amp, n, min_p, max_p, over, with_err = FAP_CASES[case]
    rng = np.random.default_rng(100 + case)
    t = np.sort(rng.uniform(0, 400, n)) + 2457000.0  # Julian dates
    err = rng.uniform(0.03, 0.08, n) if with_err else None
    noise = (err if with_err else 0.05) * rng.normal(size=n)
    mag = 12 + amp * np.sin(2 * np.pi * t / 0.731) + noise
    result = estimate_period(
        t, mag, err, min_period=min_p, max_period=max_p, oversampling=over
    )
    # The documented search grid: multiples of df = 1 / (oversampling *
    # baseline) from 1 / max_period (clipped to the baseline) to 1 / min_period.
    baseline = t.max() - t.min()
    df = 1.0 / (over * baseline)
    j_lo = math.ceil(1.0 / min(max_p, baseline) / df)
    j_hi = math.floor(1.0 / min_p / df)
    assert result.n_frequencies == j_hi - j_lo + 1
    # astropy computes the weighted variance of the times as <t^2> - <t>^2 on
    # the times as given: on Julian dates (t ~ 2.46e6) that cancellation costs
    # ~1e-7 relative. On times from the first observation (astropy's own
    # convention for Time objects) the two agree to rounding.
    for offset, rtol in ((t[0], 1e-12), (0.0, 1e-6)):
        ls = LombScargle(t - offset, mag, err)
        expected = ls.false_alarm_probability(
            result.power,
            method="baluev",
            samples_per_peak=over,
            minimum_frequency=j_lo * df,
            maximum_frequency=j_hi * df,
        )
        np.testing.assert_allclose(result.false_alarm, expected, rtol=rtol)
    # and the power is astropy's standard normalisation at the period found
    power = LombScargle(t - t[0], mag, err).power(1.0 / result.period)
    np.testing.assert_allclose(result.power, power, rtol=1e-9)
    if amp >= 0.3:
        assert result.false_alarm < 1e-30
    if amp == 0.0:
        assert result.false_alarm > 0.1


def test_non_finite_points_ignored(rng):
    t = np.sort(rng.uniform(0, 100, 120))
    mag = 12 + 0.3 * np.sin(2 * np.pi * t / 1.9) + 0.02 * rng.normal(size=t.size)
    err = np.full(t.size, 0.02)
    mag[::10] = np.nan
    err[5::10] = 0.0
    t[7] = np.inf
    result = estimate_period(t, mag, err)
    assert result.period == pytest.approx(1.9, rel=1e-3)
    assert all(np.isfinite(v) for v in result)


def test_constant_magnitudes():
    t = np.linspace(0, 30, 50)
    result = estimate_period(t, np.full(50, 14.2), np.full(50, 0.03))
    assert result.power == 0.0
    assert result.false_alarm == 1.0
    assert result.alias is False
    assert result.period == pytest.approx(30.0)
    assert result.second_period == result.period
    assert all(np.isfinite(v) for v in result)


@pytest.mark.parametrize(
    ("t", "mag", "kwargs", "match"),
    [
        ([0, 1, 2, 3], [1, 2, 1, 2], {}, "at least 5"),
        ([0, 1, 2, np.nan, 5], [1, 2, 1, 2, 1], {}, "at least 5"),
        ([1.0] * 6, [1, 2, 1, 2, 1, 2], {}, "zero baseline"),
        (np.arange(6), np.arange(7), {}, "same length"),
        (np.arange(10), np.sin(np.arange(10)), {"min_period": 0}, "min_period"),
        (np.arange(10), np.sin(np.arange(10)), {"max_period": 0.01}, "below"),
        (np.arange(10), np.sin(np.arange(10)), {"min_period": 20}, "baseline"),
        (np.arange(10), np.sin(np.arange(10)), {"oversampling": 0}, "oversampl"),
        (np.arange(10), np.sin(np.arange(10)), {"n_harmonics": 1.5}, "must be an int"),
        (np.arange(6), np.sin(np.arange(6)), {"n_harmonics": 3}, "at least 8"),
    ],
)
def test_bad_input(t, mag, kwargs, match):
    with pytest.raises(ValueError, match=match):
        estimate_period(t, mag, **kwargs)


def test_never_nan_on_awkward_input(rng):
    # Few points, duplicated times, huge dynamic range of errors.
    t = np.array([0.0, 0.0, 1.0, 1.0, 2.5, 7.0, 7.0])
    mag = np.array([1.0, 1.1, 0.9, 1.0, 1.2, 0.8, 0.8])
    err = np.array([1e-8, 1.0, 1e3, 1.0, 1.0, 1e-3, 1.0])
    for result in (
        estimate_period(t, mag, err, min_period=0.5),
        estimate_period(t + 2.4e6, mag, err, min_period=0.5, oversampling=1),
    ):
        assert all(np.isfinite(v) for v in result)
        assert 0 <= result.power <= 1
        assert 0 <= result.false_alarm <= 1


def test_subnormal_variance_is_a_constant_curve_not_a_detection():
    # Magnitudes varying by ~1e-160: the weighted variance (~1e-320) is
    # subnormal and its reciprocal overflows; treated as constant (no period).
    t = np.arange(20.0) * 1.37
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = estimate_period(t, 1e-160 * np.sin(t))
    assert res.power == 0.0 and res.false_alarm == 1.0
    assert type(res.period) is float and res.period == res.second_period
