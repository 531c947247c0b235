"""Known-answer tests of the decision weights for balanced accuracy."""

import itertools

import numpy as np
import pytest
from sklearn.metrics import balanced_accuracy_score

from skdualnet._decision import DECISION_GRID, balanced_decision_weights, decide


def test_separable_probabilities_keep_equal_weights():
    proba = np.array([[0.9, 0.1, 0.0], [0.2, 0.7, 0.1], [0.1, 0.1, 0.8]])
    np.testing.assert_array_equal(
        balanced_decision_weights(proba, np.array([0, 1, 2])), np.ones(3)
    )


def test_rare_class_recovered_at_the_cost_of_a_common_star():
    # 8 common stars (class 0), 2 rare (class 1): the rare ones sit at 0.35,
    # one common star at 0.45, the others at 0.05. argmax calls all class 0
    # (balanced accuracy 0.5); the best weights call 0.35 and up class 1:
    # both rare stars right, one common star wrong: (7/8 + 1) / 2.
    p1 = np.array([0.05] * 7 + [0.45, 0.35, 0.35])
    proba = np.column_stack([1 - p1, p1])
    y = np.array([0] * 8 + [1] * 2)
    w = balanced_decision_weights(proba, y)
    pred = decide(proba, w)
    assert balanced_accuracy_score(y, pred) == pytest.approx((7 / 8 + 1) / 2)
    assert pred.tolist() == [0] * 7 + [1] * 3
    assert w.max() == 1.0 and w[0] < w[1]


def test_two_classes_reach_the_best_ratio_on_the_grid():
    rng = np.random.default_rng(0)
    y = (rng.random(300) < 0.2).astype(int)
    p1 = np.clip(0.25 * y + rng.normal(0.25, 0.15, 300), 0.01, 0.99)
    proba = np.column_stack([1 - p1, p1])
    best = max(
        balanced_accuracy_score(y, decide(proba, np.array(w)))
        for g in DECISION_GRID
        for w in ((g, 1.0), (1.0, g))
    )
    w = balanced_decision_weights(proba, y)
    assert balanced_accuracy_score(y, decide(proba, w)) == pytest.approx(best)
    assert best > balanced_accuracy_score(y, proba.argmax(1))


def test_never_worse_than_argmax_and_deterministic():
    rng = np.random.default_rng(1)
    for n_classes, n in itertools.product((3, 5), (40, 200)):
        proba = rng.dirichlet(np.ones(n_classes), size=n)
        y = rng.integers(0, n_classes, size=n)
        w = balanced_decision_weights(proba, y)
        assert balanced_accuracy_score(y, decide(proba, w)) >= (
            balanced_accuracy_score(y, proba.argmax(1))
        )
        np.testing.assert_array_equal(w, balanced_decision_weights(proba, y))


def test_decide_without_weights_is_argmax():
    proba = np.array([[0.2, 0.8], [0.6, 0.4]])
    assert decide(proba).tolist() == [1, 0]
    assert decide(proba, np.array([1.0, 0.2])).tolist() == [0, 0]


@pytest.mark.parametrize(
    "proba, y, match",
    [
        (np.ones(3), np.zeros(3, int), "shape"),
        (np.ones((3, 2)), np.zeros(2, int), "one row per label"),
        (np.ones((2, 2)), np.array([0, 2]), "column indices"),
    ],
)
def test_bad_input_raises(proba, y, match):
    with pytest.raises(ValueError, match=match):
        balanced_decision_weights(proba, y)
