"""Table 2 of the paper, split by star, against a classical baseline.

Runs the paper's protocol with stratified K-fold over the known-class stars
(one sample = one star; every fold trains from scratch) on a supported data
folder or on the simulator, and in the same run a classical baseline:
Lomb-Scargle period + a handful of light-curve statistics + RandomForest for
the classes, IsolationForest on the same features for novelty. Novel stars
(label ``novel`` or ``VAR``) are never trained on; they are the positives of
the novelty test in every fold. Thresholds are the 80th and 95th percentiles
of the training stars' novelty scores, as in the paper.

Writes ``<out>.json`` (every fold and mean/std) and ``<out>.md`` (the table,
with the command that produced it).

Usage::

    python benchmarks/table2.py ../shared/data/asas_richards2012 --folds 3
    python benchmarks/table2.py ../shared/data/eros1_lmc --band both --n-obs 100
    python benchmarks/table2.py simulator --n-per-class 100
"""

import argparse
import json
import os
import sys
import time

import numpy as np
from scipy import stats
from sklearn.ensemble import IsolationForest, RandomForestClassifier
from sklearn.model_selection import StratifiedKFold

from skdualnet import estimate_period
from skdualnet.__main__ import load_folder
from skdualnet._protocol import evaluate_split, make_default_model, summarize
from skdualnet._report import classification_report_dict, novelty_metrics
from skdualnet.datasets import make_light_curves

NOVEL = ("novel", "VAR")
FEATURES = [
    "log10_period",
    "ls_power",
    "amplitude",
    "std",
    "mad",
    "skew",
    "kurtosis",
    "beyond1std",
    "median_mag",
    "frac_above_median_in_phase",
]


