"""A lever: an ensemble of skdualnet networks that differ only in their seed.

One stratified hold-out split by star (``--test-size`` of the known stars,
``--seed``), the same split and star subset as ``table2.py --folds 1`` with the
same ``--seed`` and ``--max-per-class``. Trains ``--members`` default pipelines
(``make_default_model``) whose networks take ``random_state`` 0, 1, ...,
``members - 1`` (member 0 is the network of the table-2 run with ``--seed 0``),
and the classical peer of ``benchmarks/peer.py`` on the same split, in the
same run.

The ensemble of the first ``m`` members predicts the class of the mean of
their class probabilities. Its novelty score is the mean, over the members,
of each member's ``score_samples`` standardised by its own training stars'
scores (minus their median, over their interquartile range: energies of
different networks are on different scales), and the thresholds are
percentiles of the training stars' mean standardised scores, as in
``table2.py``.

Writes ``<out>.json`` and ``<out>.md`` with the command that produced them.

Usage::

    python benchmarks/ensemble.py ../shared/data/asas_acvs --max-per-class 400 \\
        --epochs 30 --members 5 --out benchmarks/results/ensemble_asas_acvs_max400
"""

import argparse
import json
import shlex
import sys
import time

import numpy as np
from machine import cpu_model
from peer import evaluate_peer, peer_features
from table2 import (
    _add_wilson,
    add_data_arguments,
    add_deep_param_argument,
    holdout_split,
    known_and_novel,
    load_capped,
    with_periods,
)

from skdualnet._protocol import evaluate_split, make_default_model
from skdualnet._report import classification_report_dict, novelty_metrics


def standardised(scores, training_scores):
    """Scores on the scale of the training stars' scores: minus their median,
    over their interquartile range (a monotone map, so one member's novelty
    AUROC is unchanged)."""
    q1, median, q3 = np.percentile(training_scores, [25, 50, 75])
    return (scores - median) / max(q3 - q1, 1e-12)


def ensemble_report(members, y_test, labels):
    """Classification and novelty of the mean of ``members``' outputs."""
    proba = np.mean([m["proba_test"] for m in members], axis=0)
    pred = labels[proba.argmax(1)]
    report = classification_report_dict(y_test, pred, labels)
    scores = {
        part: np.mean(
            [standardised(m[f"scores_{part}"], m["scores_train"]) for m in members],
            axis=0,
        )
        for part in ("known", "novel", "train")
    }
    report["novelty"] = novelty_metrics(
        scores["known"], scores["novel"], scores["train"]
    )
    return report


def _line(report):
    nov = report["novelty"]["auroc"]
    return f"{report['accuracy']:.3f} / {report['balanced_accuracy']:.3f} / " + (
        "n/a" if nov is None else f"{nov:.3f}"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_data_arguments(parser)
    parser.add_argument("--n-obs", type=int, default=200)
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--members", type=int, default=5)
    add_deep_param_argument(parser)
    parser.add_argument("--out", required=True, help="output path without suffix")
    args = parser.parse_args(argv)
    if args.members < 1:
        parser.error("--members must be at least 1")
    command = shlex.join(
        ["python", "benchmarks/ensemble.py", *(sys.argv[1:] if argv is None else argv)]
    )
    t0 = time.perf_counter()
    X, y, name = load_capped(args)
    known, novel = known_and_novel(y)
    X, _ = with_periods(X)
    F, _ = peer_features(X)
    train, test = holdout_split(y, known, args.test_size, args.seed)
    print(f"{name}: {len(train)} training, {len(test)} test, {len(novel)} novel")

    peer = _add_wilson(evaluate_peer(F, y, train, test, novel, random_state=args.seed))
    hgb = peer["hist_gradient_boosting"]
    print(f"peer HGB {_line(hgb)}", flush=True)

    members, rows = [], []
    labels = None
    for k in range(args.members):
        params = {"random_state": k, "verbose": 0}
        if args.epochs:
            params["max_epochs"] = args.epochs
        params.update(dict(args.deep_param))
        report = evaluate_split(
            make_default_model(n_obs=args.n_obs, **params),
            X,
            y,
            train,
            test,
            novel,
            random_forest=False,
            random_state=args.seed,
            keep=True,
        )
        objects = report.pop("_objects")
        clf = objects["model"][-1]
        labels = clf.classes_
        members.append(
            {
                "proba_test": objects["proba_test"],
                "scores_known": objects["scores_known"],
                "scores_novel": objects["scores_novel"],
                "scores_train": clf.training_scores_,
            }
        )
        single = _add_wilson(report["estimation_network"])
        single["novelty"] = report["novelty"]
        together = _add_wilson(ensemble_report(members, y[test], labels))
        rows.append(
            {
                "member": k,
                "fit_seconds": report["fit_seconds"],
                "member_alone": single,
                "ensemble_of_first": together,
            }
        )
        print(
            f"member {k} ({report['fit_seconds']:.0f} s): alone {_line(single)}; "
            f"ensemble of {k + 1}: {_line(together)}",
            flush=True,
        )

    n_test = len(test)
    result = {
        "command": command,
        "machine": cpu_model(),
        "data": name,
        "n_train": int(len(train)),
        "n_test": int(n_test),
        "n_novel": int(len(novel)),
        "epochs": args.epochs,
        "deep_params": {k: repr(v) for k, v in args.deep_param},
        "peer_hgb": hgb,
        "peer_rf": peer["random_forest"],
        "members": rows,
        "seconds": time.perf_counter() - t0,
    }
    with open(args.out + ".json", "w") as fh:
        json.dump(result, fh, indent=1, default=float)

    def cells(report):
        acc = report["accuracy"]
        lo, hi = report["accuracy_wilson95"]
        nov = report["novelty"]["auroc"]
        return (
            f"{100 * acc:.1f} [{100 * lo:.1f}, {100 * hi:.1f}] | "
            f"{100 * report['balanced_accuracy']:.1f} | "
            + ("n/a" if nov is None else f"{nov:.3f}")
        )

    lines = [
        f"## {name}: an ensemble of skdualnet networks against the peer, one "
        f"stratified split by star ({n_test} test stars, {len(novel)} novel)",
        "",
        f"Command: `{command}`",
        "",
        f"Machine: {result['machine']['model']}, {result['machine']['cores']} "
        f"cores, flags {' '.join(result['machine']['flags'])}.",
        "",
        "| model | accuracy % [95 % Wilson] | balanced accuracy % | novelty AUROC |",
        "|---|---|---|---|",
    ]
    for row in rows:
        k = row["member"]
        lines.append(f"| member {k} alone | {cells(row['member_alone'])} |")
    for row in rows:
        k = row["member"]
        lines.append(
            f"| ensemble of members 0-{k} | {cells(row['ensemble_of_first'])} |"
        )
    lines += [
        f"| peer HGB (max probability) | {cells(hgb)} |",
        f"| peer RF (max probability) | {cells(peer['random_forest'])} |",
        "",
        "Member fit times (s): "
        + ", ".join(f"{row['fit_seconds']:.0f}" for row in rows)
        + f"; total {result['seconds']:.0f} s.",
        "",
    ]
    with open(args.out + ".md", "w") as fh:
        fh.write("\n".join(lines))
    print(f"wrote {args.out}.json and {args.out}.md")


if __name__ == "__main__":
    main()
