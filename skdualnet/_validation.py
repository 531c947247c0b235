"""The X contract: one sample = one star.

This is the only module that defines what a light-curve input is and enforces it.

A star is a variable-length, irregularly sampled light curve: an array of shape
``(n_obs, 3)`` with columns (time in days, magnitude, magnitude error). Each
star may carry a period (days; ``NaN`` when unknown) and a row of extra features
(e.g. Gaia ``M_G``, ``BP-RP``, ``W_RP``). :class:`LightCurves` holds all of it
and is indexed like an array of stars, so scikit-learn's splitters, ``Pipeline``
and ``GridSearchCV`` keep each star's period, features and segments together.

Each transformer returns its own container type (:class:`FoldedCurves`,
:class:`SegmentedCurves`, :class:`NormalizedSequences`, all subclasses of
:class:`LightCurves`) without ever changing the number of stars.
"""

import numbers
import warnings

import numpy as np
from scipy.sparse import issparse

__all__ = [
    "FoldedCurves",
    "LightCurves",
    "NormalizedSequences",
    "SegmentedCurves",
    "check_light_curves",
]


def _star_name(ids, i):
    """Human-readable name of star ``i`` for error messages."""
    if ids is None:
        return f"star {i}"
    return f"star {i} (id {str(ids[i])!r})"


