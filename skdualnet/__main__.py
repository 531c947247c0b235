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
from types import MappingProxyType

import numpy as np

from ._progress import estimate_fit_seconds, format_seconds, set_verbose

__all__ = ["main"]

NOVEL_LABELS = ("VAR", "novel")

# Sizes of `skdualnet demo`. --full is the older, larger protocol
# (max_epochs None: the classifier's default). The fast default was timed on
# the 2-core machine (benchmarks/results/demo.md): 75 stars per class and 30
# epochs took 3 min 45 s in all (201 s of training), so it is 60 and 25.
_DEMO_FULL = MappingProxyType({"n_per_class": 150, "n_novel": 150, "max_epochs": None})
_DEMO_FAST = MappingProxyType({"n_per_class": 60, "n_novel": 60, "max_epochs": 25})


class _Console:
    """Informational lines on standard error; none at all with ``--quiet``.

    Errors are not informational: ``main`` prints them whatever ``quiet``.
    """

    def __init__(self, quiet=False):
        self.quiet = quiet

    def log(self, msg):
        """A time-stamped line."""
        if not self.quiet:
            stamp = time.strftime("%H:%M:%S")
            print(f"[skdualnet {stamp}] {msg}", file=sys.stderr, flush=True)

    def summary(self, command, rows):
        """The at-a-glance summary at the end of ``command``: (label, text) rows."""
        if not self.quiet:
            lines = [f"skdualnet {command}: summary"]
            lines += [f"  {label + ':':19s} {text}" for label, text in rows]
            print("\n".join(lines), file=sys.stderr, flush=True)


def _verbosity(args):
    """The ``verbose`` of every estimator and loader: 0 with ``--quiet``."""
    return 0 if args.quiet else int(args.verbose)


def _classifier_params(args):
    params = {"random_state": args.seed, "verbose": _verbosity(args)}
    if args.epochs is not None:
        params["max_epochs"] = args.epochs
    if getattr(args, "embedding_size", None) is not None:
        params["module__embedding_size"] = args.embedding_size
    if getattr(args, "training", None):
        params["training"] = args.training
    if getattr(args, "device", None):
        params["device"] = args.device
    if getattr(args, "head", None) == "boosting":
        params.update(head="boosting", classical=True)
    if getattr(args, "novelty", None):
        params["novelty"] = args.novelty
    if getattr(args, "decision", None):
        params["decision"] = args.decision
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


def load_folder(
    folder, fmt="auto", band=None, on_error="skip", min_obs=200, *, verbose=0
):
    """Load ``(X, y)`` from a folder in one of the supported formats.

    ``verbose`` is the loader's: 1 shows a progress bar on standard error
    when it is a terminal, 2 always, 0 never.
    """
    from . import datasets

    if not os.path.isdir(folder):
        raise SystemExit(f"skdualnet: {folder}: no such folder")
    fmt = detect_format(folder) if fmt == "auto" else fmt
    opts = {"on_error": on_error, "verbose": verbose}
    if fmt == "richards2012":
        return datasets.load_asas_richards2012(folder, **opts)
    if fmt == "acvs":
        return datasets.load_asas_acvs(folder, **opts)
    if fmt == "eros1":
        return datasets.load_eros1_lmc(folder, band=band or "r", **opts)
    if fmt == "s82":
        return datasets.load_s82_rrlyrae(folder, band=band or "g", **opts)
    return datasets.load_asassn(folder, band=band or "V", min_obs=min_obs, **opts)


def load_folder_reporting(folder, fmt="auto", band=None, min_obs=200, *, verbose=0):
    """``load_folder`` with ``on_error="skip"``, returning the skipped stars.

    Returns ``(X, y, skipped)``: ``skipped`` maps each star the loader left
    out (id, or catalogue line) to the reason; ``X`` and ``y`` are ``None``
    when no star could be read (the loader's error is then in
    ``skipped[None]``). Other warnings are passed on unchanged.
    """
    from .datasets import SkippedStarsWarning

    skipped = {}
    X = y = None
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        try:
            X, y = load_folder(
                folder, fmt, band, on_error="skip", min_obs=min_obs, verbose=verbose
            )
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


