"""Write the model-file fixtures of both formats, from one tiny fitted model.

Writes, next to this script:

* ``model_format1_last.skdn``: the model in format 1 (a pickle), written by
  the code path skdualnet used until format 2 (``save_format1``);
* ``model_format2.skdn``: the same model in format 2 (arrays and JSON);
* ``model_expected.npz``: what the model predicted when written
  (``proba``, ``score``) for the first 10 stars of the training call below.

The files are committed once and never regenerated: ``tests/test_persistence.py``
checks that every later skdualnet loads them and predicts the same. When
``FORMAT_VERSION`` changes, write a new fixture and keep these. (The older
``model_format1.skdn`` is another fixture, written by skdualnet 0.1.0 with
``make_model_fixture.py``.)

Run ``python tests/data/make_model_fixtures.py`` from the repository root.
"""

import os
import pickle
import platform

import numpy as np

from skdualnet import make_default_model
from skdualnet._persistence import _MAGIC, _library_versions, save_model
from skdualnet.datasets import make_light_curves

HERE = os.path.dirname(os.path.abspath(__file__))


def save_format1(model, path):
    """Write ``model`` in format 1 (a pickle), as skdualnet 0.1 did.

    Only for the old-format fixtures: skdualnet itself writes format 2.
    """
    payload = {
        "magic": _MAGIC,
        "format_version": 1,
        **_library_versions(),
        "python": platform.python_version(),
        "model": model,
    }
    with open(path, "wb") as f:
        pickle.dump(payload, f, protocol=pickle.HIGHEST_PROTOCOL)


def light_curves():
    """The training stars; the expectations are on the first 10 of them."""
    return make_light_curves(
        n_per_class=8, classes=["EB", "M", "RRAB"], n_obs=(40, 60), random_state=0
    )


def main():
    X, y = light_curves()
    model = make_default_model(
        n_obs=30,
        module__embedding_size=4,
        module__hidden_size=8,
        max_epochs=2,
        random_state=0,
    ).fit(X, y)
    save_format1(model, os.path.join(HERE, "model_format1_last.skdn"))
    save_model(model, os.path.join(HERE, "model_format2.skdn"))
    np.savez(
        os.path.join(HERE, "model_expected.npz"),
        proba=model.predict_proba(X[:10]),
        score=model.score_samples(X[:10]),
    )


if __name__ == "__main__":
    main()
