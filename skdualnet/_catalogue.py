"""Scoring a catalogue: one row per star, in process or on a Dask cluster.

:func:`predict_catalogue` is the entry point for a long-format table (one row
per observation, a star-id column): a pandas ``DataFrame`` is scored in this
process, a ``dask.dataframe.DataFrame`` lazily, partitioned by star, on
whatever Dask scheduler computes it. :func:`predict_table` scores a
:class:`~skdualnet.LightCurves` (what the readers return), in process or,
with ``scheduler=``, on a Dask cluster; ``skdualnet predict --scheduler``
uses it.

Every star gets a row. A star the model cannot score (too few
observations, unreadable values) gets ``status="skipped"`` and the reason in
``problem``, and the others are scored: one bad star never makes the
catalogue fail. Stars are scored in chunks of ``chunk_size``; the same
chunks in process and on a cluster, so the two give identical numbers
(float32 products can differ in the last bits with the number of rows in a
batch, so the chunking is part of the result).

On a cluster the model is sent to the workers once (``Client.scatter`` with
``broadcast=True``), each task scores one chunk (memory per worker bounded
by ``chunk_size``), and a worker that dies mid-run costs nothing: Dask
recomputes its tasks elsewhere from their inputs, and results are put back
in star order, each star once.

Dask is optional: ``pip install skdualnet[dask]``.
"""

import copy
import numbers
import re
import warnings

import numpy as np

from ._parameters import Interval, check_params
from ._progress import progress, set_verbose
from ._validation import LightCurves, check_light_curves

__all__ = ["predict_catalogue", "predict_table", "prediction_columns"]

#: Stars per scoring task (see the module notes).
CHUNK_SIZE = 2000

_STAR_PREFIX = re.compile(r"^star \d+( \(id .*?\))?: ")


def prediction_columns(classes):
    """Column names of a prediction table for a model with these ``classes``.

    ``id``, ``period`` (days, as used to fold), ``period_power`` (the
    period search's peak power; empty for a catalogue period),
    ``period_flag`` (1: the period is a likely alias), ``predicted_class``, one
    ``p_<class>`` per class, ``novelty_score`` (higher = more typical),
    ``novel`` (score below the model's ``offset_``), ``status`` (``"ok"`` or
    ``"skipped"``) and ``problem`` (why a star was skipped; empty if ok).
    """
    return [
        "id",
        "period",
        "period_power",
        "period_flag",
        "predicted_class",
        *[f"p_{c}" for c in classes],
        "novelty_score",
        "novel",
        "status",
        "problem",
    ]


def _split(model):
    """``(front end, classifier)`` of a fitted Pipeline."""
    if not hasattr(model, "steps"):
        raise ValueError(
            "model must be a fitted Pipeline (front end + DualNetClassifier), "
            f"got {type(model).__name__}"
        )
    return model[:-1], model[-1]


def _score_robust(front, clf, X, verbose=0):
    """Front end and classifier on ``X``; stars they reject are set aside.

    Returns ``(rows, Xn, out, problems)``: the indices of ``X`` predicted,
    their transformed curves, ``clf.predict_all``'s outputs, and index ->
    reason for the rejected stars. All stars go through together; only when
    that raises ``ValueError`` is each star passed alone through the front
    end, to find the culprits, and the others are predicted together.
    """
    rows = np.arange(len(X))
    try:
        Xn = front.transform(X)
        return rows, Xn, clf.predict_all(Xn), {}
    except ValueError:
        pass
    problems = {}
    # The front end alone finds the culprits: the network is not run per star.
    alone = set_verbose(copy.deepcopy(front), 0)  # fitted steps stay fitted
    for i in progress(rows, desc="checking stars one by one", verbose=verbose):
        try:
            alone.transform(X[[i]])
        except ValueError as exc:
            problems[int(i)] = _STAR_PREFIX.sub("", str(exc))
    rows = np.array([i for i in rows if i not in problems], dtype=int)
    if len(rows) == 0:
        return rows, None, None, problems
    Xn = front.transform(X[rows])
    return rows, Xn, clf.predict_all(Xn), problems


def _empty_table(classes, n):
    table = {
        "id": np.empty(n, dtype=object),
        "period": np.full(n, np.nan),
        "period_power": np.full(n, np.nan),
        "period_flag": np.zeros(n, dtype=bool),
        "predicted_class": np.full(n, "", dtype=object),
    }
    for c in classes:
        table[f"p_{c}"] = np.full(n, np.nan)
    table.update(
        novelty_score=np.full(n, np.nan),
        novel=np.zeros(n, dtype=bool),
        status=np.full(n, "skipped", dtype=object),
        problem=np.full(n, "", dtype=object),
    )
    return table