def report_skipped(skipped, n_total, where=None, limit=20, *, quiet=False):
    """Print the skipped stars (id: reason) on standard error."""
    rows = [(star, why) for star, why in skipped.items() if star is not None]
    if not rows or quiet:
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


# Kinds of reasons a star is skipped, for the summary: (pattern, kind), the
# first match wins; other reasons are counted by their own text, shortened.
_REASON_KINDS = (
    (r"no light.curve|no lightcurves/|no table1/|file not found", "no light curve"),
    (r"fewer than --min-obs", "fewer than --min-obs observations"),
    (r"fewer than min_obs", "too few observations for the model"),
    (r"cannot estimate a period", "period search failed"),
    (
        r"no usable observation|no valid .*magnitude|no observation with a finite",
        "no usable observation",
    ),
    (
        r"corrupt|not a UTF-8|NUL bytes|cannot parse|cannot read|empty file|header"
        r"|expected \d+ columns|not numeric",
        "unreadable light curve",
    ),
    (r"has \d+ fields|not valid CSV|truncated row", "malformed catalogue row"),
    (r"unknown (type|RR Lyrae type)", "unknown type"),
    (r"non-finite", "non-finite values"),
)


def _reason_kind(why):
    """Short kind of a skip reason (``"unreadable light curve"``, ...)."""
    for pattern, kind in _REASON_KINDS:
        if re.search(pattern, why):
            return kind
    text = why.rsplit(": ", 1)[-1]  # drop file / line prefixes
    text = re.sub(r"\d+(\.\d+)?", "N", text)
    return text if len(text) <= 50 else text[:47] + "..."


def _count_kinds(reasons):
    """``"2 unreadable light curve, 1 no light curve"``, most frequent first."""
    counts = {}
    for why in reasons:
        kind = _reason_kind(why)
        counts[kind] = counts.get(kind, 0) + 1
    order = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return ", ".join(f"{n} {kind}" for kind, n in order)


def _skipped_text(n_skipped, reasons):
    """``"4 skipped (2 unreadable light curve, ...)"``."""
    if not n_skipped:
        return "0 skipped"
    return f"{n_skipped} skipped ({_count_kinds(reasons)})"


def _periods_text(X):
    """Periods searched and flagged as likely aliases, from PhaseFolder's
    output (or a prediction table's columns)."""
    power = X["period_power"] if isinstance(X, dict) else X.period_power
    if power is None:
        return "none estimated (no PhaseFolder in the model)"
    flag = X["period_flag"] if isinstance(X, dict) else X.period_flag
    searched = np.isfinite(power)
    n_flag = int(np.asarray(flag, bool)[searched].sum())
    return (
        f"{int(searched.sum())} estimated by the period search, {n_flag} flagged "
        "as likely aliases (period_flag)"
    )


def _blank_nan(value, spec):
    """``value`` formatted with ``spec``, or ``""`` for NaN."""
    return format(value, spec) if np.isfinite(value) else ""


def _counts_text(labels, classes=None):
    """``"EB 10, M 8, RRAB 8"`` (every class of ``classes``, 0 included)."""
    names, counts = np.unique(np.asarray(labels).astype(str), return_counts=True)
    found = dict(zip(names.tolist(), counts.tolist()))
    keys = [str(c) for c in classes] if classes is not None else sorted(found)
    return ", ".join(f"{c} {found.get(c, 0)}" for c in keys)


# ------------------------------------------------------------------ reports
def _write_outputs(result, out_dir, title, console, note=None):
    from ._report import format_report, plot_confusion_matrix

    os.makedirs(out_dir, exist_ok=True)
    fold = result["folds"][0]
    objects = fold.pop("_objects", None)
    text = format_report(fold)
    if note:
        text += "\n\n" + note
    print(f"\n{title}\n" + "=" * len(title))
    print(text)
    print(f"(training took {fold['fit_seconds']:.0f} s)")
    with open(os.path.join(out_dir, "report.txt"), "w") as f:
        f.write(title + "\n" + text + "\n")
    document = {"folds": [fold], "summary": result["summary"]}
    if note:
        document["note"] = note
    with open(os.path.join(out_dir, "report.json"), "w") as f:
        json.dump(document, f, indent=2)
    written = ["report.txt", "report.json"]
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        console.log("matplotlib is not installed: no figures (pip install matplotlib)")
        return written
    plot_confusion_matrix(fold, os.path.join(out_dir, "confusion_matrix.png"))
    if objects is not None:
        written += _write_model_figures(fold, objects, out_dir)
    written.append("confusion_matrix.png")
    console.log(f"wrote {', '.join(written)} to {out_dir}/")
    return written


