"""Known-answer tests of the tree exporter: the arrays predict what sklearn does."""

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier

from skdualnet._trees import export_trees, predict_trees_proba


def _data(n_classes, seed=0, n=400, nan=0.1):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 6))
    y = rng.integers(0, n_classes, n)
    X[:, 0] += y  # learnable
    X[:, 1] -= 0.5 * y
    X[rng.random(X.shape) < nan] = np.nan  # missing values take learned sides
    return X, y


@pytest.mark.parametrize("n_classes", [2, 3, 5])
def test_exported_trees_predict_what_sklearn_predicts(n_classes):
    X, y = _data(n_classes)
    model = HistGradientBoostingClassifier(
        max_iter=40, early_stopping=False, random_state=0
    ).fit(X[:300], y[:300], sample_weight=np.linspace(0.5, 2, 300))
    trees = export_trees(model)
    # NaN in a column never missing in training, and values past every threshold
    X_new = np.vstack([X[300:], np.full((1, 6), np.nan), np.full((1, 6), 1e6)])
    proba = predict_trees_proba(trees, X_new)
    np.testing.assert_allclose(proba, model.predict_proba(X_new), rtol=0, atol=1e-12)
    assert proba.shape == (len(X_new), n_classes)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert len(trees["tree_start"]) - 1 == 40 * (1 if n_classes == 2 else n_classes)


def test_exported_trees_are_plain_arrays():
    X, y = _data(3, nan=0.0)
    trees = export_trees(
        HistGradientBoostingClassifier(max_iter=3, early_stopping=False).fit(X, y)
    )
    for key, value in trees.items():
        if key == "n_trees_per_iteration":
            assert value == 3
        else:
            assert isinstance(value, np.ndarray) and not value.dtype.hasobject, key
    # children are local to their tree: the root's children lie inside it
    size = np.diff(trees["tree_start"])
    assert (trees["left"][trees["tree_start"][:-1]] < size).all()


def test_categorical_splits_are_refused():
    X, y = _data(2, nan=0.0)
    X[:, 2] = np.arange(len(X)) % 3
    y = (X[:, 2] == 1).astype(int)  # only the categorical column tells
    model = HistGradientBoostingClassifier(
        max_iter=5, categorical_features=[2], early_stopping=False
    ).fit(X, y)
    with pytest.raises(ValueError, match="numerical features only"):
        export_trees(model)
