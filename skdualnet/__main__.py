"""The ``skdualnet`` command: demo, fit, predict, convert, evaluate.

Run ``skdualnet --help`` (or ``python -m skdualnet --help``).
"""

import argparse
import csv
import json
import os
import re
import sys
import time
import warnings

import numpy as np

__all__ = ["main"]

NOVEL_LABELS = ("VAR", "novel")


def _log(msg):
    print(f"[skdualnet {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def _classifier_params(args):
    params = {"random_state": args.seed, "verbose": int(args.verbose)}
    if args.epochs is not None:
        params["max_epochs"] = args.epochs
    if getattr(args, "embedding_size", None) is not None:
        params["module__embedding_size"] = args.embedding_size
    if getattr(args, "training", None):
        params["training"] = args.training
    if getattr(args, "device", None):
        params["device"] = args.device
    return params


# --------------------------------------------------------------------- data
def detect_format(folder):
    """Guess the format of a data folder from the files in it."""
    names = set(os.listdir(folder))
    if {"classes.csv", "lightcurves.tar.gz"} <= names:
        with open(os.path.join(folder, "classes.csv")) as f:
            header = f.readline().lower()
        return "acvs" if "asas_id" in header else "richards2012"
    if {"stars.csv", "lightcurves.csv.gz"} <= names:
        return "eros1"
    if "table2_periods_types.dat.gz" in names:
        return "s82"
    return "asassn"


def load_folder(folder, fmt="auto", band=None, on_error="skip", min_obs=200):
    """Load ``(X, y)`` from a folder in one of the supported formats."""
    from . import datasets

    if not os.path.isdir(folder):
        raise SystemExit(f"skdualnet: {folder}: no such folder")
    fmt = detect_format(folder) if fmt == "auto" else fmt
    if fmt == "richards2012":
        return datasets.load_asas_richards2012(folder, on_error=on_error)
    if fmt == "acvs":
        return datasets.load_asas_acvs(folder, on_error=on_error)
    if fmt == "eros1":
        return datasets.load_eros1_lmc(folder, band=band or "r", on_error=on_error)
    if fmt == "s82":
        return datasets.load_s82_rrlyrae(folder, band=band or "g", on_error=on_error)
    return datasets.load_asassn(
        folder, band=band or "V", on_error=on_error, min_obs=min_obs
    )


def load_folder_reporting(folder, fmt="auto", band=None, min_obs=200):
    """``load_folder`` with ``on_error="skip"``, returning the skipped stars.

    Returns ``(X, y, skipped)``: ``skipped`` maps each star the loader left
    out (id, or catalogue line) to the reason; ``X`` and ``y`` are ``None``
    when no star could be read (the loader's error is then in
    ``skipped[None]``). Other warnings are passed on unchanged.
    """
    from ._readers import SkippedStarsWarning

    skipped = {}
    X = y = None
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        try:
            X, y = load_folder(folder, fmt, band, on_error="skip", min_obs=min_obs)
        except ValueError as exc:
            skipped[None] = str(exc)
    for w in record:
        if issubclass(w.category, SkippedStarsWarning):
            skipped.update(w.message.skipped)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if X is None and len(skipped) == 1:  # a file-level error: nothing to list
        raise ValueError(skipped[None])
    return X, y, skipped


def report_skipped(skipped, n_total, where=None, limit=20):
    """Print the skipped stars (id: reason) on standard error."""
    rows = [(star, why) for star, why in skipped.items() if star is not None]
    if not rows:
        return
    also = f" (listed in {where} with status=skipped)" if where else ""
    print(
        f"skdualnet: skipped {len(rows)} of {n_total} star(s){also}:",
        file=sys.stderr,
    )
    for star, why in rows[:limit]:
        print(f"  {star}: {why}", file=sys.stderr)
    if len(rows) > limit:
        print(f"  ... and {len(rows) - limit} more", file=sys.stderr)


_STAR_PREFIX = re.compile(r"^star \d+( \(id .*?\))?: ")


def _predict_per_star(front, clf, X):
    """Front end and classifier on ``X``; stars they reject are set aside.

    Returns ``(rows, Xn, proba, score, problems)``: the indices of ``X``
    predicted, their transformed curves and outputs, and index -> reason for
    the rejected stars. All stars go through together; only when that raises
    ``ValueError`` is each star passed alone through the front end, to find
    the culprits, and the others are predicted together.
    """

    def run(Xs):
        Xn = front.transform(Xs)
        out = clf.predict_all(Xn)  # one pass for probabilities and scores
        return Xn, out.proba, out.scores

    rows = np.arange(len(X))
    try:
        return (rows, *run(X), {})
    except ValueError:
        pass
    problems = {}
    # The front end alone finds the culprits: the network is not run per star.
    for i in rows:
        try:
            front.transform(X[[i]])
        except ValueError as exc:
            problems[int(i)] = _STAR_PREFIX.sub("", str(exc))
    rows = np.array([i for i in rows if i not in problems], dtype=int)
    if len(rows) == 0:
        return rows, None, None, None, problems
    return (rows, *run(X[rows]), problems)


# ------------------------------------------------------------------ reports
def _write_outputs(result, out_dir, title):
    from ._report import (
        format_report,
        plot_confusion_matrix,
        plot_energy_histogram,
        plot_reconstructions,
    )

    os.makedirs(out_dir, exist_ok=True)
    fold = result["folds"][0]
    objects = fold.pop("_objects", None)
    text = format_report(fold)
    print(f"\n{title}\n" + "=" * len(title))
    print(text)
    print(f"(training took {fold['fit_seconds']:.0f} s)")
    with open(os.path.join(out_dir, "report.txt"), "w") as f:
        f.write(title + "\n" + text + "\n")
    with open(os.path.join(out_dir, "report.json"), "w") as f:
        json.dump({"folds": [fold], "summary": result["summary"]}, f, indent=2)
    written = ["report.txt", "report.json"]
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        _log("matplotlib is not installed: no figures (pip install matplotlib)")
        return written
    plot_confusion_matrix(fold, os.path.join(out_dir, "confusion_matrix.png"))
    if objects is not None:
        nov = fold["novelty"]
        thresholds = {
            k[1:]: -v["threshold"]
            for k, v in nov.items()
            if k.startswith("p") and k[1:].isdigit()
        }
        plot_energy_histogram(
            -objects["scores_known"],
            -objects["scores_novel"],
            thresholds,
            os.path.join(out_dir, "energy_histogram.png"),
        )
        clf, X_test = objects["model"][-1], objects["X_test"]
        idx = np.arange(min(8, len(X_test)))
        rec = clf.reconstruct(X_test[idx])
        phase = [np.cumsum(X_test.segments[i][0, :, 0])[X_test.mask[i][0]] for i in idx]
        x = [X_test.segments[i][0, :, 1][X_test.mask[i][0]] for i in idx]
        x_hat = [rec[k][0][X_test.mask[i][0]] for k, i in enumerate(idx)]
        labels = clf.predict(X_test[idx])
        plot_reconstructions(
            phase,
            x,
            x_hat,
            [f"predicted {c}" for c in labels],
            os.path.join(out_dir, "reconstructions.png"),
        )
        written += ["energy_histogram.png", "reconstructions.png"]
    written.append("confusion_matrix.png")
    _log(f"wrote {', '.join(written)} to {out_dir}/")
    return written


# ----------------------------------------------------------------- commands
def cmd_demo(args):
    from ._protocol import make_default_model, run_protocol
    from ._simulate import KNOWN_CLASSES
    from .datasets import make_light_curves

    n_per_class = 12 if args.quick else args.n_per_class
    n_novel = 12 if args.quick else args.n_novel
    n_obs_range = (40, 80) if args.quick else (200, 600)
    n_obs = 40 if args.quick else args.n_obs
    _log(
        f"simulating {n_per_class} stars per class for 8 classes and "
        f"{n_novel} novel (VAR) stars"
    )
    counts = n_per_class
    if n_novel != n_per_class:
        counts = dict.fromkeys(KNOWN_CLASSES, n_per_class) | {"VAR": n_novel}
    X, y = make_light_curves(
        n_per_class=counts,
        novel_classes=["VAR"],
        n_obs=n_obs_range,
        random_state=args.seed,
    )
    params = _classifier_params(args)
    if args.quick:
        params.update(
            module__hidden_size=16,
            module__embedding_size=8,
            max_epochs=params.get("max_epochs", 3) if args.epochs else 3,
            lr=1e-2,
        )
    model = make_default_model(n_obs=n_obs, **params)
    _log(f"training on 80% of the known stars, split by star (seed {args.seed})")
    result = run_protocol(
        model, X, y, novel_labels=("VAR",), random_state=args.seed, keep=True, log=_log
    )
    _write_outputs(result, args.out, "skdualnet demo: simulated stars, 8 classes + VAR")
    return 0


def _load_labelled(args):
    """Load a training folder, reporting skipped stars on standard error."""
    X, y, skipped = load_folder_reporting(
        args.data, args.format, args.band, min_obs=args.min_obs
    )
    n_skipped = sum(star is not None for star in skipped)
    report_skipped(skipped, n_skipped + (0 if X is None else len(X)))
    if X is None:
        raise ValueError(skipped[None])
    return X, y


def cmd_fit(args):
    from ._persistence import save_model
    from ._protocol import make_default_model

    X, y = _load_labelled(args)
    known = ~np.isin(y, NOVEL_LABELS)
    _log(f"loaded {len(y)} stars; training on {known.sum()} of known classes")
    model = make_default_model(n_obs=args.n_obs, **_classifier_params(args))
    model.fit(X[known], y[known])
    save_model(model, args.model)
    _log(f"saved model to {args.model}")
    return 0


def cmd_predict(args):
    from ._persistence import load_model
    from ._pretrained import pretrained

    if args.model is None:
        print(
            "skdualnet: no --model given: using the pretrained ASAS-SN model "
            "(skdualnet.pretrained('asas'))",
            file=sys.stderr,
        )
        model = pretrained("asas")
    else:
        model = load_model(args.model)
    if not os.path.isdir(args.data):
        raise SystemExit(f"skdualnet: {args.data}: no such folder")
    fmt = detect_format(args.data) if args.format == "auto" else args.format
    # the --min-obs cut is applied here, so that its stars are listed too
    X, _, skipped = load_folder_reporting(args.data, fmt, args.band, min_obs=None)
    problems = {}
    if X is not None and fmt == "asassn" and args.min_obs is not None:
        for i, curve in enumerate(X.curves):
            if len(curve) < args.min_obs:
                problems[i] = (
                    f"{len(curve)} usable observations, fewer than --min-obs "
                    f"{args.min_obs}"
                )
    front, clf = model[:-1], model[-1]
    rows = np.zeros(0, dtype=int)
    if X is not None:
        keep = np.array([i for i in range(len(X)) if i not in problems], dtype=int)
        if len(keep):
            sub, Xn, proba, score, rejected = _predict_per_star(front, clf, X[keep])
            rows = keep[sub]
            problems.update({int(keep[i]): why for i, why in rejected.items()})
    if X is None:
        ids = []
    else:
        ids = (np.arange(len(X)) if X.ids is None else X.ids).astype(str).tolist()
    n_total = len(ids) + sum(star is not None for star in skipped)
    out = sys.stdout if args.out == "-" else open(args.out, "w", newline="")
    n_classes = len(clf.classes_)
    try:
        writer = csv.writer(out)
        writer.writerow(
            [
                "id",
                "period",
                "predicted_class",
                *[f"p_{c}" for c in clf.classes_],
                "novelty_score",
                "novel",
                "status",
                "problem",
            ]
        )
        predicted = dict(zip(rows.tolist(), range(len(rows)), strict=True))
        for i, star in enumerate(ids):
            if i in predicted:
                k = predicted[i]
                writer.writerow(
                    [
                        star,
                        f"{Xn.period[k]:.8g}",
                        clf.classes_[proba[k].argmax()],
                        *[f"{p:.5f}" for p in proba[k]],
                        f"{score[k]:.5f}",
                        int(score[k] < clf.offset_),
                        "ok",
                        "",
                    ]
                )
            else:
                period = X.period[i]
                writer.writerow(
                    [star, f"{period:.8g}" if np.isfinite(period) else ""]
                    + [""] * (n_classes + 3)
                    + ["skipped", problems[i]]
                )
        for star, why in skipped.items():
            if star is not None:
                writer.writerow([star, ""] + [""] * (n_classes + 3) + ["skipped", why])
    finally:
        if out is not sys.stdout:
            out.close()
    all_skipped = {star: why for star, why in skipped.items() if star is not None}
    all_skipped.update({ids[i]: why for i, why in sorted(problems.items())})
    where = "the output" if args.out == "-" else args.out
    report_skipped(all_skipped, n_total, where)
    if len(rows) == 0:
        raise ValueError(
            f"{args.data}: no star could be predicted ({n_total} star(s) found, "
            "all skipped" + (f"; {skipped[None]}" if None in skipped else "") + ")"
        )
    if args.out != "-":
        _log(
            f"wrote predictions for {len(rows)} stars ({len(all_skipped)} skipped) "
            f"to {args.out}"
        )
    return 0


def cmd_convert(args):
    from ._persistence import load_model, save_model

    with warnings.catch_warnings():
        # converting is what that warning asks for
        warnings.filterwarnings("ignore", "(?s).*pickle-based model file")
        model = load_model(args.old)
    save_model(model, args.new)
    _log(f"converted {args.old} to {args.new} (arrays and JSON, no pickle)")
    return 0


def cmd_evaluate(args):
    from ._protocol import make_default_model, run_protocol

    X, y = _load_labelled(args)
    _log(
        f"loaded {len(y)} stars: "
        + ", ".join(f"{c} {n}" for c, n in zip(*np.unique(y, return_counts=True)))
    )
    model = make_default_model(n_obs=args.n_obs, **_classifier_params(args))
    result = run_protocol(
        model,
        X,
        y,
        novel_labels=NOVEL_LABELS,
        random_state=args.seed,
        keep=True,
        log=_log,
    )
    _write_outputs(result, args.out, f"skdualnet evaluate: {args.data}")
    return 0


def build_parser():
    """The argument parser of the ``skdualnet`` command."""
    parser = argparse.ArgumentParser(
        prog="skdualnet",
        description="Classify variable-star light curves and flag novel stars "
        "(Tsang & Schultz 2019).",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p, data=True):
        if data:
            p.add_argument(
                "data",
                help="data folder (ASAS-SN catalogue + light "
                "curves, or an ASAS/EROS-1/Stripe 82 folder)",
            )
            p.add_argument(
                "--format",
                default="auto",
                choices=["auto", "asassn", "acvs", "richards2012", "eros1", "s82"],
            )
            p.add_argument("--band", default=None, help="photometric band to read")
            p.add_argument(
                "--min-obs",
                type=int,
                default=200,
                help="ASAS-SN: fewest observations a star needs (200)",
            )
        p.add_argument(
            "--epochs",
            type=int,
            default=None,
            help="training epochs (default: the classifier's)",
        )
        p.add_argument(
            "--n-obs",
            type=int,
            default=200,
            help="observations per sequence (default 200)",
        )
        p.add_argument("--embedding-size", type=int, default=None)
        p.add_argument("--training", choices=["joint", "sequential"], default=None)
        p.add_argument("--device", default=None, help="torch device, e.g. cuda")
        p.add_argument("--seed", type=int, default=0)
        p.add_argument(
            "--verbose",
            type=int,
            default=1,
            help="1 prints a line per epoch (default), 0 is silent",
        )

    p = sub.add_parser("demo", help="train and evaluate on simulated stars")
    common(p, data=False)
    p.add_argument("--n-per-class", type=int, default=150)
    p.add_argument("--n-novel", type=int, default=150)
    p.add_argument("--out", default="skdualnet-demo", help="output folder")
    p.add_argument(
        "--quick", action="store_true", help="a tiny run for smoke tests (seconds)"
    )
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("fit", help="train on a labelled data folder")
    common(p)
    p.add_argument("--model", required=True, help="model file to write")
    p.set_defaults(func=cmd_fit)

    p = sub.add_parser(
        "predict",
        help="predict classes and novelty to CSV",
        description="Predict the class and novelty of every star in a data "
        "folder. The CSV has one row per star found: id, period, "
        "predicted_class, p_<class> for each class, novelty_score, novel, "
        "status and problem. A star that cannot be read (missing or corrupt "
        "light curve, malformed catalogue row) or that the model cannot use "
        "(fewer than --min-obs observations, too few points for a period "
        "search, ...) gets status 'skipped', empty prediction columns and the "
        "reason in 'problem'; the skipped stars are also listed on standard "
        "error. The exit status is 0 when at least one star was predicted, "
        "2 when none could be.",
    )
    p.add_argument("data")
    p.add_argument(
        "--format",
        default="auto",
        choices=["auto", "asassn", "acvs", "richards2012", "eros1", "s82"],
    )
    p.add_argument("--band", default=None)
    p.add_argument(
        "--min-obs",
        type=int,
        default=200,
        help="ASAS-SN: stars with fewer usable observations are skipped (200)",
    )
    p.add_argument(
        "--model",
        default=None,
        help="model file from `skdualnet fit` (default: the pretrained ASAS-SN "
        "model, skdualnet.pretrained('asas'))",
    )
    p.add_argument("--out", default="-", help="CSV file (default: standard output)")
    p.set_defaults(func=cmd_predict)

    p = sub.add_parser(
        "convert",
        help="rewrite a model file in the current format",
        description="Read a model file of any format this skdualnet reads "
        "(including the pickle-based format 1 of skdualnet 0.1, which can run "
        "code when loaded: convert only files you trust) and write it in the "
        "current format (arrays and JSON, loaded without unpickling).",
    )
    p.add_argument("old", help="model file to read")
    p.add_argument("new", help="model file to write")
    p.set_defaults(func=cmd_convert)

    p = sub.add_parser("evaluate", help="the Table-2 report on a labelled folder")
    common(p)
    p.add_argument("--out", default="skdualnet-evaluate", help="output folder")
    p.set_defaults(func=cmd_evaluate)
    return parser


def main(argv=None):
    """Entry point of the ``skdualnet`` command."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ValueError as exc:
        print(f"skdualnet: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
