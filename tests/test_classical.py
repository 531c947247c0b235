"""ClassicalFeatures: the light-curve package's statistics and Fourier shape."""

import numpy as np
import pytest

pytest.importorskip("light_curve")

from skdualnet import ClassicalFeatures, LightCurves, PhaseFolder  # noqa: E402
from skdualnet._classical import classical_feature_table  # noqa: E402


def _sine_star(amplitude=1.0, n=300, period=2.5, seed=0):
    rng = np.random.default_rng(seed)
    t = np.sort(rng.uniform(0, 100, n))
    mag = 12 + amplitude * np.sin(2 * np.pi * t / period) + rng.normal(0, 0.01, n)
    return np.c_[t, mag, np.full(n, 0.01)]


def test_known_answers_of_a_pure_sine():
    X = LightCurves.from_arrays([_sine_star()], period=[2.5])
    Xf = ClassicalFeatures().fit_transform(X)
    names = list(ClassicalFeatures().fit(X).feature_names_)
    row = dict(zip(names, Xf.head_features[0]))
    assert Xf.head_features.shape == (1, 62) and len(names) == 62
    assert Xf.features is None  # the network's inputs are untouched
    assert row["log10_period"] == pytest.approx(np.log10(2.5))
    assert row["fourier_P_A1"] == pytest.approx(1.0, abs=0.01)  # the amplitude
    assert row["fourier_P_R21"] < 0.02  # no second harmonic
    assert row["fourier_P_chi2_reduction"] > 0.999
    assert row["amplitude"] == pytest.approx(1.0, abs=0.05)  # half the range


def test_missing_features_take_the_training_medians():
    short = _sine_star(n=8, seed=3)  # too few points for the Fourier fits
    X_train = LightCurves.from_arrays(
        [_sine_star(a, seed=i) for i, a in enumerate((0.5, 1.0, 2.0))],
        period=[2.5] * 3,
    )
    step = ClassicalFeatures().fit(X_train)
    X_new = LightCurves.from_arrays([short], period=[2.5])
    raw, names = classical_feature_table(X_new)
    assert np.isnan(raw).any()  # the star really lacks some features
    out = step.transform(X_new).head_features[0]
    missing = np.isnan(raw[0])
    np.testing.assert_array_equal(out[missing], step.medians_[missing])
    np.testing.assert_array_equal(out[~missing], raw[0][~missing])
    assert np.isfinite(out).all()


@pytest.mark.parametrize("to", ["head", "network"])
def test_features_are_appended_where_asked(to):
    X = LightCurves.from_arrays(
        [_sine_star(seed=1), _sine_star(seed=2)],
        period=[2.5, 2.5],
        features=[[1.0], [2.0]],
    )
    Xf = ClassicalFeatures(to=to).fit_transform(X)
    expected = ClassicalFeatures().fit_transform(X).head_features
    if to == "network":  # after the existing extra features
        assert Xf.head_features is None
        np.testing.assert_array_equal(Xf.features[:, 0], [1.0, 2.0])
        np.testing.assert_array_equal(Xf.features[:, 1:], expected)
    else:
        np.testing.assert_array_equal(Xf.features, [[1.0], [2.0]])
        np.testing.assert_array_equal(Xf.head_features, expected)
    # carried through the front end and star subsets
    from skdualnet import Normalizer, SequenceSegmenter

    Xn = Normalizer().fit_transform(
        SequenceSegmenter(n_obs=50).fit_transform(PhaseFolder().fit_transform(Xf))
    )
    np.testing.assert_array_equal(Xn[[1]].head_features, Xf[[1]].head_features)
    assert Xn.aux[0].shape[1] == 3 + Xf.features.shape[1]


def test_no_period_and_segmented_curves_raise():
    X = LightCurves.from_arrays([_sine_star()], ids=["star-A"])
    with pytest.raises(ValueError, match="star-A.*no period.*PhaseFolder"):
        ClassicalFeatures().fit(X)
    from skdualnet import SequenceSegmenter

    folded = PhaseFolder().fit_transform(X)
    segmented = SequenceSegmenter(n_obs=50).fit_transform(folded)
    with pytest.raises(ValueError, match="before SequenceSegmenter"):
        ClassicalFeatures().fit(segmented)
