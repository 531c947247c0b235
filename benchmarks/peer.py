"""The classical peer of skdualnet: light-curve features + forests.

What an astronomer would build without a neural network, in one place:

- per star (:func:`skdualnet._classical.classical_feature_table`, the
  features of :class:`skdualnet.ClassicalFeatures`), ``log10`` period, the
  Lomb-Scargle power of the peak and its alias flag, 38 robust statistics
  from the ``light-curve`` package (amplitudes, percentile ranges and
  ratios, moments, Stetson K, von Neumann eta, Otsu split, ...), a
  Lafler-Kinman string length of the folded curve and Fourier shape
  parameters (Simon & Lee 1981) of a 4-harmonic fit at the period ``P`` and
  at ``2P`` (eclipsing binaries are often found at half their period; the
  odd harmonics at ``2P`` measure unequal minima);
- a random forest and a histogram gradient-boosting classifier on them (the
  better one by inner cross-validation on the training stars is the headline);
- each classifier also with the decision tuned for balanced accuracy
  (:func:`skdualnet._decision.balanced_decision_weights` on its out-of-fold
  training probabilities; report keys ``<classifier>_balanced``), the same
  rule as ``DualNetClassifier(decision="balanced")``;
- two novelty scores: the better classifier's maximum class probability
  (higher = more typical) and an IsolationForest's ``score_samples`` on
  standardised features.

A feature that cannot be computed for a star is ``NaN`` for that star and is
imputed with the training stars' median; no star is dropped.

Needs the ``benchmarks`` extra (``pip install skdualnet[benchmarks]``).
"""

import math
import time

import numpy as np
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    IsolationForest,
    RandomForestClassifier,
)
from sklearn.impute import SimpleImputer
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdualnet._classical import classical_feature_table
from skdualnet._decision import balanced_decision_weights, decide
from skdualnet._report import classification_report_dict, novelty_metrics

__all__ = [
    "CLASSIFIERS",
    "PEER_KEYS",
    "COMBINATIONS",
    "evaluate_combination",
    "evaluate_peer",
    "fit_peer",
    "peer_features",
    "peer_predict",
    "wilson_interval",
]

#: Report keys of the peer's classifiers, in table order.
CLASSIFIERS = ("random_forest", "hist_gradient_boosting")

#: Report keys of the peer's classifications: each classifier deciding by its
#: most probable class, then each deciding with class weights tuned for
#: balanced accuracy on its out-of-fold training probabilities.
PEER_KEYS = CLASSIFIERS + tuple(f"{key}_balanced" for key in CLASSIFIERS)

#: The peer's per-star features: ``(F, names)`` with NaN where a feature
#: could not be computed (imputed later with the training stars' median).
peer_features = classical_feature_table


def _make_classifiers(random_state):
    return {
        "random_forest": make_pipeline(
            SimpleImputer(strategy="median", keep_empty_features=True),
            RandomForestClassifier(
                n_estimators=500,
                class_weight="balanced_subsample",
                min_samples_leaf=1,
                max_features="sqrt",
                n_jobs=2,
                random_state=random_state,
            ),
        ),
        "hist_gradient_boosting": make_pipeline(
            SimpleImputer(strategy="median", keep_empty_features=True),
            HistGradientBoostingClassifier(
                max_iter=300,
                learning_rate=0.1,
                class_weight="balanced",
                early_stopping=False,
                random_state=random_state,
            ),
        ),
    }


def _fit_out_of_fold(model, F, y, random_state, inner_cv):
    """Fit ``model`` on all stars; return training class probabilities.

    They are out-of-fold, from a stratified inner CV of ``inner_cv`` folds
    (reduced to the smallest class count), or in-sample when a class has
    fewer than 2 stars. Returns ``(proba, out_of_fold)``.
    """
    n_splits = min(inner_cv, int(np.unique(y, return_counts=True)[1].min()))
    oof = None
    if n_splits >= 2:
        cv = StratifiedKFold(n_splits, shuffle=True, random_state=random_state)
        oof = cross_val_predict(model, F, y, cv=cv, method="predict_proba")
    model.fit(F, y)
    if oof is None:
        return model.predict_proba(F), False
    return oof, True


