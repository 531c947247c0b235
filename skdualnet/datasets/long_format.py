"""A survey-agnostic long table (one row per observation) and back."""

from collections.abc import Mapping

import numpy as np

from .._validation import check_light_curves


# ----------------------------------------------------------------- long format
def to_long_format(X, y=None, *, as_frame=False):
    """Flatten light curves to a long table, one row per observation.

    Parameters
    ----------
    X : LightCurves or list of ndarray of shape (n_obs_i, 3)
        Light curves (validated with :func:`~skdualnet.check_light_curves`).
    y : array-like of shape (n_stars,), default=None
        Per-star labels, repeated on each of the star's rows as ``label``.
    as_frame : bool, default=False
        Return a pandas DataFrame instead of a dict (pandas is imported only
        then).

    Returns
    -------
    table : dict of ndarray or pandas.DataFrame
        Columns ``star_id`` (``X.ids``, or the star index when there are
        none), ``time``, ``mag``, ``err``, ``period`` (the star's period,
        ``NaN`` if unknown) and, when ``y`` is given, ``label``.

    See Also
    --------
    from_long_format : The inverse.

    Examples
    --------
    >>> import numpy as np
    >>> from skdualnet.datasets import from_long_format, to_long_format
    >>> from skdualnet import LightCurves
    >>> X = LightCurves.from_arrays([np.ones((2, 3)), np.ones((1, 3))], ids=["a", "b"])
    >>> to_long_format(X)["star_id"].tolist()
    ['a', 'a', 'b']
    >>> len(from_long_format(to_long_format(X), period="period"))
    2
    """
    X = check_light_curves(X)
    n_obs = np.array([len(c) for c in X.curves], dtype=np.intp)
    ids = np.arange(len(X)) if X.ids is None else np.asarray(X.ids)
    stacked = np.concatenate(X.curves, axis=0)
    table = {
        "star_id": np.repeat(ids, n_obs),
        "time": stacked[:, 0],
        "mag": stacked[:, 1],
        "err": stacked[:, 2],
        "period": np.repeat(X.period, n_obs),
    }
    if y is not None:
        y = np.asarray(y)
        if y.shape != (len(X),):
            raise ValueError(
                f"y must have one label per star ({len(X)}); got {y.shape}"
            )
        table["label"] = np.repeat(y, n_obs)
    if as_frame:
        try:
            import pandas as pd
        except ImportError:
            raise ImportError(
                "to_long_format(..., as_frame=True) requires pandas, which is not "
                "installed; use the default dict output or `pip install pandas`"
            ) from None
        return pd.DataFrame(table)
    return table


def _column(table, name, numeric=False):
    """One column of a long table as a 1-D array (float64 if ``numeric``)."""
    try:
        values = table[name]
    except (KeyError, IndexError, TypeError):
        raise ValueError(f"long table has no column {name!r}") from None
    try:
        values = np.asarray(values, dtype=np.float64 if numeric else None)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"column {name!r} is not numeric ({exc})") from None
    if values.ndim != 1:
        raise ValueError(
            f"column {name!r} must be one-dimensional; got shape {values.shape}"
        )
    return values


def _check_star_ids(stars, star_col):
    """Every row must name its star (no None or NaN)."""
    if stars.dtype.kind not in "fO":
        return
    missing = [i for i, s in enumerate(stars.tolist()) if s is None or s != s]
    if missing:
        raise ValueError(
            f"column {star_col!r}: row {missing[0]} has no star identifier "
            f"({len(missing)} row(s) without one); drop or fill them first"
        )


