"""One test per row of the bad-input table in docs/user_guide.rst."""

import numpy as np
import pytest
import scipy.sparse as sp
from skorch.dataset import ValidSplit

from skdualnet import (
    DualNetClassifier,
    LightCurves,
    Normalizer,
    PhaseFolder,
    SequenceSegmenter,
)
from skdualnet._persistence import load_model
from skdualnet.datasets import make_light_curves, read_asassn_lightcurve

from .conftest import TINY_NET


def _curve(n=60, seed=0, period=0.7):
    rng = np.random.default_rng(seed)
    t = np.sort(rng.uniform(0, 200, n))
    mag = 12 + 0.4 * np.sin(2 * np.pi * t / period) + rng.normal(0, 0.02, n)
    return np.c_[t, mag, np.full(n, 0.02)]


def _front(X, n_obs=30):
    X = PhaseFolder().fit_transform(X)
    return Normalizer().fit_transform(SequenceSegmenter(n_obs=n_obs).fit_transform(X))


def test_row_nan_or_inf_in_time_or_magnitude_drops_the_observation():
    c = _curve()
    c[3, 0], c[7, 1], c[9, 1] = np.nan, np.inf, -np.inf
    X = LightCurves.from_arrays([c])
    assert len(X.curves[0]) == 57
    assert np.isfinite(_front(X).sequences[0]).all()
    with pytest.raises(ValueError, match="star 0.*no observation"):
        LightCurves.from_arrays([np.full((5, 3), np.nan)])


def test_row_bad_errors_become_the_median_error():
    c = _curve()
    c[:3, 2] = [0.0, -1.0, np.nan]
    np.testing.assert_allclose(LightCurves.from_arrays([c]).curves[0][:, 2], 0.02)


def test_row_unsorted_times_are_sorted_and_duplicates_kept():
    c = _curve()
    c = np.r_[c, c[:5]][::-1]
    out = LightCurves.from_arrays([c]).curves[0]
    assert len(out) == 65 and np.all(np.diff(out[:, 0]) >= 0)


@pytest.mark.parametrize("bad", [0.0, -3.0, np.nan, np.inf, None])
def test_row_invalid_or_missing_period_is_estimated(bad):
    X = LightCurves.from_arrays([_curve()], period=[bad])
    assert np.isnan(X.period[0])
    assert abs(PhaseFolder().fit_transform(X).period[0] - 0.7) < 1e-3
    with pytest.raises(ValueError, match="star 0"):
        PhaseFolder(estimate="never").fit_transform(X)


def test_row_constant_magnitudes_give_finite_zero_sequences():
    c = _curve()
    c[:, 1] = 13.0
    out = _front(LightCurves.from_arrays([c]))
    assert np.all(out.sequences[0][:, :, 1] == 0)
    assert np.isfinite(out.aux[0]).all() and np.allclose(out.aux[0][:, 1], -3)


def test_row_too_short_star_is_named():
    X = LightCurves.from_arrays(
        [_curve(), _curve(n=4)], period=[0.7, 0.7], ids=["ok", "tiny"]
    )
    with pytest.raises(ValueError, match=r"star 1 \(id 'tiny'\).*min_obs"):
        SequenceSegmenter().fit_transform(PhaseFolder().fit_transform(X))
    # too few points for a period search: named too
    with pytest.raises(ValueError, match=r"star 1 \(id 'tiny'\).*period"):
        PhaseFolder(estimate="always").fit_transform(X)


@pytest.mark.parametrize(
    "X, error, match",
    [
        ([np.ones((5, 4))], ValueError, r"star 0.*shape"),
        ([[["a", "b", "c"]] * 3], ValueError, "not numeric"),
        (
            np.array([[1.0, 2.0, 3.0, 4.0], [1.0, "a", 3.0, 4.0]], dtype=object),
            ValueError,
            "star 1: light curve is not numeric",
        ),
        ([], ValueError, "minimum of 1"),
        (np.ones(5), ValueError, "Reshape your data"),
        (sp.csr_matrix(np.ones((3, 3))), TypeError, "Sparse"),
        (np.ones((3, 4)) * 1j, ValueError, "Complex"),
        ([np.ones((4, 3)) * 1j], ValueError, "star 0: complex"),
        # one star's curve without the surrounding list
        (
            np.c_[np.arange(30.0), np.sin(np.arange(30.0)), np.full(30, 0.1)],
            ValueError,
            r"\(30, 3\).*pass it inside a list",
        ),
    ],
)
def test_row_malformed_input_raises(X, error, match):
    with pytest.raises(error, match=match):
        LightCurves.from_arrays(X)
    with pytest.raises(error, match=match):
        PhaseFolder().fit_transform(X)


@pytest.fixture(scope="module")
def small_set():
    X, y = make_light_curves(
        n_per_class=8, classes=["EB", "M"], n_obs=(30, 40), random_state=0
    )
    return _front(X), y


def test_row_single_class_in_y(small_set):
    X, y = small_set
    with pytest.raises(ValueError, match="one class only"):
        DualNetClassifier(**TINY_NET).fit(X, np.full(len(y), "EB"))


def test_row_too_few_stars_for_a_validation_split(small_set):
    X, y = small_set
    y = y.copy()
    y[0] = "RRAB"  # one star: a stratified split cannot hold it out
    clf = DualNetClassifier(
        **{**TINY_NET, "max_epochs": 1}, train_split=ValidSplit(0.2, stratified=True)
    )
    with pytest.raises(ValueError, match="validation split failed.*train_split=None"):
        clf.fit(X, y)


def test_row_labels_unseen_at_fit_are_the_novelty_case(small_set):
    X, y = small_set
    clf = DualNetClassifier(**{**TINY_NET, "max_epochs": 1, "train_split": None})
    clf.fit(X, y)
    Xv, yv = make_light_curves(
        n_per_class=3,
        classes=[],
        novel_classes=["VAR"],
        n_obs=(30, 40),
        random_state=1,
    )
    Xv = _front(Xv)
    assert set(clf.predict(Xv)) <= set(clf.classes_)  # no error
    assert clf.score(Xv, yv) == 0.0  # an unseen label is simply never predicted
    assert clf.predict_novelty(Xv).dtype == bool


def test_row_corrupt_csv_names_the_file(tmp_path):
    path = tmp_path / "star.csv"
    path.write_text(
        "HJD,UT Date,Camera,FWHM,Limit,mag,mag_err,flux(mJy),flux_err\n"
        "2457000.1,2015-01-01,bd,1.5,17.2,13.1\n"
    )
    with pytest.raises(ValueError, match="star.csv"):
        read_asassn_lightcurve(path)


def test_row_corrupt_model_file(tmp_path):
    path = tmp_path / "m.skdn"
    path.write_bytes(b"\x80\x05garbage")
    with pytest.raises(ValueError, match="not a readable skdualnet model"):
        load_model(path)


def test_row_non_finite_training_loss(small_set):
    X, y = small_set
    with pytest.raises(FloatingPointError, match="Non-finite training loss"):
        DualNetClassifier(**{**TINY_NET, "lr": 1e30, "train_split": None}).fit(X, y)