def fit_peer(F, y, random_state=0, *, inner_cv=3):
    """Fit the peer's classifiers and novelty detector on training stars.

    Parameters
    ----------
    F : ndarray of shape (n_train, n_features)
        :func:`peer_features` of the training stars (may hold NaN).
    y : ndarray of shape (n_train,)
    random_state : int, default=0
    inner_cv : int, default=3
        Folds of the inner stratified cross-validation on the training stars
        that picks the headline classifier (by balanced accuracy) and gives
        out-of-fold class probabilities, the honest reference for the
        max-probability novelty thresholds. Reduced to the smallest class
        count; below 2 there is no inner CV (the random forest is picked and
        the in-sample probabilities are the reference).

    Returns
    -------
    dict
        ``random_forest``, ``hist_gradient_boosting`` (fitted pipelines with a
        median imputer), ``isolation_forest`` (imputer + scaler +
        IsolationForest), ``inner_cv_balanced_accuracy`` (per classifier),
        ``best`` (the headline classifier's key) and ``training_max_proba``
        (per classifier, out-of-fold where possible), ``training_proba``
        and ``decision_weights`` (per classifier, the class weights of the
        balanced-accuracy decision tuned on ``training_proba``).
    """
    y = np.asarray(y)
    models = _make_classifiers(random_state)
    out = {
        "inner_cv_balanced_accuracy": {},
        "training_max_proba": {},
        "training_proba": {},
        "decision_weights": {},
    }
    for key, model in models.items():
        oof, out_of_fold = _fit_out_of_fold(model, F, y, random_state, inner_cv)
        if out_of_fold:
            labels = np.unique(y)
            out["inner_cv_balanced_accuracy"][key] = float(
                balanced_accuracy_score(y, labels[oof.argmax(1)])
            )
        out["training_max_proba"][key] = oof.max(1)
        out["training_proba"][key] = oof
        out["decision_weights"][key] = balanced_decision_weights(
            oof, np.searchsorted(model.classes_, y)
        )
        out[key] = model
    bal = out["inner_cv_balanced_accuracy"]
    out["best"] = max(bal, key=bal.get) if bal else "random_forest"
    out["isolation_forest"] = make_pipeline(
        SimpleImputer(strategy="median", keep_empty_features=True),
        StandardScaler(),
        IsolationForest(n_estimators=500, random_state=random_state, n_jobs=2),
    ).fit(F)
    out["training_isolation_scores"] = out["isolation_forest"].score_samples(F)
    return out


def peer_predict(peer, F):
    """Predictions and novelty scores of a fitted peer for some stars.

    Returns
    -------
    dict
        ``predict`` and ``max_proba`` (higher = more typical) per key of
        :data:`PEER_KEYS`, ``proba`` (class probabilities) per classifier
        key, ``max_proba`` of the headline classifier under
        ``"best_max_proba"``, and
        ``isolation_forest`` (``score_samples``, higher = more typical).
    """
    out = {"predict": {}, "max_proba": {}, "proba": {}}
    for key in CLASSIFIERS:
        if len(F) == 0:
            for k in (key, f"{key}_balanced"):
                out["predict"][k] = np.zeros(0, dtype=object)
                out["max_proba"][k] = np.zeros(0)
            out["proba"][key] = np.zeros((0, len(peer[key].classes_)))
            continue
        proba = peer[key].predict_proba(F)
        out["predict"][key] = peer[key].classes_[proba.argmax(1)]
        out["max_proba"][key] = proba.max(1)
        out["proba"][key] = proba
        balanced = decide(proba, peer["decision_weights"][key])
        out["predict"][f"{key}_balanced"] = peer[key].classes_[balanced]
        out["max_proba"][f"{key}_balanced"] = out["max_proba"][key]
    out["best_max_proba"] = out["max_proba"][peer["best"]]
    out["isolation_forest"] = (
        peer["isolation_forest"].score_samples(F) if len(F) else np.zeros(0)
    )
    return out


