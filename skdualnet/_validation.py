"""The X contract: one sample = one star.

This is the only module that defines what a light-curve input is and enforces it.

A star is a variable-length, irregularly sampled light curve: an array of shape
``(n_obs, 3)`` with columns (time in days, magnitude, magnitude error). Each
star may carry a period (days; ``NaN`` when unknown) and a row of extra features
(e.g. Gaia ``M_G``, ``BP-RP``, ``W_RP``). :class:`LightCurves` holds all of it
and is indexed like an array of stars, so scikit-learn's splitters, ``Pipeline``
and ``GridSearchCV`` keep each star's period, features and segments together.

The transformers add derived per-star state to the container (phases, segments,
normalised sequences) without ever changing the number of stars.
"""

import numbers

import numpy as np
from scipy.sparse import issparse

__all__ = ["LightCurves", "check_light_curves"]

# Per-star fields that are ragged (lists of arrays) and those that are arrays
# whose first axis is the star axis.
_RAGGED = ("curves", "phase", "segments", "mask", "aux")
_DENSE = ("period", "features", "ids", "period_flag", "period_power")


def _star_name(ids, i):
    """Human-readable name of star ``i`` for error messages."""
    if ids is None:
        return f"star {i}"
    return f"star {i} (id {str(ids[i])!r})"


