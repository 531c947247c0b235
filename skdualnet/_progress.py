"""Feedback on long work: progress bars on standard error, training-time estimates.

Every loop over stars, batches or epochs that can take noticeable time shows
its progress through :func:`progress`, so that all bars look and behave alike:
a tqdm bar on standard error (never standard output) with a count, a rate and
the time left, governed by one ``verbose`` value (:data:`VERBOSE_DOC`).
"""

import sys
import time

import numpy as np
import torch
from sklearn.utils import Bunch
from skorch.callbacks import ProgressBar
from skorch.dataset import ValidSplit
from tqdm import tqdm

__all__ = [
    "VERBOSE_DOC",
    "TrainingProgressBar",
    "estimate_fit_seconds",
    "format_seconds",
    "progress",
]

#: Parameter text shared by every estimator and loader with a ``verbose`` knob.
VERBOSE_DOC = """verbose : int, default=0
        0 shows nothing. 1 shows a progress bar on standard error (a count,
        a rate and the time left) when standard error is a terminal, and
        nothing in a pipe, a log file or a notebook. 2 shows it always."""


def _disable(verbose):
    """tqdm's ``disable`` for a verbosity: off, terminal only, or always on."""
    if not verbose:
        return True
    return False if verbose >= 2 else None  # None: off unless stderr is a TTY


def progress(
    iterable=None, *, total=None, desc=None, unit="star", verbose=1, leave=True
):
    """A tqdm bar on standard error, shown according to ``verbose``.

    Parameters
    ----------
    iterable : iterable, default=None
        What to iterate over; ``None`` gives a bar to advance with
        ``update(n)`` (use it as a context manager, or call ``close()``).
    total : int, default=None
        Number of items; taken from ``len(iterable)`` when it has one. A bar
        with nothing to do (``total == 0``) is never shown.
    desc : str, default=None
        Label in front of the bar.
    unit : str, default="star"
        What one item is, for the rate (``star/s``).
    verbose : int, default=1
        0: no bar; 1: a bar when standard error is a terminal (tqdm's
        ``disable=None``); 2 or more: a bar always.
    leave : bool, default=True
        Keep the finished bar on screen (``False`` erases it).

    Returns
    -------
    tqdm
        Iterates like ``iterable``; a disabled bar costs next to nothing.

    Examples
    --------
    >>> from skdualnet._progress import progress
    >>> sum(progress(range(4), verbose=0))
    6
    """
    if total is None and iterable is not None:
        try:
            total = len(iterable)
        except TypeError:
            total = None
    disable = True if total == 0 else _disable(verbose)
    return tqdm(
        iterable,
        total=total,
        desc=desc,
        unit=unit,
        leave=leave,
        file=sys.stderr,  # looked up at each call, so a redirected stderr is used
        disable=disable,
        dynamic_ncols=True,
    )


