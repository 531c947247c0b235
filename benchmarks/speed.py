"""Speed benchmark of skdualnet against a naive plain-``nn.GRU`` reference.

Measures, in one run, and prints JSON (and writes it with ``--out``):

* ``train``: training throughput of :class:`skdualnet.DualNetClassifier` at the
  paper's architecture (GRU 96 x 2, embedding 16, n = 200, fp32), in
  sequences per second, from skorch's per-epoch durations (first epoch
  dropped as warm-up), and the naive reference (``benchmarks/gru_speed.py``'s
  ``NaiveAutoencoder``: the same autoencoder on ``torch.nn.GRU`` with default
  torch settings, Adam, weighted MSE) at the same batch size;
* ``inference``: ``predict_proba`` + ``score_samples`` together, sequences per
  second, as one ``predict_all`` call (one forward pass; the headline figure)
  and as two calls, against the naive reference's forward pass;
* ``period_search``: median and p90 milliseconds of ``estimate_period`` for
  stars of 500 observations over ~3000 days (default 0.05-1000 d search);
* ``stream``: scoring a stream of simulated stars chunk by chunk (front end,
  then ``predict_all``), with the process's peak resident
  memory after the first chunk and at the end (bounded memory: they agree);
* ``accuracy`` (with ``--budget SECONDS``): star-level test accuracy on the
  simulator's default 8-class set as training goes, the time at which it
  first reaches 85, 90, 95 and 98 %, the accuracy when the budget runs out,
  and, for scale, a random forest on classical features on the same split.

Usage::

    python benchmarks/speed.py [--n-train 1000] [--batch 500] [--stream 20000]
                               [--budget 600] [--out speed.json]
"""

import argparse
import json
import os
import resource
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from gru_speed import NaiveAutoencoder, cpu_info, make_batch, time_model  # noqa: E402
from period_search import simulate_star  # noqa: E402
from skorch.callbacks import Callback  # noqa: E402

from skdualnet import (  # noqa: E402
    DualNetClassifier,
    Normalizer,
    PhaseFolder,
    SequenceSegmenter,
    estimate_period,
)
from skdualnet.datasets import make_light_curves  # noqa: E402


def _front_end(n_obs=200):
    from sklearn.pipeline import make_pipeline

    return make_pipeline(PhaseFolder(), SequenceSegmenter(n_obs=n_obs), Normalizer())


