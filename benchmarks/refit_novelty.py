"""Give a trained model another novelty score or decision without retraining.

A ``DualNetClassifier``'s ``novelty`` score is set at the end of training,
from the trained network, on the training stars (``on_train_end``, skorch's
hook: the mixture, the boosting head, the training stars' reference scores
and the threshold). This script reproduces a model's training split
(``train_pretrained.py``'s options and seed), sets ``novelty`` and runs that
step again on the same training stars, which is what training with that
``novelty`` would have done after the last epoch. It checks that the
network's outputs, the mixture and the head come out as before (only the
novelty reference is new), measures the held-out split with each score
next to the classical peer (``peer.py``) on the same split, and writes the
model and ``benchmarks/results/pretrained_<name>.{json,md}``. ``--decision``
does the same for ``DualNetClassifier(decision=...)``: the class weights of
``predict`` are tuned in that step too (the probabilities, mixture and
scores stay as they were); the record gives the held-out accuracy with the
most probable class and with the model's decision, and the peer's with
both.

Usage (the shipped boosting model, with the combined score)::

    python benchmarks/refit_novelty.py \
        ../shared/data/asas_acvs+../shared/data/asas_richards2012 \
        --max-per-class 100000 --model skdualnet/models/asas_boosting.skdn \
        --novelty combined --out skdualnet/models/asas_boosting.skdn \
        --name asas_all_boosting_combined
"""

import argparse
import os
import shlex
import sys
import time

import numpy as np
import torch
from machine import cpu_model
from peer import evaluate_peer, peer_features
from sklearn.metrics import accuracy_score, balanced_accuracy_score
from train_pretrained import add_split_arguments, load_split, write_record

from skdualnet._persistence import load_model, save_model
from skdualnet._report import classification_report_dict, novelty_metrics

#: Fitted state that must not change when only the novelty score changes.
UNCHANGED = ("weights_", "means_", "covariances_", "training_energy_scores_")


def _arrays(clf):
    out = {k: np.asarray(getattr(clf, k)) for k in UNCHANGED if hasattr(clf, k)}
    # models fitted before ``novelty`` existed hold the energies here
    out.setdefault("training_energy_scores_", np.asarray(clf.training_scores_))
    for k, v in getattr(clf, "head_trees_", {}).items():
        out[f"head_trees_/{k}"] = np.asarray(v)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_split_arguments(parser)
    parser.add_argument("--model", required=True, help="model file to start from")
    parser.add_argument(
        "--novelty",
        choices=["energy", "max_proba", "combined"],
        help="the novelty score to give the model (default: keep its own)",
    )
    parser.add_argument(
        "--decision",
        choices=["argmax", "balanced"],
        help="the decision to give the model (default: keep its own)",
    )
    parser.add_argument("--out", required=True, help="model file to write")
    parser.add_argument("--name", required=True)
    args = parser.parse_args(argv)
    command = "python benchmarks/refit_novelty.py " + shlex.join(
        argv if argv is not None else sys.argv[1:]
    )
    t_start = time.perf_counter()
    X, y, train, test, novel, counts, data_name, period_seconds = load_split(args)
    model = load_model(args.model)
    front, clf = model[:-1], model[-1]
    parts = {"train": train, "test": test, "novel": novel}
    Xn = {k: front.transform(X[idx]) for k, idx in parts.items()}
    before = _arrays(clf)
    proba_before = clf.predict_proba(Xn["test"])

    t0 = time.perf_counter()
    clf.set_params(
        novelty=args.novelty or clf.novelty,
        decision=args.decision or getattr(clf, "decision", "argmax"),
    )
    # what fit does after its last epoch; y as skorch's loop passes it (encoded)
    clf.on_train_end(clf, X=Xn["train"], y=np.searchsorted(clf.classes_, y[train]))
    refit_seconds = time.perf_counter() - t0
    after = _arrays(clf)
    changes = {
        k: float(np.max(np.abs(after[k].astype(float) - v.astype(float)), initial=0))
        for k, v in before.items()
    }
    out = {k: clf.predict_all(v) for k, v in Xn.items() if k != "train"}
    changes["predict_proba (test stars)"] = float(
        np.max(np.abs(out["test"].proba - proba_before))
    )
    print("largest change of each fitted array:", changes, flush=True)

    def metrics(score, reference):
        return novelty_metrics(score("test"), score("novel"), reference)

    novelty = {
        f"{clf.novelty_} (novelty_)": metrics(
            lambda k: out[k].scores, clf.training_scores_
        ),
        "energy alone": metrics(lambda k: out[k].energy, clf.training_energy_scores_),
    }
    if hasattr(clf, "training_max_proba_"):
        novelty["max probability alone"] = metrics(
            lambda k: out[k].proba.max(axis=1), clf.training_max_proba_
        )
    labels = out["test"].labels
    argmax = clf.classes_[out["test"].proba.argmax(axis=1)]
    skdualnet = {
        "decision": clf.decision,
        "decision_weights": dict(
            zip(clf.classes_.tolist(), clf.decision_weights_.tolist())
        ),
        "accuracy": float(accuracy_score(y[test], labels)),
        "balanced_accuracy": float(balanced_accuracy_score(y[test], labels)),
        "per_class_recall": classification_report_dict(y[test], labels, clf.classes_)[
            "per_class_accuracy"
        ],
        "accuracy_argmax": float(accuracy_score(y[test], argmax)),
        "balanced_accuracy_argmax": float(balanced_accuracy_score(y[test], argmax)),
        "novelty": novelty,
    }
    t1 = time.perf_counter()
    peer = evaluate_peer(peer_features(X)[0], y, train, test, novel, random_state=0)
    peer_seconds = time.perf_counter() - t1
    save_model(model, args.out)
    result = {
        "command": command,
        "data": data_name,
        "cpu": cpu_model(),
        "torch_threads": torch.get_num_threads(),
        "start_model": args.model,
        "classes": counts,
        "n_train": int(len(train)),
        "n_test": int(len(test)),
        "n_novel": int(len(novel)),
        "period_search_seconds": period_seconds,
        "refit_seconds": refit_seconds,
        "peer_seconds": peer_seconds,
        "total_seconds": time.perf_counter() - t_start,
        "largest_changes": changes,
        "model_file": os.path.relpath(args.out),
        "model_bytes": os.path.getsize(args.out),
        "skdualnet": skdualnet,
        "peer": peer,
    }
    write_record(args.name, result, report)


