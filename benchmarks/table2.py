"""Table 2 of the paper, split by star, against the strongest classical peer.

Runs the paper's protocol over the known-class stars (one sample = one star;
every fold trains from scratch): stratified K-fold, or with ``--folds 1`` one
stratified hold-out split (``--test-size``). In the same run and on the same
split it evaluates the classical peer of ``benchmarks/peer.py``: period, LS
power, ~40 ``light-curve`` statistics and Fourier shape parameters at P and 2P,
with a random forest and a histogram gradient-boosting classifier (the headline
is the better one by inner CV on the training stars, never by test score);
novelty by the classifier's maximum probability and by an IsolationForest.
Novel stars (label ``novel`` or ``VAR``) are never trained on; they are the
positives of the novelty test in every fold. Thresholds are the 80th and 95th
percentiles of the training stars' novelty scores, as in the paper.

``data`` is a data folder, ``simulator``, or several folders joined by ``+``
(combined into one set, e.g. ``../shared/data/asas_acvs+../shared/data/
asas_richards2012``).

Writes ``<out>.json`` (every fold and mean/std) and ``<out>.md`` (the table,
with the command that produced it). On a single split, accuracy and per-class
recall carry 95 % Wilson intervals.

Usage::

    python benchmarks/table2.py ../shared/data/asas_richards2012 --folds 3
    python benchmarks/table2.py ../shared/data/asas_richards2012 --no-deep --folds 1
    python benchmarks/table2.py ../shared/data/eros1_lmc --band both --n-obs 100
    python benchmarks/table2.py simulator --n-per-class 100 --deep-param lr=1e-3
"""

import argparse
import ast
import json
import os
import shlex
import sys
import time
import warnings

import numpy as np
from paired import TABLE_HEAD, compare, format_paired, write_stars
from peer import (
    CLASSIFIERS,
    PEER_KEYS,
    evaluate_combination,
    evaluate_peer,
    peer_features,
    wilson_interval,
)
from scipy import stats
from sklearn.model_selection import StratifiedKFold, train_test_split

from skdualnet import estimate_period
from skdualnet.__main__ import detect_format, load_folder
from skdualnet._decision import decide
from skdualnet._novelty import NOVELTY_NAMES
from skdualnet._protocol import evaluate_split, make_default_model, summarize
from skdualnet._report import classification_report_dict
from skdualnet.datasets import (
    RICHARDS_SUPERCLASS_MAP,
    combine_datasets,
    load_asas_richards2012,
    make_light_curves,
)

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
PEER_NAMES = {
    "random_forest": "peer RF",
    "hist_gradient_boosting": "peer HGB",
    "random_forest_balanced": "peer RF, balanced decision",
    "hist_gradient_boosting_balanced": "peer HGB, balanced decision",
}


def classical_features(X):
    """The former 10-statistic baseline (still used by ``speed.py``)."""
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


# ---------------------------------------------------------------- arguments
def _parse_param(text):
    """``NAME=VALUE`` with VALUE a Python literal, else a string."""
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    try:
        value = ast.literal_eval(value)
    except (ValueError, SyntaxError):
        pass
    return name, value


def add_deep_param_argument(parser):
    """The repeatable ``--deep-param NAME=VALUE`` option: extra
    ``make_default_model`` keywords, read by :func:`_parse_param`."""
    parser.add_argument(
        "--deep-param",
        type=_parse_param,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra make_default_model keyword (repeatable; VALUE a Python literal)",
    )


def add_data_arguments(parser):
    """The options that choose the stars and the split by star, read by
    :func:`load_capped` and :func:`holdout_split` (the positional ``data``,
    ``--format``, ``--band``, ``--n-per-class``, ``--max-per-class``,
    ``--test-size`` and ``--seed``), shared by the benchmark scripts so that
    the same options give the same stars and split in all of them."""
    parser.add_argument(
        "data", help="data folder, 'simulator', or folders joined by '+'"
    )
    parser.add_argument(
        "--format", default="auto", help="the folder's format (default: detected)"
    )
    parser.add_argument("--band", default=None, help="band of a two-band survey")
    parser.add_argument(
        "--n-per-class",
        type=int,
        default=100,
        help="stars per class of the simulator",
    )
    parser.add_argument(
        "--max-per-class",
        type=int,
        default=None,
        help="keep at most N known stars per class (seeded); novel stars all kept",
    )
    parser.add_argument(
        "--test-size",
        type=float,
        default=0.25,
        help="share of the known stars in the test set of a hold-out split",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seed of the split, the cap, the simulator and the models",
    )


