"""Train the model shipped as ``skdualnet.pretrained("asas")`` and write its card.

Loads the shared ASAS folders (combined as in ``table2.py``: chemically
peculiar stars are novel in both), keeps at most ``--max-per-class`` stars of
each known class, holds out ``--test-size`` of the known stars by star
(stratified), estimates every period once, trains the default pipeline
(``skdualnet.make_default_model``) on the rest and measures it on
the held-out known stars and all novel stars, next to the classical peer
(``peer.py``) on the same split. Writes the model (``--out``, skdualnet's
pickle-free format) and ``benchmarks/results/pretrained_<name>.{json,md}``:
accuracy, balanced accuracy, per-class recall with 95 % Wilson intervals,
novelty AUROC and P/R/F1, wall times, and the training loss (and, with a
validation split, its accuracy) against training time.

Usage::

    python benchmarks/train_pretrained.py \
        ../shared/data/asas_acvs+../shared/data/asas_richards2012 \
        --max-per-class 800 --epochs 30 --out skdualnet/models/asas.skdn
"""

import argparse
import json
import os
import shlex
import sys
import time
from types import SimpleNamespace

import numpy as np
import torch
from machine import cpu_model
from peer import evaluate_peer, peer_features, wilson_interval
from sklearn.base import clone
from sklearn.metrics import balanced_accuracy_score
from skorch.callbacks import Callback
from table2 import (
    _cap_per_class,
    _load,
    add_deep_param_argument,
    holdout_split,
    known_and_novel,
    with_periods,
)

from skdualnet._persistence import save_model
from skdualnet._protocol import evaluate_split, make_default_model

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")


class HeldOutAccuracy(Callback):
    """Record the held-out stars' accuracy after every epoch.

    For the accuracy-against-training-time curve only: nothing reads it back
    during training (no early stopping, no choice of epoch), so the held-out
    stars stay unseen by the fit.
    """

    def __init__(self, X, y):
        self.X, self.y = X, y

    def on_epoch_end(self, net, **kwargs):
        t0 = time.perf_counter()
        pred = net.predict(self.X)
        net.history.record("heldout_acc", float(np.mean(pred == self.y)))
        net.history.record(
            "heldout_balanced", float(balanced_accuracy_score(self.y, pred))
        )
        net.history.record("heldout_seconds", time.perf_counter() - t0)


def add_split_arguments(parser):
    """The options that define the stars and the split (shared with
    ``refit_novelty.py``, which must reproduce a shipped model's split)."""
    parser.add_argument("data", help="folder, or folders joined by '+'")
    parser.add_argument("--max-per-class", type=int, default=800)
    parser.add_argument("--test-size", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=0)


def load_split(args):
    """The stars, their periods and the split by star of a training run.

    Returns ``X, y, train, test, novel, counts, data_name, period_seconds``.
    """
    X, y, data_name = _load(SimpleNamespace(data=args.data, format="auto", band=None))
    keep = _cap_per_class(y, args.max_per_class, args.seed)
    X, y = X[keep], y[keep]
    counts = {str(c): int(n) for c, n in zip(*np.unique(y, return_counts=True))}
    print(f"{data_name}: {len(y)} stars kept: {counts}", flush=True)
    known, novel = known_and_novel(y)
    train, test = holdout_split(y, known, args.test_size, args.seed)
    X, period_seconds = with_periods(X)
    print(f"periods: {period_seconds:.0f} s", flush=True)
    return X, y, train, test, novel, counts, data_name, period_seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_split_arguments(parser)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--n-obs", type=int, default=200)
    parser.add_argument("--out", required=True, help="model file to write")
    parser.add_argument("--name", default="asas")
    add_deep_param_argument(parser)
    args = parser.parse_args(argv)
    command = "python benchmarks/train_pretrained.py " + shlex.join(
        argv if argv is not None else sys.argv[1:]
    )
    t_start = time.perf_counter()
    X, y, train, test, novel, counts, data_name, period_seconds = load_split(args)

    model = make_default_model(
        n_obs=args.n_obs,
        max_epochs=args.epochs,
        random_state=args.seed,
        **dict(args.deep_param),
    )
    # The front end is per star (no fitted state), so the held-out stars'
    # inputs can be made before the fit for the accuracy-vs-time curve.
    X_test = clone(model[:-1]).fit(X[train]).transform(X[test])
    model[-1].set_params(callbacks=[("heldout", HeldOutAccuracy(X_test, y[test]))])
    deep = evaluate_split(
        model, X, y, train, test, novel, random_state=args.seed, keep=True
    )
    fitted = deep.pop("_objects")["model"]
    clf = fitted[-1]
    clf.callbacks = None  # not part of the shipped model
    print(
        f"skdualnet: accuracy {deep['estimation_network']['accuracy']:.3f}, "
        f"balanced {deep['estimation_network']['balanced_accuracy']:.3f}, "
        f"novelty AUROC {deep['novelty'].get('auroc', float('nan')):.3f}, "
        f"fit {deep['fit_seconds']:.0f} s",
        flush=True,
    )
    t1 = time.perf_counter()
    F = peer_features(X)[0]
    peer = evaluate_peer(F, y, train, test, novel, random_state=args.seed)
    peer_seconds = time.perf_counter() - t1

    curve, elapsed = [], 0.0
    for row in clf.history:
        # skorch's EpochTimer (a default callback) records "dur" before the
        # user's HeldOutAccuracy runs, so it leaves the held-out pass out
        elapsed += row["dur"]
        curve.append(
            {
                "epoch": row["epoch"],
                "seconds": elapsed,
                "train_loss": row["train_loss"],
                "heldout_acc": row["heldout_acc"],
                "heldout_balanced": row["heldout_balanced"],
                # only with a validation split (the default has none)
                **({"valid_acc": row["valid_acc"]} if "valid_acc" in row else {}),
            }
        )
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    save_model(fitted, args.out)
    size = os.path.getsize(args.out)

    def recall_table(report):
        cm = np.asarray(report["confusion_matrix"])
        return {
            c: {
                "recall": float(cm[i, i] / max(cm[i].sum(), 1)),
                "n": int(cm[i].sum()),
                "wilson95": list(wilson_interval(cm[i, i], cm[i].sum())),
            }
            for i, c in enumerate(report["labels"])
        }

    result = {
        "command": command,
        "data": data_name,
        "cpu": cpu_model(),
        "torch_threads": torch.get_num_threads(),
        "deep_params": {k: repr(v) for k, v in args.deep_param},
        "classes": counts,
        "n_train": int(len(train)),
        "n_test": int(len(test)),
        "n_novel": int(len(novel)),
        "period_search_seconds": period_seconds,
        # the fit's wall time includes the held-out passes of the curve
        "fit_seconds": deep["fit_seconds"],
        "heldout_curve_seconds": float(sum(r["heldout_seconds"] for r in clf.history)),
        "peer_seconds": peer_seconds,
        "total_seconds": time.perf_counter() - t_start,
        "model_file": os.path.relpath(args.out),
        "model_bytes": size,
        "skdualnet": deep,
        "skdualnet_recall": recall_table(deep["estimation_network"]),
        "peer": peer,
        "epochs_vs_seconds": curve,
    }
    write_record(args.name, result, model_card)


