"""PhaseFolder, SequenceSegmenter and Normalizer: known answers and contracts."""

import numpy as np
import pytest

from skdualnet import (
    FoldedCurves,
    LightCurves,
    NormalizedSequences,
    Normalizer,
    PhaseFolder,
    SegmentedCurves,
    SequenceSegmenter,
    make_front_end,
)


def test_phase_folder_known_answer():
    period = 2.5
    rng = np.random.default_rng(0)
    phase = rng.uniform(0, 1, 40)
    k = rng.integers(0, 100, 40)
    t = k * period + phase * period
    order = np.argsort(t)
    X = LightCurves.from_arrays([np.c_[t, phase, phase + 1][order]], period=[period])
    out = PhaseFolder().fit_transform(X)
    np.testing.assert_allclose(out.phase[0], phase[order], atol=1e-9)
    assert isinstance(out, FoldedCurves) and len(out) == 1


def test_phase_folder_estimates_missing_periods_only():
    rng = np.random.default_rng(1)
    t = np.sort(rng.uniform(0, 300, 150))
    true = 0.7
    mag = 12 + 0.5 * np.sin(2 * np.pi * t / true) + rng.normal(0, 0.02, t.size)
    curve = np.c_[t, mag, np.full(t.size, 0.02)]
    X = LightCurves.from_arrays([curve, curve], period=[np.nan, 3.0])
    out = PhaseFolder().fit_transform(X)
    assert abs(out.period[0] - true) / true < 1e-3
    assert out.period[1] == 3.0  # a catalogue period is kept
    assert out.period_power[0] > 0.5 and not out.period_flag[0]
    again = PhaseFolder(estimate="always").fit_transform(X)
    assert abs(again.period[1] - true) / true < 1e-3


def test_phase_folder_never_names_the_star():
    X = LightCurves.from_arrays(
        [np.ones((20, 3))] * 2, period=[1.0, 0.0], ids=["a", "b"]
    )
    with pytest.raises(ValueError, match=r"star 1 \(id 'b'\)"):
        PhaseFolder(estimate="never").fit_transform(X)


def _raw(n, period=None):
    t = np.arange(n, dtype=float) * 1.37
    return LightCurves.from_arrays(
        [np.c_[t, np.sin(t), np.full(n, 0.1)]],
        period=None if period is None else [period],
    )


@pytest.mark.parametrize(
    "remainder, n, expected_lengths",
    [
        ("overlap", 250, [100, 100, 100]),
        ("pad", 250, [100, 100, 50]),
        ("drop", 250, [100, 100]),
        ("overlap", 200, [100, 100]),
        ("overlap", 40, [40]),  # short curve: one padded sequence
        ("pad", 205, [100, 100]),  # remainder below min_obs is not kept
    ],
)
def test_segmenter_remainder_policies(remainder, n, expected_lengths):
    X = PhaseFolder().fit_transform(_raw(n, period=3.0))
    out = SequenceSegmenter(n_obs=100, remainder=remainder).fit_transform(X)
    assert len(out) == 1
    assert out.mask[0].sum(1).tolist() == expected_lengths
    assert out.segments[0].shape == (len(expected_lengths), 100, 3)
    for seg, m in zip(out.segments[0], out.mask[0]):
        assert np.all(np.diff(seg[m, 0]) >= 0)  # sorted by phase
        assert np.all(m[: m.sum()]) and not np.any(m[m.sum() :])  # pad at end


def test_segmenter_overlap_uses_last_observations():
    X = PhaseFolder().fit_transform(_raw(250, period=3.0))
    out = SequenceSegmenter(n_obs=100).fit_transform(X)
    last = np.sort(X.curves[0][150:, 1])
    np.testing.assert_allclose(np.sort(out.segments[0][2, :, 1]), last, rtol=1e-6)


@pytest.mark.parametrize(
    "remainder, starts, lengths",
    [
        ("overlap", [0, 40, 80, 120, 150], [100] * 5),
        ("pad", [0, 40, 80, 120, 160], [100] * 4 + [90]),
        ("drop", [0, 40, 80, 120], [100] * 4),
    ],
)
def test_segmenter_stride_gives_overlapping_sequences(remainder, starts, lengths):
    t = np.arange(250.0)
    X = SequenceSegmenter(n_obs=100, stride=40, remainder=remainder).fit_transform(
        [np.c_[t, t, t * 0 + 1]]
    )
    seg, mask = X.segments[0], X.mask[0]
    assert mask.sum(1).tolist() == lengths
    # unfolded: the first column is the time since each sequence's start and
    # the magnitude (= time here) says where the sequence starts
    assert seg[:, 0, 1].tolist() == starts
    for k, (s0, n) in enumerate(zip(starts, lengths, strict=True)):
        np.testing.assert_array_equal(seg[k, :n, 1], np.arange(s0, s0 + n))
    # the default stride is n_obs: the sequences of the paper
    default = SequenceSegmenter(n_obs=100).fit_transform([np.c_[t, t, t * 0 + 1]])
    same = SequenceSegmenter(n_obs=100, stride=100).fit_transform(
        [np.c_[t, t, t * 0 + 1]]
    )
    np.testing.assert_array_equal(default.segments[0], same.segments[0])


