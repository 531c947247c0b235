"""LightCurveFeatures: classical per-star shape statistics as extra features."""

import numbers

import numpy as np

from ._base import LightCurveTransformer, check_whole_curves
from ._parameters import Interval
from ._progress import VERBOSE_DOC, progress

__all__ = ["FEATURE_NAMES", "LightCurveFeatures"]

#: Names of the columns :class:`LightCurveFeatures` appends, in order.
FEATURE_NAMES = (
    "log10_amplitude",
    "log10_snr",
    "skew",
    "kurtosis",
    "beyond1std",
    "von_neumann_eta",
    "fourier_var_explained",
    "log10_fourier_amplitude",
    "R21",
    "R31",
    "cos_phi21",
    "sin_phi21",
    "cos_phi31",
    "sin_phi31",
    "bright_fraction",
    "rise_fraction",
    "double_period_gain",
    "period_power",
    "period_alias",
)

_GRID = np.linspace(0.0, 1.0, 200, endpoint=False)


def _fourier_fit(phase, mag, weight, n_harmonics):
    """Weighted least-squares Fourier series; returns (coefs, chi2) or None."""
    k = np.arange(1, n_harmonics + 1)
    arg = 2.0 * np.pi * phase[:, None] * k
    design = np.hstack([np.ones((len(phase), 1)), np.cos(arg), np.sin(arg)])
    if len(phase) <= design.shape[1]:
        return None
    sw = np.sqrt(weight)
    coef, *_ = np.linalg.lstsq(design * sw[:, None], mag * sw, rcond=None)
    chi2 = float(np.sum(weight * (mag - design @ coef) ** 2))
    return coef, chi2


def _fourier_curve(coef, n_harmonics, phase):
    k = np.arange(1, n_harmonics + 1)
    arg = 2.0 * np.pi * phase[:, None] * k
    return (
        coef[0]
        + np.cos(arg) @ coef[1 : 1 + n_harmonics]
        + np.sin(arg) @ coef[1 + n_harmonics :]
    )


def star_features(t, mag, err, period, n_harmonics=4):
    """Shape statistics of one star (see :class:`LightCurveFeatures`).

    Returns an array in :data:`FEATURE_NAMES` order, without the last two
    (period power and alias flag, which come from the period search).
    """
    n = len(mag)
    out = np.zeros(len(FEATURE_NAMES) - 2)
    centred = mag - mag.mean()
    std = centred.std()
    q5, q95 = np.percentile(mag, [5, 95])
    err = np.where(np.isfinite(err) & (err > 0), err, np.nan)
    med_err = np.nanmedian(err) if np.isfinite(err).any() else 0.01
    med_err = max(float(med_err), 1e-3)
    out[0] = np.log10(max(q95 - q5, 1e-3))
    out[1] = np.log10(max(std, 1e-4) / med_err)
    if std > 0 and n > 3:
        z = centred / std
        out[2] = np.mean(z**3)
        out[3] = np.arcsinh(np.mean(z**4) - 3.0)
        out[4] = np.mean(np.abs(z) > 1.0)
        out[5] = np.log10(max(np.mean(np.diff(mag) ** 2) / std**2, 1e-6))
    if not (np.isfinite(period) and period > 0) or std == 0:
        return out
    # Errors floored at the median error: a few tiny error bars must not
    # decide the fit.
    weight = 1.0 / np.fmax(np.nan_to_num(err, nan=med_err), med_err) ** 2
    chi2_0 = float(np.sum(weight * (mag - np.average(mag, weights=weight)) ** 2))
    phase = np.mod(t / period, 1.0)
    fit = _fourier_fit(phase, mag, weight, n_harmonics)
    if fit is None or chi2_0 <= 0:
        return out
    coef, chi2 = fit
    a, b = coef[1 : 1 + n_harmonics], coef[1 + n_harmonics :]
    amp = np.hypot(a, b)
    phi = np.arctan2(-b, a)  # mag = sum_k amp_k cos(2 pi k phase + phi_k)
    curve = _fourier_curve(coef, n_harmonics, _GRID)
    lo, hi = curve.min(), curve.max()  # brightest (lowest mag), faintest
    out[6] = 1.0 - chi2 / chi2_0
    out[7] = np.log10(max(hi - lo, 1e-3))
    if amp[0] > 0:
        out[8] = amp[1] / amp[0]
        out[9] = amp[2] / amp[0]
        phi21 = phi[1] - 2.0 * phi[0]
        phi31 = phi[2] - 3.0 * phi[0]
        out[10:14] = np.cos(phi21), np.sin(phi21), np.cos(phi31), np.sin(phi31)
    if hi > lo:
        out[14] = np.mean(curve < 0.5 * (lo + hi))
        # Phase from faintest to brightest light (short for RR Lyrae).
        out[15] = np.mod(_GRID[np.argmin(curve)] - _GRID[np.argmax(curve)], 1.0)
    fit2 = _fourier_fit(np.mod(t / (2.0 * period), 1.0), mag, weight, 2 * n_harmonics)
    if fit2 is not None:
        # Reduced-chi2 gain of folding at twice the period (unequal minima
        # of eclipsing binaries found at half their period).
        # Floored at 0.1 % of the curve's variance, so that two fits as good
        # as the noise-free limit compare as equal.
        dof1, dof2 = n - (2 * n_harmonics + 1), n - (4 * n_harmonics + 1)
        floor = 1e-3 * chi2_0 / (n - 1)
        if dof2 > 0:
            out[16] = np.log10((chi2 / dof1 + floor) / (fit2[1] / dof2 + floor))
    return out