def write_record(name, result, render):
    """Write ``benchmarks/results/pretrained_<name>.json`` and its markdown,
    ``render(result)``, and print the markdown."""
    os.makedirs(RESULTS, exist_ok=True)
    base = os.path.join(RESULTS, f"pretrained_{name}")
    with open(base + ".json", "w") as f:
        json.dump(result, f, indent=1, default=float)
    with open(base + ".md", "w") as f:
        f.write(render(result) + "\n")
    print(render(result))


def model_card(r):
    """Markdown summary of a training run (the docs' model card quotes it)."""
    en, nov = r["skdualnet"]["estimation_network"], r["skdualnet"]["novelty"]
    lines = [
        f"## Pretrained model `{r['model_file']}`",
        "",
        f"Command: `{r['command']}`",
        "",
        f"- data: {r['data']}; stars per class: {r['classes']}",
        f"- split by star (stratified): {r['n_train']} training, {r['n_test']} "
        f"held-out known, {r['n_novel']} novel stars (never trained on)",
        f"- CPU: {r['cpu']}, {r['torch_threads']} torch threads; period search "
        f"{r['period_search_seconds']:.0f} s, training "
        f"{r['fit_seconds'] - r.get('heldout_curve_seconds', 0.0):.0f} s",
        f"- file size: {r['model_bytes'] / 1024:.0f} KiB",
        "",
        "| held-out stars | skdualnet | classical peer (same split) |",
        "|---|---|---|",
        f"| accuracy | {en['accuracy']:.3f} | "
        f"{r['peer']['headline']['accuracy']:.3f} |",
        f"| balanced accuracy | {en['balanced_accuracy']:.3f} | "
        f"{r['peer']['headline']['balanced_accuracy']:.3f} |",
        f"| novelty AUROC | {nov.get('auroc', float('nan')):.3f} | "
        f"{r['peer']['headline']['novelty'].get('auroc', float('nan')):.3f} "
        f"({r['peer']['best']}, max probability) |",
        "",
        "Per-class recall of skdualnet (95 % Wilson interval):",
        "",
    ]
    for c, v in r["skdualnet_recall"].items():
        lo, hi = v["wilson95"]
        lines.append(f"- {c}: {v['recall']:.3f} [{lo:.2f}, {hi:.2f}] (n={v['n']})")
    curve = [row for row in r["epochs_vs_seconds"] if "heldout_acc" in row]
    if curve:
        lines += [
            "",
            "Held-out accuracy against training time (recorded after each "
            "epoch, never used to choose one; the learning rate follows the "
            "cosine schedule of the full run, so a shorter `--epochs` run "
            "ends differently):",
            "",
            "| epoch | training seconds | accuracy | balanced accuracy |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {row['epoch']} | {row['seconds']:.0f} | {row['heldout_acc']:.3f} "
            f"| {row['heldout_balanced']:.3f} |"
            for row in curve
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
