"""Scoring catalogues: every star a row, in process, on Dask, and surviving a
worker that dies (a real LocalCluster on 127.0.0.1)."""

import csv
import os
import signal
import time

import numpy as np
import pytest
from sklearn.pipeline import make_pipeline

from skdualnet import (
    DualNetClassifier,
    LightCurves,
    Normalizer,
    PhaseFolder,
    SequenceSegmenter,
)
from skdualnet._catalogue import (
    collect,
    predict_catalogue,
    predict_table,
    prediction_columns,
    submit_chunks,
)
from skdualnet.datasets import make_light_curves

from .conftest import TINY_CLASSES, TINY_NET

pd = pytest.importorskip("pandas")


@pytest.fixture(scope="module")
def model(tiny_data):
    X, y = tiny_data
    front = [PhaseFolder(), SequenceSegmenter(n_obs=25, min_obs=10), Normalizer()]
    return make_pipeline(*front, DualNetClassifier(**TINY_NET)).fit(X, y)


@pytest.fixture(scope="module")
def catalogue():
    """40 stars with ids, periods unknown for half; star s7 has 3 observations."""
    X, _ = make_light_curves(
        n_per_class=10, classes=TINY_CLASSES, n_obs=(30, 50), random_state=5
    )
    curves = [np.asarray(c) for c in X.curves]
    curves[7] = curves[7][:3]
    period = np.asarray(X.period, float).copy()
    period[::2] = np.nan
    ids = [f"s{i}" for i in range(len(curves))]
    return LightCurves.from_arrays(curves, period=period, ids=ids)


def _long_table(X):
    frames = []
    for star, curve, period in zip(X.ids, X.curves, X.period, strict=True):
        c = np.asarray(curve)
        frames.append(
            pd.DataFrame(
                {"star": star, "t": c[:, 0], "m": c[:, 1], "e": c[:, 2], "p": period}
            )
        )
    return pd.concat(frames, ignore_index=True)


def test_every_star_gets_a_row_and_the_bad_one_says_why(model, catalogue):
    table = predict_table(model, catalogue, chunk_size=16)
    clf = model[-1]
    assert list(table) == prediction_columns(clf.classes_)
    assert table["id"].tolist() == list(catalogue.ids)
    assert table["status"][7] == "skipped"
    assert "3 usable observation(s), fewer than min_obs=10" in table["problem"][7]
    assert np.isnan(table["novelty_score"][7]) and table["predicted_class"][7] == ""
    ok = np.flatnonzero(table["status"] == "ok")
    assert len(ok) == len(catalogue) - 1
    assert set(table["problem"][ok]) == {""}
    # The scored stars get what the Pipeline gives them, alone or together.
    good = catalogue[ok]
    proba = np.column_stack([table[f"p_{c}"][ok] for c in clf.classes_])
    np.testing.assert_allclose(proba, model.predict_proba(good), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(
        table["novelty_score"][ok], model.score_samples(good), rtol=1e-5, atol=1e-6
    )
    assert (table["predicted_class"][ok] == model.predict(good)).all()
    np.testing.assert_array_equal(
        table["novel"][ok], model.score_samples(good) < clf.offset_
    )
    # Periods: the catalogue's where given, the search's (with its power) else.
    given = np.isfinite(catalogue.period[ok])
    np.testing.assert_array_equal(
        table["period"][ok][given], catalogue.period[ok][given]
    )
    assert np.isnan(table["period_power"][ok][given]).all()
    assert (table["period_power"][ok][~given] > 0).all()


def test_chunking_is_part_of_the_result_and_the_same_chunks_agree(model, catalogue):
    a = predict_table(model, catalogue, chunk_size=16)
    b = predict_table(model, catalogue, chunk_size=16)
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])
    with pytest.raises(ValueError, match="chunk_size"):
        predict_table(model, catalogue, chunk_size=0)


def test_long_pandas_table_gives_the_same_rows(model, catalogue):
    frame = _long_table(catalogue)
    # a star whose magnitudes are all NaN cannot be made a light curve
    frame = pd.concat(
        [frame, pd.DataFrame({"star": "nan", "t": [1.0, 2.0], "m": np.nan, "e": 0.1})]
    )
    out = predict_catalogue(
        model,
        frame,
        star_col="star",
        time_col="t",
        mag_col="m",
        err_col="e",
        period="p",
        chunk_size=1000,
    )
    assert isinstance(out, pd.DataFrame)
    assert sorted(out["id"]) == sorted([*catalogue.ids, "nan"])
    row = out.set_index("id").loc["nan"]
    assert row["status"] == "skipped" and row["problem"]
    ref = predict_table(model, catalogue, chunk_size=1000)
    ref = pd.DataFrame(ref).set_index("id")
    got = out.set_index("id").drop(index="nan").loc[ref.index]
    assert (got["status"] == ref["status"]).all()
    for c in ["period", "novelty_score", *[f"p_{k}" for k in model[-1].classes_]]:
        np.testing.assert_allclose(got[c], ref[c], rtol=1e-5, atol=1e-6)