def _write_model_figures(fold, objects, out_dir):
    """The energy histogram and the reconstructions of eight test stars."""
    from ._report import plot_energy_histogram, plot_reconstructions

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
    segmented = objects["X_test_segmented"]
    idx = np.arange(min(8, len(X_test)))
    rec = clf.reconstruct(X_test[idx])
    # first segment of each star: phases from the segmenter, standardised
    # magnitudes (the network's target) and their reconstruction
    observed = [X_test.mask[i][0] for i in idx]
    phase = [segmented.segments[i][0, :, 0][m] for i, m in zip(idx, observed)]
    x = [X_test.sequences[i][0, :, 1][m] for i, m in zip(idx, observed)]
    x_hat = [rec[k][0][m] for k, m in enumerate(observed)]
    labels = clf.predict(X_test[idx])
    plot_reconstructions(
        phase,
        x,
        x_hat,
        [f"predicted {c}" for c in labels],
        os.path.join(out_dir, "reconstructions.png"),
    )
    return ["energy_histogram.png", "reconstructions.png"]


# ------------------------------------------------------- plans and estimates
def _plan_text(clf, estimate, n_stars, n_obs):
    """What training will do and about how long it takes, in one line."""
    device = clf.device or "cpu"
    what = (
        f"training on {n_stars} stars ({estimate.n_sequences} sequences of up to "
        f"{n_obs} observations), {estimate.epochs} epochs of {clf.batch_size}-star "
        f"batches on {device}"
    )
    return (
        f"{what}: estimated {format_seconds(estimate.seconds)} (timed on 3 batches "
        "of these stars on this machine; a rough figure)"
    )


def _announce_training(clf, X, y, n_obs, console):
    """Log the training plan and its estimated duration (skipped with --quiet)."""
    if console.quiet:
        return
    try:
        estimate = estimate_fit_seconds(clf, X, y)
    except (ValueError, RuntimeError) as exc:  # an estimate never stops training
        console.log(f"training on {len(X)} stars (no time estimate: {exc})")
        return
    console.log(_plan_text(clf, estimate, len(X), n_obs))


def _announce_protocol(model, X, y, novel_labels, n_obs, console, test_size=0.2):
    """Log what ``run_protocol`` will do and estimate its training time.

    The front end and the classifier are timed on a random sample of the
    known stars (4 batches), then scaled to the training split.
    """
    from sklearn.base import clone

    if console.quiet:
        return
    y = np.asarray(y)
    known = np.flatnonzero(~np.isin(y, list(novel_labels)))
    n_test = int(np.ceil(test_size * len(known)))
    n_train, n_novel = len(known) - n_test, len(y) - len(known)
    n_search = int((~np.isfinite(X.period)).sum())
    console.log(
        f"protocol: {n_train} training, {n_test} test and {n_novel} novel stars, "
        f"split by star; front end: period search for {n_search} star(s) without "
        f"a period, shape features, sequences of {n_obs} observations"
    )
    clf = model[-1]
    rng = np.random.default_rng(0)
    # At most 128 stars: the estimate runs the front end (period search) on them.
    sample = rng.choice(
        known, size=min(len(known), 4 * clf.batch_size, 128), replace=False
    )
    try:
        start = time.perf_counter()
        Xs = set_verbose(clone(model[:-1]), 0).fit_transform(X[sample], y[sample])
        front_per_star = (time.perf_counter() - start) / len(sample)
        estimate = estimate_fit_seconds(
            clf, Xs, y[sample], n_stars=n_train, classes=np.unique(y[known])
        )
    except (ValueError, RuntimeError) as exc:  # an estimate never stops training
        console.log(f"no time estimate ({exc})")
        return
    # run_protocol transforms the training stars twice (fit, random forest)
    front = front_per_star * (2 * n_train + n_test + n_novel)
    console.log(
        _plan_text(clf, estimate, n_train, n_obs)
        + f"; front end estimated {format_seconds(front)} in all"
    )


