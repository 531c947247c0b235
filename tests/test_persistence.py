"""Model files: data not code, round trip, old formats, clear errors."""

import copy
import json
import pickle
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from skorch.callbacks import Callback, Checkpoint, LoadInitState
from skorch.dataset import ValidSplit

import skdualnet
from skdualnet import DualNetClassifier, Normalizer, PhaseFolder, SequenceSegmenter
from skdualnet._modules import DualNetModule
from skdualnet._persistence import FORMAT_VERSION, load_model, save_model
from skdualnet.datasets import make_light_curves

from .conftest import TINY_NET

DATA = Path(__file__).parent / "data"
# Stated tolerance of a loaded model's predictions: some CPUs differ in the
# last bits between processes, so not bit-identity.
CLOSE = {"rtol": 1e-6, "atol": 1e-12}


def assert_predicts_the_same(again, clf, X):
    """The four per-star outputs of two classifiers agree (``CLOSE``)."""
    np.testing.assert_allclose(again.predict_proba(X), clf.predict_proba(X), **CLOSE)
    np.testing.assert_allclose(again.score_samples(X), clf.score_samples(X), **CLOSE)
    np.testing.assert_array_equal(again.predict_novelty(X), clf.predict_novelty(X))
    np.testing.assert_allclose(again.transform(X), clf.transform(X), **CLOSE)


def rewrite_document(path, edit):
    """Rewrite the JSON document of a format-2 file with ``edit(document)``."""
    with zipfile.ZipFile(path) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    document = json.loads(members["model.json"])
    edit(document)
    members["model.json"] = json.dumps(document).encode()
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def fixture_stars():
    """The stars ``tests/data/make_model_fixtures.py`` trained on."""
    return make_light_curves(
        n_per_class=8, classes=["EB", "M", "RRAB"], n_obs=(40, 60), random_state=0
    )


@pytest.fixture(scope="module")
def fitted(tiny_folded):
    X, y = tiny_folded
    clf = DualNetClassifier(**{**TINY_NET, "max_epochs": 2}).fit(X, y)
    return clf, X[::4]  # 30 stars of all classes to compare predictions on


@pytest.fixture(scope="module")
def fitted_pipeline():
    X, y = fixture_stars()
    model = make_pipeline(
        PhaseFolder(),
        SequenceSegmenter(n_obs=30),
        Normalizer(),
        DualNetClassifier(**{**TINY_NET, "max_epochs": 2, "module__hidden_size": 8}),
    )
    return model.fit(X, y), X


