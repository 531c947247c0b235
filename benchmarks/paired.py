"""Paired comparison of two models on the same stars, by stratified bootstrap.

Two models scored on one split by star differ by a few stars; whether that is
more than chance is a question about the *difference*, measured on the same
stars, not about two separate intervals. :func:`paired_bootstrap` resamples
the test stars with replacement within each true class (the class counts of
the test set stay fixed) and, separately, the novel stars, recomputes
accuracy, balanced accuracy and novelty AUROC of both models on every
resample, and reports model A minus model B with a 95 % percentile interval
and the share of resamples in which A is not ahead.

``benchmarks/table2.py`` (``--folds 1``) calls it for skdualnet against each
of the peer's classifiers and writes the per-star predictions and scores it
used to ``<out>_stars.csv``; this script recomputes the comparison from that
file::

    python benchmarks/paired.py benchmarks/results/table2_X_stars.csv \\
        --a skdualnet --b hist_gradient_boosting

or, one row per file, for several (``benchmarks/results/*_stars.csv``).
table2.py resamples with ``--seed`` as the seed; pass the same ``--seed``
here to get its figures exactly.

Scores follow ``score_samples``: higher means more typical, so novel stars
should score low (AUROC of ``-score``).
"""

import argparse
import csv
import os

import numpy as np
from scipy.stats import rankdata

METRICS = ("accuracy", "balanced_accuracy", "auroc")


def _auroc(known, novel):
    """AUROC of ``-score`` (novel = positive) per row of 2-d ``known``/``novel``.

    The Mann-Whitney form with mid-ranks for ties, equal to
    :func:`sklearn.metrics.roc_auc_score`, vectorized over resamples.
    """
    known, novel = np.atleast_2d(known), np.atleast_2d(novel)
    n1, n2 = known.shape[1], novel.shape[1]
    ranks = rankdata(-np.concatenate([known, novel], axis=1), axis=1)
    u = ranks[:, n1:].sum(1) - n2 * (n2 + 1) / 2
    return u / (n1 * n2)


def paired_bootstrap(
    y_true,
    pred_a,
    pred_b,
    known_a,
    known_b,
    novel_a,
    novel_b,
    *,
    n_boot=2000,
    random_state=0,
):
    """Model A minus model B on the same stars, with stratified bootstrap intervals.

    Parameters
    ----------
    y_true : array-like of shape (n_test,)
        True classes of the known-class test stars.
    pred_a, pred_b : array-like of shape (n_test,)
        The two models' predicted classes of those stars.
    known_a, known_b : array-like of shape (n_test,)
        Their novelty scores of the same stars (higher = more typical).
    novel_a, novel_b : array-like of shape (n_novel,)
        Their novelty scores of the novel stars (may be empty).
    n_boot : int, default=2000
        Number of resamples.
    random_state : int, default=0
        Seed of the resampling.

    Returns
    -------
    dict
        Per metric in :data:`METRICS` (``auroc`` only with novel stars):
        ``a``, ``b``, ``difference`` (A - B on the stars given),
        ``ci95`` (2.5th and 97.5th percentiles of the resampled differences)
        and ``share_a_not_ahead`` (fraction of resamples with difference
        <= 0); plus ``n_test``, ``n_novel`` and ``n_boot``.
    """
    y_true = np.asarray(y_true)
    for name, arr in (("pred_a", pred_a), ("pred_b", pred_b)):
        if len(arr) != len(y_true):
            raise ValueError(f"{name} has {len(arr)} stars, y_true {len(y_true)}")
    right_a = np.asarray(pred_a) == y_true
    right_b = np.asarray(pred_b) == y_true
    known_a, known_b = np.asarray(known_a, float), np.asarray(known_b, float)
    novel_a, novel_b = np.asarray(novel_a, float), np.asarray(novel_b, float)
    if not (len(known_a) == len(known_b) == len(y_true)):
        raise ValueError("known_a and known_b need one score per test star")
    if len(novel_a) != len(novel_b):
        raise ValueError("novel_a and novel_b need one score per novel star")
    rng = np.random.default_rng(random_state)
    classes = np.unique(y_true)
    members = [np.flatnonzero(y_true == c) for c in classes]
    n = len(y_true)
    # Per resample: per-class recall of A and B (class counts fixed).
    recall_a = np.empty((n_boot, len(classes)))
    recall_b = np.empty((n_boot, len(classes)))
    draws = []
    for j, idx in enumerate(members):
        pick = idx[rng.integers(0, len(idx), size=(n_boot, len(idx)))]
        recall_a[:, j] = right_a[pick].mean(1)
        recall_b[:, j] = right_b[pick].mean(1)
        draws.append(pick)
    weights = np.array([len(m) for m in members]) / n
    boot = {
        "accuracy": (recall_a @ weights, recall_b @ weights),
        "balanced_accuracy": (recall_a.mean(1), recall_b.mean(1)),
    }
    point = {
        "accuracy": (right_a.mean(), right_b.mean()),
        "balanced_accuracy": (
            np.mean([right_a[m].mean() for m in members]),
            np.mean([right_b[m].mean() for m in members]),
        ),
    }
    if len(novel_a):
        pick_known = np.concatenate(draws, axis=1)
        pick_novel = rng.integers(0, len(novel_a), size=(n_boot, len(novel_a)))
        boot["auroc"] = tuple(
            _auroc(k[pick_known], v[pick_novel])
            for k, v in ((known_a, novel_a), (known_b, novel_b))
        )
        point["auroc"] = (_auroc(known_a, novel_a)[0], _auroc(known_b, novel_b)[0])
    out = {"n_test": int(n), "n_novel": int(len(novel_a)), "n_boot": int(n_boot)}
    for metric, (a, b) in boot.items():
        diff = a - b
        out[metric] = {
            "a": float(point[metric][0]),
            "b": float(point[metric][1]),
            "difference": float(point[metric][0] - point[metric][1]),
            "ci95": [float(v) for v in np.percentile(diff, [2.5, 97.5])],
            "share_a_not_ahead": float(np.mean(diff <= 0)),
        }
    return out