def report(r):
    """Markdown summary of the refit."""
    s, p = r["skdualnet"], r["peer"]["headline"]
    lines = [
        f"## End-of-training step of `{r['model_file']}` (from `{r['start_model']}`)",
        "",
        f"Command: `{r['command']}`",
        "",
        f"- data: {r['data']}; stars per class: {r['classes']}",
        f"- split by star (stratified): {r['n_train']} training, {r['n_test']} "
        f"held-out known, {r['n_novel']} novel stars (never trained on)",
        f"- CPU: {r['cpu']}, {r['torch_threads']} torch threads; period search "
        f"{r['period_search_seconds']:.0f} s, end-of-training step "
        f"{r['refit_seconds']:.0f} s, peer {r['peer_seconds']:.0f} s",
        "- largest change of each fitted array against the start model: "
        + ", ".join(f"{k} {v:.1e}" for k, v in r["largest_changes"].items()),
        f"- file size: {r['model_bytes'] / 1024:.0f} KiB",
        "",
        f"Held-out accuracy {s['accuracy']:.3f}, balanced accuracy "
        f"{s['balanced_accuracy']:.3f}; the peer ({r['peer']['best']}) "
        f"{p['accuracy']:.3f} and {p['balanced_accuracy']:.3f}.",
        *(
            [
                "",
                f"Decision: {s['decision']} (class weights "
                + ", ".join(f"{c} {w:.3g}" for c, w in s["decision_weights"].items())
                + f"); with the most probable class {s['accuracy_argmax']:.3f} / "
                f"{s['balanced_accuracy_argmax']:.3f}. The peer's boosting with "
                "the same decision (weights tuned on its out-of-fold training "
                "probabilities): "
                f"{r['peer']['hist_gradient_boosting_balanced']['accuracy']:.3f} / "
                f"{r['peer']['hist_gradient_boosting_balanced']['balanced_accuracy']:.3f}"
                "; per-class recall, skdualnet: "
                + ", ".join(f"{c} {v:.3f}" for c, v in s["per_class_recall"].items())
                + ".",
            ]
            if "decision" in s
            else []
        ),
        "",
        "| novelty score | AUROC | 80th pct P / R / F1 (FPR) "
        "| 95th pct P / R / F1 (FPR) |",
        "|---|---|---|---|",
    ]
    rows = [(f"skdualnet {k}", v) for k, v in s["novelty"].items()]
    rows.append((f"peer {r['peer']['best']} (max probability)", p["novelty"]))
    for name, m in rows:
        cells = [f"{m['auroc']:.3f}"]
        for q in ("p80", "p95"):
            c = m[q]
            cells.append(
                f"{c['precision']:.2f} / {c['recall']:.2f} / {c['f1']:.2f} "
                f"({c['false_positive_rate']:.3f})"
            )
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
