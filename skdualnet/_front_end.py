"""make_front_end: the one definition of skdualnet's front end."""

from sklearn.pipeline import make_pipeline

from ._classical import ClassicalFeatures
from ._features import LightCurveFeatures
from ._normalization import Normalizer
from ._phase_folding import PhaseFolder
from ._segmentation import SequenceSegmenter

__all__ = ["make_front_end"]


def make_front_end(n_obs=200, *, features=True, classical=False, min_obs=10):
    """The front end as a Pipeline: raw light curves to network-ready sequences.

    ``PhaseFolder() -> LightCurveFeatures() -> SequenceSegmenter(n_obs,
    min_obs=min_obs) -> Normalizer()``, without ``LightCurveFeatures`` when
    ``features=False``, with ``ClassicalFeatures()`` after it when
    ``classical=True``. Its output is a :class:`~skdualnet.NormalizedSequences`.

    This is the only place the front end is defined:
    :func:`~skdualnet.make_default_model` puts a
    :class:`~skdualnet.DualNetClassifier` after it, and the classifier, given
    curves that have not been through a front end, runs
    ``make_front_end(features=False, min_obs=2)`` itself (so that any valid
    light curve, down to two observations, can be fitted and predicted).

    Parameters
    ----------
    n_obs : int, default=200
        Observations per sequence (the paper's ``n``).
    features : bool, default=True
        Append the classical shape statistics of
        :class:`~skdualnet.LightCurveFeatures` to each star's auxiliary inputs.
    classical : bool, default=False
        Add :class:`~skdualnet.ClassicalFeatures` after them: 62 per-star
        features in ``X.head_features``, which only
        ``DualNetClassifier(head="boosting")`` reads (needs ``pip install
        'skdualnet[classical]'``).
    min_obs : int, default=10
        Fewest observations a star may have (``SequenceSegmenter``'s
        ``min_obs``); a star with fewer raises ``ValueError`` naming it.

    Returns
    -------
    Pipeline

    Examples
    --------
    >>> from skdualnet import make_front_end
    >>> [name for name, _ in make_front_end().steps]
    ['phasefolder', 'lightcurvefeatures', 'sequencesegmenter', 'normalizer']
    """
    steps = [PhaseFolder()]
    if features:
        steps.append(LightCurveFeatures())
    if classical:
        steps.append(ClassicalFeatures())
    steps += [SequenceSegmenter(n_obs=n_obs, min_obs=min_obs), Normalizer()]
    return make_pipeline(*steps)
