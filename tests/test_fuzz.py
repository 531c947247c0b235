"""Property-based tests: random ragged light curves through the front end."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from skdualnet import LightCurves, Normalizer, PhaseFolder, SequenceSegmenter

values = st.floats(-1e4, 1e4) | st.sampled_from([np.nan, np.inf, -np.inf, 0.0])


@st.composite
def ragged_curves(draw):
    n_stars = draw(st.integers(1, 4))
    curves = []
    for _ in range(n_stars):
        n = draw(st.integers(0, 40))
        curves.append(draw(arrays(np.float64, (n, 3), elements=values)))
    period = draw(
        st.lists(
            st.floats(-5, 50) | st.just(np.nan), min_size=n_stars, max_size=n_stars
        )
    )
    ids = draw(st.none() | st.just([f"id-{i}" for i in range(n_stars)]))
    return curves, period, ids


def _repaired(curve):
    """The documented repairs: drop non-finite t or mag, fix bad errors."""
    curve = curve[np.isfinite(curve[:, 0]) & np.isfinite(curve[:, 1])]
    err = curve[:, 2]
    bad = ~np.isfinite(err) | (err <= 0)
    curve = curve.copy()
    curve[bad, 2] = np.median(err[~bad]) if (~bad).any() else 1.0
    return curve[np.argsort(curve[:, 0], kind="stable")]


def _period_search_problem(curve, min_period=0.05, max_period=1000.0):
    """Why estimate_period rejects a repaired curve (None: it does not)."""
    if len(curve) < 5:
        return "need at least 5 observations"
    with np.errstate(divide="ignore", over="ignore"):
        w = 1.0 / curve[:, 2] ** 2
        if not (np.isfinite(w).all() and np.isfinite(w.sum())):
            return "magnitude errors give non-finite weights"
    baseline = np.ptp(curve[:, 0])
    if not baseline > 0:
        return "all observations are at the same time (zero baseline)"
    if not min(max_period, baseline) > min_period:
        return f"min_period ({min_period}) must be below the time baseline"
    return None


def expected_error(curves, period, ids):
    """(star, message start, problem) of the first error, or None.

    The stages run in order (reading, period search for the stars without a
    valid period, segmentation with min_obs=2); each names the first star
    of its own that fails.
    """

    def name(i):
        return f"star {i}" if ids is None else f"star {i} (id 'id-{i}')"

    for i, curve in enumerate(curves):
        if not (np.isfinite(curve[:, 0]) & np.isfinite(curve[:, 1])).any():
            return name(i), "no observation with a finite time and magnitude"
    repaired = [_repaired(c) for c in curves]
    for i, (curve, p) in enumerate(zip(repaired, period)):
        if np.isfinite(p) and p > 0:
            continue
        problem = _period_search_problem(curve)
        if problem is not None:
            return name(i), f"cannot estimate a period ({problem}"
    for i, curve in enumerate(repaired):
        if len(curve) < 2:
            return name(i), f"{len(curve)} usable observation(s), fewer than min_obs=2"
    return None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ragged_curves(), st.integers(2, 16))
def test_front_end_repairs_or_raises_naming_the_star_and_problem(data, n_obs):
    curves, period, ids = data
    expected = expected_error(curves, period, ids)
    try:
        X = LightCurves.from_arrays(curves, period=period, ids=ids)
        folded = PhaseFolder().fit_transform(X)
        X = SequenceSegmenter(n_obs=n_obs, min_obs=2).fit_transform(folded)
        X = Normalizer().fit_transform(X)
    except ValueError as exc:
        assert expected is not None, f"unexpected error: {exc}"
        star, problem = expected
        assert str(exc).startswith(f"{star}: {problem}"), (str(exc), expected)
        return
    assert expected is None, f"no error, expected {expected}"
    assert len(X) == len(curves)
    for i in range(len(X)):
        assert np.all(np.isfinite(X.sequences[i])) and np.all(np.isfinite(X.aux[i]))
        assert X.sequences[i].shape[1:] == (n_obs, 3)
        assert X.mask[i].any(axis=1).all()
        assert np.isfinite(X.period[i]) and X.period[i] > 0
        phase = folded.phase[i]
        assert np.all((phase >= 0) & (phase <= 1))
