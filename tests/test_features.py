"""Known-answer tests of LightCurveFeatures (classical shape statistics)."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from skdualnet import LightCurveFeatures, LightCurves, PhaseFolder, SequenceSegmenter
from skdualnet._features import FEATURE_NAMES

COL = {name: k for k, name in enumerate(FEATURE_NAMES)}


def _features(curves, period, **kwargs):
    X = LightCurves.from_arrays(curves, period=period)
    return LightCurveFeatures(**kwargs).fit_transform(X).features


def _curve(t, mag, err=0.01):
    return np.c_[t, mag, np.full_like(t, err)]


def test_sinusoid_at_its_period():
    t = np.sort(np.random.default_rng(0).uniform(0, 100, 400))
    mag = 12 + 0.5 * np.cos(2 * np.pi * t / 3.0)
    F = _features([_curve(t, mag)], [3.0])[0]
    assert F.shape == (len(FEATURE_NAMES),)
    assert_allclose(F[COL["fourier_var_explained"]], 1.0, atol=1e-9)
    assert_allclose(F[COL["log10_fourier_amplitude"]], np.log10(1.0), atol=1e-3)
    assert_allclose(F[[COL["R21"], COL["R31"]]], 0.0, atol=1e-6)
    assert_allclose(F[COL["bright_fraction"]], 0.5, atol=0.01)
    assert_allclose(F[COL["rise_fraction"]], 0.5, atol=0.01)
    assert abs(F[COL["double_period_gain"]]) < 0.05
    noisy = mag + np.random.default_rng(4).normal(0, 0.01, t.size)
    F = _features([_curve(t, noisy)], [3.0])[0]
    assert abs(F[COL["double_period_gain"]]) < 0.05
    assert_allclose(F[COL["skew"]], 0.0, atol=0.1)


def test_distribution_statistics_of_a_sinusoid():
    t = np.sort(np.random.default_rng(7).uniform(0, 300, 20000))
    F = _features([_curve(t, 12 + 0.5 * np.sin(2 * np.pi * t / 3.0))], [3.0])[0]
    assert_allclose(F[COL["beyond1std"]], 0.5, atol=0.02)  # |sin| > 1/sqrt(2)
    assert_allclose(F[COL["kurtosis"]], np.arcsinh(-1.5), atol=0.02)
    assert_allclose(
        F[COL["log10_amplitude"]], np.log10(2 * 0.5 * np.sin(0.45 * np.pi)), atol=0.01
    )
    assert_allclose(F[COL["log10_snr"]], np.log10(0.5 / np.sqrt(2) / 0.01), atol=1e-3)


def test_rise_fraction_of_a_fast_rising_curve():
    # RR Lyrae-like sawtooth: faintest at phase 0.8, rises to brightest at
    # phase 1.0 (0.2 of the cycle), then fades slowly.
    t = np.sort(np.random.default_rng(5).uniform(0, 100, 800))
    phase = np.mod(t / 0.6, 1.0)
    mag = np.where(phase < 0.8, phase / 0.8, (1.0 - phase) / 0.2)  # 0 = brightest
    F = _features([_curve(t, 14 + mag)], [0.6], n_harmonics=8)[0]
    # 8 harmonics round the sawtooth's corners: 0.2 within 0.05 (0.8 if the
    # direction were reversed)
    assert_allclose(F[COL["rise_fraction"]], 0.2, atol=0.05)
    assert F[COL["bright_fraction"]] == pytest.approx(0.5, abs=0.05)
    shifted = _features([_curve(t + 0.37, 14 + mag)], [0.6], n_harmonics=8)[0]
    # shape parameters do not depend on the time origin
    keys = ["R21", "R31", "cos_phi21", "sin_phi21", "cos_phi31", "sin_phi31"]
    cols = [COL[k] for k in keys]
    assert_allclose(shifted[cols], F[cols], atol=0.05)


def test_fourier_parameters_of_a_two_harmonic_curve():
    t = np.sort(np.random.default_rng(1).uniform(0, 50, 300))
    phase = 2 * np.pi * t / 0.7
    mag = 0.4 * np.cos(phase + 0.3) + 0.2 * np.cos(2 * phase + 1.6)
    F = _features([_curve(t, 15 + mag)], [0.7])[0]
    assert_allclose(F[COL["R21"]], 0.5, atol=1e-6)
    phi21 = 1.6 - 2 * 0.3
    assert_allclose(F[COL["cos_phi21"]], np.cos(phi21), atol=1e-6)
    assert_allclose(F[COL["sin_phi21"]], np.sin(phi21), atol=1e-6)
    assert_allclose(F[COL["R31"]], 0.0, atol=1e-6)


def test_phi31_of_a_three_harmonic_curve():
    t = np.sort(np.random.default_rng(6).uniform(0, 50, 300))
    phase = 2 * np.pi * t / 0.7
    mag = 0.4 * np.cos(phase + 0.3) + 0.1 * np.cos(3 * phase + 2.5)
    F = _features([_curve(t, 15 + mag)], [0.7])[0]
    assert_allclose(F[COL["R31"]], 0.25, atol=1e-6)
    phi31 = 2.5 - 3 * 0.3
    assert_allclose(F[COL["cos_phi31"]], np.cos(phi31), atol=1e-6)
    assert_allclose(F[COL["sin_phi31"]], np.sin(phi31), atol=1e-6)


def test_fewer_than_three_harmonics_are_refused():
    X = LightCurves.from_arrays([_curve(np.arange(30.0), np.sin(np.arange(30.0)))])
    with pytest.raises(ValueError, match="n_harmonics"):
        LightCurveFeatures(n_harmonics=2).fit_transform(X)


def test_eclipsing_binary_found_at_half_its_period_gains_at_double():
    rng = np.random.default_rng(2)
    t = np.sort(rng.uniform(0, 200, 500))
    true_period = 1.2
    phase = np.mod(t / true_period, 1.0)
    dip = lambda c, depth: depth * np.exp(-0.5 * ((phase - c) / 0.03) ** 2)  # noqa: E731
    mag = 11 + dip(0.25, 0.8) + dip(0.75, 0.3) + rng.normal(0, 0.01, t.size)
    at_half, at_true = _features(
        [_curve(t, mag), _curve(t, mag)], [true_period / 2, true_period]
    )
    assert at_half[COL["double_period_gain"]] > 0.5
    assert abs(at_true[COL["double_period_gain"]]) < 0.1
    # an eclipsing binary spends most of its cycle near maximum light
    assert at_true[COL["bright_fraction"]] > 0.7


def test_degenerate_stars_get_finite_rows_and_existing_features_stay_first():
    t = np.arange(30.0)
    constant = _curve(t, np.full(30, 10.0))
    few = _curve(t[:5], 10 + np.arange(5.0) * 0.1)
    X = LightCurves.from_arrays(
        [constant, few, few], period=[2.0, 2.0, np.nan], features=[[7.0], [8], [9]]
    )
    F = LightCurveFeatures().fit_transform(X).features
    assert F.shape == (3, 1 + len(FEATURE_NAMES))
    assert np.isfinite(F).all()
    assert_allclose(F[:, 0], [7, 8, 9])
    shape = [1 + COL["fourier_var_explained"], 1 + COL["R21"]]
    assert_allclose(F[:, shape], 0.0)  # no fit: too few points, no period
    assert F[1, 1 + COL["log10_amplitude"]] == F[2, 1 + COL["log10_amplitude"]]


def test_period_search_results_are_passed_on():
    t = np.sort(np.random.default_rng(3).uniform(0, 60, 200))
    X = LightCurves.from_arrays([_curve(t, 12 + np.sin(2 * np.pi * t / 0.9))])
    folded = PhaseFolder().fit_transform(X)
    F = LightCurveFeatures().fit_transform(folded).features[0]
    assert_allclose(F[COL["period_power"]], folded.period_power[0])
    assert F[COL["period_alias"]] == float(folded.period_flag[0])


def test_refuses_segmented_input():
    t = np.arange(60.0)
    X = SequenceSegmenter(n_obs=20).fit_transform(
        LightCurves.from_arrays([_curve(t, np.sin(t))], period=[3.0])
    )
    with pytest.raises(ValueError, match="before SequenceSegmenter"):
        LightCurveFeatures().fit_transform(X)