MIN_OBS = 10  # make_default_model's SequenceSegmenter(min_obs=10)


def _load(args):
    """``(X, y, name)`` for a folder, ``simulator`` or ``folder+folder+...``."""
    if args.data == "simulator":
        X, y = make_light_curves(
            n_per_class=args.n_per_class, novel_classes=["VAR"], random_state=args.seed
        )
        return X, np.asarray(y), "simulator"
    folders = [args.data] if os.path.isdir(args.data) else args.data.split("+")
    pairs = [load_folder(f, args.format, args.band) for f in folders]
    if len(folders) > 1:
        # The ACVS folder has no training class for chemically peculiar
        # stars (its alpha2 CVn stars are novel); Richards et al. call them
        # ROT. Combined, they are novel in both, so one label means one thing.
        pairs = [
            load_asas_richards2012(
                f, {**RICHARDS_SUPERCLASS_MAP, "ChemPeculiar": "novel"}, on_error="skip"
            )
            if detect_format(f) == "richards2012"
            else pair
            for f, pair in zip(folders, pairs)
        ]
    name = "+".join(os.path.basename(os.path.normpath(f)) for f in folders)
    if args.band:
        name += f"_{args.band}"
    if len(pairs) == 1:
        X, y = pairs[0]
    else:
        X, y = combine_datasets(*pairs)
    # The default pipeline refuses stars with fewer than SequenceSegmenter's
    # min_obs observations (it names them); leave them out here, saying so.
    n_obs = np.array([len(c) for c in X.curves])
    short = n_obs < MIN_OBS
    for i in np.flatnonzero(short):
        print(
            f"left out star {str(X.ids[i])!r} ({y[i]}): {n_obs[i]} observations, "
            f"fewer than {MIN_OBS}",
            flush=True,
        )
    if short.any():
        X, y = X[~short], np.asarray(y)[~short]
    return X, np.asarray(y), name


def with_periods(X):
    """``(X with every missing period estimated, seconds it took)``.

    The deep model's PhaseFolder would do the same per fold; it is
    deterministic, so doing it once up front only saves time. The curves stay
    raw (unfolded), with ``period``, ``period_flag`` and ``period_power`` set.
    """
    from skdualnet import PhaseFolder

    t0 = time.perf_counter()
    folded = PhaseFolder().fit_transform(X)
    seconds = time.perf_counter() - t0
    X = X.replace(
        period=folded.period,
        period_flag=folded.period_flag,
        period_power=folded.period_power,
    )
    return X, seconds


def _cap_per_class(y, max_per_class, seed):
    """Indices keeping at most ``max_per_class`` known stars per class."""
    rng = np.random.default_rng(seed)
    keep = [np.flatnonzero(np.isin(y, NOVEL))]
    for c in np.unique(y[~np.isin(y, NOVEL)]):
        idx = np.flatnonzero(y == c)
        if len(idx) > max_per_class:
            idx = rng.choice(idx, max_per_class, replace=False)
        keep.append(idx)
    return np.sort(np.concatenate(keep))


def known_and_novel(y):
    """``(known, novel)``: indices of the known-class stars and of the novel
    ones (label in ``NOVEL``), which are never trained on."""
    novel_mask = np.isin(y, NOVEL)
    return np.flatnonzero(~novel_mask), np.flatnonzero(novel_mask)


def holdout_split(y, known, test_size, seed):
    """``(train, test)``: the stratified hold-out split by star of
    ``--folds 1``, indices drawn from ``known``. The other benchmark scripts
    call it too, so that ``--seed`` gives the same split in all of them."""
    return train_test_split(
        known, test_size=test_size, stratify=y[known], random_state=seed
    )


def load_capped(args):
    """:func:`_load`, then at most ``args.max_per_class`` known stars per
    class (seeded by ``args.seed``; the name gains ``_max<N>``)."""
    X, y, name = _load(args)
    if args.max_per_class:
        keep = _cap_per_class(y, args.max_per_class, args.seed)
        X, y = X[keep], y[keep]
        name += f"_max{args.max_per_class}"
    return X, y, name


