"""Every public entry point checks its parameters the same way (_parameters)."""

import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from skdualnet import (
    DualNetClassifier,
    LightCurveFeatures,
    Normalizer,
    PhaseFolder,
    SequenceSegmenter,
    estimate_period,
    predict_table,
)
from skdualnet._periodogram import lomb_scargle
from skdualnet.datasets import fetch_asassn_variables

T = np.linspace(0.0, 30.0, 60)
MAG = np.sin(T)
CURVES = [np.column_stack([T, MAG, np.full_like(T, 0.1)])]

CASES = {
    "PhaseFolder": (lambda: PhaseFolder(oversampling=0).fit(CURVES), "oversampling"),
    "SequenceSegmenter": (
        lambda: SequenceSegmenter(remainder="nope").fit(CURVES),
        "remainder",
    ),
    "Normalizer": (lambda: Normalizer(min_scale=0.0).fit(CURVES), "min_scale"),
    "LightCurveFeatures": (
        lambda: LightCurveFeatures(n_harmonics=2).fit(CURVES),
        "n_harmonics",
    ),
    "DualNetClassifier": (
        lambda: DualNetClassifier(novelty_percentile=100).fit(CURVES, [0]),
        "novelty_percentile",
    ),
    "estimate_period": (
        lambda: estimate_period(T, MAG, oversampling=1.5),
        "oversampling",
    ),
    "lomb_scargle": (lambda: lomb_scargle(T, MAG, None, [0.1], method="x"), "method"),
    "predict_table": (lambda: predict_table(None, CURVES, chunk_size=0), "chunk_size"),
    "fetch_asassn_variables": (
        lambda: fetch_asassn_variables("/nonexistent", retries=-1),
        "retries",
    ),
}


@pytest.mark.parametrize("caller", sorted(CASES))
def test_bad_parameter_raises_one_kind_of_error(caller):
    call, name = CASES[caller]
    with pytest.raises(InvalidParameterError) as info:
        call()
    # a ValueError naming the parameter and the caller
    assert isinstance(info.value, ValueError)
    assert f"The '{name}' parameter of {caller} must be" in str(info.value)


def test_head_constraint():
    with pytest.raises(InvalidParameterError, match="'head' parameter"):
        DualNetClassifier(head="forest").fit(CURVES * 2, [0, 1])


def test_class_weight_constraint_and_unknown_labels():
    with pytest.raises(InvalidParameterError, match="'class_weight' parameter"):
        DualNetClassifier(class_weight="equal").fit(CURVES * 2, [0, 1])
    # a dict naming a label that is not a class is a data error, checked in fit
    with pytest.raises(ValueError, match="names labels that are not classes"):
        DualNetClassifier(class_weight={"Z": 2.0}, max_epochs=1).fit(
            CURVES * 2, ["A", "B"]
        )