class LightCurves:
    """Light curves of a set of stars, indexed by star.

    One sample is one star. ``len(X)`` is the number of stars, ``X[idx]`` with an
    integer array, boolean mask or slice returns a container of the same type
    holding those stars, with each star's period, features and any derived
    state attached. ``X.shape`` is ``(n_stars,)`` so that scikit-learn's
    ``_safe_indexing`` (used by ``train_test_split``, ``cross_val_score`` and
    ``GridSearchCV``) subsets it as an array.

    Build one with :meth:`from_arrays`. Each front-end step returns its own
    type, so that the type says what a container holds:

    ============================ =================== ==========================
    type                         made by             adds
    ============================ =================== ==========================
    :class:`LightCurves`         :meth:`from_arrays` ``curves`` (time, mag, err)
    :class:`FoldedCurves`        PhaseFolder         ``phase``
    :class:`SegmentedCurves`     SequenceSegmenter   ``segments`` (phase, mag,
                                                     err) and ``mask``
    :class:`NormalizedSequences` Normalizer          ``sequences`` (dt, x,
                                                     sigma), ``mask``, ``aux``
    ============================ =================== ==========================

    Every type is a :class:`LightCurves` and keeps ``curves``, ``period``,
    ``features``, ``head_features``, ``ids`` and the period-search results
    ``period_flag`` and ``period_power``.

    Parameters
    ----------
    curves : list of ndarray of shape (n_obs_i, 3)
        Per-star (time [days], magnitude, magnitude error), sorted by time.
    period : ndarray of shape (n_stars,), default=None
        Period in days; ``NaN`` where unknown.
    features : ndarray of shape (n_stars, n_features), default=None
        Optional per-star extra features (the estimation network's input).
    ids : ndarray of shape (n_stars,), default=None
        Optional star identifiers, used in error messages and reports.
    head_features : ndarray of shape (n_stars, n_head_features), default=None
        Optional per-star features for the boosting head only
        (``DualNetClassifier(head="boosting")``), never the network's input;
        :class:`~skdualnet.ClassicalFeatures` writes them.
    period_flag, period_power : ndarray of shape (n_stars,), default=None
        Likely-alias flag and peak power of the period search
        (:class:`~skdualnet.PhaseFolder` sets them).
    **fields
        The per-star fields a subclass adds (see the table above).

    Examples
    --------
    >>> import numpy as np
    >>> from skdualnet import LightCurves
    >>> t = np.linspace(0, 10, 50)
    >>> X = LightCurves.from_arrays([np.c_[t, np.sin(t), 0.1 + 0 * t]] * 3)
    >>> len(X), len(X[np.array([0, 2])])
    (3, 2)
    """

    #: Per-star fields that are ragged (lists of arrays) and those that are
    #: arrays whose first axis is the star axis; subclasses add their own.
    _RAGGED = ("curves",)
    _DENSE = (
        "period",
        "features",
        "ids",
        "period_flag",
        "period_power",
        "head_features",
    )
    #: Fields a subclass cannot be built without.
    _REQUIRED = ()
    #: The front-end stage, from the type (kept for code that reads it).
    stage = "raw"

    def __init__(self, curves, **fields):
        self.curves = curves
        missing = [name for name in self._REQUIRED if fields.get(name) is None]
        if missing:
            raise TypeError(f"{type(self).__name__} needs {missing}")
        for name in self._RAGGED[1:] + self._DENSE:
            setattr(self, name, fields.pop(name, None))
        if fields:
            raise TypeError(f"Unknown {type(self).__name__} fields: {sorted(fields)}")

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
        return {name: getattr(self, name) for name in self._RAGGED + self._DENSE}

    def replace(self, **changes):
        """Return a shallow copy of the same type with some fields replaced."""
        fields = self._fields()
        fields.update(changes)
        return type(self)(fields.pop("curves"), **fields)

    def derive(self, cls, **fields):
        """Return a ``cls`` container: these stars with ``fields`` set.

        The fields both types hold are carried over (a front-end step's
        output keeps what its input knew about the stars); ``fields`` sets or
        replaces the others.
        """
        names = cls._RAGGED + cls._DENSE
        kept = {k: v for k, v in self._fields().items() if k in names}
        kept.update(fields)
        return cls(kept.pop("curves"), **kept)

    def __getitem__(self, key):
        if isinstance(key, tuple):  # sklearn's _array_indexing uses X[key, ...]
            if len(key) == 2 and key[1] is Ellipsis:
                key = key[0]
            else:
                raise IndexError("LightCurves supports indexing along stars only")
        idx = self._indices(key)
        fields = {}
        for name in self._RAGGED:
            value = getattr(self, name)
            fields[name] = None if value is None else [value[i] for i in idx]
        for name in self._DENSE:
            value = getattr(self, name)
            fields[name] = None if value is None else value[idx]
        return type(self)(fields.pop("curves"), **fields)

    def _indices(self, key):
        """Star indices selected by an int, slice, bool mask or int array."""
        n = len(self)
        if isinstance(key, numbers.Integral):
            if not -n <= key < n:
                raise IndexError(f"star index {key} out of range for {n} stars")
            return np.array([key % n])
        if isinstance(key, slice):
            return np.arange(n)[key]
        key = np.asarray(key)
        if key.dtype == bool:
            if key.shape != (n,):
                raise IndexError("boolean index must have one entry per star")
            return np.flatnonzero(key)
        if key.size == 0:
            return np.zeros(0, dtype=int)
        if np.issubdtype(key.dtype, np.integer):
            return key.ravel()
        raise IndexError(f"cannot index LightCurves with {key.dtype} array")

    def __iter__(self):
        return iter(self.curves)

    def __repr__(self):
        n_obs = [len(c) for c in self.curves]
        span = f"{min(n_obs)}-{max(n_obs)} obs" if n_obs else "empty"
        known = 0 if self.period is None else int(np.isfinite(self.period).sum())
        name = type(self).__name__
        return f"{name}({len(self)} stars, {span}, {known} periods known)"

    # ---------------------------------------------------------------- helpers
    def star_name(self, i):
        """Name of star ``i`` as used in error messages."""
        return _star_name(self.ids, i)

    @property
    def n_features(self):
        """Number of extra per-star features (0 when there are none)."""
        return 0 if self.features is None else self.features.shape[1]


class FoldedCurves(LightCurves):
    """Light curves with the phase of every observation (from PhaseFolder).

    ``phase[i]`` has one entry per observation of ``curves[i]``, which stays
    in time order; ``period`` holds the period used for every star.
    """

    _RAGGED = LightCurves._RAGGED + ("phase",)
    _REQUIRED = ("phase",)
    stage = "folded"