class TrainingProgressBar(ProgressBar):
    """skorch's ProgressBar (batches within each epoch), shown as :func:`progress`.

    It follows the net's ``verbose`` at every epoch: nothing at 0, a bar on
    standard error when it is a terminal at 1, always at 2 (skorch's own bar
    is shown whatever the stream). Erased at the end of each epoch; the epoch
    table of :class:`skorch.callbacks.PrintLog` stays.
    """

    def on_epoch_begin(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        total = self.batches_per_epoch
        if total == "auto":
            total = self._get_batches_per_epoch(net, dataset_train, dataset_valid)
        elif total == "count":
            total = len(net.history[-2, "batches"]) if len(net.history) > 1 else None
        self.pbar_ = progress(
            total=total,
            desc=f"epoch {len(net.history)}",
            unit="batch",
            verbose=net.verbose,
            leave=False,
        )


def format_seconds(seconds):
    """A duration for people: ``"<1 s"``, ``"40 s"``, ``"12 min"``, ``"2.5 h"``.

    Examples
    --------
    >>> from skdualnet._progress import format_seconds
    >>> format_seconds(0.2), format_seconds(42.4), format_seconds(720)
    ('<1 s', '42 s', '12 min')
    >>> format_seconds(9000)
    '2.5 h'
    """
    if seconds < 0.5:
        return "<1 s"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _valid_fraction(split):
    """Share of the stars a ``train_split`` keeps for validation (a guess)."""
    if not split:
        return 0.0
    if isinstance(split, ValidSplit):
        cv = split.cv
        return float(cv) if cv < 1 else 1.0 / cv
    return 0.2


def _seconds_per_sequence(step, batches, n_batches, device):
    """Median seconds per sequence of ``step(batch)`` over the first batches."""
    cuda = torch.device(device or "cpu").type == "cuda"
    costs = []
    for _, batch in zip(range(n_batches), batches):
        n_seq = len(batch[0]["seq"])
        start = time.perf_counter()
        step(batch)
        if cuda:
            torch.cuda.synchronize()
        costs.append((time.perf_counter() - start) / n_seq)
    return float(np.median(costs))


def estimate_fit_seconds(clf, X, y, *, n_stars=None, classes=None, n_batches=3):
    """Rough duration of ``clf.fit(X, y)``, timed on a few batches of ``X``.

    A fresh clone of ``clf`` (same network, batch size and device; ``clf``
    itself is not touched) is initialised and runs ``n_batches`` training
    steps and ``n_batches`` evaluation steps on batches of ``X``. The median
    cost per sequence is extrapolated to every sequence of ``X`` (scaled to
    ``n_stars`` stars if given), ``max_epochs`` epochs, any validation passes
    and the final pass that fits the mixture. The first batches of a process
    pay one-time costs and a busy machine runs slower, so this is an order
    of magnitude, not a promise. Torch's global random state is restored.

    Parameters
    ----------
    clf : DualNetClassifier
    X : LightCurves
        Stars as ``clf.fit`` would get them (the front end's output, or raw
        curves for the classifier's own front end).
    y : array-like of shape (n_stars,)
        Their labels.
    n_stars : int, default=None
        Estimate for this many stars like those of ``X`` (``X`` is then a
        sample of the training set).
    classes : array-like, default=None
        All training classes (default: those in ``y``).
    n_batches : int, default=3
        Batches timed, for training and for evaluation each.

    Returns
    -------
    Bunch
        ``seconds`` (the estimate), ``n_sequences`` (sequences trained on per
        epoch, validation included), ``epochs``, ``train_per_sequence`` and
        ``evaluate_per_sequence`` (seconds, measured).
    """
    from sklearn.base import clone

    probe = clone(clf)
    X = probe._prepare(X)
    y = np.asarray(y)
    classes = np.unique(y) if classes is None else np.asarray(classes)
    index = {c: i for i, c in enumerate(classes.tolist())}
    encoded = np.array([index[c] for c in y.tolist()], dtype=np.int64)
    probe.set_params(verbose=0, classes=classes, module__n_aux=int(X.aux[0].shape[1]))
    with torch.random.fork_rng(devices=probe._rng_devices()):
        torch.manual_seed(0)
        probe.initialize()
        dataset = probe.get_dataset(X, encoded)
        train = _seconds_per_sequence(
            probe.train_step,
            probe.get_iterator(dataset, training=True),
            n_batches,
            probe.device,
        )
        evaluate = _seconds_per_sequence(
            probe.evaluation_step,
            probe.get_iterator(dataset, training=False),
            n_batches,
            probe.device,
        )
    n_seq = float(sum(len(s) for s in X.sequences))
    if n_stars is not None:
        n_seq *= n_stars / len(X)
    valid = _valid_fraction(clf.train_split)
    # per epoch: training steps, the validation loss and valid_acc (2 passes)
    epoch = n_seq * ((1 - valid) * train + valid * 2 * evaluate)
    # after training: the mixture and the training scores (2 passes)
    seconds = clf.max_epochs * epoch + 2 * n_seq * evaluate
    return Bunch(
        seconds=float(seconds),
        n_sequences=int(round(n_seq)),
        epochs=int(clf.max_epochs),
        train_per_sequence=train,
        evaluate_per_sequence=evaluate,
    )


def set_verbose(model, verbose):
    """Set ``verbose`` on every step of ``model`` that has one (not the
    Pipeline's); returns ``model``."""
    steps = [step for _, step in model.steps] if hasattr(model, "steps") else [model]
    for step in steps:
        if hasattr(step, "get_params") and "verbose" in step.get_params(deep=False):
            step.set_params(verbose=verbose)
    return model