def test_missing_columns_are_named(model):
    frame = pd.DataFrame({"star_id": ["a"], "time": [1.0], "mag": [1.0]})
    with pytest.raises(ValueError, match=r"no column\(s\) \['err'\]"):
        predict_catalogue(model, frame)


def test_dask_dataframe_is_scored_lazily_partitioned_by_star(model, catalogue):
    dd = pytest.importorskip("dask.dataframe")
    frame = _long_table(catalogue)
    ddf = dd.from_pandas(frame, npartitions=3)  # splits stars across partitions
    kwargs = {"star_col": "star", "time_col": "t", "mag_col": "m", "err_col": "e"}
    kwargs["period"] = "p"
    lazy = predict_catalogue(model, ddf, **kwargs)
    assert hasattr(lazy, "compute")
    out = lazy.compute(scheduler="sync").set_index("id").sort_index()
    assert out.index.is_unique and sorted(out.index) == sorted(catalogue.ids)
    ref = predict_catalogue(model, frame, **kwargs)
    ref = ref.set_index("id").sort_index()
    assert (out["status"] == ref["status"]).all()
    assert (out["predicted_class"] == ref["predicted_class"]).all()
    np.testing.assert_allclose(out["novelty_score"], ref["novelty_score"], rtol=1e-5)


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=":0",
            env={"OMP_NUM_THREADS": "1"},
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield cluster, client


def test_cluster_gives_identical_rows(model, catalogue, cluster):
    _, client = cluster
    here = predict_table(model, catalogue, chunk_size=8)
    there = predict_table(model, catalogue, chunk_size=8, scheduler=client)
    for k in here:
        np.testing.assert_array_equal(there[k], here[k])


def test_a_worker_killed_mid_run_loses_and_duplicates_nothing(model, cluster):
    _, client = cluster
    X, _ = make_light_curves(
        n_per_class=40, classes=TINY_CLASSES, n_obs=(30, 50), random_state=9
    )
    X = LightCurves.from_arrays(
        list(X.curves), period=X.period, ids=[f"k{i}" for i in range(len(X))]
    )
    size = 4
    chunks = [X[a : a + size] for a in range(0, len(X), size)]  # 40 tasks
    futures = submit_chunks(client, model, chunks)
    # kill a worker while it holds tasks (the others are still queued)
    victim = None
    deadline = time.monotonic() + 30
    while victim is None and time.monotonic() < deadline:
        busy = {w: keys for w, keys in client.processing().items() if keys}
        if busy:
            victim = next(iter(busy))
    assert victim is not None, "every task finished before a worker could be killed"
    pid = client.run(os.getpid, workers=[victim])[victim]
    assert not all(f.done() for f in futures)  # mid-run: work is left
    os.kill(pid, signal.SIGKILL)
    tables = collect(futures)
    ids = np.concatenate([t["id"] for t in tables])
    assert ids.tolist() == list(X.ids)  # each star once, in order
    here = predict_table(model, X, chunk_size=size)
    for k in here:
        np.testing.assert_array_equal(np.concatenate([t[k] for t in tables]), here[k])
    # the dead worker was replaced by its nanny and the cluster still works
    client.wait_for_workers(2, timeout=60)


def test_cli_predict_on_a_local_cluster_matches_in_process(tmp_path, model):
    from skdualnet.__main__ import main

    pytest.importorskip("distributed")
    from skdualnet import save_model

    from .test_cli import write_asassn_folder

    folder = tmp_path / "data"
    write_asassn_folder(folder, n_per_class=4)
    path = tmp_path / "m.skdn"
    save_model(model, path)
    outs = {}
    for name, extra in (("here", []), ("cluster", ["--scheduler", "local:2"])):
        out = tmp_path / f"{name}.csv"
        args = ["predict", str(folder), "--model", str(path), "--out", str(out)]
        assert main([*args, "--min-obs", "10", "--quiet", *extra]) == 0
        outs[name] = out.read_text()
    assert outs["cluster"] == outs["here"]
    rows = list(csv.DictReader(outs["here"].splitlines()))
    assert len(rows) >= 4 and {r["status"] for r in rows} <= {"ok", "skipped"}


@pytest.mark.parametrize(
    "scheduler, match",
    [("local:0", "expected local:N"), ("local:x", "expected local:N"), ("", "must be")],
)
def test_bad_scheduler_is_a_clear_error(model, catalogue, scheduler, match):
    pytest.importorskip("distributed")
    with pytest.raises(ValueError, match=match):
        predict_table(model, catalogue, scheduler=scheduler)