# ----------------------------------------------------------------- commands
def _demo_settings(args):
    """Sizes of a demo run: --quick, the fast default or --full, then overrides.

    Returns a dict with ``n_per_class``, ``n_novel``, ``max_epochs`` (``None``:
    the classifier's default), ``n_obs_range``, ``n_obs``, ``net`` (extra
    classifier parameters) and ``note`` (what the report says was traded).
    """
    from ._classifier import DualNetClassifier

    default_epochs = DualNetClassifier().max_epochs
    full = _DEMO_FULL
    if args.quick:
        mode = "quick"
        sizes = {"n_per_class": 12, "n_novel": 12, "max_epochs": 3}
        sizes.update(n_obs_range=(40, 80), n_obs=40)
        sizes["net"] = {
            "module__hidden_size": 16,
            "module__embedding_size": 8,
            "lr": 1e-2,
        }
    else:
        mode = "full" if args.full else "fast"
        sizes = dict(full if args.full else _DEMO_FAST)
        sizes.update(n_obs_range=(200, 600), n_obs=args.n_obs, net={})
    overrides = {
        "n_per_class": args.n_per_class,
        "n_novel": args.n_novel,
        "max_epochs": args.epochs,
    }
    overrides = {key: value for key, value in overrides.items() if value is not None}
    sizes.update(overrides)
    epochs = sizes["max_epochs"] or default_epochs
    full_epochs = full["max_epochs"] or default_epochs
    n_test = int(np.ceil(0.2 * sizes["n_per_class"]))
    said = (
        f"demo settings: {sizes['n_per_class']} stars per class, "
        f"{sizes['n_novel']} novel stars, {epochs} epochs"
    )
    if mode == "quick":
        note = f"{said} and a tiny network (--quick): a smoke test, not a result."
    elif overrides:
        note = (
            f"{said} (set on the command line; --full: {full['n_per_class']} "
            f"stars per class, {full_epochs} epochs)."
        )
    elif mode == "full":
        note = f"{said} (--full: the protocol of the README's figures)."
    else:
        ratio = full["n_per_class"] * full_epochs / (sizes["n_per_class"] * epochs)
        note = (
            f"{said} (the fast default). `skdualnet demo --full` trains on "
            f"{full['n_per_class']} stars per class for {full_epochs} epochs, "
            f"about {ratio:.0f}x the training time. Expect a lower accuracy than "
            f"--full from fewer stars and epochs, and {n_test} test stars per class "
            f"(instead of {int(np.ceil(0.2 * full['n_per_class']))}) make each "
            "class's figure noisier."
        )
    sizes["note"] = note
    return sizes


def cmd_demo(args):
    from ._protocol import make_default_model, run_protocol
    from .datasets import make_light_curves
    from .datasets.simulator import KNOWN_CLASSES

    console = _Console(args.quiet)
    sizes = _demo_settings(args)
    n_per_class, n_novel = sizes["n_per_class"], sizes["n_novel"]
    console.log(
        f"simulating {n_per_class} stars per class for 8 classes and "
        f"{n_novel} novel (VAR) stars"
    )
    counts = n_per_class
    if n_novel != n_per_class:
        counts = dict.fromkeys(KNOWN_CLASSES, n_per_class) | {"VAR": n_novel}
    X, y = make_light_curves(
        n_per_class=counts,
        novel_classes=["VAR"],
        n_obs=sizes["n_obs_range"],
        random_state=args.seed,
    )
    params = _classifier_params(args) | sizes["net"]
    if sizes["max_epochs"] is not None:
        params["max_epochs"] = sizes["max_epochs"]
    model = make_default_model(n_obs=sizes["n_obs"], **params)
    set_verbose(model, _verbosity(args))
    _announce_protocol(model, X, y, ("VAR",), sizes["n_obs"], console)
    result = run_protocol(
        model,
        X,
        y,
        novel_labels=("VAR",),
        random_state=args.seed,
        keep=True,
        log=console.log,
    )
    _write_outputs(
        result,
        args.out,
        "skdualnet demo: simulated stars, 8 classes + VAR",
        console,
        note=sizes["note"],
    )
    return 0


