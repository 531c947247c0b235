"""skdualnet: classify variable-star light curves and flag novel ones.

A scikit-learn compatible implementation of Tsang & Schultz (2019): a GRU
autoencoder and a Gaussian-mixture estimation network trained jointly.
"""

from ._catalogue import predict_catalogue, predict_table
from ._classical import ClassicalFeatures
from ._classifier import DualNetClassifier
from ._features import LightCurveFeatures
from ._front_end import make_front_end
from ._normalization import Normalizer
from ._periodogram import estimate_period
from ._persistence import load_model, save_model
from ._phase_folding import PhaseFolder
from ._pretrained import pretrained
from ._protocol import make_default_model
from ._segmentation import SequenceSegmenter
from ._validation import (
    FoldedCurves,
    LightCurves,
    NormalizedSequences,
    SegmentedCurves,
)

__version__ = "0.1.0"

__all__ = [
    "ClassicalFeatures",
    "DualNetClassifier",
    "FoldedCurves",
    "LightCurveFeatures",
    "LightCurves",
    "NormalizedSequences",
    "Normalizer",
    "PhaseFolder",
    "SegmentedCurves",
    "SequenceSegmenter",
    "__version__",
    "estimate_period",
    "load_model",
    "make_default_model",
    "make_front_end",
    "predict_catalogue",
    "predict_table",
    "pretrained",
    "save_model",
]
