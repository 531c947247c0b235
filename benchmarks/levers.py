"""Before/after of one training lever on a real set, split by star.

One stratified hold-out split by star (``--test-size`` of the known stars,
seed 0) of a folder capped at ``--max-per-class`` known stars per class (the
same subset as ``table2.py --max-per-class``); periods are estimated once.
Trains the default pipeline with or without ``LightCurveFeatures``
(``--features/--no-features``) and any classifier parameters (``--param
NAME=VALUE``), then reports accuracy, balanced accuracy, per-class recall, a
random forest on the latent vectors, and the novelty AUROC (known test stars
vs novel stars) of the paper's energy and of variants computed from the
per-star latent vectors: the energy, a class-conditional Mahalanobis distance
and a 5-nearest-neighbour distance, each on all of ``z`` and on its parts
(embedding ``z_e``, reconstruction features ``z_r``, auxiliary inputs
``z_a``), and ``1 - max probability``. Appends one JSON line to
``benchmarks/results/levers_<set>.jsonl``.

Usage::

    python benchmarks/levers.py ../shared/data/asas_acvs --max-per-class 400 \
        --epochs 30 --no-features --param class_weight=None
    python benchmarks/levers.py ../shared/data/asas_acvs --max-per-class 400 \
        --epochs 30 --features --param class_weight="'balanced'"
"""

import argparse
import json
import os
import shlex
import sys
import time
from types import SimpleNamespace

import numpy as np
from machine import cpu_model
from scipy.special import logsumexp
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import balanced_accuracy_score, roc_auc_score
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import StandardScaler
from table2 import (
    _cap_per_class,
    _load,
    _parse_param,
    holdout_split,
    known_and_novel,
    with_periods,
)

from skdualnet import make_default_model

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")


def _energy(Z_train, gamma, Zs, reg=1e-4):
    """Mixture energy with memberships ``gamma`` (per-star version of _gmm)."""
    n_k = gamma.sum(0)
    mu = gamma.T @ Z_train / n_k[:, None]
    out = []
    for Z in Zs:
        log_p = []
        for k in range(gamma.shape[1]):
            diff = Z_train - mu[k]
            cov = (gamma[:, k, None] * diff).T @ diff / n_k[k]
            chol = np.linalg.cholesky(cov + reg * np.eye(Z.shape[1]))
            sol = np.linalg.solve(chol, (Z - mu[k]).T)
            log_p.append(
                np.log(n_k[k] / len(gamma))
                - 0.5 * (sol * sol).sum(0)
                - np.log(np.diag(chol)).sum()
                - 0.5 * Z.shape[1] * np.log(2 * np.pi)
            )
        out.append(-logsumexp(np.array(log_p), axis=0))
    return out


def _mahalanobis(Z_train, y_train, Zs, reg=1e-4):
    """Distance to the nearest class in its own covariance metric."""
    out = []
    for Z in Zs:
        dist = []
        for c in np.unique(y_train):
            A = Z_train[y_train == c]
            chol = np.linalg.cholesky(np.cov(A.T) + reg * np.eye(A.shape[1]))
            sol = np.linalg.solve(chol, (Z - A.mean(0)).T)
            dist.append((sol * sol).sum(0))
        out.append(np.min(dist, axis=0))
    return out


def _knn(Z_train, Zs, k=5):
    scaler = StandardScaler().fit(Z_train)
    nn = NearestNeighbors(n_neighbors=k).fit(scaler.transform(Z_train))
    return [nn.kneighbors(scaler.transform(Z))[0].mean(1) for Z in Zs]


def novelty_variants(out, y_train, n_embed):
    """AUROC of each novelty score (higher = more novel) on the test split."""
    truth = np.r_[np.zeros(len(out["te"].scores)), np.ones(len(out["nv"].scores))]

    def auroc(known, novel):
        return float(roc_auc_score(truth, np.r_[known, novel]))

    res = {
        "energy (paper, per segment)": auroc(-out["te"].scores, -out["nv"].scores),
        "1 - max probability": auroc(-out["te"].proba.max(1), -out["nv"].proba.max(1)),
    }
    Z = {k: out[k].latent for k in ("tr", "te", "nv")}
    dim = Z["tr"].shape[1]
    parts = {
        "z": slice(None),
        "z_e": slice(0, n_embed),
        "z_r": slice(n_embed, n_embed + 2),
        "z_a": slice(n_embed + 2, dim),
    }
    for name, sl in parts.items():
        tr, te, nv = Z["tr"][:, sl], Z["te"][:, sl], Z["nv"][:, sl]
        res[f"energy on {name}"] = auroc(*_energy(tr, out["tr"].proba, [te, nv]))
        res[f"class Mahalanobis on {name}"] = auroc(
            *_mahalanobis(tr, y_train, [te, nv])
        )
        res[f"5-NN distance on {name}"] = auroc(*_knn(tr, [te, nv]))
    return res


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data")
    parser.add_argument("--max-per-class", type=int, default=400)
    parser.add_argument("--test-size", type=float, default=0.25)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--features", action=argparse.BooleanOptionalAction)
    parser.add_argument("--param", type=_parse_param, action="append", default=[])
    args = parser.parse_args(argv)
    command = "python benchmarks/levers.py " + shlex.join(
        argv if argv is not None else sys.argv[1:]
    )
    X, y, name = _load(SimpleNamespace(data=args.data, format="auto", band=None))
    keep = _cap_per_class(y, args.max_per_class, 0)
    X, y = X[keep], y[keep]
    known, novel = known_and_novel(y)
    train, test = holdout_split(y, known, args.test_size, 0)
    X = with_periods(X)[0]
    params = {"max_epochs": args.epochs, "random_state": 0, **dict(args.param)}
    model = make_default_model(features=bool(args.features), **params)
    t0 = time.perf_counter()
    model.fit(X[train], y[train])
    fit_seconds = time.perf_counter() - t0
    front, clf = model[:-1], model[-1]
    out = {
        k: clf.predict_all(front.transform(X[idx]), latent=True)
        for k, idx in (("tr", train), ("te", test), ("nv", novel))
    }
    pred = out["te"].labels
    rf = RandomForestClassifier(
        500, class_weight="balanced_subsample", n_jobs=1, random_state=0
    ).fit(out["tr"].latent, y[train])
    rf_pred = rf.predict(out["te"].latent)
    n_embed = clf.module_.autoencoder.to_embedding.out_features
    result = {
        "command": command,
        "cpu": cpu_model(),
        "data": name,
        "n_train": len(train),
        "n_test": len(test),
        "n_novel": len(novel),
        "fit_seconds": fit_seconds,
        "accuracy": float(np.mean(pred == y[test])),
        "balanced_accuracy": float(balanced_accuracy_score(y[test], pred)),
        "recall": {
            c: float(np.mean(pred[y[test] == c] == c)) for c in np.unique(y[test])
        },
        "rf_on_latent_accuracy": float(np.mean(rf_pred == y[test])),
        "rf_on_latent_balanced_accuracy": float(
            balanced_accuracy_score(y[test], rf_pred)
        ),
        "novelty_auroc": novelty_variants(out, y[train], n_embed),
        "train_loss": [row["train_loss"] for row in clf.history],
    }
    print(json.dumps(result, indent=1))
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, f"levers_{name}.jsonl"), "a") as f:
        f.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