def format_paired(paired, name_b):
    """One markdown table row: A - B per metric, interval and share not ahead."""
    cells = []
    for metric in METRICS:
        if metric not in paired:
            cells.append("n/a")
            continue
        m = paired[metric]
        scale, fmt = (1, "+.3f") if metric == "auroc" else (100, "+.1f")
        lo, hi = m["ci95"]
        cells.append(
            f"{scale * m['difference']:{fmt}} [{scale * lo:{fmt}}, {scale * hi:{fmt}}]"
            f" ({100 * m['share_a_not_ahead']:.0f} %)"
        )
    return f"| {name_b} | " + " | ".join(cells) + " |"


TABLE_HEAD = [
    "| skdualnet minus | accuracy (points) | balanced accuracy (points) "
    "| novelty AUROC |",
    "|---|---|---|---|",
]


#: The per-star arrays of one model, for the ``test`` stars (known classes)
#: and the ``novel`` ones: predicted class and novelty score of each.
STAR_FIELDS = ("test_predicted", "test_score", "novel_predicted", "novel_score")


def compare(y_test, stars, a, b, **kwargs):
    """:func:`paired_bootstrap` of models ``a`` and ``b`` of ``stars``.

    ``stars`` maps a model name to a dict of the :data:`STAR_FIELDS` arrays
    (as :func:`read_stars` returns and ``benchmarks/table2.py`` builds);
    ``y_test`` holds the true classes of the test stars.
    """
    return paired_bootstrap(
        y_test,
        stars[a]["test_predicted"],
        stars[b]["test_predicted"],
        stars[a]["test_score"],
        stars[b]["test_score"],
        stars[a]["novel_score"],
        stars[b]["novel_score"],
        **kwargs,
    )


def write_stars(path, test_ids, novel_ids, y_test, y_novel, stars):
    """Write the per-star file :func:`read_stars` reads: one row per star
    (``star``, ``set`` test or novel, ``true_class``, then each model's
    ``<model>_predicted`` and ``<model>_score``); ``stars`` as in
    :func:`compare`."""
    names = list(stars)
    rows = [(i, "test", c, k) for k, (i, c) in enumerate(zip(test_ids, y_test))]
    rows += [(i, "novel", c, k) for k, (i, c) in enumerate(zip(novel_ids, y_novel))]
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            ["star", "set", "true_class"]
            + [f"{m}_{k}" for m in names for k in ("predicted", "score")]
        )
        for star, part, true_class, k in rows:
            row = [star, part, true_class]
            for m in names:
                row += [
                    stars[m][f"{part}_predicted"][k],
                    repr(float(stars[m][f"{part}_score"][k])),
                ]
            w.writerow(row)


def read_stars(path):
    """``(y_test, stars)`` of a per-star file written by :func:`write_stars`."""
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    names = [c[: -len("_predicted")] for c in rows[0] if c.endswith("_predicted")]
    part = {p: [r for r in rows if r["set"] == p] for p in ("test", "novel")}
    stars = {
        m: {
            f"{p}_{k}": np.array(
                [float(r[f"{m}_{k}"]) if k == "score" else r[f"{m}_{k}"] for r in rs]
            )
            for p, rs in part.items()
            for k in ("predicted", "score")
        }
        for m in names
    }
    return np.array([r["true_class"] for r in part["test"]]), stars


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stars", nargs="+", help="<out>_stars.csv files of table2.py")
    parser.add_argument("--a", default="skdualnet")
    parser.add_argument("--b", default=None, help="default: every other model")
    parser.add_argument("--n-boot", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0, help="of the resampling")
    args = parser.parse_args(argv)
    lines = [TABLE_HEAD[0].replace("skdualnet", args.a), TABLE_HEAD[1]]
    for path in args.stars:
        y_test, stars = read_stars(path)
        others = [args.b] if args.b else [m for m in stars if m != args.a]
        stem = os.path.basename(path).removesuffix("_stars.csv")
        for b in others:
            paired = compare(
                y_test, stars, args.a, b, n_boot=args.n_boot, random_state=args.seed
            )
            label = b if len(args.stars) == 1 else f"{stem}: {b}"
            lines.append(format_paired(paired, label))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
