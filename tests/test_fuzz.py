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
    return curves, period


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ragged_curves(), st.integers(2, 16))
def test_front_end_repairs_or_raises_named_value_error(data, n_obs):
    curves, period = data
    try:
        X = LightCurves.from_arrays(curves, period=period)
        X = PhaseFolder().fit_transform(X)
        X = SequenceSegmenter(n_obs=n_obs, min_obs=2).fit_transform(X)
        X = Normalizer().fit_transform(X)
    except ValueError as exc:
        assert "star" in str(exc) or "minimum" in str(exc), str(exc)
        return
    assert len(X) == len(curves)
    for i in range(len(X)):
        assert np.all(np.isfinite(X.segments[i])) and np.all(np.isfinite(X.aux[i]))
        assert X.segments[i].shape[1:] == (n_obs, 3)
        assert X.mask[i].any(axis=1).all()
        assert np.isfinite(X.period[i]) and X.period[i] > 0
        phase = X.phase[i]
        assert np.all((phase >= 0) & (phase <= 1))
