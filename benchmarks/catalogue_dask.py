"""Catalogue scoring throughput: in process and on local Dask clusters.

Scores one simulated catalogue (ASAS-SN-like stars of 200-600 observations,
periods unknown, so each star's period search is part of the cost) with the
shipped model (``skdualnet.pretrained("asas")``) through
:func:`skdualnet.predict_table`:

* in this process (torch on one thread, as each worker);
* on a ``LocalCluster`` of 1 and of 2 single-threaded worker processes
  (``scheduler="local:N"``; cluster start-up timed separately),

checks that every run gives identical rows, and reports stars per second
and the projected wall time for 10^6 stars per worker-core (the 1-worker
rate). Writes JSON and a Markdown table with ``--out``.

Usage::

    python benchmarks/catalogue_dask.py [--stars 2000] [--chunk-size 250]
                                        [--out benchmarks/results/catalogue_dask.json]
"""

import argparse
import json
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from machine import cpu_model  # noqa: E402

from skdualnet import LightCurves, predict_table, pretrained  # noqa: E402
from skdualnet._catalogue import _client  # noqa: E402
from skdualnet.datasets import make_light_curves  # noqa: E402


def catalogue(n_stars, seed=0):
    X, _ = make_light_curves(
        n_per_class=max(1, n_stars // 8), n_obs=(200, 600), random_state=seed
    )
    ids = [f"sim{i:07d}" for i in range(len(X))]
    return LightCurves.from_arrays(list(X.curves), ids=ids)  # periods unknown


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stars", type=int, default=2000)
    parser.add_argument("--chunk-size", type=int, default=250)
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    command = "python benchmarks/catalogue_dask.py " + " ".join(
        argv if argv is not None else sys.argv[1:]
    )
    model = pretrained("asas")
    X = catalogue(args.stars)
    torch.set_num_threads(1)
    runs = {}
    t0 = time.perf_counter()
    ref = predict_table(model, X, chunk_size=args.chunk_size)
    runs["in process, 1 thread"] = {"seconds": time.perf_counter() - t0}
    print(f"in process: {runs['in process, 1 thread']['seconds']:.1f} s", flush=True)
    for n in (1, 2):
        t0 = time.perf_counter()
        with _client(f"local:{n}") as client:
            client.wait_for_workers(n)
            started = time.perf_counter() - t0
            t1 = time.perf_counter()
            got = predict_table(model, X, chunk_size=args.chunk_size, scheduler=client)
            seconds = time.perf_counter() - t1
        same = all(np.array_equal(got[k], ref[k]) for k in ref)
        runs[f"local:{n}"] = {
            "seconds": seconds,
            "cluster_start_seconds": started,
            "identical_to_in_process": bool(same),
        }
        print(f"local:{n}: {seconds:.1f} s (start {started:.1f} s), same {same}")
    for r in runs.values():
        r["stars_per_s"] = len(X) / r["seconds"]
    per_core = runs["local:1"]["stars_per_s"]
    result = {
        "command": command,
        "cpu": cpu_model(),
        "stars": len(X),
        "n_obs": [200, 600],
        "chunk_size": args.chunk_size,
        "ok": int((ref["status"] == "ok").sum()),
        "runs": runs,
        "speedup_2_workers": runs["local:2"]["stars_per_s"] / per_core,
        "projected_hours_per_1e6_stars_per_worker_core": 1e6 / per_core / 3600,
    }
    print(json.dumps(result, indent=1))
    lines = [
        f"Command: `{command}`",
        "",
        f"CPU: {result['cpu']['model']}, {result['cpu']['cores']} cores; "
        f"{len(X)} simulated stars of 200-600 observations, periods searched; "
        f"chunks of {args.chunk_size} stars",
        "",
        "| run | seconds | stars/s | identical rows |",
        "|---|---|---|---|",
    ]
    for name, r in runs.items():
        same = r.get("identical_to_in_process", "reference")
        lines.append(
            f"| {name} | {r['seconds']:.1f} | {r['stars_per_s']:.1f} | {same} |"
        )
    lines += [
        "",
        f"2 workers / 1 worker: {result['speedup_2_workers']:.2f}x; projected "
        f"{result['projected_hours_per_1e6_stars_per_worker_core']:.1f} h for "
        "10^6 stars per worker-core.",
    ]
    print("\n".join(lines))
    if args.out:
        with open(args.out, "w") as f:
            json.dump(result, f, indent=1)
        with open(os.path.splitext(args.out)[0] + ".md", "w") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