class LightCurves:
    """Light curves of a set of stars, indexed by star.

    One sample is one star. ``len(X)`` is the number of stars, ``X[idx]`` with an
    integer array, boolean mask or slice returns a :class:`LightCurves` subset
    that keeps each star's period, features and any derived state (phases,
    segments) attached. ``X.shape`` is ``(n_stars,)`` so that scikit-learn's
    ``_safe_indexing`` (used by ``train_test_split``, ``cross_val_score`` and
    ``GridSearchCV``) subsets it as an array.

    Build one with :meth:`from_arrays`; the transformers
    :class:`~skdualnet.PhaseFolder`, :class:`~skdualnet.SequenceSegmenter` and
    :class:`~skdualnet.Normalizer` return new containers with derived state.

    Parameters
    ----------
    curves : list of ndarray of shape (n_obs_i, 3)
        Per-star (time [days], magnitude, magnitude error), sorted by time.
    period : ndarray of shape (n_stars,), default=None
        Period in days; ``NaN`` where unknown.
    features : ndarray of shape (n_stars, n_features), default=None
        Optional per-star extra features.
    ids : ndarray of shape (n_stars,), default=None
        Optional star identifiers, used in error messages and reports.
    **state
        Derived per-star state set by the transformers (``phase``, ``segments``,
        ``mask``, ``aux``, ``period_flag``, ``period_power``) and the ``stage``
        string (``"raw"``, ``"folded"``, ``"segmented"``, ``"normalized"``).
        Not meant to be passed by users.

    Examples
    --------
    >>> import numpy as np
    >>> from skdualnet import LightCurves
    >>> t = np.linspace(0, 10, 50)
    >>> X = LightCurves.from_arrays([np.c_[t, np.sin(t), 0.1 + 0 * t]] * 3)
    >>> len(X), len(X[np.array([0, 2])])
    (3, 2)
    """

    def __init__(self, curves, *, period=None, features=None, ids=None, **state):
        self.curves = curves
        self.period = period
        self.features = features
        self.ids = ids
        self.stage = state.pop("stage", "raw")
        for name in _RAGGED[1:] + _DENSE[3:]:
            setattr(self, name, state.pop(name, None))
        if state:
            raise TypeError(f"Unknown LightCurves fields: {sorted(state)}")

    # ------------------------------------------------------------------ build
    @classmethod
    def from_arrays(cls, curves, period=None, features=None, ids=None):
        """Validate per-star arrays and build a container.

        Parameters
        ----------
        curves : list of array-like of shape (n_obs_i, 3)
            Per-star columns (time in days, magnitude, magnitude error). A 3-D
            array ``(n_stars, n_obs, 3)`` and a 2-D array ``(n_stars, n_obs)``
            are accepted too (see :func:`check_light_curves`).
        period : array-like of shape (n_stars,), default=None
            Per-star period in days. ``NaN`` (or ``None``) marks an unknown
            period, which :class:`~skdualnet.PhaseFolder` estimates.
        features : array-like of shape (n_stars, n_features), default=None
            Per-star extra features appended to the estimation network's input.
        ids : array-like of shape (n_stars,), default=None
            Star identifiers used in error messages.

        Returns
        -------
        LightCurves
        """
        return check_light_curves(curves, period=period, features=features, ids=ids)

    # --------------------------------------------------------------- indexing
    def __len__(self):
        return len(self.curves)

    @property
    def shape(self):
        """``(n_stars,)``: lets scikit-learn index the container as an array."""
        return (len(self.curves),)

    def _fields(self):
        out = {name: getattr(self, name) for name in _RAGGED + _DENSE}
        out["stage"] = self.stage
        return out

    def replace(self, **changes):
        """Return a shallow copy with some per-star fields replaced."""
        fields = self._fields()
        fields.update(changes)
        curves = fields.pop("curves")
        return LightCurves(curves, **fields)

    def __getitem__(self, key):
        if isinstance(key, tuple):  # sklearn's _array_indexing uses X[key, ...]
            if len(key) == 2 and key[1] is Ellipsis:
                key = key[0]
            else:
                raise IndexError("LightCurves supports indexing along stars only")
        n = len(self)
        if isinstance(key, numbers.Integral):
            if not -n <= key < n:
                raise IndexError(f"star index {key} out of range for {n} stars")
            idx = np.array([key % n])
        elif isinstance(key, slice):
            idx = np.arange(n)[key]
        else:
            key = np.asarray(key)
            if key.dtype == bool:
                if key.shape != (n,):
                    raise IndexError("boolean index must have one entry per star")
                idx = np.flatnonzero(key)
            elif key.size == 0:
                idx = np.zeros(0, dtype=int)
            elif np.issubdtype(key.dtype, np.integer):
                idx = key.ravel()
            else:
                raise IndexError(f"cannot index LightCurves with {key.dtype} array")
        fields = {}
        for name in _RAGGED:
            value = getattr(self, name)
            fields[name] = None if value is None else [value[i] for i in idx]
        for name in _DENSE:
            value = getattr(self, name)
            fields[name] = None if value is None else value[idx]
        curves = fields.pop("curves")
        return LightCurves(curves, stage=self.stage, **fields)

    def __iter__(self):
        return iter(self.curves)

    def __repr__(self):
        n_obs = [len(c) for c in self.curves]
        span = f"{min(n_obs)}-{max(n_obs)} obs" if n_obs else "empty"
        known = 0 if self.period is None else int(np.isfinite(self.period).sum())
        return (
            f"LightCurves({len(self)} stars, {span}, {known} periods known, "
            f"stage={self.stage!r})"
        )

    # ---------------------------------------------------------------- helpers
    def star_name(self, i):
        """Name of star ``i`` as used in error messages."""
        return _star_name(self.ids, i)

    @property
    def n_features(self):
        """Number of extra per-star features (0 when there are none)."""
        return 0 if self.features is None else self.features.shape[1]


def _as_curve(curve, i, ids):
    name = _star_name(ids, i)
    if np.iscomplexobj(curve):
        raise ValueError(f"{name}: complex data not supported: light curves are real")
    try:
        arr = np.asarray(curve, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}: light curve is not numeric ({exc})") from None
    if arr.ndim != 2 or arr.shape[1] != 3:
        raise ValueError(
            f"{name}: light curve must have shape (n_obs, 3) with columns "
            f"(time, magnitude, error); got shape {arr.shape}"
        )
    return arr