def _load_labelled(args, console):
    """Load a training folder, reporting skipped stars on standard error.

    Returns ``(X, y, skipped)``, ``skipped`` as from
    :func:`load_folder_reporting`.
    """
    X, y, skipped = load_folder_reporting(
        args.data,
        args.format,
        args.band,
        min_obs=args.min_obs,
        verbose=_verbosity(args),
    )
    n_skipped = sum(star is not None for star in skipped)
    report_skipped(
        skipped, n_skipped + (0 if X is None else len(X)), quiet=console.quiet
    )
    if X is None:
        raise ValueError(skipped[None])
    return X, y, skipped


def cmd_fit(args):
    from ._persistence import save_model
    from ._protocol import make_default_model

    console = _Console(args.quiet)
    X, y, skipped = _load_labelled(args, console)
    known = ~np.isin(y, NOVEL_LABELS)
    X_known, y_known = X[known], y[known]
    n_search = int((~np.isfinite(X_known.period)).sum())
    console.log(
        f"loaded {len(y)} stars; training on {known.sum()} of known classes "
        f"({_counts_text(y_known)}); front end: period search for {n_search} "
        f"star(s) without a catalogue period, shape features, sequences of "
        f"{args.n_obs} observations"
    )
    model = make_default_model(n_obs=args.n_obs, **_classifier_params(args))
    set_verbose(model, _verbosity(args))
    # model.fit, step by step: the front end's output gives the estimate and
    # the summary's period counts without a second period search.
    front, clf = model[:-1], model[-1]
    Xt = front.fit_transform(X_known, y_known)
    _announce_training(clf, Xt, y_known, args.n_obs, console)
    start = time.perf_counter()
    clf.fit(Xt, y_known)
    seconds = time.perf_counter() - start
    # verbosity is this run's, not the model's: saved models are silent
    save_model(set_verbose(model, 0), args.model)
    reasons = [why for star, why in skipped.items() if star is not None]
    trained = _counts_text(y_known, clf.classes_)
    if len(y_known) < len(y):
        trained += f" ({len(y) - len(y_known)} stars labelled VAR or novel left out)"
    last = clf.history[-1]
    valid = (
        f", last epoch valid_acc {last['valid_acc']:.3f}" if "valid_acc" in last else ""
    )
    console.summary(
        "fit",
        [
            ("stars read", f"{len(y)} read, {_skipped_text(len(reasons), reasons)}"),
            ("periods", _periods_text(Xt)),
            ("trained on", f"{len(y_known)} stars: {trained}"),
            (
                "training",
                f"{len(clf.history)} epochs in {format_seconds(seconds)}{valid}",
            ),
            ("model", str(args.model)),
        ],
    )
    return 0


def _predict_model(args, console):
    """The model ``predict`` uses: ``--model``, or the shipped ASAS model."""
    from ._persistence import load_model
    from ._pretrained import pretrained

    if args.model is not None:
        return load_model(args.model)
    console.log(
        "no --model given: using the pretrained ASAS model (ACVS + "
        "Richards 2012, V band; skdualnet.pretrained('asas'))"
    )
    return pretrained("asas")


def _min_obs_problems(X, fmt, min_obs):
    """Star index -> reason, for ASAS-SN stars below ``--min-obs``."""
    if X is None or fmt != "asassn" or min_obs is None:
        return {}
    return {
        i: f"{len(c)} usable observations, fewer than --min-obs {min_obs}"
        for i, c in enumerate(X.curves)
        if len(c) < min_obs
    }