def classical_features(X):
    """Per star: LS period and power + simple statistics (the usual baseline)."""
    rows = []
    for i, curve in enumerate(X.curves):
        t, mag, err = curve.T
        if np.isfinite(X.period[i]):
            period, power = X.period[i], np.nan
        else:
            res = estimate_period(t, mag, err)
            period, power = res.period, res.power
        m = mag - np.median(mag)
        q5, q95 = np.percentile(mag, [5, 95])
        phase = (t % period) / period
        order = np.argsort(phase)
        first_half = m[order][: len(m) // 2]
        rows.append(
            [
                np.log10(period),
                power,
                q95 - q5,
                mag.std(),
                np.median(np.abs(m)),
                stats.skew(mag),
                stats.kurtosis(mag),
                np.mean(np.abs(mag - mag.mean()) > mag.std()),
                np.median(mag),
                np.mean(first_half > 0),
            ]
        )
    out = np.asarray(rows, float)
    return np.nan_to_num(out, nan=-1.0)


def classical_split(F, y, train, test, novel, seed):
    rf = RandomForestClassifier(n_estimators=250, random_state=seed, n_jobs=-1)
    rf.fit(F[train], y[train])
    labels = np.unique(y[train])
    iso = IsolationForest(n_estimators=250, random_state=seed).fit(F[train])
    return {
        "random_forest": classification_report_dict(
            y[test], rf.predict(F[test]), labels
        ),
        "novelty": novelty_metrics(
            iso.score_samples(F[test]),
            iso.score_samples(F[novel]) if len(novel) else np.zeros(0),
            iso.score_samples(F[train]),
        ),
    }


def _row(name, s, key_acc, key_bal, nov):
    def f(key, pct=True):
        if key not in s:
            return "n/a"
        m, sd = s[key]["mean"], s[key]["std"]
        return f"{100 * m:.1f} ± {100 * sd:.1f}" if pct else f"{m:.3f} ± {sd:.3f}"

    cells = [f(key_acc), f(key_bal), f(nov + "auroc", pct=False)]
    if nov + "auroc" not in s:  # no novel stars: no novelty figures
        return f"| {name} | " + " | ".join(cells + ["n/a", "n/a"]) + " |"
    for p in ("p80", "p95"):
        cells.append(
            " / ".join(
                f"{s[nov + p + '.' + k]['mean']:.2f}"
                if nov + p + "." + k in s
                else "n/a"
                for k in ("precision", "recall", "f1")
            )
        )
    return f"| {name} | " + " | ".join(cells) + " |"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", help="data folder, or 'simulator'")
    parser.add_argument("--format", default="auto")
    parser.add_argument("--band", default=None)
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--n-obs", type=int, default=200)
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--n-per-class", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None, help="output path without suffix")
    args = parser.parse_args(argv)
    command = "python benchmarks/table2.py " + " ".join(argv or sys.argv[1:])

    t0 = time.perf_counter()
    if args.data == "simulator":
        X, y = make_light_curves(
            n_per_class=args.n_per_class, novel_classes=["VAR"], random_state=args.seed
        )
        name = "simulator"
    else:
        X, y = load_folder(args.data, args.format, args.band)
        name = os.path.basename(os.path.normpath(args.data))
        if args.band:
            name += f"_{args.band}"
    y = np.asarray(y)
    print(
        f"{name}: {len(y)} stars: "
        + ", ".join(f"{c} {n}" for c, n in zip(*np.unique(y, return_counts=True))),
        flush=True,
    )
    novel_mask = np.isin(y, NOVEL)
    known, novel = np.flatnonzero(~novel_mask), np.flatnonzero(novel_mask)

    # Estimate missing periods once (the deep model's PhaseFolder would do the
    # same per fold; it is deterministic, so doing it up front only saves time).
    from skdualnet import PhaseFolder

    t_p = time.perf_counter()
    folded = PhaseFolder().fit_transform(X)
    period_seconds = time.perf_counter() - t_p
    X = X.replace(
        period=folded.period,
        period_flag=folded.period_flag,
        period_power=folded.period_power,
    )
    F = classical_features(X)

    params = {"random_state": args.seed, "verbose": 0}
    if args.epochs:
        params["max_epochs"] = args.epochs
    cv = StratifiedKFold(args.folds, shuffle=True, random_state=args.seed)
    deep, classic = [], []
    for k, (a, b) in enumerate(cv.split(known, y[known])):
        tr, te = known[a], known[b]
        t1 = time.perf_counter()
        deep.append(
            evaluate_split(
                make_default_model(n_obs=args.n_obs, **params),
                X,
                y,
                tr,
                te,
                novel,
                random_state=args.seed,
            )
        )
        classic.append(classical_split(F, y, tr, te, novel, args.seed))
        print(
            f"fold {k + 1}/{args.folds}: deep "
            f"{deep[-1]['estimation_network']['accuracy']:.3f}"
            f" / RF on z {deep[-1]['random_forest']['accuracy']:.3f}"
            f" / classical RF {classic[-1]['random_forest']['accuracy']:.3f}"
            f" ({time.perf_counter() - t1:.0f} s)",
            flush=True,
        )
    sd, sc = summarize(deep), summarize(classic)
    result = {
        "command": command,
        "data": name,
        "n_stars": int(len(y)),
        "n_known": int(len(known)),
        "n_novel": int(len(novel)),
        "folds": args.folds,
        "period_search_seconds": period_seconds,
        "seconds": time.perf_counter() - t0,
        "skdualnet": {"summary": sd, "folds": deep},
        "classical": {"summary": sc, "folds": classic},
    }
    header = (
        "| model | accuracy % | balanced accuracy % | novelty AUROC | "
        "80th pct P / R / F1 | 95th pct P / R / F1 |\n|---|---|---|---|---|---|"
    )
    lines = [
        f"## {name}: {len(known)} known-class stars, {len(novel)} novel, "
        f"{args.folds}-fold CV split by star (mean ± std over folds)",
        "",
        f"Command: `{command}`",
        "",
        header,
        _row(
            "skdualnet estimation network",
            sd,
            "estimation_network.accuracy",
            "estimation_network.balanced_accuracy",
            "novelty.",
        ),
        _row(
            "skdualnet RF on embedding",
            sd,
            "random_forest.accuracy",
            "random_forest.balanced_accuracy",
            "novelty.",
        ),
        _row(
            "classical: LS + stats + RF / IsolationForest",
            sc,
            "random_forest.accuracy",
            "random_forest.balanced_accuracy",
            "novelty.",
        ),
        "",
        "Per-class accuracy (estimation network / classical RF), mean over folds:",
        "",
    ]
    for c in np.unique(y[known]):
        kd, kc = (
            f"estimation_network.per_class_accuracy.{c}",
            f"random_forest.per_class_accuracy.{c}",
        )
        lines.append(
            f"- {c}: {100 * sd[kd]['mean']:.1f} % / "
            f"{100 * sc[kc]['mean']:.1f} % (n={int((y[known] == c).sum())})"
        )
    lines.append(f"\nTotal time {result['seconds']:.0f} s.")
    text = "\n".join(lines)
    print(text)
    out = args.out or os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "results", f"table2_{name}"
    )
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out + ".json", "w") as f:
        json.dump(result, f, indent=1, default=float)
    with open(out + ".md", "w") as f:
        f.write(text + "\n")


if __name__ == "__main__":
    main()
