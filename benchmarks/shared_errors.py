"""Test stars that every model misses, and what their light curves look like.

A diagnostic for a floor shared by skdualnet and the classical peer: from a
per-star file of ``benchmarks/table2.py`` (``--folds 1``, ``<out>_stars.csv``)
it counts, for each class asked for, the test stars each model misses, those
that all the given models miss, and the class they agree on; then it folds
the light curves of the stars all models miss (and, for comparison, of two
stars of each class that skdualnet gets right) at twice the estimated period
and draws them. A contact binary found at half its period shows two minima
per panel with broad maxima and narrow minima; a pulsator shows two
identical cycles, typically with a fast rise.

Writes ``<out>.md`` (counts, star ids, the command) and ``<out>.png``.

Usage::

    python benchmarks/shared_errors.py \\
        benchmarks/results/table2_asas_acvs_all_balanced_stars.csv \\
        ../shared/data/asas_acvs --classes DSCT RRCD \\
        --out benchmarks/results/shared_errors_asas_acvs_all
"""

import argparse
import collections
import csv
import shlex
import sys
from types import SimpleNamespace

import numpy as np
from table2 import _load, with_periods

#: Models compared by default: skdualnet (with the decision it was run
#: with), the peer's boosting with and without the balanced-accuracy
#: decision, and the peer's forest with it.
MODELS = (
    "skdualnet",
    "hist_gradient_boosting",
    "hist_gradient_boosting_balanced",
    "random_forest_balanced",
)


def shared_errors(rows, classes, models):
    """Per class: the test stars each model misses and those all miss.

    Parameters
    ----------
    rows : list of dict
        Rows of a per-star file (``star``, ``set``, ``true_class``,
        ``<model>_predicted``).
    classes : list of str
    models : list of str

    Returns
    -------
    dict
        Per class: ``n`` (test stars), ``missed`` (per model), ``all_missed``
        (star ids every model misses) and ``agreed`` (a count of the class
        all models give those stars, when they agree).
    """
    out = {}
    for c in classes:
        test = [r for r in rows if r["set"] == "test" and r["true_class"] == c]
        missed = {m: sum(r[f"{m}_predicted"] != c for r in test) for m in models}
        common = [r for r in test if all(r[f"{m}_predicted"] != c for m in models)]
        agreed = collections.Counter(
            r[f"{models[0]}_predicted"]
            for r in common
            if len({r[f"{m}_predicted"] for m in models}) == 1
        )
        out[c] = {
            "n": len(test),
            "missed": missed,
            "all_missed": [r["star"] for r in common],
            "agreed": dict(agreed),
        }
    return out


def _plot(X, labels, titles, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n, ncol = len(titles), 4
    nrow = int(np.ceil(n / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(4 * ncol, 2.6 * nrow), squeeze=False)
    for ax, curve, period, label, title in zip(
        axes.ravel(), X.curves, X.period, labels, titles
    ):
        t, mag = np.asarray(curve)[:, 0], np.asarray(curve)[:, 1]
        ax.plot((t % (2 * period)) / (2 * period), mag, ".", ms=2)
        ax.invert_yaxis()
        ax.set_title(f"{title}\nlabel {label}, P = {period:.4f} d, at 2P", fontsize=8)
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(path, dpi=70)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stars", help="<out>_stars.csv of table2.py --folds 1")
    parser.add_argument("data", help="the data folder table2.py read")
    parser.add_argument("--classes", nargs="+", required=True)
    parser.add_argument("--models", nargs="+", default=list(MODELS))
    parser.add_argument("--out", required=True, help="output path without suffix")
    args = parser.parse_args(argv)
    command = shlex.join(
        [
            "python",
            "benchmarks/shared_errors.py",
            *(sys.argv[1:] if argv is None else argv),
        ]
    )
    with open(args.stars, newline="") as fh:
        rows = list(csv.DictReader(fh))
    result = shared_errors(rows, args.classes, args.models)
    lines = [
        f"## Test stars every model misses ({', '.join(args.models)})",
        "",
        f"Command: `{command}`",
        "",
        "| class | test stars | missed by "
        + " / ".join(args.models)
        + " | missed by all"
        " | the class all give them |",
        "|---|---|---|---|---|",
    ]
    for c, r in result.items():
        missed = " / ".join(str(r["missed"][m]) for m in args.models)
        agreed = ", ".join(f"{k} {v}" for k, v in r["agreed"].items())
        lines.append(
            f"| {c} | {r['n']} | {missed} | {len(r['all_missed'])} | {agreed} |"
        )
    # the stars all miss, then two of each class skdualnet gets right
    right = [
        r["star"]
        for c in args.classes
        for r in [
            r
            for r in rows
            if r["set"] == "test" and r["true_class"] == c
            if r[f"{args.models[0]}_predicted"] == c
        ][:2]
    ]
    wrong = [s for r in result.values() for s in r["all_missed"]]
    said = {r["star"]: r[f"{args.models[0]}_predicted"] for r in rows}
    X, y, _ = _load(SimpleNamespace(data=args.data, format="auto", band=None))
    ids = np.asarray(X.ids).astype(str)
    index = {s: i for i, s in enumerate(ids)}
    stars = [s for s in wrong + right if s in index]
    Xs, _ = with_periods(X[[index[s] for s in stars]])
    titles = [
        f"{s}: all miss, {args.models[0]} says {said[s]}"
        if s in wrong
        else f"{s}: right"
        for s in stars
    ]
    _plot(Xs, [y[index[s]] for s in stars], titles, args.out + ".png")
    lines += [
        "",
        "Stars all models miss: "
        + ", ".join(
            f"{s} (P = {p:.4f} d)" for s, p in zip(stars, Xs.period) if s in wrong
        )
        + ".",
        "",
        f"Figure: `{args.out}.png` (each star folded at twice its estimated "
        "period; the last panels are stars skdualnet classifies correctly).",
    ]
    with open(args.out + ".md", "w") as fh:
        fh.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