def _write_predictions(out, classes, ids, X, table, rows, problems, skipped):
    """The predictions CSV: one row per star read, then the unreadable ones."""
    from ._catalogue import prediction_columns

    writer = csv.writer(out)
    writer.writerow(prediction_columns(classes))
    blank = [""] * (len(classes) + 5)
    predicted = dict(zip(rows.tolist(), range(len(rows)), strict=True))
    for i, star in enumerate(ids):
        if i not in predicted:
            period = X.period[i]
            period = f"{period:.8g}" if np.isfinite(period) else ""
            writer.writerow([star, period, *blank, "skipped", problems[i]])
            continue
        k = predicted[i]
        writer.writerow(
            [
                star,
                f"{table['period'][k]:.8g}",
                _blank_nan(table["period_power"][k], ".5f"),
                int(table["period_flag"][k]),
                table["predicted_class"][k],
                *[f"{table[f'p_{c}'][k]:.5f}" for c in classes],
                f"{table['novelty_score'][k]:.5f}",
                int(table["novel"][k]),
                "ok",
                "",
            ]
        )
    for star, why in skipped.items():
        if star is not None:
            writer.writerow([star, "", *blank, "skipped", why])


def cmd_predict(args):
    from ._catalogue import _ids, predict_table

    console = _Console(args.quiet)
    verbose = _verbosity(args)
    model = set_verbose(_predict_model(args, console), verbose)
    if not os.path.isdir(args.data):
        raise SystemExit(f"skdualnet: {args.data}: no such folder")
    fmt = detect_format(args.data) if args.format == "auto" else args.format
    # the --min-obs cut is applied here, so that its stars are listed too
    X, _, skipped = load_folder_reporting(
        args.data, fmt, args.band, min_obs=None, verbose=verbose
    )
    problems = _min_obs_problems(X, fmt, args.min_obs)
    clf = model[-1]
    rows, table = np.zeros(0, dtype=int), None
    keep = np.array([i for i in range(len(X or ())) if i not in problems], dtype=int)
    if len(keep):
        table = predict_table(model, X[keep], scheduler=args.scheduler, verbose=verbose)
        bad = table["status"] != "ok"
        problems.update(
            {int(keep[i]): table["problem"][i] for i in np.flatnonzero(bad)}
        )
        table = {k: v[~bad] for k, v in table.items()}
        rows = keep[~bad]
    ids = [] if X is None else _ids(X).tolist()
    n_total = len(ids) + sum(star is not None for star in skipped)
    out = sys.stdout if args.out == "-" else open(args.out, "w", newline="")
    try:
        _write_predictions(out, clf.classes_, ids, X, table, rows, problems, skipped)
    finally:
        if out is not sys.stdout:
            out.close()
    all_skipped = {star: why for star, why in skipped.items() if star is not None}
    all_skipped.update({ids[i]: why for i, why in sorted(problems.items())})
    where = "the output" if args.out == "-" else args.out
    report_skipped(all_skipped, n_total, where, quiet=console.quiet)
    if len(rows) == 0:
        raise ValueError(
            f"{args.data}: no star could be predicted ({n_total} star(s) found, "
            "all skipped" + (f"; {skipped[None]}" if None in skipped else "") + ")"
        )
    skipped_text = _skipped_text(len(all_skipped), list(all_skipped.values()))
    console.summary(
        "predict",
        [
            ("stars read", f"{n_total} found, {len(rows)} predicted, {skipped_text}"),
            ("periods", _periods_text(table)),
            ("classes predicted", _counts_text(table["predicted_class"], clf.classes_)),
            (
                "novel",
                f"{int(table['novel'].sum())} of {len(rows)} predicted stars "
                f"(novelty_score below the model's threshold offset_ = "
                f"{clf.offset_:.5g})",
            ),
            ("predictions", "standard output" if args.out == "-" else args.out),
        ],
    )
    return 0


def cmd_convert(args):
    from ._persistence import load_model, save_model

    with warnings.catch_warnings():
        # converting is what that warning asks for
        warnings.filterwarnings("ignore", "(?s).*pickle-based model file")
        model = load_model(args.old)
    save_model(model, args.new)
    _Console(args.quiet).log(
        f"converted {args.old} to {args.new} (arrays and JSON, no pickle)"
    )
    return 0


def cmd_evaluate(args):
    from ._protocol import make_default_model, run_protocol

    console = _Console(args.quiet)
    X, y, _ = _load_labelled(args, console)
    console.log(f"loaded {len(y)} stars: {_counts_text(y)}")
    model = make_default_model(n_obs=args.n_obs, **_classifier_params(args))
    set_verbose(model, _verbosity(args))
    _announce_protocol(model, X, y, NOVEL_LABELS, args.n_obs, console)
    result = run_protocol(
        model,
        X,
        y,
        novel_labels=NOVEL_LABELS,
        random_state=args.seed,
        keep=True,
        log=console.log,
    )
    _write_outputs(result, args.out, f"skdualnet evaluate: {args.data}", console)
    return 0