class LightCurveFeatures(LightCurveTransformer):
    """Append classical shape statistics to each star's extra features.

    An option beyond the paper: the estimation network then sees, besides the
    autoencoder's embedding, the statistics an astronomer's classical
    pipeline uses. Per star, from its whole curve and its period (so it goes
    after :class:`~skdualnet.PhaseFolder`):

    * distribution: ``log10`` of the 5-95 % amplitude, ``log10`` of the
      standard deviation over the median error, skewness, ``arcsinh`` of the
      excess kurtosis, fraction beyond one standard deviation, ``log10`` of
      the von Neumann ratio (smoothness in time);
    * shape at the period: a weighted ``n_harmonics``-term Fourier fit gives
      the variance explained, ``log10`` of its peak-to-peak amplitude, the
      Fourier parameters ``R21``, ``R31`` and ``phi21``, ``phi31`` (as cosine
      and sine), the fraction of the cycle brighter than mid-light and the
      phase from faintest to brightest light;
    * ``double_period_gain``: ``log10`` of the reduced chi-square at ``P``
      over that at ``2P`` (with twice the harmonics), large for eclipsing
      binaries whose period search found half the true period;
    * the period search's peak power and alias flag (0 when the period was
      given).

    Column names are :data:`FEATURE_NAMES`. A statistic that cannot be
    computed (a constant curve, too few observations for the fit, no period)
    is set to 0, so every star keeps a finite row; the network standardises
    its inputs.

    Parameters
    ----------
    n_harmonics : int, default=4
        Terms of the Fourier fit at the period (twice as many at ``2P``); at
        least 3, for ``R31`` and ``phi31``.
    {verbose}
        The bar counts the stars.

    See Also
    --------
    PhaseFolder : Supplies the period (run it first).
    DualNetClassifier : Feeds ``X.features`` to its estimation network.

    Examples
    --------
    >>> import numpy as np
    >>> from skdualnet import LightCurveFeatures, LightCurves
    >>> t = np.linspace(0, 30, 300)
    >>> curve = np.c_[t, 12 + np.sin(t), 0.1 + 0 * t]
    >>> X = LightCurves.from_arrays([curve], period=[2 * np.pi])
    >>> Xf = LightCurveFeatures().fit_transform(X)
    >>> Xf.features.shape, round(float(Xf.features[0, 6]), 3)  # variance explained
    ((1, 19), 1.0)
    """

    _parameter_constraints = {
        "n_harmonics": [Interval(numbers.Integral, 3, None, closed="left")],
        "verbose": ["verbose"],
    }

    def __init__(self, *, n_harmonics=4, verbose=0):
        self.n_harmonics = n_harmonics
        self.verbose = verbose

    def _transform(self, X):
        check_whole_curves(X, "LightCurveFeatures")
        rows = np.zeros((len(X), len(FEATURE_NAMES)))
        flag = X.period_flag
        power = X.period_power
        curves = progress(X.curves, desc="shape features", verbose=self.verbose)
        for i, curve in enumerate(curves):
            t, mag, err = curve.T
            rows[i, :-2] = star_features(t, mag, err, X.period[i], self.n_harmonics)
            if power is not None and np.isfinite(power[i]):
                rows[i, -2] = power[i]
            if flag is not None:
                rows[i, -1] = float(flag[i])
        rows = np.nan_to_num(rows, nan=0.0, posinf=0.0, neginf=0.0)
        features = rows if X.features is None else np.hstack([X.features, rows])
        return X.replace(features=features)


if LightCurveFeatures.__doc__:  # None under python -OO
    LightCurveFeatures.__doc__ = LightCurveFeatures.__doc__.replace(
        "{verbose}", VERBOSE_DOC
    )
