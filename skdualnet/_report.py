"""Table-2 style evaluation: classification and novelty metrics, and figures."""

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    confusion_matrix,
    precision_recall_fscore_support,
    roc_auc_score,
)

from ._novelty import NOVELTY_NAMES

__all__ = ["classification_report_dict", "format_report", "novelty_metrics"]


def novelty_metrics(scores_known, scores_novel, training_scores, percentiles=(80, 95)):
    """Novelty precision/recall/F1 at training-energy percentiles, and AUROC.

    Parameters
    ----------
    scores_known : ndarray of shape (n_known,)
        ``score_samples`` of held-out stars of the known classes.
    scores_novel : ndarray of shape (n_novel,)
        ``score_samples`` of stars of unseen classes (the positives).
    training_scores : ndarray of shape (n_train,)
        ``score_samples`` of the training stars (the thresholds' reference).
    percentiles : tuple of float, default=(80, 95)
        Energy percentiles of the training stars used as thresholds.

    Returns
    -------
    dict
        ``auroc`` and, per percentile ``p``, ``p{p}`` with ``threshold``,
        ``precision``, ``recall``, ``f1`` and ``false_positive_rate``.
    """
    scores = np.r_[scores_known, scores_novel]
    truth = np.r_[np.zeros(len(scores_known), bool), np.ones(len(scores_novel), bool)]
    out = {"n_known": int(len(scores_known)), "n_novel": int(len(scores_novel))}
    out["auroc"] = (
        float(roc_auc_score(truth, -scores)) if 0 < truth.sum() < len(truth) else None
    )
    for p in percentiles:
        threshold = float(np.percentile(training_scores, 100 - p))
        flag = scores < threshold
        precision, recall, f1, _ = precision_recall_fscore_support(
            truth, flag, average="binary", zero_division=0
        )
        out[f"p{p:g}"] = {
            "threshold": threshold,
            "precision": float(precision),
            "recall": float(recall),
            "f1": float(f1),
            "false_positive_rate": float(flag[~truth].mean())
            if (~truth).any()
            else None,
        }
    return out


def classification_report_dict(y_true, y_pred, labels):
    """Accuracy, balanced accuracy, per-class recall and the confusion matrix."""
    cm = confusion_matrix(y_true, y_pred, labels=labels)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_class = np.diag(cm) / cm.sum(1)
    return {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "balanced_accuracy": float(balanced_accuracy_score(y_true, y_pred)),
        "per_class_accuracy": {
            str(c): (None if not np.isfinite(a) else float(a))
            for c, a in zip(labels, per_class)
        },
        "support": {str(c): int(n) for c, n in zip(labels, cm.sum(1))},
        "confusion_matrix": cm.tolist(),
        "labels": [str(c) for c in labels],
    }


def _pct(value):
    return "   n/a" if value is None else f"{100 * value:5.1f}%"


def format_report(report):
    """Render the report dictionary as a plain-text Table-2 style table."""
    lines = []
    est, rf = report["estimation_network"], report.get("random_forest")
    own = "boosting head" if report.get("head") == "boosting" else "estimation network"
    lines.append("Classification (test stars, split by star)")
    lines.append(f"  {'':28s} {'accuracy':>9s} {'balanced':>9s}")
    lines.append(
        f"  {own:28s} {_pct(est['accuracy']):>9s} {_pct(est['balanced_accuracy']):>9s}"
    )
    if rf is not None:
        lines.append(
            f"  {'random forest on embedding':28s} {_pct(rf['accuracy']):>9s} "
            f"{_pct(rf['balanced_accuracy']):>9s}"
        )
    lines.append(f"  per class ({own} / random forest), support:")
    for c, acc in est["per_class_accuracy"].items():
        rf_acc = rf["per_class_accuracy"][c] if rf is not None else None
        lines.append(f"    {c:8s} {_pct(acc)} / {_pct(rf_acc)}   n={est['support'][c]}")
    nov = report.get("novelty")
    if nov is not None:
        score = NOVELTY_NAMES.get(report.get("novelty_score", "energy"), "energy")
        lines.append(
            f"Novelty ({nov['n_novel']} novel vs {nov['n_known']} known test stars, "
            f"score: {score})"
        )
        auroc = nov["auroc"]
        lines.append(f"  AUROC {auroc:.3f}" if auroc is not None else "  AUROC n/a")
        parts = [
            f"{name} alone {report[key]['auroc']:.3f}"
            for key, name in (
                ("novelty_energy", "energy"),
                ("novelty_max_proba", "max probability"),
            )
            if report.get(key, {}).get("auroc") is not None
        ]
        if parts:
            lines.append("  (" + ", ".join(parts) + ")")
        for key in sorted(k for k in nov if k.startswith("p") and k[1:].isdigit()):
            m = nov[key]
            lines.append(
                f"  {key[1:]}th percentile: precision {m['precision']:.3f}  "
                f"recall {m['recall']:.3f}  F1 {m['f1']:.3f}  "
                f"(FPR on known {_pct(m['false_positive_rate'])})"
            )
    return "\n".join(lines)


def plot_confusion_matrix(report, path):
    """Save the row-normalised confusion matrix of the estimation network."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    est = report["estimation_network"]
    cm = np.asarray(est["confusion_matrix"], dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        norm = np.nan_to_num(cm / cm.sum(1, keepdims=True))
    labels = est["labels"]
    fig, ax = plt.subplots(figsize=(6, 5))
    im = ax.imshow(norm, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(labels)), labels, rotation=45)
    ax.set_yticks(range(len(labels)), labels)
    for i in range(len(labels)):
        for j in range(len(labels)):
            if norm[i, j] >= 0.005:
                ax.text(
                    j,
                    i,
                    f"{norm[i, j]:.2f}",
                    ha="center",
                    va="center",
                    color="white" if norm[i, j] > 0.5 else "black",
                    fontsize=8,
                )
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title("Normalised confusion matrix (test stars)")
    fig.colorbar(im, ax=ax)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_energy_histogram(energy_known, energy_novel, thresholds, path):
    """Save histograms of sample energies with the novelty thresholds."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    both = np.r_[energy_known, energy_novel]
    lo, hi = np.percentile(both, [0.5, 99.5])
    bins = np.linspace(lo, hi, 50)
    ax.hist(energy_known, bins, alpha=0.6, label="known classes (test)", density=True)
    if len(energy_novel):
        ax.hist(
            energy_novel, bins, alpha=0.6, label="novel (unseen class)", density=True
        )
    for name, value in thresholds.items():
        ax.axvline(
            value,
            ls="--",
            color="k" if name == "95" else "gray",
            label=f"{name}th percentile of training energy",
        )
    ax.set_xlabel("sample energy (= -score_samples)")
    ax.set_ylabel("density")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_reconstructions(phase, x, x_hat, labels, path):
    """Save a grid of sequences and their reconstructions."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = len(x)
    cols = min(n, 4)
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(
        rows, cols, figsize=(3.2 * cols, 2.5 * rows), squeeze=False
    )
    for ax, ph, xi, xh, lab in zip(axes.flat, phase, x, x_hat, labels):
        ax.plot(ph, xi, ".", ms=3, label="data")
        ax.plot(ph, xh, "-", lw=1, label="reconstruction")
        ax.invert_yaxis()
        ax.set_title(str(lab), fontsize=9)
        ax.set_xlabel("phase")
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7)
    axes.flat[0].set_ylabel("standardised mag")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
