"""Write tests/data/model_format1.skdn: a tiny fitted model kept as a fixture.

It is committed once and never regenerated: ``tests/test_persistence.py``
checks that every later skdualnet still loads it and predicts what it
predicted when written (``model_format1_expected.npz``). Regenerate only with a
new ``FORMAT_VERSION`` and keep the old files.
"""

import os

import numpy as np
from make_model_fixtures import save_format1 as save_model  # format 1
from sklearn.pipeline import make_pipeline

from skdualnet import DualNetClassifier, Normalizer, PhaseFolder, SequenceSegmenter
from skdualnet.datasets import make_light_curves

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    X, y = make_light_curves(
        n_per_class=10, classes=["EB", "M", "RRAB"], n_obs=(30, 40), random_state=0
    )
    model = make_pipeline(
        PhaseFolder(),
        SequenceSegmenter(n_obs=20),
        Normalizer(),
        DualNetClassifier(
            module__hidden_size=8,
            module__embedding_size=4,
            max_epochs=2,
            train_split=None,
            random_state=0,
        ),
    ).fit(X, y)
    save_model(model, os.path.join(HERE, "model_format1.skdn"))
    Xq, _ = make_light_curves(
        n_per_class=2, classes=["EB", "M", "RRAB"], n_obs=(30, 40), random_state=1
    )
    np.savez(
        os.path.join(HERE, "model_format1_expected.npz"),
        proba=model.predict_proba(Xq),
        score=model.score_samples(Xq),
    )


if __name__ == "__main__":
    main()
