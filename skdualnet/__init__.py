"""skdualnet: classify variable-star light curves and flag novel ones.

A scikit-learn compatible implementation of Tsang & Schultz (2019): a GRU
autoencoder and a Gaussian-mixture estimation network trained jointly.
"""

from ._catalogue import predict_catalogue, predict_table
from ._classifier import DualNetClassifier
from ._features import LightCurveFeatures
from ._normalization import Normalizer
from ._periodogram import estimate_period
from ._persistence import load_model, save_model
from ._phase_folding import PhaseFolder
from ._pretrained import pretrained
from ._segmentation import SequenceSegmenter
from ._validation import LightCurves

__version__ = "0.1.0"

__all__ = [
    "DualNetClassifier",
    "LightCurveFeatures",
    "LightCurves",
    "Normalizer",
    "PhaseFolder",
    "SequenceSegmenter",
    "__version__",
    "estimate_period",
    "load_model",
    "predict_catalogue",
    "predict_table",
    "pretrained",
    "save_model",
]
