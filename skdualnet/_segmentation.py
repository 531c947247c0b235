"""SequenceSegmenter: cut each star's curve into fixed-length sequences."""

import numbers

import numpy as np

from ._base import LightCurveTransformer
from ._parameters import Interval, StrOptions
from ._validation import SegmentedCurves

__all__ = ["SequenceSegmenter"]


class SequenceSegmenter(LightCurveTransformer):
    """Cut each light curve into sequences of ``n_obs`` consecutive observations.

    Observations are taken in time order, ``n_obs`` at a time (as in Naul et
    al. 2018 and the paper); each sequence is then sorted by phase when the
    curve was folded by :class:`~skdualnet.PhaseFolder` (its first column is
    the phase), and otherwise keeps time order (its first column is the time
    since the sequence's first observation, in days). One row per star is
    kept: the segments of star ``i`` are ``X.segments[i]``, an array of shape
    ``(n_segments_i, n_obs, 3)``, with ``X.mask[i]`` marking real observations
    (``True``) and padding (``False``, always at the end).

    Parameters
    ----------
    n_obs : int, default=200
        Observations per sequence (the paper's ``n``).
    remainder : {"overlap", "pad", "drop"}, default="overlap"
        What to do with the observations left after the last full sequence:
        ``"overlap"`` adds one more full sequence made of the star's last
        ``n_obs`` observations (so every observation is used and every
        sequence is full), ``"pad"`` adds a shorter sequence padded to
        ``n_obs`` (if it has at least ``min_obs`` observations), ``"drop"``
        discards them.
    min_obs : int, default=10
        Fewest observations a star (or a padded remainder) may have. A star
        with fewer than ``n_obs`` but at least ``min_obs`` observations
        becomes one padded sequence; a star with fewer than ``min_obs``
        raises ``ValueError`` naming it.
    max_segments : int or None, default=None
        Keep at most this many sequences per star, spread evenly over its
        curve (bounds the cost of stars with thousands of observations).
    stride : int or None, default=None
        Observations between the starts of consecutive sequences; ``None``
        means ``n_obs`` (sequences do not overlap). A smaller stride gives
        overlapping sequences: more, and more varied, training sequences
        per star (a form of augmentation) and more sequences averaged per
        star at prediction, at a proportional cost in time.

    See Also
    --------
    PhaseFolder : The previous step.
    Normalizer : The next step.

    Examples
    --------
    >>> import numpy as np
    >>> from skdualnet import SequenceSegmenter
    >>> t = np.arange(250.0)
    >>> X = SequenceSegmenter(n_obs=100).fit_transform([np.c_[t, t % 7, t * 0 + 1]])
    >>> X.segments[0].shape, X.mask[0].all()
    ((3, 100, 3), np.True_)
    """

    _parameter_constraints = {
        "n_obs": [Interval(numbers.Integral, 2, None, closed="left")],
        "remainder": [StrOptions({"overlap", "pad", "drop"})],
        "min_obs": [Interval(numbers.Integral, 2, None, closed="left")],
        "max_segments": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "stride": [Interval(numbers.Integral, 1, None, closed="left"), None],
    }

    def __init__(
        self,
        n_obs=200,
        *,
        remainder="overlap",
        min_obs=10,
        max_segments=None,
        stride=None,
    ):
        self.n_obs = n_obs
        self.remainder = remainder
        self.min_obs = min_obs
        self.max_segments = max_segments
        self.stride = stride

    def __setstate__(self, state):
        # pickles from before ``stride`` existed
        state.setdefault("stride", None)
        super().__setstate__(state)

    def _starts(self, n):
        """Start index and length of each sequence of a curve of ``n`` points."""
        size = self.n_obs
        if n <= size:
            return [(0, n)]
        step = size if self.stride is None else self.stride
        spans = [(start, size) for start in range(0, n - size + 1, step)]
        last = spans[-1][0]
        if last + size < n:  # observations left after the last full sequence
            if self.remainder == "overlap":
                spans.append((n - size, size))
            elif self.remainder == "pad" and n - (last + step) >= self.min_obs:
                spans.append((last + step, n - last - step))
        return spans

    def _transform(self, X):
        phase = getattr(X, "phase", None)  # FoldedCurves (or re-segmented ones)
        folded = phase is not None
        segments, masks = [], []
        for i, curve in enumerate(X.curves):
            n = len(curve)
            if n < self.min_obs:
                raise ValueError(
                    f"{X.star_name(i)}: {n} usable observation(s), fewer than "
                    f"min_obs={self.min_obs}"
                )
            spans = self._starts(n)
            if self.max_segments is not None and len(spans) > self.max_segments:
                keep = np.linspace(0, len(spans) - 1, self.max_segments)
                spans = [spans[k] for k in np.round(keep).astype(int)]
            seg = np.zeros((len(spans), self.n_obs, 3), dtype=np.float32)
            seg[:, :, 2] = 1.0
            mask = np.zeros((len(spans), self.n_obs), dtype=bool)
            for k, (start, length) in enumerate(spans):
                part = curve[start : start + length]
                if folded:
                    ph = phase[i][start : start + length]
                    order = np.argsort(ph, kind="stable")
                    seg[k, :length, 0] = ph[order]
                    seg[k, :length, 1:] = part[order, 1:]
                else:
                    seg[k, :length, 0] = part[:, 0] - part[0, 0]
                    seg[k, :length, 1:] = part[:, 1:]
                mask[k, :length] = True
            segments.append(seg)
            masks.append(mask)
        return X.derive(SegmentedCurves, phase=phase, segments=segments, mask=masks)
