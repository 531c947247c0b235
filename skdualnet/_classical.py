"""ClassicalFeatures: the light-curve package's statistics and Fourier shape.

The per-star feature table of a classical variable-star classifier (the peer
in ``benchmarks/``): ``log10`` period, the period search's power and alias
flag, 33 statistics of the ``light-curve`` package (38 columns: amplitudes,
percentile ranges and ratios, moments, Stetson K, von Neumann eta, Otsu
split, ...), and Fourier shape parameters (Simon & Lee 1981) of a 4-harmonic
fit at the period ``P`` and at ``2P`` with a Lafler-Kinman string length
(eclipsing binaries are often found at half their period; the odd harmonics
at ``2P`` measure unequal minima). 62 columns in all.

Needs the optional ``light-curve`` package (``pip install
'skdualnet[classical]'``).
"""

import warnings

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._base import LightCurveTransformer, check_whole_curves
from ._parameters import StrOptions
from ._progress import VERBOSE_DOC, progress
from ._validation import check_light_curves

__all__ = ["ClassicalFeatures", "classical_feature_table"]

N_HARMONICS = 4


def _extractor():
    try:
        import light_curve as lc
    except ImportError:  # an optional dependency: the "classical" extra
        raise ImportError(
            "ClassicalFeatures needs the light-curve package: "
            "pip install 'skdualnet[classical]'"
        ) from None
    # Every feature here needs magnitudes (and errors) only, or a time order;
    # none fits a transient model. Strictly increasing times are required by
    # the time-dependent ones (Cusum, Eta, EtaE, LinearTrend, MaximumSlope):
    # duplicate times are merged before extraction.
    return lc.Extractor(
        lc.Amplitude(),
        lc.AndersonDarlingNormal(),
        lc.BeyondNStd(1.0),
        lc.BeyondNStd(2.0),
        lc.BiweightScale(),
        lc.Cusum(),
        lc.Eta(),
        lc.EtaE(),
        lc.ExcessVariance(),
        lc.InterPercentileRange(0.1),
        lc.InterPercentileRange(0.25),
        lc.Kurtosis(),
        lc.LinearTrend(),
        lc.MagnitudePercentageRatio(0.4, 0.05),
        lc.MagnitudePercentageRatio(0.2, 0.05),
        lc.MaximumSlope(),
        lc.Mean(),
        lc.MeanVariance(),
        lc.Median(),
        lc.MedianAbsoluteDeviation(),
        lc.MedianBufferRangePercentage(0.1),
        lc.MedianBufferRangePercentage(0.2),
        lc.OtsuSplit(),
        lc.PercentAmplitude(),
        lc.PercentDifferenceMagnitudePercentile(0.05),
        lc.PercentDifferenceMagnitudePercentile(0.1),
        lc.QnScale(),
        lc.ReducedChi2(),
        lc.Roms(),
        lc.Skew(),
        lc.StandardDeviation(),
        lc.StetsonK(),
        lc.WeightedMean(),
    )


_FOURIER = [f"A{k}" for k in range(1, N_HARMONICS + 1)] + [
    "R21",
    "R31",
    "phi21",
    "phi31",
    "chi2_reduction",
    "lafler_kinman",
]


def _merge_duplicate_times(t, m, e):
    """Inverse-variance mean of observations that share a time stamp."""
    keep = np.r_[True, np.diff(t) > 0]
    if keep.all():
        return t, m, e
    group = np.cumsum(keep) - 1
    w = 1.0 / e**2
    wsum = np.bincount(group, w)
    return t[keep], np.bincount(group, w * m) / wsum, 1.0 / np.sqrt(wsum)


