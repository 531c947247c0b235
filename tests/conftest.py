"""Shared tiny fixtures: all tests run on CPU in seconds."""

import numpy as np
import pytest
import torch

from skdualnet import PhaseFolder
from skdualnet.datasets import make_light_curves

# A network small enough for tests: trains a few epochs in about a second.
TINY_NET = {
    "module__hidden_size": 12,
    "module__embedding_size": 8,
    "max_epochs": 6,
    "batch_size": 16,
    "lr": 3e-2,
    "random_state": 0,
}

# Well-separated classes of the simulator, short curves.
TINY_CLASSES = ["EB", "M", "RRAB", "DSCT"]


@pytest.fixture(autouse=True)
def seeds_fixed():
    """Make any stray global randomness repeatable (as skorch's conftest)."""
    np.random.seed(0)
    torch.manual_seed(0)


@pytest.fixture(scope="module")
def tiny_data():
    """120 stars of 4 classes, 30-50 observations each, periods known."""
    return make_light_curves(
        n_per_class=30, classes=TINY_CLASSES, n_obs=(30, 50), random_state=1
    )


@pytest.fixture(scope="module")
def tiny_test_data():
    """A second, independent draw of the same classes."""
    return make_light_curves(
        n_per_class=15, classes=TINY_CLASSES, n_obs=(30, 50), random_state=2
    )


@pytest.fixture(scope="module")
def tiny_folded(tiny_data):
    X, y = tiny_data
    return PhaseFolder().fit_transform(X), y