# ---------------------------------------------------------------- reporting
def _add_wilson(report):
    """Add 95 % Wilson intervals to every classification report in ``report``."""
    for value in list(report.values()):
        if isinstance(value, dict):
            _add_wilson(value)
    if "confusion_matrix" in report:
        cm = np.asarray(report["confusion_matrix"])
        report["accuracy_wilson95"] = list(wilson_interval(np.trace(cm), cm.sum()))
        report["per_class_recall_wilson95"] = {
            c: list(wilson_interval(cm[i, i], cm[i].sum()))
            for i, c in enumerate(report["labels"])
        }
    return report


def _models(has_deep, best, head="network", novelty="energy", decision="argmax"):
    """(label, which, classification key or None, novelty key) per table row.

    The first row is skdualnet's own classifier: its estimation network, or
    its boosting head with ``--deep-param head='boosting'``, with its novelty
    score (``--deep-param novelty=...``); for a score other than the energy,
    two rows without classification give the energy and the max probability
    alone, from the same fit. With ``--deep-param decision='balanced'`` a
    row follows it with the same fit deciding by the most probable class.
    """
    rows = []
    own = "boosting head" if head == "boosting" else "estimation network"
    if has_deep:
        score = NOVELTY_NAMES[novelty]
        rows += [
            (f"skdualnet {own} ({score})", "deep", "estimation_network"),
            *(
                [
                    (
                        f"skdualnet {own}, most probable class ({score})",
                        "deep",
                        "estimation_network_argmax",
                    )
                ]
                if decision == "balanced"
                else []
            ),
            (f"skdualnet RF on embedding ({score})", "deep", "random_forest"),
        ]
    rows += [(f"{PEER_NAMES[k]} (max probability)", "peer", k) for k in PEER_KEYS] + [
        (f"peer headline: {best} (max probability)", "peer", "headline")
    ]
    if has_deep:
        rows += [
            (
                "combined: peer HGB on z + peer features (max probability)",
                "combo",
                "hgb_on_latent_and_features",
            ),
            (
                "combined: mean of skdualnet and peer headline probabilities "
                "(max probability)",
                "combo",
                "mean_probability",
            ),
        ]
    rows = [
        (label, which, key, "novelty." if which == "deep" else key + ".novelty.")
        for label, which, key in rows
    ]
    if has_deep and novelty != "energy":
        # after skdualnet's "RF on embedding" row
        at = 1 + [row[1:3] for row in rows].index(("deep", "random_forest"))
        rows[at:at] = [
            (f"skdualnet {own}: {NOVELTY_NAMES[part]} alone", "deep", None, nov)
            for part, nov in (
                ("energy", "novelty_energy."),
                ("max_proba", "novelty_max_proba."),
            )
        ]
    rows.append(("peer IsolationForest", "peer", None, "isolation_forest.novelty."))
    return rows


def _cell(summary, folds, key, pct=True, single=False):
    if key not in summary:
        return "n/a"
    m, sd = summary[key]["mean"], summary[key]["std"]
    scale, fmt = (100, ".1f") if pct else (1, ".3f")
    if not single:
        return f"{scale * m:{fmt}} ± {scale * sd:{fmt}}"
    out = f"{scale * m:{fmt}}"
    parts = key.split(".")
    node = folds[0]
    for p in parts[:-1]:
        node = node[p] if isinstance(node, dict) and p in node else None
        if node is None:
            return out
    ci = None
    if parts[-1] == "accuracy":
        ci = node.get("accuracy_wilson95")
    elif len(parts) >= 2 and parts[-2] == "per_class_accuracy":
        node = folds[0]
        for p in parts[:-2]:
            node = node[p]
        ci = node.get("per_class_recall_wilson95", {}).get(parts[-1])
    if ci is not None and np.all(np.isfinite(ci)):
        out += f" [{scale * ci[0]:{fmt}}, {scale * ci[1]:{fmt}}]"
    return out


def _is_boosting(result):
    """Whether skdualnet ran with ``--deep-param head='boosting'``."""
    return result.get("deep_params", {}).get("head") == repr("boosting")


def _novelty(result):
    """skdualnet's ``novelty`` score in this run (``--deep-param novelty=...``)."""
    stored = result.get("deep_params", {}).get("novelty")
    return "energy" if stored is None else _parse_param("novelty=" + stored)[1]