class SegmentedCurves(LightCurves):
    """Light curves cut into fixed-length segments (from SequenceSegmenter).

    ``segments[i]`` is an array of shape ``(n_segments_i, n_obs, 3)``: per step
    the phase (or, for curves that were not folded, the time since the
    segment's first observation), the magnitude and its error; ``mask[i]``
    marks real observations (``True``) and padding (``False``, at the end).
    ``phase`` is carried over when the curves were folded, else ``None``.
    """

    _RAGGED = LightCurves._RAGGED + ("phase", "segments", "mask")
    _REQUIRED = ("segments", "mask")
    stage = "segmented"

    @property
    def folded(self):
        """Whether the segments' first column is the phase."""
        return self.phase is not None


class NormalizedSequences(LightCurves):
    """Network-ready sequences (from Normalizer): what DualNetClassifier reads.

    ``sequences[i]`` is an array of shape ``(n_segments_i, n_obs, 3)``: per
    step the phase lag ``dt``, the standardised magnitude ``x`` and the scaled
    error ``sigma``; ``mask[i]`` marks real observations; ``aux[i]`` of shape
    ``(n_segments_i, n_aux)`` holds the auxiliary inputs of each segment (mean
    magnitude, log10 scale, log10 period, then the star's extra features).
    """

    _RAGGED = LightCurves._RAGGED + ("sequences", "mask", "aux")
    _REQUIRED = ("sequences", "mask", "aux")
    stage = "normalized"

    @property
    def segments(self):
        """Deprecated name of :attr:`sequences` (it held either kind before)."""
        warnings.warn(
            "NormalizedSequences.segments is deprecated and will be removed in "
            "0.3; use .sequences (dt, x, sigma). SegmentedCurves.segments holds "
            "(phase, mag, err).",
            FutureWarning,
            stacklevel=2,
        )
        return self.sequences


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


def _as_star_list(X, period, ids):
    """``(per-star sequence, period)`` from any accepted input form.

    A 2-D array of magnitudes becomes curves at evenly spaced phases over
    one cycle (period 1 unless given); the other forms are only checked.
    """
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
        X, period = _array_to_curves(X, period, ids)
    if isinstance(X, (str, bytes)) or not hasattr(X, "__len__"):
        raise ValueError(
            f"Expected a list of per-star (n_obs, 3) arrays; got {type(X).__name__}"
        )
    return X, period


def _array_to_curves(X, period, ids):
    """An array input as a list of curves (see :func:`check_light_curves`)."""
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
        if not n:
            return X, period
        t = np.arange(m, dtype=np.float64) / m
        curves = [np.c_[t, row, np.ones(m)] for row in X.astype(np.float64)]
        return curves, np.ones(n) if period is None else period
    if X.ndim == 3:
        return list(X), period
    if X.dtype != object:
        raise ValueError(
            "Expected a list of (n_obs, 3) arrays, a 3-D array (n_stars, n_obs, 3)"
            f" or a 2-D array (n_stars, n_obs); got an array of shape {X.shape}"
        )
    return X, period


def _check_period(period, n):
    """Periods as float64, one per star; invalid ones become NaN (unknown)."""
    if period is None:
        return np.full(n, np.nan)
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
    return np.where(np.isfinite(period) & (period > 0), period, np.nan)


def _check_features(features, n, ids):
    """Extra features as a finite (n_stars, n_features) float64 array."""
    if features is None:
        return None
    features = np.asarray(features, dtype=np.float64)
    if features.ndim == 1:
        features = features[:, None]
    if features.ndim != 2 or features.shape[0] != n:
        raise ValueError(
            f"features must have shape (n_stars={n}, n_features); got {features.shape}"
        )
    bad = ~np.isfinite(features).all(axis=1)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{_star_name(ids, i)}: extra features contain NaN or inf "
            f"({int(bad.sum())} star(s) affected); impute them first, e.g. "
            "with sklearn.impute.SimpleImputer"
        )
    return features


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
    X, period = _as_star_list(X, period, ids)
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
    period = _check_period(period, n)
    features = _check_features(features, n, ids)
    return LightCurves(curves, period=period, features=features, ids=ids)