def evaluate_peer(
    F, y, train, test, novel, *, random_state=0, inner_cv=3, keep_proba=False
):
    """Fit the peer on ``train`` stars, report on ``test`` and ``novel`` stars.

    The counterpart of :func:`skdualnet._protocol.evaluate_split`. Novelty
    thresholds are percentiles of the training stars' scores: out-of-fold
    max-probabilities (in-sample ones of a forest are all near 1) and the
    IsolationForest's in-sample ``score_samples``.

    Returns
    -------
    dict
        Per key of :data:`PEER_KEYS`, and ``headline`` (the classifier picked
        by inner CV, deciding by its most probable class), a
        classification report (accuracy, balanced accuracy, per-class recall,
        confusion matrix) with ``novelty`` (its max-probability score);
        ``isolation_forest`` with ``novelty``; ``inner_cv_balanced_accuracy``
        and ``best``; ``fit_seconds``. With ``keep_proba``, ``_proba`` holds
        the headline classifier's class probabilities of the ``test`` and
        ``novel`` stars and its out-of-fold ones of the ``train`` stars, and
        ``_stars`` per key of :data:`PEER_KEYS` the predicted classes and
        max-probability scores of the ``test`` and ``novel`` stars (``test_predicted``,
        ``test_score``, ``novel_predicted``, ``novel_score``).
    """
    y = np.asarray(y)
    t0 = time.perf_counter()
    peer = fit_peer(F[train], y[train], random_state, inner_cv=inner_cv)
    fit_seconds = time.perf_counter() - t0
    known, new = peer_predict(peer, F[test]), peer_predict(peer, F[novel])
    labels = peer["random_forest"].classes_
    report = {
        "n_train": int(len(train)),
        "n_test": int(len(test)),
        "fit_seconds": fit_seconds,
        "best": peer["best"],
        "inner_cv_balanced_accuracy": peer["inner_cv_balanced_accuracy"],
    }
    for key in PEER_KEYS:
        report[key] = classification_report_dict(y[test], known["predict"][key], labels)
        report[key]["novelty"] = novelty_metrics(
            known["max_proba"][key],
            new["max_proba"][key],
            peer["training_max_proba"][key.removesuffix("_balanced")],
        )
    report["headline"] = dict(report[peer["best"]], classifier=peer["best"])
    report["isolation_forest"] = {
        "novelty": novelty_metrics(
            known["isolation_forest"],
            new["isolation_forest"],
            peer["training_isolation_scores"],
        )
    }
    if keep_proba:
        best = peer["best"]
        report["_proba"] = {
            "train": peer["training_proba"][best],
            "test": known["proba"][best],
            "novel": new["proba"][best],
        }
        report["_stars"] = {
            key: {
                "test_predicted": known["predict"][key],
                "test_score": known["max_proba"][key],
                "novel_predicted": new["predict"][key],
                "novel_score": new["max_proba"][key],
            }
            for key in PEER_KEYS
        }
    return report


#: Report keys of the combinations of skdualnet with the peer, in table order.
COMBINATIONS = ("hgb_on_latent_and_features", "mean_probability")


def evaluate_combination(
    F, y, train, test, novel, deep_objects, peer_proba, *, random_state=0, inner_cv=3
):
    """Two combinations of skdualnet with the peer, on the peer's split.

    Neither is part of skdualnet: they measure how much of the gap between
    the two is closed by putting them together, in the same run and on the
    same stars.

    - ``hgb_on_latent_and_features``: the peer's gradient boosting (same
      settings, median imputer) on skdualnet's latent vector ``z`` next to the
      peer's features. Novelty by its maximum probability; the thresholds'
      reference is its out-of-fold (inner CV) probabilities on the training
      stars.
    - ``mean_probability``: the mean of skdualnet's class probabilities and
      those of the peer's headline classifier. Novelty by the maximum of the
      mean; the thresholds' reference is the mean of skdualnet's in-sample
      and the peer's out-of-fold probabilities on the training stars.

    Parameters
    ----------
    F : ndarray of shape (n_stars, n_features)
    y : ndarray of shape (n_stars,)
    train, test, novel : ndarray of int
    deep_objects : dict
        ``report["_objects"]`` of :func:`skdualnet._protocol.evaluate_split`
        with ``keep=True`` on the same split (``Z_*`` and ``proba_*``).
    peer_proba : dict
        ``report["_proba"]`` of :func:`evaluate_peer` with ``keep_proba=True``.

    Returns
    -------
    dict
        Per key of :data:`COMBINATIONS`, a classification report with
        ``novelty``; ``fit_seconds``.
    """
    y = np.asarray(y)
    t0 = time.perf_counter()
    labels = np.unique(y[train])
    if not np.array_equal(deep_objects["model"][-1].classes_, labels):
        raise ValueError("skdualnet's classes differ from the peer's")
    out = {}
    hgb = _make_classifiers(random_state)["hist_gradient_boosting"]
    G = {
        part: np.hstack([deep_objects[f"Z_{part}"], F[idx]])
        for part, idx in (("train", train), ("test", test), ("novel", novel))
    }
    oof, _ = _fit_out_of_fold(hgb, G["train"], y[train], random_state, inner_cv)
    proba = {
        "train": oof,
        "test": hgb.predict_proba(G["test"]),
        "novel": hgb.predict_proba(G["novel"])
        if len(novel)
        else np.zeros((0, len(labels))),
    }
    mean = {
        part: 0.5 * (deep_objects[f"proba_{part}"] + peer_proba[part])
        for part in ("train", "test", "novel")
    }
    for key, P in (("hgb_on_latent_and_features", proba), ("mean_probability", mean)):
        report = classification_report_dict(
            y[test], labels[P["test"].argmax(1)], labels
        )
        report["novelty"] = novelty_metrics(
            P["test"].max(1), P["novel"].max(1), P["train"].max(1)
        )
        out[key] = report
    out["fit_seconds"] = time.perf_counter() - t0
    return out


def wilson_interval(k, n, z=1.959963984540054):
    """95 % Wilson score interval of a proportion ``k / n`` (``(nan, nan)`` if n=0)."""
    if n == 0:
        return (math.nan, math.nan)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))
