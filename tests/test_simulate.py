"""Tests of the light-curve simulator ``make_light_curves``."""

import re
from collections import Counter

import numpy as np
import pytest
from scipy.signal import lombscargle
from scipy.stats import skew
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import confusion_matrix
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from skdualnet.datasets import make_light_curves

EIGHT = ["CEP", "DSCT", "EB", "M", "ROT", "RRAB", "RRCD", "SR"]

# The period ranges (days) documented in the module docstring's table.
PERIOD_RANGE = {
    "CEP": (1.0, 50.0),
    "DSCT": (0.03, 0.25),
    "EB": (0.22, 20.0),
    "M": (100.0, 600.0),
    "ROT": (1.0, 30.0),
    "RRAB": (0.45, 0.9),
    "RRCD": (0.2, 0.45),
    "SR": (20.0, 300.0),
    "VAR": (1.0, 300.0),
    "BCEP": (0.1, 0.3),
}


@pytest.fixture(scope="module")
def sample():
    """40 stars of each class, known and novel, short curves, with features."""
    return make_light_curves(
        40,
        novel_classes=["VAR", "BCEP"],
        n_obs=(20, 40),
        features=True,
        random_state=0,
    )


def _assert_same(a, b):
    (Xa, ya), (Xb, yb) = a, b
    np.testing.assert_array_equal(ya, yb)
    np.testing.assert_array_equal(Xa.ids, Xb.ids)
    np.testing.assert_array_equal(Xa.period, Xb.period)
    assert len(Xa.curves) == len(Xb.curves)
    for ca, cb in zip(Xa.curves, Xb.curves):
        np.testing.assert_array_equal(ca, cb)


def test_deterministic_under_random_state():
    kw = {"n_per_class": 3, "novel_classes": ["VAR"], "n_obs": (20, 30)}
    first = make_light_curves(**kw, features=True, random_state=7)
    second = make_light_curves(**kw, features=True, random_state=7)
    _assert_same(first, second)
    np.testing.assert_array_equal(first[0].features, second[0].features)
    # A RandomState instance is used as is, and global seeds are not touched.
    np.random.seed(0)
    before = np.random.get_state()[1].copy()
    third = make_light_curves(**kw, random_state=np.random.RandomState(7))
    _assert_same(first, third)
    np.testing.assert_array_equal(np.random.get_state()[1], before)
    other = make_light_curves(**kw, random_state=8)
    assert not np.array_equal(first[0].curves[0], other[0].curves[0])


def test_flags_do_not_change_the_curves():
    kw = {"n_per_class": 2, "n_obs": 25, "random_state": 3}
    base = make_light_curves(**kw)
    no_period = make_light_curves(**kw, period_known=False)
    with_features = make_light_curves(**kw, features=True)
    for other in (no_period, with_features):
        np.testing.assert_array_equal(base[1], other[1])
        for ca, cb in zip(base[0].curves, other[0].curves):
            np.testing.assert_array_equal(ca, cb)
    assert np.isnan(no_period[0].period).all()
    assert np.isfinite(base[0].period).all()
    assert base[0].features is None


def test_shapes_labels_counts():
    X, y = make_light_curves(3, n_obs=(30, 50), random_state=0)
    assert len(X) == len(y) == 24
    assert isinstance(y, np.ndarray) and y.dtype.kind == "U"
    assert Counter(y) == dict.fromkeys(EIGHT, 3)
    assert len(set(X.ids)) == 24
    for curve, label, star_id in zip(X.curves, y, X.ids):
        assert curve.ndim == 2 and curve.shape[1] == 3
        assert 30 <= len(curve) <= 50
        assert np.all(np.diff(curve[:, 0]) >= 0)
        assert re.fullmatch(rf"SIM-{label}-\d{{4}}", star_id)
    assert sorted(i for i in X.ids if "-RRAB-" in i) == [
        "SIM-RRAB-0000",
        "SIM-RRAB-0001",
        "SIM-RRAB-0002",
    ]


def test_counts_as_dict_and_fixed_n_obs():
    X, y = make_light_curves(
        {"RRAB": 4, "M": 1, "VAR": 2}, novel_classes=["VAR"], n_obs=40, random_state=0
    )
    assert Counter(y) == {"RRAB": 4, "M": 1, "VAR": 2}
    assert {len(c) for c in X.curves} == {40}
    X, y = make_light_curves(2, classes=["EB"], random_state=0)
    assert list(y) == ["EB", "EB"]


def test_values_finite_and_errors_positive(sample):
    X, _ = sample
    for t, mag, err in (c.T for c in X.curves):
        assert np.isfinite(t).all() and np.isfinite(mag).all()
        assert np.isfinite(err).all() and (err > 0).all()
        assert t.min() > 2456000 and t.max() < 2458460  # ASAS-SN V-band era
        assert 365 < np.ptp(t) < 6 * 366  # several years (fewer for few points)
        assert 9.0 < np.median(mag) < 18.0


def test_noise_model_magnitude_dependent():
    """Reported errors follow sigma(V): ~0.01 at V = 11, ~0.15 at V = 17."""
    X, _ = make_light_curves(30, classes=["RRAB", "EB"], n_obs=100, random_state=1)
    pts = np.concatenate(X.curves)
    bright = pts[np.abs(pts[:, 1] - 11.0) < 0.3, 2]
    faint = pts[np.abs(pts[:, 1] - 17.0) < 0.3, 2]
    assert bright.size > 50 and faint.size > 50
    assert 0.007 < np.median(bright) < 0.02
    assert 0.1 < np.median(faint) < 0.22