# ------------------------------------------------------------- round trips
def test_round_trip_of_a_classifier_predicts_the_same(fitted, tmp_path):
    clf, X = fitted
    path = tmp_path / "m.skdn"
    save_model(clf, path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # same versions, CPU: no warning
        again = load_model(path)
    assert_predicts_the_same(again, clf, X)
    np.testing.assert_array_equal(again.classes_, clf.classes_)
    assert again.offset_ == clf.offset_
    assert (again.n_aux_, again._torch_seed_) == (clf.n_aux_, clf._torch_seed_)
    assert again.history[:, "train_loss"] == clf.history[:, "train_loss"]
    # the class-valued defaults are rebuilt as the defaults
    assert again.module is DualNetModule and isinstance(again.module_, DualNetModule)
    assert again.train_split is None
    same = {k: v for k, v in clf.get_params().items() if isinstance(v, (int, str))}
    assert {k: again.get_params()[k] for k in same} == same


def test_round_trip_of_a_pipeline_predicts_the_same(fitted_pipeline, tmp_path):
    model, X = fitted_pipeline
    path = tmp_path / "m.skdn"
    save_model(model, path)
    again = load_model(path)
    assert [name for name, _ in again.steps] == [name for name, _ in model.steps]
    assert again[1].n_obs == 30
    np.testing.assert_allclose(again.predict_proba(X), model.predict_proba(X), **CLOSE)
    np.testing.assert_allclose(again.score_samples(X), model.score_samples(X), **CLOSE)
    Xn = model[:-1].transform(X)
    assert_predicts_the_same(again[-1], model[-1], Xn)
    # saving a loaded model gives the same layout
    save_model(again, tmp_path / "again.skdn")
    with zipfile.ZipFile(path) as a, zipfile.ZipFile(tmp_path / "again.skdn") as b:
        assert a.namelist() == b.namelist()


def test_file_is_a_zip_of_json_and_plain_arrays(fitted_pipeline, tmp_path):
    model, _ = fitted_pipeline
    path = tmp_path / "m.skdn"
    save_model(model, path)
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        document = json.loads(zf.read("model.json"))
    assert names[0] == "model.json"
    assert all(n.endswith(".npy") for n in names[1:])
    assert document["format"] == "skdualnet-model"
    assert document["format_version"] == FORMAT_VERSION == 2
    assert set(document["versions"]) == {
        "skdualnet",
        "torch",
        "skorch",
        "sklearn",
        "numpy",
        "python",
    }
    tree = document["estimator"]
    assert tree["class"] == "sklearn.pipeline.Pipeline"
    classes = [step[1]["class"] for step in tree["steps"]]
    assert classes[-1] == "skdualnet.DualNetClassifier"
    clf = tree["steps"][-1][1]
    assert clf["params"]["module"] == {
        "__default__": "skdualnet._modules.DualNetModule"
    }
    assert clf["params"]["module__hidden_size"] == 8
    assert {"classes_inferred_", "n_aux_", "_cov_cholesky_", "offset_"} <= set(
        clf["fitted"]
    )
    with np.load(path, allow_pickle=False) as npz:  # every array loads without
        for name in npz.files:  # pickle support: none holds Python objects
            npz[name]
    assert oct(path.stat().st_mode & 0o777) != oct(0o600)  # not mkstemp's mode


def test_loading_never_unpickles(fitted, tmp_path, monkeypatch):
    clf, X = fitted
    path = tmp_path / "m.skdn"
    save_model(clf, path)

    def refuse(*args, **kwargs):
        raise AssertionError("load_model unpickled something")

    for name in ("load", "loads", "Unpickler"):
        monkeypatch.setattr(pickle, name, refuse)
    monkeypatch.setattr(torch, "load", refuse)
    again = load_model(path)
    fixture = load_model(DATA / "model_format2.skdn")
    monkeypatch.undo()
    assert_predicts_the_same(again, clf, X)
    assert fixture[-1].initialized_


def test_loading_does_not_move_the_global_random_state(fitted, tmp_path):
    clf, _ = fitted
    save_model(clf, tmp_path / "m.skdn")
    before = torch.random.get_rng_state()
    load_model(tmp_path / "m.skdn")
    assert torch.equal(torch.random.get_rng_state(), before)


def test_unfitted_estimators_and_tuple_dict_params_round_trip(tmp_path):
    clf = DualNetClassifier(
        module__embedding_size=8,
        optimizer__betas=(0.8, 0.9),
        classes=["EB", "M"],
        train_split=ValidSplit(0.3, stratified=False, random_state=7),
        max_epochs=3,
        criterion__table={0: 1.5, "__array__": [1, (2, 3)]},
        criterion__tagged={"__array__": "not an array"},
    )
    save_model(clf, tmp_path / "c.skdn")
    again = load_model(tmp_path / "c.skdn")
    assert not hasattr(again, "module_")
    assert again.get_params()["optimizer__betas"] == (0.8, 0.9)
    assert again.get_params()["criterion__table"] == {0: 1.5, "__array__": [1, (2, 3)]}
    assert again.get_params()["criterion__tagged"] == {"__array__": "not an array"}
    assert again.classes == ["EB", "M"]
    assert isinstance(again.train_split, ValidSplit)
    assert vars(again.train_split) == {
        "cv": 0.3,
        "stratified": False,
        "random_state": 7,
    }
    assert again.get_params()["module__embedding_size"] == 8


def test_transformer_fitted_state_is_stored_generically(tmp_path):
    folder = PhaseFolder(estimate="always", oversampling=3)
    folder.n_seen_ = np.int64(7)
    folder.periods_ = np.array([0.5, 1.25])
    folder.names_ = ["a", "b"]
    folder.flag_ = None
    save_model(folder, tmp_path / "f.skdn")
    again = load_model(tmp_path / "f.skdn")
    assert again.get_params() == folder.get_params()
    assert again.n_seen_ == 7 and type(again.n_seen_) is np.int64
    np.testing.assert_array_equal(again.periods_, folder.periods_)
    assert again.names_ == ["a", "b"] and again.flag_ is None


def test_object_labels_are_stored_as_strings(fitted, tmp_path):
    clf, X = fitted
    labels = copy.deepcopy(clf)
    labels.classes_inferred_ = clf.classes_.astype(object)  # as from a catalogue
    save_model(labels, tmp_path / "m.skdn")
    again = load_model(tmp_path / "m.skdn")
    assert again.classes_.dtype.kind == "U"
    np.testing.assert_array_equal(again.predict(X), clf.predict(X))


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


# ------------------------------------------------------- what cannot be saved
@pytest.mark.parametrize(
    "model, what",
    [
        (StandardScaler(), "StandardScaler"),
        (make_pipeline(PhaseFolder(), StandardScaler()), "StandardScaler"),
    ],
)
def test_saving_a_class_outside_the_allow_list_is_refused(model, what, tmp_path):
    with pytest.raises(ValueError, match=f"cannot save a .*{what}.*model files hold"):
        save_model(model, tmp_path / "m.skdn")
    assert not list(tmp_path.iterdir())  # no file, not even a temporary one


@pytest.mark.parametrize(
    "params, name",
    [
        ({"callbacks": [("cp", Checkpoint())]}, "callbacks' is a list holding a Ch"),
        (
            {"train_split": ValidSplit(0.3, random_state=np.random.RandomState(0))},
            "train_split' is a ValidSplit object holding a RandomState object",
        ),
        ({"module": torch.nn.Linear}, "module' is the class torch.nn.modules.linea"),
    ],
)
def test_non_default_non_data_parameter_is_refused(params, name, tmp_path):
    clf = DualNetClassifier(**params)
    with pytest.raises(ValueError, match=f"parameter '{name}.*not code"):
        save_model(clf, tmp_path / "m.skdn")


def test_fitted_attribute_that_is_not_data_is_refused(tmp_path):
    folder = PhaseFolder()
    folder.thing_ = object()
    with pytest.raises(ValueError, match="fitted attribute 'thing_' is a object"):
        save_model(folder, tmp_path / "m.skdn")


def test_random_state_instance_is_stored_as_none_with_a_warning(tmp_path):
    clf = DualNetClassifier(random_state=np.random.RandomState(0))
    with pytest.warns(UserWarning, match="random_state=RandomState.*not stored"):
        save_model(clf, tmp_path / "m.skdn")
    assert load_model(tmp_path / "m.skdn").random_state is None


# ------------------------------------------------------------ reading errors
def test_class_outside_the_allow_list_in_a_file_is_refused(fitted, tmp_path):
    clf, _ = fitted
    path = tmp_path / "m.skdn"
    save_model(make_pipeline(PhaseFolder(), clf), path)

    def edit(document):
        document["estimator"]["steps"][0][1]["class"] = "os.system"

    rewrite_document(path, edit)
    with pytest.raises(ValueError, match=r"m\.skdn: class 'os.system' is not one"):
        load_model(path)


@pytest.mark.parametrize("fmt", ["zip", "pickle"])
def test_newer_format_is_refused_with_advice(fitted, tmp_path, fmt):
    clf, _ = fitted
    path = tmp_path / "future.skdn"
    if fmt == "zip":
        save_model(clf, path)

        def edit(document):
            document["format_version"] = FORMAT_VERSION + 1
            document["versions"]["skdualnet"] = "99.0"

        rewrite_document(path, edit)
    else:
        payload = {
            "magic": "skdualnet-model",
            "format_version": FORMAT_VERSION + 1,
            "skdualnet": "99.0",
            "model": None,
        }
        path.write_bytes(pickle.dumps(payload))
    with pytest.raises(ValueError, match=r"future\.skdn: model format 3 .*99\.0"):
        load_model(path)
    with pytest.raises(ValueError, match="upgrade skdualnet"):
        load_model(path)


def _zip(members):
    def write(path):
        with zipfile.ZipFile(path, "w") as zf:
            for name, data in members.items():
                zf.writestr(name, data)

    return write


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"garbage",
        pickle.dumps({"a": 1}),
        _zip({"weights.npy": b"\x93NUMPY"}),
        _zip({"model.json": b'{"format": "something-else"}'}),
        _zip({"model.json": b"[1, 2"}),
    ],
    ids=["empty", "text", "foreign-pickle", "no-json", "foreign-json", "bad-json"],
)
def test_corrupt_or_foreign_files_raise_value_error(tmp_path, content):
    path = tmp_path / "bad.skdn"
    if callable(content):
        content(path)
    else:
        path.write_bytes(content)
    with pytest.raises(ValueError, match=r"bad\.skdn: not a .*skdualnet model"):
        load_model(path)