def _add_quiet(p):
    """The ``-q/--quiet`` option."""
    p.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="print nothing on standard error but errors (and Python "
        "warnings): no progress bars, log lines, estimate, skipped-star "
        "list or summary; no epoch table either",
    )


def _add_common(p, full_epochs, data=True, epochs=None):
    """The data and training options of ``demo``, ``fit`` and ``evaluate``."""
    epochs = epochs or f"the classifier's, {full_epochs}"
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
        help=f"training epochs (default: {epochs})",
    )
    p.add_argument(
        "--n-obs",
        type=int,
        default=200,
        help="observations per sequence (default 200)",
    )
    p.add_argument("--embedding-size", type=int, default=None)
    p.add_argument("--training", choices=["joint", "sequential"], default=None)
    p.add_argument(
        "--head",
        choices=["network", "boosting"],
        default="network",
        help="what gives the class probabilities: the paper's estimation "
        "network (default), or gradient-boosted trees on the latent vector "
        "with the ClassicalFeatures (needs pip install 'skdualnet[classical]')",
    )
    p.add_argument(
        "--novelty",
        choices=["energy", "max_proba", "combined"],
        default=None,
        help="the novelty score: the paper's mixture energy (default), the "
        "highest class probability, or the mean of the two scores' ranks "
        "among the training stars (with --head boosting, the best on the "
        "ASAS novel stars; see the user guide)",
    )
    p.add_argument(
        "--decision",
        choices=["argmax", "balanced"],
        default=None,
        help="how a class is picked from the probabilities: the most probable "
        "(default), or with class weights tuned for balanced accuracy on the "
        "training stars (more recall on rare classes, less accuracy on common "
        "ones; see the user guide)",
    )
    p.add_argument("--device", default=None, help="torch device, e.g. cuda")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--verbose",
        type=int,
        default=1,
        help="0: no epoch table and no progress bars; 1 (default): a line "
        "per epoch on standard output, and progress bars on standard error "
        "when it is a terminal; 2: the bars even when it is not",
    )
    _add_quiet(p)


_ESTIMATE_HELP = (
    " Before training it prints what it will do and an estimate of how "
    "long training takes, timed on 3 batches of the training stars on "
    "this machine (a fresh copy of the network runs 3 training and 3 "
    "evaluation steps; the median cost per sequence is scaled to all "
    "sequences, epochs and any validation passes). It is rough: the first "
    "batches of a process and a busy machine run slower."
)


def _add_demo_parser(sub, full_epochs, fast, full, ratio):
    """The ``demo`` subcommand."""
    p = sub.add_parser(
        "demo",
        help="train and evaluate on simulated stars",
        description="Simulate stars of 8 classes and a novel one, train with "
        "the paper's protocol (split by star), print a Table-2 style report "
        "and write figures. The default is a fast run: "
        f"{fast['n_per_class']} stars per class and {fast['max_epochs']} "
        f"epochs, about 1/{ratio:.0f} of the training of --full "
        f"({full['n_per_class']} stars per class, {full_epochs} epochs: the "
        "protocol of the README's figures); the report says what was traded."
        + _ESTIMATE_HELP,
    )
    _add_common(
        p,
        full_epochs,
        data=False,
        epochs=f"{fast['max_epochs']}; {full_epochs} with --full",
    )
    p.add_argument(
        "--n-per-class",
        type=int,
        default=None,
        help=f"stars per known class (default {fast['n_per_class']}; "
        f"{full['n_per_class']} with --full)",
    )
    p.add_argument(
        "--n-novel",
        type=int,
        default=None,
        help=f"novel (VAR) stars (default {fast['n_novel']}; {full['n_novel']} "
        "with --full)",
    )
    p.add_argument("--out", default="skdualnet-demo", help="output folder")
    size = p.add_mutually_exclusive_group()
    size.add_argument(
        "--full",
        action="store_true",
        help=f"today's full protocol: {full['n_per_class']} stars per class, "
        f"{full_epochs} epochs",
    )
    size.add_argument(
        "--quick", action="store_true", help="a tiny run for smoke tests (seconds)"
    )
    p.set_defaults(func=cmd_demo)