def _score_chunk(model, X):
    """The prediction table (a dict of columns) of one chunk of stars."""
    front, clf = _split(model)
    table = _empty_table(clf.classes_, len(X))
    table["id"][:] = _ids(X)
    if X.period is not None:
        table["period"][:] = X.period
    rows, Xn, out, problems = _score_robust(front, clf, X)
    for i, why in problems.items():
        table["problem"][i] = why
    if len(rows):
        table["period"][rows] = Xn.period
        if Xn.period_power is not None:
            table["period_power"][rows] = Xn.period_power
            table["period_flag"][rows] = np.asarray(Xn.period_flag, bool)
        table["predicted_class"][rows] = out.labels
        for k, c in enumerate(clf.classes_):
            table[f"p_{c}"][rows] = out.proba[:, k]
        table["novelty_score"][rows] = out.scores
        table["novel"][rows] = out.novel
        table["status"][rows] = "ok"
    return table


def _ids(X):
    if X.ids is None:
        return np.arange(len(X)).astype(str)
    return np.asarray(X.ids).astype(str)


def _concat(tables, classes):
    if not tables:
        return _empty_table(classes, 0)
    return {k: np.concatenate([t[k] for t in tables]) for k in tables[0]}


def _check_chunk_size(chunk_size):
    check_params(
        "predict_table",
        {"chunk_size": [Interval(numbers.Integral, 1, None, closed="left")]},
        chunk_size=chunk_size,
    )
    return int(chunk_size)


def _chunks(n, chunk_size):
    """Slices of ``chunk_size`` stars (checked by the caller) covering ``n``."""
    return [slice(a, min(a + chunk_size, n)) for a in range(0, n, chunk_size)]


def predict_table(model, X, *, chunk_size=CHUNK_SIZE, scheduler=None, verbose=0):
    """Score every star of ``X``: one row per star, bad stars skipped with a reason.

    Parameters
    ----------
    model : Pipeline
        A fitted front end + :class:`~skdualnet.DualNetClassifier` (e.g.
        :func:`skdualnet.load_model` or :func:`skdualnet.pretrained`).
    X : LightCurves
        The stars, as the readers return them.
    chunk_size : int, default=2000
        Stars per scoring task.
    scheduler : str, distributed.Client or None, default=None
        ``None``: score in this process. ``"local:N"``: start a local Dask
        cluster of ``N`` single-threaded worker processes on 127.0.0.1 for
        this call. A ``distributed.Client``, or the address of a running
        scheduler (``"tcp://host:8786"``): score on that cluster.
    verbose : int, default=0
        ``1`` shows a progress bar over the chunks.

    Returns
    -------
    dict of str to ndarray
        The columns of :func:`prediction_columns`, in star order.
    """
    chunk_size = _check_chunk_size(chunk_size)
    _, clf = _split(model)
    X = check_light_curves(X)
    parts = _chunks(len(X), chunk_size)
    if scheduler is None:
        tables = [
            _score_chunk(model, X[s])
            for s in progress(parts, desc="scoring chunks", verbose=verbose)
        ]
    else:
        with _client(scheduler) as client:
            futures = submit_chunks(client, model, [X[s] for s in parts])
            tables = collect(futures, verbose=verbose)
    return _concat(tables, clf.classes_)


def submit_chunks(client, model, chunks):
    """Submit one scoring task per chunk to a Dask ``client``.

    The model is scattered to every worker once; each chunk travels inside
    its task, so Dask can recompute it on another worker if its worker dies.
    Returns the futures, in chunk order (see :func:`collect`).
    """
    model_future = client.scatter(model, broadcast=True, hash=False)
    return client.map(_score_chunk, [model_future] * len(chunks), chunks, pure=False)


def collect(futures, verbose=0):
    """The tables of :func:`submit_chunks`' futures, in chunk order.

    Waits for each future in turn (Dask reschedules the tasks of a worker that
    died), so the result has every star once, in order.
    """
    return [f.result() for f in progress(futures, desc="scoring", verbose=verbose)]


class _client:
    """Context manager: a ``distributed.Client`` for a ``scheduler`` argument."""

    def __init__(self, scheduler):
        self.scheduler = scheduler
        self.owned = []

    def __enter__(self):
        distributed = _import_distributed()
        if isinstance(self.scheduler, distributed.Client):
            return self.scheduler
        if not isinstance(self.scheduler, str) or not self.scheduler:
            raise ValueError(
                "scheduler must be None, 'local:N', a scheduler address or a "
                f"distributed.Client, got {self.scheduler!r}"
            )
        if self.scheduler.startswith("local:"):
            n = self.scheduler.partition(":")[2]
            if not n.isdigit() or int(n) < 1:
                raise ValueError(
                    f"scheduler {self.scheduler!r}: expected local:N, N >= 1 workers"
                )
            cluster = distributed.LocalCluster(
                n_workers=int(n),
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=":0",  # any free port: never clash
                env={"OMP_NUM_THREADS": "1"},
            )
            self.owned.append(cluster)
            client = distributed.Client(cluster)
        else:
            client = distributed.Client(self.scheduler)
        self.owned.append(client)
        return client

    def __exit__(self, *exc):
        for obj in reversed(self.owned):
            obj.close()
        return False


