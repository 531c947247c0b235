"""Known-answer tests of the benchmarks' paired comparison (benchmarks/paired.py)."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "paired.py"
_spec = importlib.util.spec_from_file_location("paired", _PATH)
paired = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(paired)


def _stars(n_per_class=(30, 10), n_novel=8, seed=0):
    rng = np.random.default_rng(seed)
    y = np.repeat(["A", "B"], n_per_class)
    known = rng.normal(size=len(y))
    novel = rng.normal(-1.0, 1.0, size=n_novel)
    return y, known, novel


def test_identical_models_differ_by_exactly_zero():
    y, known, novel = _stars()
    pred = np.where(np.arange(len(y)) % 3 == 0, "B", y)
    out = paired.paired_bootstrap(y, pred, pred, known, known, novel, novel)
    for metric in paired.METRICS:
        assert out[metric]["difference"] == 0.0
        assert out[metric]["ci95"] == [0.0, 0.0]
        assert out[metric]["share_a_not_ahead"] == 1.0


def test_known_answers_of_accuracy_and_balanced_accuracy():
    # 30 A and 10 B; model A right on every star, model B right on all A and
    # on none of B: accuracy 1 vs 0.75, balanced 1 vs 0.5, on every resample
    # (resampling keeps the class counts).
    y, known, novel = _stars()
    wrong_b = np.where(y == "B", "A", y)
    out = paired.paired_bootstrap(y, y, wrong_b, known, known, novel, novel)
    assert out["accuracy"]["a"] == 1.0 and out["accuracy"]["b"] == 0.75
    assert out["accuracy"]["ci95"] == pytest.approx([0.25, 0.25])
    assert out["balanced_accuracy"]["difference"] == pytest.approx(0.5)
    assert out["balanced_accuracy"]["ci95"] == pytest.approx([0.5, 0.5])
    assert out["balanced_accuracy"]["share_a_not_ahead"] == 0.0


def test_auroc_point_values_and_a_separating_score_is_ahead():
    # A scores every novel star below every known one (AUROC 1); B's scores
    # are unrelated to novelty.
    y, known, novel = _stars(n_novel=20)
    rng = np.random.default_rng(1)
    known_a, novel_a = np.abs(known) + 10, -np.abs(novel)
    known_b, novel_b = rng.normal(size=len(y)), rng.normal(size=len(novel))
    out = paired.paired_bootstrap(y, y, y, known_a, known_b, novel_a, novel_b)
    assert out["auroc"]["a"] == 1.0
    truth = np.r_[np.zeros(len(y)), np.ones(len(novel))]
    from sklearn.metrics import roc_auc_score

    assert out["auroc"]["b"] == pytest.approx(
        roc_auc_score(truth, -np.r_[known_b, novel_b])
    )
    lo, hi = out["auroc"]["ci95"]
    assert 0 < lo <= out["auroc"]["difference"] <= hi
    assert out["auroc"]["share_a_not_ahead"] == 0.0


def test_interval_covers_zero_for_two_equally_good_independent_models():
    # Two models each right on 80 % of stars, errors independent: the true
    # difference is 0, so the 95 % interval should contain it.
    rng = np.random.default_rng(3)
    y = np.repeat(["A", "B", "C"], 100)
    pred = [np.where(rng.random(len(y)) < 0.8, y, "X") for _ in range(2)]
    scores = np.zeros(len(y))
    out = paired.paired_bootstrap(y, *pred, scores, scores, [], [])
    lo, hi = out["accuracy"]["ci95"]
    assert lo < 0 < hi
    assert 0.05 < out["accuracy"]["share_a_not_ahead"] < 0.95
    assert "auroc" not in out and out["n_novel"] == 0


def test_mismatched_lengths_raise():
    y, known, novel = _stars()
    with pytest.raises(ValueError, match="pred_b"):
        paired.paired_bootstrap(y, y, y[:-1], known, known, novel, novel)
    with pytest.raises(ValueError, match="novel"):
        paired.paired_bootstrap(y, y, y, known, known, novel, novel[:-1])


def test_per_star_file_round_trip(tmp_path):
    y, known, novel = _stars()
    wrong_b = np.where(y == "B", "A", y)
    path = tmp_path / "x_stars.csv"
    test_ids = [f"s{i}" for i in range(len(y))]
    novel_ids = [f"n{i}" for i in range(len(novel))]
    guess = np.array(["A"] * len(novel))
    stars = {
        "a": dict(zip(paired.STAR_FIELDS, (y, known, guess, novel))),
        "b": dict(zip(paired.STAR_FIELDS, (wrong_b, known, guess, novel))),
    }
    paired.write_stars(path, test_ids, novel_ids, y, ["novel"] * len(novel), stars)
    y_read, read = paired.read_stars(path)
    assert list(read) == ["a", "b"] and len(y_read) + len(novel) == 48
    assert all(len(read[m]["novel_score"]) == len(novel) for m in read)
    direct = paired.paired_bootstrap(y, y, wrong_b, known, known, novel, novel)
    assert paired.compare(y_read, read, "a", "b") == direct
    assert paired.compare(y, stars, "a", "b") == direct


def test_resampled_auroc_uses_mid_ranks_for_ties_like_sklearn():
    # Tied scores (a forest's max-probabilities tie often): every row of the
    # vectorized AUROC equals roc_auc_score on the same resampled stars.
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(4)
    known = rng.integers(0, 4, size=(5, 30)).astype(float)
    novel = rng.integers(0, 3, size=(5, 9)).astype(float)
    got = paired._auroc(known, novel)
    truth = np.r_[np.zeros(30), np.ones(9)]
    want = [roc_auc_score(truth, -np.r_[k, v]) for k, v in zip(known, novel)]
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


def test_interval_is_the_2_5_and_97_5_percentiles_of_the_resampled_differences():
    # Recompute the resampled accuracy differences with the same generator
    # (one within-class draw per class, in class order) and check the bounds.
    y = np.repeat(["A", "B"], (40, 20))
    rng = np.random.default_rng(5)
    pred_a = np.where(rng.random(60) < 0.8, y, "X")
    pred_b = np.where(rng.random(60) < 0.7, y, "X")
    zeros = np.zeros(60)
    out = paired.paired_bootstrap(
        y, pred_a, pred_b, zeros, zeros, [], [], n_boot=500, random_state=7
    )
    draw = np.random.default_rng(7)
    diff = np.zeros(500)
    for c in ("A", "B"):
        idx = np.flatnonzero(y == c)
        pick = idx[draw.integers(0, len(idx), size=(500, len(idx)))]
        d = (pred_a[pick] == c).mean(1) - (pred_b[pick] == c).mean(1)
        diff += d * len(idx) / 60
    np.testing.assert_allclose(
        out["accuracy"]["ci95"], np.percentile(diff, [2.5, 97.5]), atol=1e-12
    )
