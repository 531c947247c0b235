"""Gradient-boosted trees as plain arrays: export, predict, no pickle.

:class:`~sklearn.ensemble.HistGradientBoostingClassifier` keeps its fitted
trees in private objects that only pickle can store. :func:`export_trees`
copies what prediction needs (per node: the feature, the threshold, where a
missing value goes, the children and the leaf value; the baseline and the
classes) into a dict of numpy arrays, which skdualnet's model files store as
data, and :func:`predict_trees_proba` predicts from that dict alone, with the
same arithmetic as scikit-learn (tested against it to 1e-12). Only numerical
features are supported (no categorical splits).
"""

import numpy as np

__all__ = ["export_trees", "predict_trees_proba"]

#: Per-node fields copied from scikit-learn's node records.
_NODE_FIELDS = (
    "feature_idx",
    "num_threshold",
    "missing_go_to_left",
    "left",
    "right",
    "is_leaf",
    "value",
)


def export_trees(model):
    """The fitted trees of a ``HistGradientBoostingClassifier`` as arrays.

    Parameters
    ----------
    model : HistGradientBoostingClassifier
        Fitted, on numerical features only.

    Returns
    -------
    dict
        ``baseline`` (n_trees_per_iteration,), ``tree_start``
        (n_trees + 1,) offsets into the node arrays, one array per field of
        ``_NODE_FIELDS`` over all trees' nodes (children indices are local to
        their tree), and ``n_trees_per_iteration``. Trees are in
        scikit-learn's order: iteration by iteration, class by class.

    Raises
    ------
    ValueError
        If the model uses categorical splits.
    """
    predictors = [tree for iteration in model._predictors for tree in iteration]
    nodes = [tree.nodes for tree in predictors]
    if any(n["is_categorical"].any() for n in nodes):
        raise ValueError("export_trees supports numerical features only")
    sizes = np.array([len(n) for n in nodes], dtype=np.int64)
    out = {
        "baseline": np.asarray(model._baseline_prediction, np.float64).ravel(),
        "tree_start": np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64),
        "n_trees_per_iteration": int(model.n_trees_per_iteration_),
    }
    dtypes = {
        "feature_idx": np.int64,
        "num_threshold": np.float64,
        "missing_go_to_left": bool,
        "left": np.int64,
        "right": np.int64,
        "is_leaf": bool,
        "value": np.float64,
    }
    for field in _NODE_FIELDS:
        out[field] = np.concatenate([n[field] for n in nodes]).astype(dtypes[field])
    return out


def _raw_predict(trees, X):
    X = np.asarray(X, dtype=np.float64)
    k = int(trees["n_trees_per_iteration"])
    raw = np.zeros((len(X), k)) + trees["baseline"]
    start = trees["tree_start"]
    feature, threshold = trees["feature_idx"], trees["num_threshold"]
    left, right, leaf = trees["left"], trees["right"], trees["is_leaf"]
    to_left, value = trees["missing_go_to_left"], trees["value"]
    rows = np.arange(len(X))
    for t in range(len(start) - 1):
        node = np.full(len(X), start[t])
        active = ~leaf[node]
        while active.any():
            at = node[active]
            x = X[rows[active], feature[at]]
            go_left = np.where(np.isnan(x), to_left[at], x <= threshold[at])
            node[active] = start[t] + np.where(go_left, left[at], right[at])
            active = ~leaf[node]
        raw[:, t % k] += value[node]
    return raw


def predict_trees_proba(trees, X):
    """Class probabilities from :func:`export_trees`'s arrays.

    Parameters
    ----------
    trees : dict
        As returned by :func:`export_trees`.
    X : array-like of shape (n_samples, n_features)
        ``NaN`` follows each split's learned direction for missing values.

    Returns
    -------
    ndarray of shape (n_samples, n_classes)
        Rows sum to 1: the logistic function of the raw score for two
        classes, the softmax of the raw scores for more.
    """
    raw = _raw_predict(trees, X)
    if raw.shape[1] == 1:
        p1 = 1.0 / (1.0 + np.exp(-raw[:, 0]))
        return np.column_stack([1.0 - p1, p1])
    raw = raw - raw.max(axis=1, keepdims=True)
    e = np.exp(raw)
    return e / e.sum(axis=1, keepdims=True)