class _StarGroups:
    """The rows of each star, stars in order of first appearance."""

    def __init__(self, stars, star_col):
        try:
            uniq, first, inverse = np.unique(
                stars, return_index=True, return_inverse=True
            )
        except TypeError:  # an object column mixing e.g. numbers and strings
            raise ValueError(
                f"column {star_col!r} mixes star identifiers of types that cannot "
                "be compared (e.g. numbers and strings); convert them to str first"
            ) from None
        order = np.argsort(first, kind="stable")  # star order = first appearance
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        self.group = rank[inverse.ravel()]  # star index of every row
        self.first = first[order]  # first row of every star
        self.ids = uniq[order]
        self.star_col = star_col
        sort = np.argsort(self.group, kind="stable")
        bounds = np.cumsum(np.bincount(self.group, minlength=len(order)))[:-1]
        self.rows = np.split(sort, bounds)

    def split(self, data):
        """Per-star blocks of ``data`` (rows in table order)."""
        return [data[rows] for rows in self.rows]

    def per_star(self, values, what):
        """The one value of ``values`` per star; raises if it varies."""
        n = len(self.group)
        if values.shape != (n,):
            raise ValueError(
                f"{what} has shape {values.shape}; expected ({n},) like "
                f"{self.star_col!r}"
            )
        firsts = values[self.first]
        same = values == firsts[self.group]
        if values.dtype.kind == "f":
            same |= np.isnan(values) & np.isnan(firsts[self.group])
        if not same.all():
            bad = self.ids[self.group[np.flatnonzero(~same)[0]]]
            raise ValueError(f"{what} varies within star {bad!r}")
        return firsts


def from_long_format(
    table,
    star_col="star_id",
    time_col="time",
    mag_col="mag",
    err_col="err",
    period=None,
    *,
    label_col=None,
):
    """Build :class:`~skdualnet.LightCurves` from a long table.

    One row per observation; rows are grouped by ``star_col``, and stars are
    ordered by first appearance (rows of a star need not be contiguous or
    sorted by time).

    Parameters
    ----------
    table : dict of array-like or pandas.DataFrame
        Anything with ``table[column]`` returning a 1-D array-like (duck-typed:
        pandas is never imported).
    star_col, time_col, mag_col : str
        Column names of the star identifier, time (days) and magnitude.
    err_col : str or None, default="err"
        Column of magnitude errors; ``None`` gives every observation error 1.
    period : None, str, mapping or array-like, default=None
        Per-star period: ``None`` (unknown, estimated later), the name of a
        column (constant within each star), a mapping star id -> period, or an
        array with one entry per star in order of first appearance.
    label_col : str, default=None
        If given, also return per-star labels from this column (constant
        within each star).

    Returns
    -------
    X : LightCurves
        With ``X.ids`` the distinct values of ``star_col``.
    y : ndarray
        Only when ``label_col`` is given.

    Raises
    ------
    ValueError
        If a column is missing, not one-dimensional or (time, magnitude,
        error, period) not numeric, the columns differ in length, a row has no
        star identifier (``None`` or ``NaN``), a per-star column (period,
        label) varies within a star, or a star has no observation with a
        finite time and magnitude. The message names the column or the star.

    See Also
    --------
    to_long_format : The inverse.
    """

    stars = _column(table, star_col)
    n = len(stars)
    _check_star_ids(stars, star_col)
    time, mag = _column(table, time_col, True), _column(table, mag_col, True)
    err = np.ones(n) if err_col is None else _column(table, err_col, True)
    for name, values in ((time_col, time), (mag_col, mag), (err_col, err)):
        if values.shape != (n,):
            raise ValueError(
                f"column {name!r} has shape {values.shape}; expected ({n},) like "
                f"{star_col!r}"
            )
    if n == 0:
        raise ValueError("long table has no rows")
    groups = _StarGroups(stars, star_col)
    curves = groups.split(np.column_stack([time, mag, err]).astype(np.float64))
    ids = groups.ids
    if isinstance(period, str):
        period = groups.per_star(
            _column(table, period, True), f"period column {period!r}"
        )
    elif isinstance(period, Mapping):
        period = np.array([period.get(s, np.nan) for s in ids.tolist()], dtype=float)
    X = check_light_curves(curves, period=period, ids=ids)
    if label_col is not None:
        return X, groups.per_star(
            _column(table, label_col), f"label column {label_col!r}"
        )
    return X
