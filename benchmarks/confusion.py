"""Where the peer's errors go: confusion matrix and periods by true class.

A diagnostic for the classes that neither skdualnet nor the classical peer
recovers (on ASAS-ACVS, delta Scuti and RR Lyrae c both near 80 % recall).
It loads and caps the data, estimates the periods and splits the known stars
exactly as ``benchmarks/table2.py`` does with ``--folds 1`` and the same
``--seed``, fits the peer's histogram gradient boosting on the training stars
and writes, for the test stars, the confusion matrix and the quantiles of the
period of each (true, predicted) cell with at least one star (the data's
period where it gives one, as for EROS, else the period search's).

Writes ``<out>.json`` and ``<out>.md`` (with the command that produced them).

Usage::

    python benchmarks/confusion.py ../shared/data/asas_acvs \\
        --out benchmarks/results/confusion_asas_acvs_all
"""

import argparse
import json
import shlex
import sys
import time

import numpy as np
from peer import _make_classifiers, peer_features
from sklearn.metrics import confusion_matrix
from table2 import (
    add_data_arguments,
    holdout_split,
    known_and_novel,
    load_capped,
    with_periods,
)

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_data_arguments(parser)
    parser.add_argument("--out", required=True, help="output path without suffix")
    args = parser.parse_args(argv)
    command = shlex.join(
        ["python", "benchmarks/confusion.py", *(sys.argv[1:] if argv is None else argv)]
    )
    t0 = time.perf_counter()
    X, y, name = load_capped(args)
    X, _ = with_periods(X)
    F, _ = peer_features(X)
    known, _ = known_and_novel(y)
    tr, te = holdout_split(y, known, args.test_size, args.seed)
    model = _make_classifiers(args.seed)["hist_gradient_boosting"].fit(F[tr], y[tr])
    pred = model.predict(F[te])
    classes = list(model.classes_)
    cm = confusion_matrix(y[te], pred, labels=classes)
    period = np.asarray(X.period)[te]
    cells = []
    for true in classes:
        for guess in classes:
            hit = (y[te] == true) & (pred == guess)
            if hit.any():
                q = np.quantile(period[hit], QUANTILES)
                cells.append(
                    {
                        "true": true,
                        "predicted": guess,
                        "n": int(hit.sum()),
                        "period_quantiles": [float(v) for v in q],
                    }
                )
    result = {
        "command": command,
        "data": name,
        "n_train": len(tr),
        "n_test": len(te),
        "classes": classes,
        "confusion": cm.tolist(),
        "cells": cells,
        "seconds": time.perf_counter() - t0,
    }
    head = "| true \\ predicted | " + " | ".join(classes) + " |"
    lines = [
        f"## {name}: the peer's gradient boosting, {len(te)} test stars "
        f"(split as table2.py --folds 1 --seed {args.seed})",
        "",
        f"Command: `{command}`",
        "",
        head,
        "|" + "---|" * (len(classes) + 1),
        *(
            f"| {c} | " + " | ".join(str(v) for v in row) + " |"
            for c, row in zip(classes, cm)
        ),
        "",
        "Period (d; the data's, else estimated) of the test stars in each "
        "cell, quantiles " + " / ".join(f"{int(100 * q)}" for q in QUANTILES) + " %:",
        "",
        "| true | predicted | n | period quantiles (d) |",
        "|---|---|---|---|",
        *(
            f"| {c['true']} | {c['predicted']} | {c['n']} | "
            + " / ".join(f"{v:.3g}" for v in c["period_quantiles"])
            + " |"
            for c in cells
        ),
        "",
        f"Total time {result['seconds']:.0f} s.",
    ]
    with open(args.out + ".json", "w") as fh:
        json.dump(result, fh, indent=1)
    with open(args.out + ".md", "w") as fh:
        fh.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    print(f"wrote {args.out}.json and {args.out}.md")


if __name__ == "__main__":
    main()