def test_segmenter_unfolded_keeps_time_order():
    out = SequenceSegmenter(n_obs=50).fit_transform(_raw(50))
    np.testing.assert_allclose(
        out.segments[0][0, :, 0], np.arange(50) * 1.37, rtol=1e-6
    )


def test_segmenter_too_short_names_star_and_max_segments():
    with pytest.raises(ValueError, match="star 0.*min_obs=10"):
        SequenceSegmenter().fit_transform(_raw(5))
    out = SequenceSegmenter(n_obs=10, max_segments=3).fit_transform(_raw(100))
    assert out.segments[0].shape[0] == 3


def test_normalizer_mean_zero_std_one_and_scaled_errors():
    rng = np.random.default_rng(3)
    curves = [
        np.c_[
            np.sort(rng.uniform(0, 50, 80)), rng.normal(14, 0.3, 80), np.full(80, 0.06)
        ]
        for _ in range(3)
    ]
    X = LightCurves.from_arrays(curves, period=[0.9, 1.9, 4.0])
    seg = SequenceSegmenter(n_obs=30, remainder="pad").fit_transform(
        PhaseFolder().fit_transform(X)
    )
    out = Normalizer().fit_transform(seg)
    for i in range(3):
        for k, (s, m) in enumerate(zip(out.sequences[i], out.mask[i])):
            x = s[m, 1]
            raw = seg.segments[i][k][m, 1].astype(float)
            assert abs(x.mean()) < 1e-5 and abs(x.std() - 1) < 1e-4
            np.testing.assert_allclose(s[m, 2], 0.06 / raw.std(), rtol=1e-4)
            np.testing.assert_allclose(
                out.aux[i][k, :2], [raw.mean(), np.log10(raw.std())], rtol=1e-5
            )
            assert s[0, 0] == 0 and np.all(s[m, 0] >= 0)  # lags
            np.testing.assert_allclose(
                np.cumsum(s[m, 0]),
                seg.segments[i][k][m, 0] - seg.segments[i][k][0, 0],
                atol=1e-6,
            )
            assert np.all(s[~m, 1] == 0)
        np.testing.assert_allclose(out.aux[i][:, 2], np.log10(X.period[i]), rtol=1e-6)


def test_normalizer_constant_magnitudes_and_features():
    t = np.linspace(0, 10, 40)
    X = LightCurves.from_arrays(
        [np.c_[t, np.full(40, 13.0), np.full(40, 0.1)]],
        period=[2.0],
        features=[[1.5, -2]],
    )
    out = make_front_end(features=False).fit_transform(X)
    assert np.all(out.sequences[0][:, :, 1] == 0)
    assert np.isfinite(out.sequences[0]).all()
    np.testing.assert_allclose(
        out.aux[0][0], [13, -3, np.log10(2.0), 1.5, -2], rtol=1e-6
    )


def test_normalizer_standardises_sequences_unlike_sklearn_unit_norm():
    """Not sklearn's Normalizer: per-sequence z-scores, mean and scale kept.

    sklearn.preprocessing.Normalizer rescales each row to unit norm, so it
    keeps an offset; ours maps m and a * m + b to the same x (norm sqrt(n),
    not 1), scales the errors alike and moves a and b into the aux inputs.
    """
    from sklearn.preprocessing import Normalizer as UnitNorm

    rng = np.random.default_rng(4)
    t = np.sort(rng.uniform(0, 60, 45))
    mag = 14 + 0.4 * np.sin(2 * np.pi * t / 1.7) + rng.normal(0, 0.05, t.size)
    err = rng.uniform(0.02, 0.06, t.size)
    a, b = 2.5, -3.0
    X = LightCurves.from_arrays(
        [np.c_[t, mag, err], np.c_[t, a * mag + b, a * err]], period=[1.7, 1.7]
    )
    seg = SequenceSegmenter(n_obs=20, remainder="pad").fit_transform(
        PhaseFolder().fit_transform(X)
    )
    out = Normalizer().fit_transform(seg)
    np.testing.assert_allclose(out.sequences[1], out.sequences[0], rtol=1e-4, atol=1e-5)
    for k, m in enumerate(out.mask[0]):
        x = out.sequences[0][k][m, 1]
        np.testing.assert_allclose(np.linalg.norm(x), np.sqrt(m.sum()), rtol=1e-5)
    aux0, aux1 = out.aux[0].astype(float), out.aux[1].astype(float)
    np.testing.assert_allclose(aux1[:, 0], a * aux0[:, 0] + b, rtol=1e-5)
    np.testing.assert_allclose(aux1[:, 1], aux0[:, 1] + np.log10(a), atol=1e-5)
    np.testing.assert_allclose(aux1[:, 2], aux0[:, 2])
    # sklearn's row of the same magnitudes: unit norm, and it keeps the
    # mean magnitude (all entries positive, nearly 1 / sqrt(n))
    m = seg.mask[0][0]
    unit = UnitNorm().fit_transform(seg.segments[0][0][m, 1][None])[0]
    np.testing.assert_allclose(np.linalg.norm(unit), 1.0, rtol=1e-6)
    np.testing.assert_allclose(unit, 1 / np.sqrt(m.sum()), rtol=0.05)
    assert abs(out.sequences[0][0][m, 1].mean()) < 1e-5