def test_truncated_file_raises_value_error(fitted, tmp_path):
    clf, _ = fitted
    path = tmp_path / "m.skdn"
    save_model(clf, path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=r"m\.skdn: .*truncated"):
        load_model(path)


def test_missing_array_or_wrong_weights_raise_value_error(fitted, tmp_path):
    clf, _ = fitted
    path = tmp_path / "m.skdn"
    save_model(clf, path)

    def edit(document):
        state = document["estimator"]["state_dict"]
        state["extra.weight"] = state.pop(next(iter(state)))

    rewrite_document(path, edit)
    with pytest.raises(ValueError, match="weights do not fit"):
        load_model(path)


@pytest.mark.parametrize(
    "stored", [[0.2], {"cv": -1}, {"cv": 0.2, "folds": 3}], ids=["list", "cv", "key"]
)
def test_malformed_validation_split_raises_value_error(fitted, tmp_path, stored):
    clf, _ = fitted
    path = tmp_path / "m.skdn"
    save_model(clf, path)

    def edit(document):
        document["estimator"]["params"]["train_split"] = {"__valid_split__": stored}

    rewrite_document(path, edit)
    with pytest.raises(ValueError, match=r"m\.skdn: a stored ValidSplit is malformed"):
        load_model(path)


def test_other_library_versions_warn_but_load(fitted, tmp_path):
    clf, X = fitted
    path = tmp_path / "old.skdn"
    save_model(clf, path)
    rewrite_document(path, lambda d: d["versions"].update(torch="1.0.0"))
    with pytest.warns(UserWarning, match=r"torch 1\.0\.0 -> "):
        again = load_model(path)
    assert_predicts_the_same(again, clf, X)


