"""The X contract: LightCurves construction, repairs, errors and indexing."""

import numpy as np
import pytest
from sklearn.model_selection import StratifiedKFold, train_test_split

from skdualnet import LightCurves


def _curve(n, period=1.0, seed=0):
    rng = np.random.default_rng(seed)
    t = np.sort(rng.uniform(0, 100, n))
    return np.c_[t, 12 + np.sin(2 * np.pi * t / period), np.full(n, 0.05)]


def test_from_arrays_keeps_stars_periods_features_and_ids():
    curves = [_curve(20 + i, seed=i) for i in range(5)]
    X = LightCurves.from_arrays(
        curves,
        period=[1, 2, 3, 4, 5],
        features=np.arange(10.0).reshape(5, 2),
        ids=list("abcde"),
    )
    assert len(X) == 5 and X.shape == (5,)
    sub = X[np.array([4, 1])]
    assert isinstance(sub, LightCurves)
    np.testing.assert_array_equal(sub.period, [5, 2])
    np.testing.assert_array_equal(sub.features, [[8, 9], [2, 3]])
    assert list(sub.ids) == ["e", "b"]
    assert len(sub.curves[0]) == 24
    assert len(X[1:3]) == 2 and len(X[np.array([True, False] * 2 + [True])]) == 3


def test_sklearn_splitters_keep_periods_attached():
    curves = [_curve(20, seed=i) for i in range(20)]
    period = np.arange(1.0, 21.0)
    y = np.repeat([0, 1], 10)
    X = LightCurves.from_arrays(curves, period=period)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=0)
    assert isinstance(X_tr, LightCurves) and len(X_tr) + len(X_te) == 20
    # each star's period still belongs to its own curve
    for Xs in (X_tr, X_te):
        for c, p in zip(Xs.curves, Xs.period):
            i = int(p) - 1
            np.testing.assert_array_equal(c, X.curves[i])
    for train, test in StratifiedKFold(4).split(np.zeros(20), y):
        assert len(X[train]) == 15


def test_repairs_are_documented_and_applied():
    c = _curve(10)
    c[3, 1] = np.nan  # dropped
    c[4, 0] = np.inf  # dropped
    c[5, 2] = 0.0  # replaced by the median error
    c[6, 2] = -1.0
    c = c[::-1]  # unsorted -> sorted
    X = LightCurves.from_arrays([c], period=[-2.0])
    out = X.curves[0]
    assert len(out) == 8
    assert np.all(np.diff(out[:, 0]) >= 0)
    np.testing.assert_allclose(out[:, 2], 0.05)
    assert np.isnan(X.period[0])  # a negative period becomes unknown


@pytest.mark.parametrize(
    "curves, kwargs, match",
    [
        ([np.ones((5, 2))], {}, r"star 0.*shape \(n_obs, 3\)"),
        ([np.ones((5, 3)), np.full((4, 3), np.nan)], {}, "star 1.*no observation"),
        ([np.ones((5, 3))], {"period": [1, 2]}, "period must have one entry"),
        ([np.ones((5, 3))], {"features": [[np.nan]]}, "star 0.*NaN or inf"),
        ([], {}, "minimum of 1"),
        ([[["a", "b", "c"]]], {}, "not numeric"),
        (
            [np.ones((5, 3))] * 2,
            {"ids": ["x", "y"], "features": [[1], [np.inf]]},
            "id 'y'",
        ),
    ],
)
def test_bad_input_raises_value_error_naming_the_star(curves, kwargs, match):
    with pytest.raises(ValueError, match=match):
        LightCurves.from_arrays(curves, **kwargs)


def test_two_and_three_d_arrays():
    X2 = LightCurves.from_arrays(np.arange(12.0).reshape(3, 4))
    assert len(X2) == 3
    np.testing.assert_allclose(X2.curves[0][:, 0], [0, 0.25, 0.5, 0.75])
    np.testing.assert_array_equal(X2.period, 1.0)
    X3 = LightCurves.from_arrays(np.ones((2, 5, 3)))
    assert len(X3) == 2 and np.isnan(X3.period).all()