def repair_curve(arr):
    """The one curve cleaner: apply the documented repairs to one star's curve.

    Repairs: rows with a non-finite time or magnitude are dropped; non-finite,
    zero or negative errors are replaced by the median of the star's valid
    errors (or 1 if none is valid); rows are sorted by time; duplicate times are
    kept (they are legitimate in multi-camera surveys). Used by
    :func:`check_light_curves` and by the survey readers.

    Parameters
    ----------
    arr : ndarray of shape (n_obs, 3)
        Time, magnitude, error (float64).

    Returns
    -------
    ndarray of shape (n_kept, 3)

    Raises
    ------
    ValueError
        No observation with a finite time and magnitude.
    """
    good = np.isfinite(arr[:, 0]) & np.isfinite(arr[:, 1])
    if not good.all():
        arr = arr[good]
    if len(arr) == 0:
        raise ValueError("no observation with a finite time and magnitude")
    err = arr[:, 2]
    bad_err = ~np.isfinite(err) | (err <= 0)
    if bad_err.any():
        arr = arr.copy()
        valid = err[~bad_err]
        arr[bad_err, 2] = np.median(valid) if valid.size else 1.0
    if np.any(np.diff(arr[:, 0]) < 0):
        arr = arr[np.argsort(arr[:, 0], kind="stable")]
    return arr


def _repair_curve(arr, i, ids):
    """:func:`repair_curve`, its error naming the star."""
    try:
        return repair_curve(arr)
    except ValueError as exc:
        raise ValueError(f"{_star_name(ids, i)}: {exc}") from None


def _object_rows_to_float(X, ids):
    """Convert a 2-D object array of magnitudes to float, naming a bad star."""
    try:
        return X.astype(np.float64)
    except (TypeError, ValueError):
        pass
    for i, row in enumerate(X):
        try:
            row.astype(np.float64)
        except (TypeError, ValueError) as exc:
            # keep the type: a TypeError (e.g. a dict) stays one, as in numpy
            raise type(exc)(
                f"{_star_name(ids, i)}: light curve is not numeric ({exc})"
            ) from None
    return X.astype(np.float64)


def _looks_like_one_curve(X):
    """Whether a 2-D numeric array is one star's ``(n_obs, 2 or 3)`` curve.

    Such an array would otherwise be read as ``n_obs`` stars of 2 or 3
    magnitudes. It is taken for a single curve when it has at least 10 rows,
    a strictly increasing first column (times) and, with 3 columns, a positive
    third one (errors): random magnitudes essentially never look like that.
    """
    n, m = X.shape
    if m not in (2, 3) or n < 10:
        return False
    with np.errstate(invalid="ignore"):
        X = np.asarray(X, dtype=np.float64)
        rising = bool(np.all(np.diff(X[:, 0]) > 0))
        return rising and (m == 2 or bool(np.all(X[:, 2] > 0)))