def test_model_saved_from_cuda_loads_and_predicts_on_cpu(fitted, tmp_path):
    # No GPU is needed to write the file of a GPU-trained model: the arrays
    # are the same, only the stored device parameter says "cuda".
    clf, X = fitted
    gpu = copy.deepcopy(clf)
    gpu.device = "cuda"
    path = tmp_path / "gpu.skdn"
    save_model(gpu, path)
    with zipfile.ZipFile(path) as zf:
        assert json.loads(zf.read("model.json"))["estimator"]["params"]["device"] == (
            "cuda"
        )
    if torch.cuda.is_available():
        pytest.skip("checks the fallback of a machine without CUDA")
    with pytest.warns(UserWarning, match='no CUDA devices .* "cpu"'):
        again = load_model(path)
    assert str(again.device) == "cpu"
    assert_predicts_the_same(again, clf, X)


# --------------------------------------------------------------- fixtures
def test_model_file_written_by_version_0_1_still_loads():
    """tests/data/model_format1.skdn was written once by skdualnet 0.1.0."""
    with pytest.warns(UserWarning, match=r"pickle-based model file \(format 1\)"):
        model = load_model(DATA / "model_format1.skdn")
    expected = np.load(DATA / "model_format1_expected.npz")
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
    # parameters added since 0.1.0 get the value the model was trained with
    # (class weights did not exist: unweighted), so it also converts
    assert clf.get_params()["criterion"] is type(clf.criterion_)
    assert clf.class_weight is None and clf.criterion_.class_weight is None


@pytest.mark.parametrize("name", ["model_format1_last.skdn", "model_format2.skdn"])
def test_fixture_files_load_and_predict_what_they_predicted(name, tmp_path):
    """Written by tests/data/make_model_fixtures.py, from one model."""
    assert (DATA / name).stat().st_size < 200_000
    if "format1" in name:
        with pytest.warns(UserWarning, match="convert it with `skdualnet convert"):
            model = load_model(DATA / name)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            model = load_model(DATA / name)
    expected = np.load(DATA / "model_expected.npz", allow_pickle=False)
    X, _ = fixture_stars()
    np.testing.assert_allclose(model.predict_proba(X[:10]), expected["proba"], **CLOSE)
    np.testing.assert_allclose(model.score_samples(X[:10]), expected["score"], **CLOSE)
    # converted to the current format, it still predicts the same
    save_model(model, tmp_path / "converted.skdn")
    again = load_model(tmp_path / "converted.skdn")
    np.testing.assert_allclose(again.score_samples(X[:10]), expected["score"], **CLOSE)


def test_parameters_a_file_predates_get_their_legacy_value():
    # model_format2.skdn was written before class_weight existed: the model
    # was trained unweighted, whatever today's default is.
    model = load_model(DATA / "model_format2.skdn")
    assert model[-1].get_params()["class_weight"] is None
    # ... and it stored train_split as "the default", then a stratified 20 %
    # validation split: it gets that, not today's default (None)
    split = model[-1].train_split
    assert isinstance(split, ValidSplit)
    assert vars(split) == {"cv": 0.2, "stratified": True, "random_state": None}