def test_transformers_never_change_the_number_of_stars():
    rng = np.random.default_rng(0)
    curves = [
        np.c_[np.sort(rng.uniform(0, 40, n)), rng.normal(size=n), np.ones(n)]
        for n in (12, 230, 57)
    ]
    X = LightCurves.from_arrays(curves, period=[1.0, 2.0, 3.0])
    for step in (PhaseFolder(), SequenceSegmenter(n_obs=50), Normalizer()):
        X = step.fit_transform(X)
        assert len(X) == 3


def test_each_step_returns_its_own_type_and_keeps_what_the_input_knew():
    t = np.linspace(0, 40, 90)
    curve = np.c_[t, 12 + np.sin(2 * np.pi * t / 3.0), np.full(90, 0.05)]
    X = LightCurves.from_arrays([curve, curve + [0, 1, 0]], features=[[1.0], [2.0]])
    folded = PhaseFolder().fit_transform(X)
    segmented = SequenceSegmenter(n_obs=40).fit_transform(folded)
    normalized = Normalizer().fit_transform(segmented)
    assert type(X) is LightCurves
    assert type(folded) is FoldedCurves
    assert type(segmented) is SegmentedCurves
    assert type(normalized) is NormalizedSequences
    assert [c.stage for c in (X, folded, segmented, normalized)] == [
        "raw",
        "folded",
        "segmented",
        "normalized",
    ]
    for out in (folded, segmented, normalized):
        assert out.curves is X.curves and out.features is X.features
        np.testing.assert_allclose(out.period, folded.period)
    assert segmented.folded and segmented.phase is folded.phase
    # the segments hold phases, the sequences lags: same mask, dt = diff(phase)
    assert normalized.mask is segmented.mask
    seg, seq = segmented.segments[0][0], normalized.sequences[0][0]
    np.testing.assert_allclose(seq[1:, 0], np.diff(seg[:, 0]), atol=1e-6)
    # a subset keeps the type and every field
    sub = normalized[np.array([1])]
    assert type(sub) is NormalizedSequences
    assert sub.sequences[0] is normalized.sequences[1]
    assert sub.features.tolist() == [[2.0]]
    # the old name of the sequences still works, with a FutureWarning
    with pytest.warns(FutureWarning, match="use .sequences"):
        assert normalized.segments is normalized.sequences
    with pytest.raises(TypeError, match="SegmentedCurves needs"):
        SegmentedCurves(X.curves)


@pytest.mark.parametrize("step", ["raw", "folded", "normalized"])
def test_normalizer_refuses_input_that_is_not_segmented(step):
    t = np.linspace(0, 40, 90)
    X = LightCurves.from_arrays([np.c_[t, np.sin(t), np.full(90, 0.1)]])
    if step != "raw":
        X = PhaseFolder().fit_transform(X)
    if step == "normalized":
        X = make_front_end(features=False).fit_transform(X)
        with pytest.raises(ValueError, match="already normalized"):
            Normalizer().fit_transform(X)
        return
    with pytest.raises(ValueError, match="put SequenceSegmenter before it"):
        Normalizer().fit_transform(X)


def test_make_front_end_is_the_default_models_front_end():
    from skdualnet import make_default_model

    front = make_front_end(150, features=True, min_obs=12)
    model = make_default_model(150)
    assert [n for n, _ in front.steps] == [n for n, _ in model.steps[:-1]]
    assert front[-2].get_params() == {**model[-3].get_params(), "min_obs": 12}
    assert [n for n, _ in make_front_end(features=False).steps] == [
        "phasefolder",
        "sequencesegmenter",
        "normalizer",
    ]


def test_segmenter_pickled_before_stride_existed_still_works():
    import pickle

    old = SequenceSegmenter(n_obs=50)
    del old.__dict__["stride"]  # as pickled by skdualnet 0.1
    again = pickle.loads(pickle.dumps(old))
    assert again.stride is None
    t = np.arange(120.0)
    assert again.fit_transform([np.c_[t, t, t * 0 + 1]]).segments[0].shape == (3, 50, 3)