def _import_distributed():
    try:
        import distributed
    except ImportError:
        raise ImportError(
            "scoring on a Dask cluster needs dask.distributed: "
            "pip install 'skdualnet[dask]'"
        ) from None
    return distributed


# ----------------------------------------------------------- long tables
def _curves_from_frame(frame, cols):
    """``(X, problems)`` from a pandas long table (``from_long_format``).

    Stars whose rows cannot be made into a light curve are returned in
    ``problems`` (id -> reason) instead; rows without a star id are dropped
    with a warning (they belong to no star).
    """
    from .datasets import from_long_format

    try:
        return from_long_format(frame, **cols), {}
    except ValueError:
        pass  # find the culprits, star by star
    star_col = cols["star_col"]
    no_id = frame[star_col].isna()
    if no_id.any():
        warnings.warn(
            f"{int(no_id.sum())} row(s) without a {star_col!r} dropped",
            stacklevel=3,
        )
    curves, periods, ids, problems = [], [], [], {}
    for star, rows in frame[~no_id].groupby(star_col, sort=False):
        try:
            one = from_long_format(rows, **cols)
        except ValueError as exc:
            problems[str(star)] = _STAR_PREFIX.sub("", str(exc))
            continue
        curves.append(one.curves[0])
        periods.append(one.period[0])
        ids.append(one.ids[0])
    if not curves:
        return None, problems
    return LightCurves.from_arrays(curves, period=periods, ids=ids), problems


def _score_frame(frame, model, cols, chunk_size):
    """The prediction table of a pandas long table, as a pandas DataFrame."""
    import pandas as pd

    _, clf = _split(model)
    X, problems = _curves_from_frame(frame, cols)
    tables = []
    if X is not None:
        tables = [_score_chunk(model, X[s]) for s in _chunks(len(X), chunk_size)]
    if problems:
        bad = _empty_table(clf.classes_, len(problems))
        bad["id"][:] = list(problems)
        bad["problem"][:] = list(problems.values())
        tables.append(bad)
    out = pd.DataFrame(_concat(tables, clf.classes_))
    return out.sort_values("id", kind="stable").reset_index(drop=True)


def _meta(classes):
    import pandas as pd

    table = _empty_table(classes, 0)
    return pd.DataFrame({k: pd.Series(v, dtype=v.dtype) for k, v in table.items()})


def predict_catalogue(
    model,
    data,
    *,
    star_col="star_id",
    time_col="time",
    mag_col="mag",
    err_col="err",
    period=None,
    chunk_size=CHUNK_SIZE,
):
    """Score a long-format catalogue table: one output row per star.

    Parameters
    ----------
    model : Pipeline
        A fitted front end + :class:`~skdualnet.DualNetClassifier`.
    data : pandas.DataFrame or dask.dataframe.DataFrame
        One row per observation: a star id, time (days), magnitude and
        magnitude error; optionally the star's period (the same on all its
        rows; NaN for unknown, which the front end estimates). The layout of
        :func:`skdualnet.datasets.from_long_format`.
    star_col, time_col, mag_col, err_col : str
        Column names (as :func:`~skdualnet.datasets.from_long_format`).
    period : str or None, default=None
        Column of catalogue periods, if any.
    chunk_size : int, default=2000
        Stars per scoring call within a partition.

    Returns
    -------
    pandas.DataFrame or dask.dataframe.DataFrame
        The columns of :func:`prediction_columns`, one row per star, sorted by
        id (within each partition for Dask). For a Dask input the result is
        lazy and partitioned by star (the input is shuffled on ``star_col``;
        the model travels in the task graph once); compute it with any
        scheduler (``result.compute()``, or a ``distributed.Client``).

    Raises
    ------
    ValueError
        A missing column. Bad stars do not raise: they get
        ``status="skipped"`` and the reason in ``problem``.

    See Also
    --------
    predict_table : The same for :class:`~skdualnet.LightCurves`, in process
        or on a Dask cluster.
    """
    _, clf = _split(model)
    cols = {"star_col": star_col, "time_col": time_col, "mag_col": mag_col}
    cols.update(err_col=err_col, period=period)
    wanted = [star_col, time_col, mag_col, err_col] + ([period] if period else [])
    missing = [c for c in wanted if c not in data.columns]
    if missing:
        raise ValueError(
            f"catalogue table has no column(s) {missing}; it has {list(data.columns)}"
        )
    chunk_size = _check_chunk_size(chunk_size)
    if hasattr(data, "map_partitions"):  # a dask DataFrame
        import dask

        by_star = data[wanted].shuffle(on=star_col)
        return by_star.map_partitions(
            _score_frame,
            dask.delayed(model),
            cols,
            chunk_size,
            meta=_meta(clf.classes_),
        )
    return _score_frame(data[wanted], model, cols, chunk_size)
