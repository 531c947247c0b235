"""Shared base for the stateless light-curve transformers."""

from sklearn.base import BaseEstimator, TransformerMixin

from ._parameters import check_estimator_params
from ._validation import NormalizedSequences, SegmentedCurves, check_light_curves

__all__ = ["LightCurveTransformer", "check_whole_curves"]


def check_whole_curves(X, who):
    """Refuse segmented input: ``who`` computes per-star statistics of the
    whole curve, so it belongs before :class:`~skdualnet.SequenceSegmenter`."""
    if isinstance(X, SegmentedCurves | NormalizedSequences):
        raise ValueError(
            f"{who} works on whole curves: put it before "
            f"SequenceSegmenter (got {type(X).__name__})"
        )


class LightCurveTransformer(TransformerMixin, BaseEstimator):
    """Stateless transformer from :class:`~skdualnet.LightCurves` to itself.

    ``fit`` only validates its input; ``transform`` works star by star and
    never changes the number of stars. Subclasses implement ``_transform``.
    """

    def fit(self, X, y=None):
        """Validate ``X`` and return ``self`` (nothing is learned).

        Parameters
        ----------
        X : LightCurves or list of ndarray of shape (n_obs_i, 3)
            Light curves, one per star.
        y : None
            Ignored.

        Returns
        -------
        self
        """
        self._check_params()
        check_light_curves(X)
        return self

    def transform(self, X):
        """Transform each star's light curve.

        Parameters
        ----------
        X : LightCurves or list of ndarray of shape (n_obs_i, 3)
            Light curves, one per star.

        Returns
        -------
        LightCurves
            Same stars, in the same order, with derived state added.
        """
        self._check_params()
        return self._transform(check_light_curves(X))

    #: scikit-learn constraints of the parameters (see :mod:`._parameters`).
    _parameter_constraints = {}

    def _check_params(self):
        check_estimator_params(self)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.three_d_array = True
        tags.input_tags.allow_nan = True
        tags.transformer_tags.preserves_dtype = []
        return tags
