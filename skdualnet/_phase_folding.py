"""PhaseFolder: fold each star's light curve with its (given or estimated) period."""

import numbers

import numpy as np

from ._base import LightCurveTransformer
from ._parameters import Interval, StrOptions
from ._periodogram import estimate_period
from ._progress import VERBOSE_DOC, progress
from ._validation import FoldedCurves

__all__ = ["PhaseFolder"]


class PhaseFolder(LightCurveTransformer):
    """Fold light curves: ``phase = (t mod P) / P``.

    A star's curve stays in time order (so that
    :class:`~skdualnet.SequenceSegmenter` can cut consecutive observations);
    the phase of every observation is added to the container, and each segment
    is later sorted by phase. Stars without a period get one from the built-in
    generalised Lomb-Scargle search (:func:`skdualnet.estimate_period`, fast
    Press & Rybicki evaluation plus exact refinement); its result is recorded
    in ``X.period``, the peak power in ``X.period_power`` and a likely-alias
    flag (a peak near 1 day, its harmonics, a lunar month or a year) in
    ``X.period_flag``. The period travels on, so ``log10(P)`` reaches the
    estimation network.

    Parameters
    ----------
    estimate : {"missing", "always", "never"}, default="missing"
        When to search for a period: only for stars without one, for every
        star (catalogue periods are replaced), or never (a star without a
        period raises ``ValueError``).
    min_period : float, default=0.05
        Shortest period searched, in days.
    max_period : float, default=1000.0
        Longest period searched, in days (clipped to the time baseline).
    oversampling : int, default=5
        Frequency-grid oversampling of the period search.
    {verbose}
        The bar counts the stars searched.

    See Also
    --------
    skdualnet.estimate_period : The period search used here.
    SequenceSegmenter : The next step: cut folded curves into sequences.

    Examples
    --------
    >>> import numpy as np
    >>> from skdualnet import PhaseFolder
    >>> t = np.array([0.25, 1.5, 2.75, 3.0])
    >>> from skdualnet import LightCurves
    >>> X = LightCurves.from_arrays([np.c_[t, t, t + 1]], period=[1.0])
    >>> PhaseFolder().fit_transform(X).phase[0]
    array([0.25, 0.5 , 0.75, 0.  ])
    """

    _parameter_constraints = {
        "estimate": [StrOptions({"missing", "always", "never"})],
        "min_period": [Interval(numbers.Real, 0, None, closed="neither")],
        "max_period": [Interval(numbers.Real, 0, None, closed="neither")],
        "oversampling": [Interval(numbers.Integral, 1, None, closed="left")],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        *,
        estimate="missing",
        min_period=0.05,
        max_period=1000.0,
        oversampling=5,
        verbose=0,
    ):
        self.estimate = estimate
        self.min_period = min_period
        self.max_period = max_period
        self.oversampling = oversampling
        self.verbose = verbose

    def _check_params(self):
        super()._check_params()
        if self.min_period >= self.max_period:
            raise ValueError(
                f"min_period ({self.min_period}) must be below max_period "
                f"({self.max_period})"
            )

    def _transform(self, X):
        n = len(X)
        period = X.period.copy()
        flag = np.zeros(n, bool) if X.period_flag is None else X.period_flag.copy()
        power = np.full(n, np.nan) if X.period_power is None else X.period_power.copy()
        todo = (
            np.arange(n)
            if self.estimate == "always"
            else np.flatnonzero(~np.isfinite(period))
        )
        if self.estimate == "never" and todo.size:
            names = ", ".join(X.star_name(i) for i in todo[:5])
            raise ValueError(
                f"{todo.size} star(s) have no valid period and estimate='never': "
                f"{names}"
            )
        for i in progress(todo, desc="period search", verbose=self.verbose):
            t, mag, err = X.curves[i].T
            try:
                result = estimate_period(
                    t,
                    mag,
                    err,
                    min_period=self.min_period,
                    max_period=self.max_period,
                    oversampling=self.oversampling,
                )
            except ValueError as exc:
                raise ValueError(
                    f"{X.star_name(i)}: cannot estimate a period ({exc})"
                ) from None
            period[i], power[i], flag[i] = result.period, result.power, result.alias
        phase = [np.mod(c[:, 0], p) / p for c, p in zip(X.curves, period)]
        return X.derive(
            FoldedCurves,
            phase=phase,
            period=period,
            period_flag=flag,
            period_power=power,
        )


if PhaseFolder.__doc__:  # None under python -OO
    PhaseFolder.__doc__ = PhaseFolder.__doc__.replace("{verbose}", VERBOSE_DOC)