def _fourier_shape(t, m, e, period, n_harmonics=N_HARMONICS):
    """Fourier parameters of a weighted least-squares fit at ``period``.

    ``m = a0 + sum_k A_k sin(2 pi k t / P + phi_k)``; one pass of 5-sigma
    clipping (robust scale of the residuals) before the final fit. Harmonics
    that the number of points cannot support (fewer than 3 points per fitted
    parameter) are left out and their parameters are NaN.

    Returns the values named in ``_FOURIER`` and one minus the weighted chi2
    of the 1-harmonic fit over that of a constant (the GLS power). The fit at
    ``2P`` uses the same number of harmonics, so it is not nested in the fit
    at ``P`` (kept as measured in the results of 2026-12-01).
    """
    out = np.full(len(_FOURIER), np.nan)
    k_max = min(n_harmonics, (len(t) // 3 - 1) // 2)
    if k_max < 1 or not np.isfinite(period) or period <= 0:
        return out, np.nan
    x = 2 * np.pi * ((t - t[0]) / period % 1.0)
    k = np.arange(1, k_max + 1)
    design = np.column_stack(
        [np.ones_like(x), np.cos(np.outer(x, k)), np.sin(np.outer(x, k))]
    )
    sw = 1.0 / e
    good = np.ones(len(t), bool)
    for _ in range(2):
        coef, *_ = np.linalg.lstsq(
            design[good] * sw[good, None], m[good] * sw[good], rcond=None
        )
        resid = (m - design @ coef) * sw
        scale = 1.4826 * np.median(np.abs(resid[good] - np.median(resid[good])))
        if not scale > 0:
            break
        new = np.abs(resid) < 5 * scale
        if new.sum() < design.shape[1] + 2 or (new == good).all():
            break
        good = new
    a, b = coef[1 : k_max + 1], coef[k_max + 1 :]
    amp = np.hypot(a, b)
    phi = np.arctan2(a, b)  # a cos + b sin = A sin(x + phi)
    wg = sw[good] ** 2
    mg = m[good]
    chi2_0 = np.sum(wg * (mg - np.sum(wg * mg) / wg.sum()) ** 2)
    chi2_fit = np.sum(wg * (mg - design[good] @ coef) ** 2)
    out[:k_max] = amp
    if amp[0] > 0:
        if k_max >= 2:
            out[4], out[6] = amp[1] / amp[0], (phi[1] - 2 * phi[0]) % (2 * np.pi)
        if k_max >= 3:
            out[5], out[7] = amp[2] / amp[0], (phi[2] - 3 * phi[0]) % (2 * np.pi)
    out[8] = 1.0 - chi2_fit / chi2_0 if chi2_0 > 0 else np.nan
    # Lafler-Kinman string length of the folded curve (wrapping around).
    order = np.argsort(x, kind="stable")
    mo = m[order]
    var = mo.var(ddof=1)
    out[9] = np.sum((np.roll(mo, -1) - mo) ** 2) / (2 * (len(mo) - 1) * var)
    # GLS power at the period = chi2 reduction of the 1-harmonic fit.
    d1 = design[:, [0, 1, k_max + 1]] * sw[:, None]
    c1, *_ = np.linalg.lstsq(d1, m * sw, rcond=None)
    w = sw**2
    chi2_0_all = np.sum(w * (m - np.sum(w * m) / w.sum()) ** 2)
    power = 1.0 - np.sum((m * sw - d1 @ c1) ** 2) / chi2_0_all
    return out, power


def classical_feature_table(X, verbose=0):
    """Per-star classical features (see :class:`ClassicalFeatures`).

    Parameters
    ----------
    X : LightCurves
        Stars with ``X.period`` filled (run :class:`~skdualnet.PhaseFolder`
        first); ``X.period_power`` and ``X.period_flag`` are used when present
        (a catalogue period has no power: the GLS power at that period is
        computed instead).
    verbose : int, default=0
        Progress bar over the stars (see :class:`ClassicalFeatures`).

    Returns
    -------
    F : ndarray of shape (n_stars, n_features)
        ``NaN`` where a feature could not be computed for a star.
    names : list of str
    """
    ext = _extractor()
    lc_names = list(ext.names)
    names = (
        ["log10_period", "ls_power", "period_alias_flag"]
        + lc_names
        + [f"fourier_P_{n}" for n in _FOURIER]
        + [f"fourier_2P_{n}" for n in _FOURIER]
        + ["fourier_log_chi2_ratio_P_over_2P"]
    )
    n = len(X)
    F = np.full((n, len(names)), np.nan)
    power_in = np.full(n, np.nan) if X.period_power is None else X.period_power
    flag = np.zeros(n) if X.period_flag is None else X.period_flag
    failures = {}
    n_lc = len(lc_names)
    curves = progress(X.curves, desc="classical features", verbose=verbose)
    for i, curve in enumerate(curves):
        curve = np.asarray(curve, dtype=np.float64)
        curve = curve[np.argsort(curve[:, 0], kind="stable")]
        t, m, e = curve.T
        period = float(X.period[i])
        row = F[i]
        row[0] = np.log10(period) if period > 0 else np.nan
        row[2] = float(flag[i])
        try:
            tu, mu, eu = _merge_duplicate_times(t, m, e)
            row[3 : 3 + n_lc] = ext(tu, mu, eu, fill_value=np.nan, sorted=True)
        except Exception as exc:  # a failing star gets NaN
            failures.setdefault("light-curve", []).append((X.star_name(i), exc))
        j = 3 + n_lc
        fits = []
        for mult in (1, 2):
            try:
                values, power = _fourier_shape(t, m, e, mult * period)
            except Exception as exc:
                failures.setdefault(f"fourier {mult}P", []).append(
                    (X.star_name(i), exc)
                )
                values, power = np.full(len(_FOURIER), np.nan), np.nan
            row[j : j + len(_FOURIER)] = values
            j += len(_FOURIER)
            fits.append(values[8])
            if mult == 1:
                row[1] = power_in[i] if np.isfinite(power_in[i]) else power
        # chi2 of the fit at P over that at 2P, as log10(chi2_P / chi2_2P)
        with np.errstate(divide="ignore", invalid="ignore"):
            row[j] = np.log10((1 - fits[0]) / (1 - fits[1]))
    F[~np.isfinite(F)] = np.nan
    for what, bad in failures.items():
        star, exc = bad[0]
        warnings.warn(
            f"ClassicalFeatures: {what} features failed for {len(bad)} star(s) "
            f"(NaN, imputed later), e.g. {star}: {exc}",
            stacklevel=2,
        )
    return F, names


class ClassicalFeatures(LightCurveTransformer):
    """A classical classifier's 62 per-star features, for the boosting head.

    An option beyond the paper, for
    ``DualNetClassifier(head="boosting")``: the light-curve package's
    statistics and the Fourier shape at ``P`` and ``2P`` (the module
    docstring lists them; :attr:`feature_names_` names the columns), the
    features of the peer that ``benchmarks/table2.py`` runs next to
    skdualnet. Put it after :class:`~skdualnet.PhaseFolder`, which supplies
    the period. A feature that cannot be computed for a star (too few
    observations for a fit, a constant curve, no period) is replaced by that feature's
    median over the stars given to ``fit`` (0 if it is missing for all of
    them), so every star keeps a finite row; a warning says how many stars
    each failing computation touched.

    Needs the ``light-curve`` package: ``pip install 'skdualnet[classical]'``.

    Parameters
    ----------
    to : {"head", "network"}, default="head"
        Where the features go. ``"head"`` appends them to
        ``X.head_features``, which only the boosting head reads: the network,
        its mixture and the novelty energy are those of the pipeline without
        them. ``"network"`` appends them to ``X.features``, the estimation
        network's (and the mixture's) auxiliary inputs, which the boosting
        head also reads through the latent vector; on ASAS ACVS (at most 400
        stars per class) that lowered the energy's novelty AUROC from 0.929
        to 0.836 (user guide, "Boosting head").
    {verbose}
        The bar counts the stars.

    Attributes
    ----------
    medians_ : ndarray of shape (62,)
        Per-feature median of the training stars, the fill for missing values.
    feature_names_ : ndarray of shape (62,)
        Column names, in order.

    See Also
    --------
    LightCurveFeatures : skdualnet's own 19 shape statistics (no extra needed).

    Examples
    --------
    >>> import numpy as np
    >>> from skdualnet import ClassicalFeatures, LightCurves
    >>> t = np.linspace(0, 30, 300)
    >>> curve = np.c_[t, 12 + np.sin(t), 0.1 + 0 * t]
    >>> X = LightCurves.from_arrays([curve, curve + [0, 1, 0]], period=[2 * np.pi] * 2)
    >>> Xf = ClassicalFeatures().fit_transform(X)
    >>> Xf.head_features.shape, round(float(Xf.head_features[0, 0]), 4)
    ((2, 62), 0.7982)
    >>> Xf.features is None  # the network's inputs are unchanged
    True
    """

    _parameter_constraints = {
        "to": [StrOptions({"head", "network"})],
        "verbose": ["verbose"],
    }

    def __init__(self, *, to="head", verbose=0):
        self.to = to
        self.verbose = verbose

    def fit(self, X, y=None):
        """Compute the training stars' features and their medians.

        Parameters
        ----------
        X : LightCurves or list of ndarray of shape (n_obs_i, 3)
            Phase-folded light curves (periods set), one per star.
        y : None
            Ignored.

        Returns
        -------
        self
        """
        self.fit_transform(X)
        return self

    def fit_transform(self, X, y=None):
        """:meth:`fit`, then :meth:`transform` of the same stars, computed once.

        Parameters
        ----------
        X : LightCurves or list of ndarray of shape (n_obs_i, 3)
        y : None
            Ignored.

        Returns
        -------
        LightCurves
        """
        self._check_params()
        X = self._check(X)
        F, names = classical_feature_table(X, verbose=self.verbose)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns
            medians = np.nanmedian(F, axis=0)
        self.medians_ = np.nan_to_num(medians, nan=0.0)
        self.feature_names_ = np.asarray(names)
        return self._append(X, F)

    def _transform(self, X):
        check_is_fitted(self, "medians_")
        X = self._check(X)
        return self._append(X, classical_feature_table(X, verbose=self.verbose)[0])

    @staticmethod
    def _check(X):
        X = check_light_curves(X)
        check_whole_curves(X, "ClassicalFeatures")
        if X.period is None or not np.isfinite(X.period).any():
            raise ValueError(
                f"{X.star_name(0)}: no period; put ClassicalFeatures after "
                "PhaseFolder, which estimates it"
            )
        return X

    def _append(self, X, F):
        F = np.where(np.isnan(F), self.medians_, F)
        name = "features" if self.to == "network" else "head_features"
        old = getattr(X, name)
        return X.replace(**{name: F if old is None else np.hstack([old, F])})

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = True
        return tags


if ClassicalFeatures.__doc__:  # None under python -OO
    ClassicalFeatures.__doc__ = ClassicalFeatures.__doc__.replace(
        "{verbose}", VERBOSE_DOC
    )
