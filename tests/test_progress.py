"""Progress bars and training-time estimates (skdualnet._progress)."""

import io
import pickle
import re
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

from skdualnet import DualNetClassifier, LightCurveFeatures, LightCurves, PhaseFolder
from skdualnet._progress import estimate_fit_seconds, progress
from skdualnet.datasets import (
    load_asas_acvs,
    load_asas_richards2012,
    load_asassn,
    load_eros1_lmc,
    load_s82_rrlyrae,
)

from .conftest import TINY_NET

DATA = Path(__file__).parent / "data"

# what tqdm prints for a finished bar of 5: count, elapsed<left, rate
FINISHED = re.compile(r"5/5 \[\d\d:\d\d<\d\d:\d\d, +[\d.]+star/s\]")


class Stream(io.StringIO):
    """A standard error that is, or is not, a terminal."""

    def __init__(self, tty):
        super().__init__()
        self.tty = tty

    def isatty(self):
        return self.tty


@pytest.fixture
def stderr(monkeypatch):
    """``stderr(tty)`` replaces sys.stderr by a Stream and returns it."""

    def use(tty):
        stream = Stream(tty)
        monkeypatch.setattr(sys, "stderr", stream)
        return stream

    return use


def test_bar_on_a_terminal_shows_count_rate_and_time_left(stderr, capsys):
    err = stderr(tty=True)
    assert sum(progress(range(5), desc="work", verbose=1)) == 10
    assert "work" in err.getvalue()
    assert FINISHED.search(err.getvalue())
    assert capsys.readouterr().out == ""  # never on standard output


@pytest.mark.parametrize(
    ("tty", "verbose", "shown"),
    [
        (False, 1, False),  # a pipe or a log file: no bar unless asked
        (False, 2, True),  # asked
        (True, 0, False),  # verbose=0 is silent, even on a terminal
        (True, 1, True),
    ],
)
def test_bar_shown_by_stream_and_verbose(stderr, tty, verbose, shown):
    err = stderr(tty)
    list(progress(range(5), verbose=verbose))
    assert bool(FINISHED.search(err.getvalue())) is shown
    if not shown:
        assert err.getvalue() == ""


def test_bar_with_nothing_to_do_is_not_shown(stderr):
    err = stderr(tty=True)
    assert list(progress([], verbose=2)) == []
    with progress(total=0, verbose=2) as bar:
        bar.update(0)
    assert err.getvalue() == ""


def _curves(n=4, seed=0):
    rng = np.random.default_rng(seed)
    t = np.sort(rng.uniform(0, 100, (n, 60)), axis=1)
    return LightCurves.from_arrays(
        [np.c_[ti, 12 + np.sin(2 * np.pi * ti / 1.7), 0.05 + 0 * ti] for ti in t]
    )


@pytest.mark.parametrize(
    ("make", "desc"),
    [
        (lambda v: PhaseFolder(verbose=v), "period search"),
        (lambda v: LightCurveFeatures(verbose=v), "shape features"),
    ],
)
@pytest.mark.parametrize("tty", [True, False])
def test_transformers_bar_per_star_only_when_verbose(stderr, make, desc, tty):
    X = (
        PhaseFolder().fit_transform(_curves())
        if desc == "shape features"
        else _curves()
    )
    err = stderr(tty)
    make(0).fit_transform(X)
    assert err.getvalue() == ""
    make(1).fit_transform(X)
    text = err.getvalue()
    if tty:
        assert desc in text and "4/4" in text and "star/s" in text
    else:
        assert text == ""


def test_verbose_is_a_validated_parameter():
    assert PhaseFolder().get_params()["verbose"] == 0
    assert LightCurveFeatures(verbose=1).get_params()["verbose"] == 1
    with pytest.raises(ValueError, match="verbose"):
        PhaseFolder(verbose=-1).fit(_curves())


@pytest.mark.parametrize(
    ("load", "folder", "kwargs"),
    [
        (load_asassn, "asassn", {"min_obs": 10, "on_error": "skip"}),
        (load_asas_richards2012, "richards", {}),
        (load_asas_acvs, "acvs", {}),
        (load_eros1_lmc, "eros", {"on_error": "skip"}),
        (load_s82_rrlyrae, "s82", {"on_error": "skip"}),
    ],
)
def test_each_loader_call_shows_one_bar_on_a_terminal(stderr, load, folder, kwargs):
    err = stderr(tty=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # skipped stars of the fixtures
        load(DATA / folder, **kwargs)  # verbose=0 by default
        assert err.getvalue() == ""
        load(DATA / folder, verbose=1, **kwargs)
    text = err.getvalue()
    assert f"reading {folder}" in text
    counts = re.findall(r"(\d+)/(\d+) \[", text)
    assert counts and counts[-1][0] == counts[-1][1]  # finished
    assert len({line.split(":")[0] for line in text.split("\r") if line}) == 1


def test_classifier_bars_with_verbose(tiny_folded, stderr, capsys):
    X, y = tiny_folded
    params = TINY_NET | {"max_epochs": 2}
    err = stderr(tty=True)
    clf = DualNetClassifier(**params).fit(X, y)  # verbose=0
    assert err.getvalue() == "" and capsys.readouterr().out == ""
    clf = DualNetClassifier(**params, verbose=1).fit(X, y)
    text = err.getvalue()
    assert "epoch 1" in text and "epoch 2" in text and "batch/s" in text
    assert "scoring" in text  # the training stars' scores, after training
    assert "train_loss" in capsys.readouterr().out  # skorch's table stays on stdout
    pickle.loads(pickle.dumps(clf))  # the bar is not part of the state
    err.truncate(0)
    clf.predict_all(X[:20])
    assert re.search(r"scoring: 100%.*20/20", err.getvalue())


def test_classifier_no_bar_in_a_pipe(tiny_folded, stderr, capsys):
    X, y = tiny_folded
    err = stderr(tty=False)
    DualNetClassifier(**TINY_NET | {"max_epochs": 1}, verbose=1).fit(X, y)
    assert err.getvalue() == ""
    assert "train_loss" in capsys.readouterr().out


def test_estimate_fit_seconds_times_a_copy(tiny_folded):
    X, y = tiny_folded
    clf = DualNetClassifier(**TINY_NET)
    state = torch.get_rng_state()
    est = estimate_fit_seconds(clf, X, y)
    assert torch.equal(state, torch.get_rng_state())  # global random state kept
    assert not clf.initialized_  # the estimator itself is not touched
    n_seq = sum(len(s) for s in clf._prepare(X).sequences)
    assert est.n_sequences == n_seq and est.epochs == TINY_NET["max_epochs"]
    assert 0 < est.evaluate_per_sequence and 0 < est.train_per_sequence
    assert np.isfinite(est.seconds) and est.seconds > 0
    twice = estimate_fit_seconds(clf, X[:60], y[:60], n_stars=120, classes=np.unique(y))
    assert abs(twice.n_sequences - n_seq) < 0.3 * n_seq  # scaled from a sample