def _add_fit_parser(sub, full_epochs):
    """The ``fit`` subcommand."""
    p = sub.add_parser(
        "fit",
        help="train on a labelled data folder",
        description="Train the default pipeline on the known-class stars of a "
        "labelled folder and save it. At the end it prints a summary on "
        "standard error: stars read and skipped (reasons counted), periods "
        "estimated and flagged as likely aliases, the training stars per "
        "class, and where the model went." + _ESTIMATE_HELP,
    )
    _add_common(p, full_epochs)
    p.add_argument("--model", required=True, help="model file to write")
    p.set_defaults(func=cmd_fit)


def _add_predict_parser(sub):
    """The ``predict`` subcommand."""
    p = sub.add_parser(
        "predict",
        help="predict classes and novelty to CSV",
        description="Predict the class and novelty of every star in a data "
        "folder. The CSV has one row per star found: id, period, period_power, "
        "period_flag, predicted_class, p_<class> for each class, "
        "novelty_score, novel, "
        "status and problem. A star that cannot be read (missing or corrupt "
        "light curve, malformed catalogue row) or that the model cannot use "
        "(fewer than --min-obs observations, too few points for a period "
        "search, ...) gets status 'skipped', empty prediction columns and the "
        "reason in 'problem'; the skipped stars are also listed on standard "
        "error. At the end a summary on standard error gives the stars read, "
        "predicted and skipped (reasons counted), the periods estimated and "
        "flagged as likely aliases, the stars predicted per class, the stars "
        "flagged novel at the model's threshold and where the CSV went. The "
        "exit status is 0 when at least one star was predicted, 2 when none "
        "could be.",
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
        help="model file from `skdualnet fit` (default: the pretrained ASAS "
        "model, trained on ACVS + Richards 2012 V-band stars: "
        "skdualnet.pretrained('asas'))",
    )
    p.add_argument("--out", default="-", help="CSV file (default: standard output)")
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="score on a running Dask cluster (a scheduler address such as "
        "tcp://host:8786), or 'local:N' to start N local single-threaded "
        "workers; the same numbers as in-process (needs pip install "
        "'skdualnet[dask]'). Default: in this process",
    )
    p.add_argument(
        "--verbose",
        type=int,
        default=1,
        help="0: no progress bars; 1 (default): progress bars on standard "
        "error when it is a terminal; 2: even when it is not",
    )
    _add_quiet(p)
    p.set_defaults(func=cmd_predict)


def _add_convert_parser(sub):
    """The ``convert`` subcommand."""
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
    _add_quiet(p)
    p.set_defaults(func=cmd_convert)


def _add_evaluate_parser(sub, full_epochs):
    """The ``evaluate`` subcommand."""
    p = sub.add_parser(
        "evaluate",
        help="the Table-2 report on a labelled folder",
        description="Train and report with the paper's protocol (split by "
        "star) on a labelled folder; stars labelled VAR or novel are the novel "
        "test set." + _ESTIMATE_HELP,
    )
    _add_common(p, full_epochs)
    p.add_argument("--out", default="skdualnet-evaluate", help="output folder")
    p.set_defaults(func=cmd_evaluate)


def build_parser():
    """The argument parser of the ``skdualnet`` command."""
    from ._classifier import DualNetClassifier

    full_epochs = _DEMO_FULL["max_epochs"] or DualNetClassifier().max_epochs
    fast, full = _DEMO_FAST, dict(_DEMO_FULL, max_epochs=full_epochs)
    ratio = (
        full["n_per_class"] * full_epochs / (fast["n_per_class"] * fast["max_epochs"])
    )
    parser = argparse.ArgumentParser(
        prog="skdualnet",
        description="Classify variable-star light curves and flag novel stars "
        "(Tsang & Schultz 2019).",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    _add_demo_parser(sub, full_epochs, fast, full, ratio)
    _add_fit_parser(sub, full_epochs)
    _add_predict_parser(sub)
    _add_convert_parser(sub)
    _add_evaluate_parser(sub, full_epochs)
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
