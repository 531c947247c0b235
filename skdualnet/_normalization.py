"""Normalizer: per-sequence standardisation, lags, auxiliary features."""

import numbers

import numpy as np

from ._base import LightCurveTransformer
from ._parameters import Interval
from ._validation import NormalizedSequences, SegmentedCurves

__all__ = ["Normalizer"]

AUX_NAMES = ("mean_mag", "log10_scale", "log10_period")


class Normalizer(LightCurveTransformer):
    """Standardise each sequence and turn phases into lags (the network's input).

    For every sequence of every star (observed steps only):

    * magnitudes become ``x = (m - <m>) / s`` with ``<m>`` and ``s`` the
      sequence's mean and standard deviation; ``s`` is floored at
      ``min_scale`` so a constant sequence gives ``x = 0`` instead of NaN;
    * errors are scaled by the same factor, ``sigma / s``;
    * phases (or times) become lags ``dt_j = t_j - t_(j-1)``, ``dt_0 = 0``;
    * the auxiliary inputs of the estimation network are recorded per
      sequence: ``<m>``, ``log10 s`` and ``log10 P`` (0 when the curve was not
      folded), followed by the star's extra features, if any.

    The input is the :class:`~skdualnet.SegmentedCurves` of
    :class:`~skdualnet.SequenceSegmenter`; the result is a
    :class:`~skdualnet.NormalizedSequences` with ``X.sequences`` (columns
    ``dt, x, sigma``, float32, padding zeroed with unit errors), ``X.mask``
    and ``X.aux``. :func:`~skdualnet.make_front_end` builds the whole front
    end.

    Unlike :class:`sklearn.preprocessing.Normalizer`, which rescales each
    sample (row) to unit norm, this standardises each light-curve *sequence*
    to zero mean and unit variance, rescales its errors and keeps the removed
    mean and scale as features. It learns nothing from the training set.

    Parameters
    ----------
    min_scale : float, default=1e-3
        Floor on a sequence's standard deviation, in magnitudes.

    See Also
    --------
    SequenceSegmenter : The previous step.
    DualNetClassifier : The model that consumes this output.
    sklearn.preprocessing.Normalizer : Unrelated per-row unit-norm scaling.

    Examples
    --------
    >>> import numpy as np
    >>> from skdualnet import LightCurves, make_front_end
    >>> t = np.linspace(0, 30, 300)
    >>> curve = np.c_[t, 12 + np.sin(t), 0.1 + 0 * t]
    >>> X = LightCurves.from_arrays([curve], period=[5.0])
    >>> seq = make_front_end(features=False).fit_transform(X).sequences[0]
    >>> x = seq[0, :, 1]
    >>> bool(abs(x.mean()) < 1e-6), bool(abs(x.std() - 1) < 1e-5)
    (True, True)
    """

    _parameter_constraints = {
        "min_scale": [Interval(numbers.Real, 0, None, closed="neither")],
    }

    def __init__(self, *, min_scale=1e-3):
        self.min_scale = min_scale

    def _transform(self, X):
        if isinstance(X, NormalizedSequences):
            raise ValueError("X is already normalized; do not apply Normalizer twice")
        if not isinstance(X, SegmentedCurves):
            raise ValueError(
                f"Normalizer needs segmented curves, got {type(X).__name__}: put "
                "SequenceSegmenter before it (make_front_end() builds the whole "
                "front end)"
            )
        folded = X.folded
        out_segments, out_aux = [], []
        for i, (seg, mask) in enumerate(zip(X.segments, X.mask)):
            s64 = seg.astype(np.float64)
            m = mask.astype(np.float64)
            count = m.sum(1)
            mag = s64[:, :, 1] * m
            mean = mag.sum(1) / count
            var = ((s64[:, :, 1] - mean[:, None]) ** 2 * m).sum(1) / count
            scale = np.maximum(np.sqrt(var), self.min_scale)
            out = np.zeros_like(seg)
            out[:, :, 1] = (s64[:, :, 1] - mean[:, None]) / scale[:, None] * m
            sigma = s64[:, :, 2] / scale[:, None]
            out[:, :, 2] = np.where(mask, sigma, 1.0)
            dt = np.diff(s64[:, :, 0], axis=1, prepend=s64[:, :1, 0]) * m
            out[:, :, 0] = dt
            period = X.period[i]
            log_p = np.log10(period) if folded and np.isfinite(period) else 0.0
            aux = np.column_stack([mean, np.log10(scale), np.full(len(seg), log_p)])
            if X.features is not None:
                aux = np.hstack([aux, np.repeat(X.features[i][None], len(seg), 0)])
            if not (np.isfinite(out).all() and np.isfinite(aux).all()):
                raise ValueError(
                    f"{X.star_name(i)}: non-finite values after normalising"
                )
            out_segments.append(out)
            out_aux.append(aux.astype(np.float32))
        return X.derive(
            NormalizedSequences, sequences=out_segments, mask=X.mask, aux=out_aux
        )