def check_light_curves(X, *, period=None, features=None, ids=None, min_stars=1):
    """Validate light-curve input and return a :class:`LightCurves`.

    Accepted input:

    * a :class:`LightCurves` (returned as is, already validated);
    * a list of arrays of shape ``(n_obs_i, 3)``: per-star (time, mag, err);
    * a 3-D array of shape ``(n_stars, n_obs, 3)``: equal-length curves;
    * a 2-D array of shape ``(n_stars, n_obs)``: magnitudes already sampled at
      evenly spaced phases over one cycle (as in tslearn's univariate
      convention); times become ``j / n_obs``, the period 1 and errors 1.

    Repairs, applied per star (documented, never silent NaN): observations with
    a non-finite time or magnitude are dropped; non-finite, zero or negative
    errors are replaced by the median valid error of that star; curves are
    sorted by time. Periods that are non-finite, zero or negative become
    unknown (``NaN``) and are estimated by :class:`~skdualnet.PhaseFolder`.

    Raises
    ------
    ValueError
        If the input is empty, a star has the wrong shape or no finite
        observation, or ``period``/``features``/``ids`` do not have one entry
        per star, or a feature is not finite. The message names the star.
    """
    if isinstance(X, LightCurves):
        if len(X) < min_stars:
            raise ValueError(
                f"Found {len(X)} star(s) while a minimum of {min_stars} is required."
            )
        return X
    if issparse(X):
        raise TypeError(
            "Sparse data was passed, but light curves must be dense: a list of "
            "(n_obs, 3) arrays, or a dense array"
        )
    if not isinstance(X, (list, tuple, np.ndarray)) and hasattr(X, "__array__"):
        X = np.asarray(X)
    elif isinstance(X, (list, tuple)) and len(X) and np.ndim(X[0]) == 1:
        X = np.asarray(X)  # rows of magnitudes: read like a 2-D array
    if isinstance(X, np.ndarray):
        if np.iscomplexobj(X):
            raise ValueError("Complex data not supported: light curves are real")
        if X.dtype == object and X.ndim == 2:
            X = _object_rows_to_float(X, ids)
        if X.ndim == 1 and X.dtype != object:
            raise ValueError(
                "Expected a 2D array of stars, got a 1D array instead. Reshape your "
                "data either using array.reshape(-1, 1) if your data has a single "
                "feature or array.reshape(1, -1) if it contains a single sample "
                "(a single star's magnitudes)."
            )
        if X.ndim == 2:
            n, m = X.shape
            if n and not m:
                raise ValueError(
                    f"Found array with 0 feature(s) (shape=({n}, 0)) while a "
                    "minimum of 1 is required: each row holds one star's magnitudes"
                )
            if _looks_like_one_curve(X):
                raise ValueError(
                    f"Got a 2-D array of shape {X.shape}: read as {n} stars of "
                    f"{m} magnitudes at evenly spaced phases, but its first "
                    "column increases steadily like observation times. If it is "
                    f"one star's (n_obs, {m}) light curve "
                    "(time, magnitude[, error]), pass it inside a list: [curve]"
                )
            if n:
                t = np.arange(m, dtype=np.float64) / m
                curves = [np.c_[t, row, np.ones(m)] for row in X.astype(np.float64)]
                if period is None:
                    period = np.ones(n)
                X = curves
        elif X.ndim == 3:
            X = list(X)
        elif X.dtype != object:
            raise ValueError(
                "Expected a list of (n_obs, 3) arrays, a 3-D array (n_stars, n_obs, 3)"
                f" or a 2-D array (n_stars, n_obs); got an array of shape {X.shape}"
            )
    if isinstance(X, (str, bytes)) or not hasattr(X, "__len__"):
        raise ValueError(
            f"Expected a list of per-star (n_obs, 3) arrays; got {type(X).__name__}"
        )
    n = len(X)
    if n < min_stars:
        raise ValueError(
            f"Found {n} star(s) while a minimum of {min_stars} is required."
        )
    if ids is not None:
        ids = np.asarray(ids)
        if ids.shape != (n,):
            raise ValueError(f"ids must have one entry per star ({n}); got {ids.shape}")
    curves = [_repair_curve(_as_curve(c, i, ids), i, ids) for i, c in enumerate(X)]

    if period is None:
        period = np.full(n, np.nan)
    else:
        period = np.array(
            [np.nan if p is None else p for p in np.ravel(np.asarray(period, object))]
            if np.asarray(period).dtype == object
            else period,
            dtype=np.float64,
        ).ravel()
        if period.shape != (n,):
            raise ValueError(
                f"period must have one entry per star ({n}); got {period.shape[0]}"
            )
        period = np.where(np.isfinite(period) & (period > 0), period, np.nan)

    if features is not None:
        features = np.asarray(features, dtype=np.float64)
        if features.ndim == 1:
            features = features[:, None]
        if features.ndim != 2 or features.shape[0] != n:
            raise ValueError(
                f"features must have shape (n_stars={n}, n_features); "
                f"got {features.shape}"
            )
        bad = ~np.isfinite(features).all(axis=1)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"{_star_name(ids, i)}: extra features contain NaN or inf "
                f"({int(bad.sum())} star(s) affected); impute them first, e.g. "
                "with sklearn.impute.SimpleImputer"
            )
    return LightCurves(curves, period=period, features=features, ids=ids)
