"""Model files: round trip, format version, clear errors."""

import copy
import io
import pickle
import warnings
from unittest import mock

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback, Checkpoint, LoadInitState

from skdualnet import DualNetClassifier
from skdualnet._persistence import FORMAT_VERSION, load_model, save_model

from .conftest import TINY_NET


@pytest.fixture(scope="module")
def fitted(tiny_folded):
    X, y = tiny_folded
    return DualNetClassifier(**{**TINY_NET, "max_epochs": 2}).fit(X, y), X


def test_round_trip_is_bit_identical(fitted, tmp_path):
    clf, X = fitted
    path = tmp_path / "m.skdn"
    save_model(clf, path)
    again = load_model(path)
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
    np.testing.assert_array_equal(again.score_samples(X), clf.score_samples(X))
    np.testing.assert_array_equal(again.transform(X), clf.transform(X))


def test_skorch_save_load_params_round_trip(fitted, tmp_path):
    clf, X = fitted
    f = tmp_path / "params.pt"
    clf.save_params(f_params=f)
    other = DualNetClassifier(
        **{**TINY_NET, "max_epochs": 2}, classes=list(clf.classes_)
    )
    other.initialize()
    other.load_params(f_params=f)
    np.testing.assert_array_equal(
        other.forward(X[:5])[0].numpy(), clf.forward(X[:5])[0].numpy()
    )


def test_newer_format_is_refused_with_advice(fitted, tmp_path):
    clf, _ = fitted
    path = tmp_path / "future.skdn"
    payload = {
        "magic": "skdualnet-model",
        "format_version": FORMAT_VERSION + 1,
        "skdualnet": "99.0",
        "model": clf,
    }
    path.write_bytes(pickle.dumps(payload))
    with pytest.raises(ValueError, match="upgrade skdualnet"):
        load_model(path)


@pytest.mark.parametrize("content", [b"", b"garbage", pickle.dumps({"a": 1})])
def test_corrupt_or_foreign_files_raise_value_error(tmp_path, content):
    path = tmp_path / "bad.skdn"
    path.write_bytes(content)
    with pytest.raises(ValueError, match="skdualnet model"):
        load_model(path)


def test_truncated_file_raises_value_error(fitted, tmp_path):
    clf, _ = fitted
    path = tmp_path / "m.skdn"
    save_model(clf, path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="truncated"):
        load_model(path)


def test_model_file_written_by_version_0_1_still_loads():
    """tests/data/model_format1.skdn was written once by skdualnet 0.1.0."""
    from pathlib import Path

    from skdualnet.datasets import make_light_curves

    data = Path(__file__).parent / "data"
    model = load_model(data / "model_format1.skdn")
    expected = np.load(data / "model_format1_expected.npz")
    Xq, yq = make_light_curves(
        n_per_class=2, classes=["EB", "M", "RRAB"], n_obs=(30, 40), random_state=1
    )
    np.testing.assert_allclose(model.predict_proba(Xq), expected["proba"], rtol=1e-5)
    np.testing.assert_allclose(model.score_samples(Xq), expected["score"], rtol=1e-5)
    # ... and can go on training with this version's callbacks.
    clf = model[-1]
    clf.set_params(max_epochs=2)
    clf.partial_fit(model[:-1].transform(Xq), yq)
    assert len(clf.history) == 4
    np.testing.assert_allclose(clf.history[-2:, "event_lr"], [clf.lr, clf.lr / 2])
    assert "policy" not in clf.get_params()["callbacks__lr_scheduler"].__dict__
    assert np.isfinite(model.score_samples(Xq)).all()


def test_other_library_versions_warn_but_load(fitted, tmp_path):
    clf, X = fitted
    path = tmp_path / "old.skdn"
    save_model(clf, path)
    payload = pickle.loads(path.read_bytes())
    payload["torch"] = "1.0.0"
    path.write_bytes(pickle.dumps(payload))
    with pytest.warns(UserWarning, match=r"torch 1\.0\.0 -> "):
        again = load_model(path)
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))


def test_model_saved_from_cuda_loads_and_predicts_on_cpu(fitted, tmp_path):
    # No GPU is needed to write the file a GPU-trained model gives: torch tags
    # every tensor storage with its device (``location_tag``) when saving, and
    # a "cuda:0" tag is what makes a plain ``torch.load`` fail on a CPU-only
    # machine. Tag the storages "cuda:0" and set the device as fit(device=
    # "cuda") would.
    clf, X = fitted
    gpu = copy.deepcopy(clf)
    gpu.device = "cuda"
    path = tmp_path / "gpu.skdn"
    with mock.patch.object(torch.serialization, "location_tag", lambda s: "cuda:0"):
        save_model(gpu, path)
        buf = io.BytesIO()
        torch.save(torch.ones(1), buf)
    if not torch.cuda.is_available():  # the tag is real: torch alone refuses it
        with pytest.raises(RuntimeError, match="CUDA"):
            torch.load(io.BytesIO(buf.getvalue()))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        again = load_model(path)
    if not torch.cuda.is_available():
        assert str(again.device) == "cpu"
        assert any("cpu" in str(w.message) for w in caught)
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
    np.testing.assert_array_equal(again.score_samples(X), clf.score_samples(X))


class _PowerCut(Callback):
    """Crash (not a clean stop) at the end of epoch ``at``."""

    def __init__(self, at):
        self.at = at

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == self.at:
            raise RuntimeError("power cut")


def test_fit_interrupted_and_resumed_from_checkpoint_matches_uninterrupted(
    tiny_folded, tmp_path
):
    X, y = tiny_folded
    params = {**TINY_NET, "max_epochs": 5}
    whole = DualNetClassifier(**params).fit(X, y)

    def checkpoint():  # saves every epoch
        return Checkpoint(dirname=str(tmp_path), monitor=None)

    crashed = DualNetClassifier(
        **params, callbacks=[("checkpoint", checkpoint()), ("cut", _PowerCut(3))]
    )
    with pytest.raises(RuntimeError, match="power cut"):
        crashed.fit(X, y)
    # A new process: the same script, now with LoadInitState, finishes the run.
    resumed = DualNetClassifier(
        **params,
        callbacks=[
            ("checkpoint", checkpoint()),
            ("load", LoadInitState(checkpoint())),
        ],
    ).fit(X, y)
    assert len(resumed.history) == 5
    assert resumed.history[:, "event_lr"] == whole.history[:, "event_lr"]
    # Stated tolerance: bit-identical on CPU (the loaded state is exact and
    # every epoch's random numbers depend only on the seed and the epoch).
    np.testing.assert_array_equal(resumed.predict_proba(X), whole.predict_proba(X))
    np.testing.assert_array_equal(resumed.score_samples(X), whole.score_samples(X))
    np.testing.assert_array_equal(resumed.offset_, whole.offset_)