def _one_segment_stars(n_stars, seed=0):
    """Simulated stars of exactly 200 observations: one sequence each."""
    X, y = make_light_curves(
        n_per_class=max(1, n_stars // 8), n_obs=200, random_state=seed
    )
    return _front_end().fit_transform(X), y


def bench_training(n_train, batch, epochs):
    Xn, y = _one_segment_stars(n_train)
    n_seq = sum(len(s) for s in Xn.segments)
    clf = DualNetClassifier(
        max_epochs=epochs, batch_size=batch, train_split=None, random_state=0
    )
    clf.fit(Xn, y)
    durations = np.array(clf.history[:, "dur"][1:])
    ours = n_seq / float(np.median(durations))
    (naive_train, *_), (naive_infer, *_) = time_model(
        NaiveAutoencoder(), make_batch(batch, 200), warmup=1, iters=3
    )
    return (
        clf,
        Xn,
        {
            "sequences": int(n_seq),
            "batch_sequences": batch,
            "epochs_timed": int(len(durations)),
            "skdualnet_seq_per_s": ours,
            "naive_seq_per_s": naive_train,
            "ratio": ours / naive_train,
            "naive_inference_seq_per_s": naive_infer,
        },
    )


def bench_inference(clf, Xn, repeats=3):
    """predict_proba + score_samples: as two calls and as one predict_all."""
    n_seq = sum(len(s) for s in Xn.segments)
    clf.set_params(batch_size=1000)
    clf.predict_all(Xn[:10])  # warm-up
    two, one = [], []

    def separate(X):
        clf.predict_proba(X)
        clf.score_samples(X)

    for i in range(repeats):  # alternate which goes first
        for fn, times in [(separate, two), (clf.predict_all, one)][:: 1 - 2 * (i % 2)]:
            t0 = time.perf_counter()
            fn(Xn)
            times.append(time.perf_counter() - t0)
    return {
        "sequences": int(n_seq),
        "skdualnet_seq_per_s": n_seq / float(np.median(one)),
        "two_calls_seq_per_s": n_seq / float(np.median(two)),
    }


def bench_period_search(n_stars=200, seed=0):
    rng = np.random.default_rng(seed)
    stars = [simulate_star(rng) for _ in range(n_stars)]
    times = []
    for star in stars:
        t, mag, err = star[:3]
        t0 = time.perf_counter()
        estimate_period(t, mag, err)
        times.append(time.perf_counter() - t0)
    times = np.array(times) * 1e3
    return {
        "stars": n_stars,
        "n_obs": int(len(stars[0][0])),
        "median_ms": float(np.median(times)),
        "p90_ms": float(np.percentile(times, 90)),
    }


def _peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def bench_stream(clf, n_stars, chunk=2000):
    front = _front_end()
    clf.set_params(batch_size=1000)
    done, peaks, t0 = 0, [], time.perf_counter()
    k = 0
    while done < n_stars:
        n = min(chunk, n_stars - done)
        X, _ = make_light_curves(
            n_per_class=max(1, n // 8), n_obs=(200, 600), random_state=1000 + k
        )
        Xn = front.transform(X)
        clf.predict_all(Xn)
        done += len(X)
        k += 1
        peaks.append(_peak_rss_mb())
    seconds = time.perf_counter() - t0
    return {
        "stars": int(done),
        "chunk": chunk,
        "seconds": seconds,
        "stars_per_s": done / seconds,
        "peak_rss_mb_after_first_chunk": peaks[0],
        "peak_rss_mb_at_end": peaks[-1],
        # (stars scored, peak so far) at about every tenth of the stream
        "peak_rss_mb_by_stars": [
            [int(min(n_stars, (i + 1) * chunk)), peaks[i]]
            for i in np.unique(np.linspace(0, len(peaks) - 1, 11).astype(int))
        ],
    }


class _Budget(Callback):
    """Record test accuracy after each epoch; stop when the budget is spent."""

    def __init__(self, X_test, y_test, budget):
        self.X_test, self.y_test, self.budget = X_test, y_test, budget

    def on_train_begin(self, net, **kwargs):
        self.t0_ = time.perf_counter()
        self.curve_ = []

    def on_epoch_end(self, net, **kwargs):
        acc = float(np.mean(net.predict(self.X_test) == self.y_test))
        elapsed = time.perf_counter() - self.t0_
        self.curve_.append((elapsed, acc))
        print(
            f"  {elapsed:7.1f} s  epoch {len(net.history)}  test accuracy {acc:.3f}",
            flush=True,
        )
        if elapsed > self.budget:
            raise KeyboardInterrupt  # skorch ends training cleanly


def bench_accuracy(budget, n_per_class=150, epochs=None):
    from sklearn.model_selection import train_test_split

    X, y = make_light_curves(n_per_class=n_per_class, random_state=0)
    idx = np.arange(len(y))
    tr, te = train_test_split(idx, test_size=0.2, stratify=y, random_state=0)
    front = _front_end()
    Xtr, Xte = front.fit_transform(X[tr]), front.transform(X[te])
    cb = _Budget(Xte, y[te], budget)
    params = {"random_state": 0, "callbacks": [("budget", cb)]}
    if epochs:
        params["max_epochs"] = epochs
    DualNetClassifier(**params).fit(Xtr, y[tr])
    reached = next((t for t, a in cb.curve_ if a >= 0.98), None)
    # Reference on the same split: a random forest on classical features.
    from sklearn.ensemble import RandomForestClassifier
    from table2 import classical_features

    F = classical_features(PhaseFolder().fit_transform(X))
    rf = RandomForestClassifier(500, random_state=0).fit(F[tr], y[tr])
    return {
        "train_stars": int(len(tr)),
        "test_stars": int(len(te)),
        "budget_s": budget,
        "seconds_to_98pct": reached,
        "seconds_to": {
            f"{a:.2f}": next((t for t, acc in cb.curve_ if acc >= a), None)
            for a in (0.85, 0.90, 0.95, 0.98)
        },
        "accuracy_at_end": cb.curve_[-1][1],
        "seconds_at_end": cb.curve_[-1][0],
        "best_accuracy": max(a for _, a in cb.curve_),
        "classical_rf_accuracy": float(np.mean(rf.predict(F[te]) == y[te])),
        "epochs": len(cb.curve_),
        "max_epochs": epochs or DualNetClassifier().max_epochs,
        "curve": [[round(t, 1), round(a, 4)] for t, a in cb.curve_],
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n-train", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--stream", type=int, default=20000)
    parser.add_argument(
        "--budget",
        type=float,
        default=None,
        help="seconds for the time-to-accuracy run (off if omitted)",
    )
    parser.add_argument(
        "--budget-epochs",
        type=int,
        default=None,
        help="max_epochs of the time-to-accuracy run (default: the classifier's)",
    )
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)

    result = {
        "cpu": cpu_info(),
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "load_average_1min": os.getloadavg()[0],
    }
    print("training ...", flush=True)
    clf, Xn, result["train"] = bench_training(args.n_train, args.batch, args.epochs)
    print("inference ...", flush=True)
    result["inference"] = bench_inference(clf, Xn)
    result["inference"]["naive_seq_per_s"] = result["train"].pop(
        "naive_inference_seq_per_s"
    )
    result["inference"]["ratio"] = (
        result["inference"]["skdualnet_seq_per_s"]
        / result["inference"]["naive_seq_per_s"]
    )
    print("period search ...", flush=True)
    result["period_search"] = bench_period_search()
    if args.stream:
        print(f"stream of {args.stream} stars ...", flush=True)
        result["stream"] = bench_stream(clf, args.stream)
    if args.budget:
        print(f"time to accuracy, budget {args.budget:.0f} s ...", flush=True)
        result["accuracy"] = bench_accuracy(args.budget, epochs=args.budget_epochs)
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