@pytest.mark.parametrize("cls", sorted(PERIOD_RANGE))
def test_periods_within_documented_ranges(sample, cls):
    X, y = sample
    low, high = PERIOD_RANGE[cls]
    period = X.period[y == cls]
    assert period.size == 40
    assert np.all((period >= low) & (period <= high))
    # Spread over the range, not one value.
    assert np.log10(period.max() / period.min()) > 0.1 * np.log10(high / low)


def test_novel_classes_present_only_when_requested(sample):
    _, y = sample
    assert Counter(y)["VAR"] == 40 and Counter(y)["BCEP"] == 40
    _, y = make_light_curves(2, n_obs=20, random_state=0)
    assert not {"VAR", "BCEP"} & set(y)


def test_features_shape_and_plausible_loci(sample):
    X, y = sample
    assert X.features.shape == (len(y), 3)
    assert np.isfinite(X.features).all()
    mean = {c: X.features[y == c].mean(axis=0) for c in set(y)}
    m_g, bp_rp, w_rp = 0, 1, 2
    # Miras and semi-regulars are red giants; BCEP stars are blue; RR Lyrae sit
    # near M_G ~ 0.6; Cepheids are more luminous than RR Lyrae.
    assert mean["M"][bp_rp] > 2.0 and mean["SR"][bp_rp] > 1.8
    assert mean["BCEP"][bp_rp] < 0.3
    assert 0.2 < mean["RRAB"][m_g] < 1.3
    assert mean["CEP"][w_rp] < mean["RRAB"][w_rp] - 2.0


def test_mira_amplitudes_are_large():
    X, y = make_light_curves(20, classes=["M", "ROT"], n_obs=200, random_state=0)
    amp = np.array([np.ptp(np.percentile(c[:, 1], [5, 95])) for c in X.curves])
    assert np.all(amp[y == "M"] > 2.0)
    assert np.median(amp[y == "ROT"]) < 0.5


def test_lomb_scargle_recovers_rrab_period():
    X, y = make_light_curves(4, classes=["RRAB"], n_obs=300, random_state=2)
    # The star with the largest amplitude-to-noise ratio.
    snr = [np.std(c[:, 1]) / np.median(c[:, 2]) for c in X.curves]
    i = int(np.argmax(snr))
    t, mag, _ = X.curves[i].T
    t = t - t[0]

    def peak(freq):  # freq in cycles per day
        power = lombscargle(t, mag, 2 * np.pi * freq, floating_mean=True)
        return freq[np.argmax(power)]

    # A grid fine enough to sample every peak (width ~ 1 / baseline ~ 7e-4 / d),
    # then a much finer one around the best peak.
    coarse = peak(np.arange(1 / 0.95, 1 / 0.44, 1e-4))
    best = 1 / peak(np.arange(coarse - 2e-4, coarse + 2e-4, 1e-6))
    assert best == pytest.approx(X.period[i], rel=2e-4)


def test_classes_learnable_but_overlapping():
    """A forest on (log P, amplitude, skewness): good, not perfect, and wrong
    only where the documented period ranges overlap."""
    X, y = make_light_curves(30, n_obs=(100, 150), random_state=0)
    mags = [c[:, 1] for c in X.curves]
    stats = np.c_[
        np.log10(X.period),
        [np.ptp(np.percentile(m, [5, 95])) for m in mags],
        [skew(m) for m in mags],
    ]
    forest = RandomForestClassifier(n_estimators=30, random_state=0)
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    pred = cross_val_predict(forest, stats, y, cv=cv)
    by_period = cross_val_predict(forest, stats[:, :1], y, cv=cv)
    accuracy = np.mean(pred == y)
    assert 0.7 < accuracy < 0.95  # chance is 1/8; overlapping, so not ~1
    # the shape statistics carry class information beyond the period
    assert accuracy > np.mean(by_period == y) + 0.1
    cm = confusion_matrix(y, pred, labels=EIGHT)
    recall = dict(zip(EIGHT, np.diag(cm) / cm.sum(1)))
    assert recall["M"] >= 0.9  # 100-600 d and > 2 mag: unmistakable
    # contact binaries and RRc stars share periods and amplitudes
    eb, rrc = EIGHT.index("EB"), EIGHT.index("RRCD")
    assert cm[eb, rrc] + cm[rrc, eb] >= 4
    for i, j in zip(*np.nonzero(cm)):
        (lo_i, hi_i), (lo_j, hi_j) = PERIOD_RANGE[EIGHT[i]], PERIOD_RANGE[EIGHT[j]]
        assert lo_i <= hi_j and lo_j <= hi_i, (EIGHT[i], EIGHT[j], cm[i, j])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"classes": ["RRL"]}, "Unknown classes"),
        ({"novel_classes": ["RRAB"]}, "repeat a class"),
        ({"n_obs": (50, 20)}, "n_obs"),
        ({"n_obs": "many"}, "n_obs"),
        ({"n_per_class": -1}, "n_per_class"),
        ({"n_per_class": {"RRAB": 2}, "classes": ["RRAB", "M"]}, "missing"),
        ({"n_per_class": 0}, "no star"),
    ],
)
def test_invalid_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_light_curves(**kwargs)