def _decision(result):
    """skdualnet's ``decision`` in this run (``--deep-param decision=...``)."""
    stored = result.get("deep_params", {}).get("decision")
    return "argmax" if stored is None else _parse_param("decision=" + stored)[1]


def _table(result, summaries, folds, classes, single):
    has_deep = "skdualnet" in result
    head = "boosting" if _is_boosting(result) else "network"
    novelty = _novelty(result)
    decision = _decision(result)
    best = result["peer"]["headline_classifiers"]
    best = best[0] if len(set(best)) == 1 else "per fold " + ", ".join(best)
    acc_head = "accuracy % [95 % Wilson]" if single else "accuracy %"
    lines = [
        f"| model (novelty score) | {acc_head} | balanced accuracy % | novelty AUROC"
        " | 80th pct P / R / F1 | 95th pct P / R / F1 |",
        "|---|---|---|---|---|---|",
    ]
    for label, which, key, nov in _models(has_deep, best, head, novelty, decision):
        s, f = summaries[which], folds[which]
        cells = (
            [
                _cell(s, f, key + ".accuracy", single=single),
                _cell(s, f, key + ".balanced_accuracy", single=single),
            ]
            if key
            else ["—", "—"]
        )
        cells.append(_cell(s, f, nov + "auroc", pct=False, single=single))
        for p in ("p80", "p95"):
            keys = [f"{nov}{p}.{k}" for k in ("precision", "recall", "f1")]
            cells.append(
                " / ".join(f"{s[k]['mean']:.2f}" if k in s else "n/a" for k in keys)
                if nov + "auroc" in s
                else "n/a"
            )
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    rec = "per-class recall % [95 % Wilson]" if single else "per-class recall %"
    lines += ["", f"{rec}, {'' if single else 'mean ± std over folds, '}test stars:"]
    cols = [
        (label.split(" (")[0], which, key)
        for label, which, key, _ in _models(has_deep, best, head, novelty, decision)
        if key and key != "headline"
    ]
    support = folds["peer"][0]["random_forest"]["support"]
    n_head = "n known / n test" if single else "n known"
    lines += [
        "",
        f"| class | {n_head} | " + " | ".join(c[0] for c in cols) + " |",
        "|---|---|" + "---|" * len(cols),
    ]
    for c, n in classes:
        cells = [
            _cell(summaries[w], folds[w], f"{k}.per_class_accuracy.{c}", single=single)
            for _, w, k in cols
        ]
        count = f"{n} / {support.get(c, 0)}" if single else f"{n}"
        lines.append(f"| {c} | {count} | " + " | ".join(cells) + " |")
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_data_arguments(parser)
    parser.add_argument(
        "--folds",
        type=int,
        default=3,
        help="K-fold CV over known stars; 1 = one stratified hold-out split",
    )
    parser.add_argument("--n-obs", type=int, default=200)
    parser.add_argument("--epochs", type=int, default=None)
    add_deep_param_argument(parser)
    parser.add_argument(
        "--keep-best",
        action="store_true",
        help="a lever: restore the weights of the epoch with the best "
        "validation accuracy at the end of training (skorch's "
        "EarlyStopping(load_best=True), patience never reached), on a "
        "stratified 20 %% validation split of the training stars",
    )
    parser.add_argument(
        "--no-deep", action="store_true", help="run the classical peer only"
    )
    parser.add_argument("--out", default=None, help="output path without suffix")
    args = parser.parse_args(argv)
    if args.folds < 1:
        parser.error("--folds must be at least 1")
    command = shlex.join(
        ["python", "benchmarks/table2.py", *(sys.argv[1:] if argv is None else argv)]
    )

    t0 = time.perf_counter()
    X, y, name = load_capped(args)
    print(
        f"{name}: {len(y)} stars: "
        + ", ".join(f"{c} {n}" for c, n in zip(*np.unique(y, return_counts=True))),
        flush=True,
    )
    known, novel = known_and_novel(y)

    X, period_seconds = with_periods(X)
    print(f"period search: {period_seconds:.1f} s", flush=True)
    t_f = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        F, feature_names = peer_features(X)
    feature_seconds = time.perf_counter() - t_f
    feature_warnings = [str(w.message) for w in caught]
    nan = np.isnan(F)
    feature_info = {
        "n_features": len(feature_names),
        "names": feature_names,
        "seconds": feature_seconds,
        "ms_per_star": 1e3 * feature_seconds / max(len(y), 1),
        "n_stars_with_nan": int(nan.any(1).sum()),
        "nan_per_feature": {n: int(k) for n, k in zip(feature_names, nan.sum(0)) if k},
        "stars_with_nan": [X.star_name(i) for i in np.flatnonzero(nan.any(1))][:50],
        "warnings": feature_warnings,
    }
    print(
        f"peer features: {len(feature_names)} per star in {feature_seconds:.1f} s "
        f"({feature_info['ms_per_star']:.2f} ms/star); "
        f"{feature_info['n_stars_with_nan']} star(s) with a NaN feature (imputed)",
        flush=True,
    )
    for text in feature_warnings:
        print("  " + text, flush=True)

    params = {"random_state": args.seed, "verbose": 0}
    if args.epochs:
        params["max_epochs"] = args.epochs
    params.update(dict(args.deep_param))
    if args.keep_best:
        from skorch.callbacks import EarlyStopping
        from skorch.dataset import ValidSplit

        best = EarlyStopping(
            monitor="valid_acc", lower_is_better=False, patience=10**6, load_best=True
        )
        params["callbacks"] = [("keep_best", best)]
        params.setdefault("train_split", ValidSplit(0.2, stratified=True))
    if args.folds == 1:
        tr, te = holdout_split(y, known, args.test_size, args.seed)
        splits = [(tr, te)]
        how = f"one stratified hold-out split by star ({len(te)} test stars)"
    else:
        cv = StratifiedKFold(args.folds, shuffle=True, random_state=args.seed)
        splits = [(known[a], known[b]) for a, b in cv.split(known, y[known])]
        how = f"{args.folds}-fold CV split by star (mean ± std over folds)"
    deep, peer, combo = [], [], []
    stars = {}  # per-star predictions and scores of a single split
    for k, (tr, te) in enumerate(splits):
        t1 = time.perf_counter()
        msg = f"fold {k + 1}/{len(splits)}:"
        if not args.no_deep:
            deep.append(
                _add_wilson(
                    evaluate_split(
                        make_default_model(n_obs=args.n_obs, **params),
                        X,
                        y,
                        tr,
                        te,
                        novel,
                        random_state=args.seed,
                        keep=True,
                    )
                )
            )
            objects = deep[-1].pop("_objects")
            clf = objects["model"][-1]
            argmax = clf.classes_[objects["proba_test"].argmax(1)]
            if clf.decision == "balanced":
                deep[-1]["estimation_network_argmax"] = _add_wilson(
                    dict(
                        classification_report_dict(y[te], argmax, clf.classes_),
                        novelty=deep[-1]["novelty"],
                    )
                )
            stars["skdualnet"] = {
                "test_predicted": clf.classes_[
                    decide(objects["proba_test"], clf.decision_weights_)
                ],
                "test_score": objects["scores_known"],
                "novel_predicted": clf.classes_[
                    decide(objects["proba_novel"], clf.decision_weights_)
                ],
                "novel_score": objects["scores_novel"],
            }
            msg += (
                f" deep {deep[-1]['estimation_network']['accuracy']:.3f}"
                f" / RF on z {deep[-1]['random_forest']['accuracy']:.3f} /"
            )
        peer.append(
            _add_wilson(
                evaluate_peer(
                    F, y, tr, te, novel, random_state=args.seed, keep_proba=True
                )
            )
        )
        p = peer[-1]
        peer_proba = p.pop("_proba")
        stars.update(p.pop("_stars"))
        if not args.no_deep:
            combo.append(
                _add_wilson(
                    evaluate_combination(
                        F,
                        y,
                        tr,
                        te,
                        novel,
                        objects,
                        peer_proba,
                        random_state=args.seed,
                    )
                )
            )
            del objects
            msg += (
                " combined: HGB on z + features "
                f"{combo[-1]['hgb_on_latent_and_features']['accuracy']:.3f}, "
                f"mean probability {combo[-1]['mean_probability']['accuracy']:.3f};"
            )
        msg += " " + ", ".join(
            f"{PEER_NAMES[c]} {p[c]['accuracy']:.3f} "
            f"(bal {p[c]['balanced_accuracy']:.3f}, "
            f"inner CV bal {p['inner_cv_balanced_accuracy'].get(c, float('nan')):.3f})"
            for c in CLASSIFIERS
        )
        msg += f"; headline {p['best']} ({time.perf_counter() - t1:.0f} s)"
        print(msg, flush=True)
    summaries = {"peer": summarize(peer)}
    folds = {"peer": peer}
    result = {
        "command": command,
        "data": name,
        "n_stars": int(len(y)),
        "n_known": int(len(known)),
        "n_novel": int(len(novel)),
        "folds": args.folds,
        "test_size": args.test_size if args.folds == 1 else None,
        "max_per_class": args.max_per_class,
        "deep_params": {k: repr(v) for k, v in args.deep_param},
        "keep_best": bool(args.keep_best),
        "period_search_seconds": period_seconds,
        "peer_features": feature_info,
    }
    if deep:
        summaries["deep"] = summarize(deep)
        folds["deep"] = deep
        result["skdualnet"] = {"summary": summaries["deep"], "folds": deep}
        summaries["combo"] = summarize(combo)
        folds["combo"] = combo
        result["combined"] = {
            "note": "not part of skdualnet: skdualnet with the peer, same split",
            "summary": summaries["combo"],
            "folds": combo,
        }
    result["peer"] = {
        "headline_classifiers": [p["best"] for p in peer],
        "summary": summaries["peer"],
        "folds": peer,
    }
    if deep and args.folds == 1:
        result["paired"] = {
            "note": "skdualnet minus the peer's classifier on the same stars; "
            "stratified bootstrap (benchmarks/paired.py)",
            **{
                key: compare(y[te], stars, "skdualnet", key, random_state=args.seed)
                for key in PEER_KEYS
            },
        }
    result["seconds"] = time.perf_counter() - t0

    classes = [(c, int((y[known] == c).sum())) for c in np.unique(y[known])]
    lines = [
        f"## {name}: {len(known)} known-class stars, {len(novel)} novel, {how}",
        "",
        f"Command: `{command}`",
        "",
        *_table(result, summaries, folds, classes, single=args.folds == 1),
        "",
        f"Peer: {len(feature_names)} features per star "
        f"({feature_info['ms_per_star']:.2f} ms/star after the period search, "
        f"{feature_info['n_stars_with_nan']} star(s) with an imputed feature); "
        "inner-CV balanced accuracy on the training stars "
        + "; ".join(
            ", ".join(
                f"{PEER_NAMES[c]} {v:.3f}"
                for c, v in p["inner_cv_balanced_accuracy"].items()
            )
            for p in peer
        )
        + ". Max-probability thresholds are percentiles of the training stars' "
        "out-of-fold (inner CV) probabilities.",
        "",
        *(
            [
                "The two 'combined' rows are not skdualnet: they put its fitted "
                "network together with the peer on the same split (gradient "
                "boosting with the peer's settings on skdualnet's latent vector "
                "next to the peer's features; the mean of the two models' class "
                "probabilities), to measure how much of the gap the pair closes.",
                "",
            ]
            if deep
            else []
        ),
        *(
            [
                "Paired differences on the same stars, skdualnet's own "
                "classifier and novelty score minus the peer's (stratified "
                f"bootstrap, {result['paired'][CLASSIFIERS[0]]['n_boot']:,} "
                "resamples of the test stars within each class and of the "
                "novel stars; 95 % percentile interval; in brackets after it, "
                "the share of resamples in which skdualnet is not ahead):",
                "",
                *TABLE_HEAD,
                *(
                    format_paired(result["paired"][key], PEER_NAMES[key])
                    for key in PEER_KEYS
                ),
                "",
            ]
            if "paired" in result
            else []
        ),
        f"Period search {period_seconds:.0f} s; total time {result['seconds']:.0f} s.",
    ]
    text = "\n".join(lines)
    print(text)
    if args.out:
        out = args.out
    else:
        stem = f"table2_{name}" + ("_peer" if args.no_deep else "")
        out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", stem)
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out + ".json", "w") as f:
        json.dump(result, f, indent=1, default=float)
    with open(out + ".md", "w") as f:
        f.write(text + "\n")
    print(f"wrote {out}.json and {out}.md")
    if args.folds == 1:
        ids = np.arange(len(y)) if X.ids is None else np.asarray(X.ids)
        write_stars(out + "_stars.csv", ids[te], ids[novel], y[te], y[novel], stars)
        print(f"wrote {out}_stars.csv (per-star predictions and novelty scores)")


if __name__ == "__main__":
    main()