def test_architecture_does_not_depend_on_installed_defaults(
    fitted_pipeline, tmp_path, monkeypatch
):
    import inspect

    from skdualnet._modules import DualNetModule

    model, X = fitted_pipeline
    path = tmp_path / "m.skdn"
    save_model(model, path)
    expected = model.score_samples(X[:10])
    # a later skdualnet changes the estimation network's defaults
    sig = inspect.signature(DualNetModule.__init__)
    defaults = list(DualNetModule.__init__.__defaults__)
    names = [n for n, p in sig.parameters.items() if p.default is not p.empty]
    defaults[names.index("estimation_hidden_size")] = 7
    defaults[names.index("estimation_dropout")] = 0.9
    monkeypatch.setattr(DualNetModule.__init__, "__defaults__", tuple(defaults))
    assert DualNetModule(n_classes=2).estimation.hidden.out_features == 7
    again = load_model(path)
    assert again[-1].module_.estimation.dropout.p == 0.5  # as trained
    np.testing.assert_allclose(again.score_samples(X[:10]), expected, **CLOSE)


def test_format2_fixture_can_go_on_training():
    model = load_model(DATA / "model_format2.skdn")
    X, y = fixture_stars()
    clf = model[-1]
    assert len(clf.history) == 2
    norm = clf.module_.aux_norm
    trained = (norm.running_mean.clone(), norm.running_var.clone())
    clf.partial_fit(model[:-1].transform(X), y)  # a fresh optimizer, same history
    assert len(clf.history) == 4
    # the standardisation the model was trained with stays
    torch.testing.assert_close((norm.running_mean, norm.running_var), trained)
    assert np.isfinite(model.score_samples(X)).all()


# ------------------------------------------------------------- pretrained
def test_pretrained_unknown_name_lists_the_available_ones():
    with pytest.raises(ValueError, match=r"no pretrained model 'nope'.*available: "):
        skdualnet.pretrained("nope")


ASAS = Path(skdualnet.__file__).parent / "models" / "asas.skdn"


def _check_combined_novelty(clf, Xn, proba):
    """A shipped model's score is the combined score of its own two parts."""
    from skdualnet._novelty import combined_score

    assert clf.novelty_ == "combined"
    out = clf.predict_all(Xn)
    np.testing.assert_array_equal(out.proba, proba)
    np.testing.assert_array_equal(
        out.scores,
        combined_score(
            out.energy,
            proba.max(axis=1),
            clf.training_energy_scores_,
            clf.training_max_proba_,
        ),
    )
    assert clf.offset_ == np.percentile(clf.training_scores_, 5)
    # the reference of every one of the 9,167 training stars
    assert len(clf.training_max_proba_) == len(clf.training_energy_scores_) == 9167


@pytest.mark.skipif(
    not ASAS.exists(),
    reason="skdualnet/models/asas.skdn is not there yet (it is trained separately)",
)
def test_pretrained_asas_model_predicts_on_simulated_stars():
    model = skdualnet.pretrained("asas")
    assert {"EB", "M", "RRAB"} <= set(model.classes_)
    X, _ = make_light_curves(
        n_per_class=3, classes=["EB", "M", "RRAB"], n_obs=(300, 400), random_state=0
    )
    proba = model.predict_proba(X)
    assert proba.shape == (len(X), len(model.classes_))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    assert np.isfinite(model.score_samples(X)).all()
    # novelty: the energy's and the network's max probability's training ranks
    clf = model[-1]
    assert clf.head == "network"
    _check_combined_novelty(clf, model[:-1].transform(X), proba)


ASAS_BOOSTING = ASAS.parent / "asas_boosting.skdn"


@pytest.mark.skipif(
    not ASAS_BOOSTING.exists(), reason="skdualnet/models/asas_boosting.skdn absent"
)
def test_pretrained_asas_boosting_model_predicts_from_its_trees():
    pytest.importorskip("light_curve")
    from skdualnet._trees import predict_trees_proba

    model = skdualnet.pretrained("asas_boosting")
    clf = model[-1]
    assert clf.head == "boosting" and "classicalfeatures" in model.named_steps
    X, _ = make_light_curves(
        n_per_class=3, classes=["EB", "M", "RRAB"], n_obs=(300, 400), random_state=0
    )
    Xn = model[:-1].transform(X)
    proba = model.predict_proba(X)
    # the trees read the latent vector next to the 62 classical features
    expected = predict_trees_proba(
        clf.head_trees_, np.hstack([clf.transform(Xn), Xn.head_features])
    )
    np.testing.assert_array_equal(proba[:, clf.head_trees_["classes"]], expected)
    # novelty: the mean of the energy's and the max probability's training ranks
    _check_combined_novelty(clf, Xn, proba)


# --------------------------------------------------------------- resuming
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
