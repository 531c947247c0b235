"""DualNetClassifier: the sklearn/skorch contract and behaviour on tiny data."""

import copy
import math
import pickle
import warnings
from unittest import mock

import numpy as np
import pytest
import torch
from scipy.special import logsumexp, softmax
from scipy.stats import multivariate_normal
from sklearn.base import clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from skorch.dataset import ValidSplit

from skdualnet import (
    DualNetClassifier,
    LightCurves,
    Normalizer,
    PhaseFolder,
    SequenceSegmenter,
)
from skdualnet._gmm import sample_energy

from .conftest import TINY_NET


def front_end():
    return [PhaseFolder(), SequenceSegmenter(n_obs=25), Normalizer()]


@pytest.fixture(scope="module")
def fitted_pipeline(tiny_data):
    X, y = tiny_data
    pipe = make_pipeline(*front_end(), DualNetClassifier(**TINY_NET))
    return pipe.fit(X, y)


@pytest.fixture(scope="module")
def normalized(tiny_data, tiny_test_data):
    fe = make_pipeline(*front_end())
    return (
        fe.fit_transform(tiny_data[0]),
        tiny_data[1],
        fe.transform(tiny_test_data[0]),
        tiny_test_data[1],
    )


def test_pipeline_beats_chance_by_a_wide_margin(fitted_pipeline, tiny_test_data):
    X, y = tiny_test_data
    accuracy = fitted_pipeline.score(X, y)
    # 4 balanced classes: chance is 0.25
    assert accuracy >= 0.7, accuracy


def test_random_forest_on_embeddings_beats_chance(
    fitted_pipeline, tiny_data, tiny_test_data
):
    features = fitted_pipeline[:-1]
    clf = fitted_pipeline[-1]
    rf = RandomForestClassifier(n_estimators=100, random_state=0)
    rf.fit(clf.transform(features.transform(tiny_data[0])), tiny_data[1])
    Z_test = clf.transform(features.transform(tiny_test_data[0]))
    assert Z_test.shape == (len(tiny_test_data[1]), 8 + 2 + 3)
    assert rf.score(Z_test, tiny_test_data[1]) >= 0.7


def test_outputs_are_per_star(fitted_pipeline, tiny_test_data):
    X, y = tiny_test_data
    clf = fitted_pipeline[-1]
    proba = fitted_pipeline.predict_proba(X)
    assert proba.shape == (len(y), len(clf.classes_))
    np.testing.assert_allclose(proba.sum(1), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(
        fitted_pipeline.predict(X), clf.classes_[proba.argmax(1)]
    )
    assert set(clf.classes_) == set(y)
    scores = fitted_pipeline.score_samples(X)
    assert scores.shape == (len(y),) and np.isfinite(scores).all()


def test_score_samples_is_minus_mean_segment_energy(fitted_pipeline, tiny_test_data):
    # sequences of 50 observations: every test star (30-50 obs) has one segment
    front = make_pipeline(PhaseFolder(), SequenceSegmenter(n_obs=50), Normalizer())
    Xs = front.transform(tiny_test_data[0])
    clf = fitted_pipeline[-1]
    assert all(len(s) == 1 for s in Xs.sequences)
    z = torch.as_tensor(clf.transform(Xs))
    energy = sample_energy(
        z,
        torch.as_tensor(clf.weights_),
        torch.as_tensor(clf.means_),
        torch.as_tensor(clf.covariances_),
    ).numpy()
    np.testing.assert_allclose(clf.score_samples(Xs), -energy, rtol=1e-5)


def _n_below_percentile(n, q):
    """Stars strictly below np.percentile(scores, q) (linear, distinct values)."""
    return math.floor(q / 100 * (n - 1)) + 1


def test_fitted_mixture_and_novelty_threshold(
    fitted_pipeline, tiny_data, tiny_test_data
):
    clf = fitted_pipeline[-1]
    Xtr = fitted_pipeline[:-1].transform(tiny_data[0])
    # the mixture, from the training segments' z and softmax(logits) (eq. 5)
    zs, logits, stars, offset = [], [], [], 0
    for _, lg, z, _, star in clf.forward_iter(Xtr):
        zs.append(z.double().numpy())
        logits.append(lg.double().numpy())
        stars.append(star.numpy() + offset)
        offset += int(star[-1]) + 1
    z, star = np.concatenate(zs), np.concatenate(stars)
    gamma = softmax(np.concatenate(logits), axis=1)
    k, d = len(clf.classes_), clf.module_.n_latent
    assert z.shape == (sum(len(s) for s in Xtr.sequences), d)
    np.testing.assert_allclose(clf.weights_, gamma.mean(0), rtol=1e-10)
    log_dens = np.empty((len(z), k))
    for c in range(k):
        g = gamma[:, c]
        mean = g @ z / g.sum()
        cov = (g[:, None] * (z - mean)).T @ (z - mean) / g.sum()
        cov += clf.criterion_.reg_covar * np.eye(d)
        np.testing.assert_allclose(clf.means_[c], mean, rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(clf.covariances_[c], cov, rtol=1e-8, atol=1e-10)
        dens = multivariate_normal(mean, cov).logpdf(z)
        log_dens[:, c] = np.log(clf.weights_[c]) + dens
    assert np.all(np.linalg.eigvalsh(clf.covariances_) > 0)
    energy = -logsumexp(log_dens, axis=1)
    star_energy = np.bincount(star, energy) / np.bincount(star)
    np.testing.assert_allclose(clf.training_scores_, -star_energy, rtol=1e-6)
    # offset_: the 95th percentile of the training stars' energies, so the 6
    # (of 120) most energetic training stars are novel, by predict_novelty too
    n = len(star_energy)
    np.testing.assert_allclose(clf.offset_, -np.percentile(star_energy, 95))
    novel = clf.predict_novelty(Xtr)
    assert novel.sum() == _n_below_percentile(n, 5) == 6
    top6 = np.argsort(star_energy)[-6:]
    np.testing.assert_array_equal(np.flatnonzero(novel), np.sort(top6))
    clf80 = pickle.loads(pickle.dumps(clf)).set_novelty_threshold(percentile=80)
    assert clf80.predict_novelty(Xtr).sum() == _n_below_percentile(n, 20) == 24
    # held-out reference stars: fpr is their false-positive rate, not training's
    Xte = fitted_pipeline[:-1].transform(tiny_test_data[0])
    held = pickle.loads(pickle.dumps(clf)).set_novelty_threshold(fpr=0.2, X=Xte)
    scores = clf.score_samples(Xte)
    np.testing.assert_allclose(held.offset_, np.percentile(scores, 20))
    assert held.predict_novelty(Xte).sum() == _n_below_percentile(len(Xte), 20)
    assert held.offset_ != clf80.offset_
    assert clf.offset_ < clf80.offset_  # 95th percentile: a lower score
    with pytest.raises(ValueError, match="not both"):
        clf80.set_novelty_threshold(percentile=80, fpr=0.2)


def test_novel_stars_score_lower(tiny_data):
    from skdualnet.datasets import make_light_curves

    X, y = tiny_data
    pipe = make_pipeline(
        *front_end(), DualNetClassifier(**{**TINY_NET, "max_epochs": 8})
    )
    pipe.fit(X, y)
    Xk, _ = make_light_curves(
        n_per_class=10,
        classes=["EB", "M", "RRAB", "DSCT"],
        n_obs=(30, 50),
        random_state=5,
    )
    Xv, _ = make_light_curves(
        n_per_class=40,
        classes=[],
        novel_classes=["VAR"],
        n_obs=(30, 50),
        random_state=5,
    )
    assert np.median(pipe.score_samples(Xv)) < np.median(pipe.score_samples(Xk))
    flags = pipe[-1].predict_novelty(pipe[:-1].transform(Xv))
    assert flags.dtype == bool and flags.shape == (40,)


def test_scores_do_not_depend_on_the_stored_memory_layout(
    fitted_pipeline, tiny_test_data
):
    # A pickle round trip used to turn the Cholesky factors from torch's
    # column-major layout into C order, and solve_triangular then rounded the
    # energies differently in the last bit on some CPUs (AMD EPYC).
    X, _ = tiny_test_data
    clf, Xn = fitted_pipeline[-1], fitted_pipeline[:-1].transform(X)
    expected = clf.score_samples(Xn)
    again = pickle.loads(pickle.dumps(clf))
    for layout in (np.asfortranarray, np.ascontiguousarray):
        again._cov_cholesky_ = layout(clf._cov_cholesky_.transpose(0, 2, 1)).transpose(
            0, 2, 1
        )
        np.testing.assert_array_equal(again.score_samples(Xn), expected)


def test_clone_keeps_params_and_drops_fitted_state(fitted_pipeline):
    clf = fitted_pipeline[-1]
    fresh = clone(clf)
    assert fresh.get_params()["module__embedding_size"] == 8
    assert fresh.get_params()["max_epochs"] == TINY_NET["max_epochs"]
    for attr in ("module_", "weights_", "offset_", "classes_inferred_"):
        assert not hasattr(fresh, attr)


def test_pickle_round_trip_predicts_the_same(fitted_pipeline, tiny_test_data):
    X, _ = tiny_test_data
    again = pickle.loads(pickle.dumps(fitted_pipeline))
    np.testing.assert_array_equal(
        again.predict_proba(X), fitted_pipeline.predict_proba(X)
    )
    np.testing.assert_array_equal(
        again.score_samples(X), fitted_pipeline.score_samples(X)
    )


def test_same_random_state_same_predictions(normalized):
    Xtr, ytr, Xte, _ = normalized
    a = DualNetClassifier(**TINY_NET).fit(Xtr, ytr)
    b = DualNetClassifier(**TINY_NET).fit(Xtr, ytr)
    np.testing.assert_array_equal(a.predict_proba(Xte), b.predict_proba(Xte))
    c = DualNetClassifier(**{**TINY_NET, "random_state": 1}).fit(Xtr, ytr)
    assert not np.array_equal(a.predict_proba(Xte), c.predict_proba(Xte))


def test_fit_leaves_global_rng_untouched(normalized):
    Xtr, ytr, _, _ = normalized
    state = torch.random.get_rng_state()
    np_state = np.random.get_state()[1].copy()
    DualNetClassifier(**{**TINY_NET, "max_epochs": 1}).fit(Xtr, ytr)
    assert torch.equal(state, torch.random.get_rng_state())
    np.testing.assert_array_equal(np_state, np.random.get_state()[1])


def test_grid_search_over_embedding_size(normalized):
    Xtr, ytr, _, _ = normalized
    gs = GridSearchCV(
        DualNetClassifier(**TINY_NET),
        {"module__embedding_size": [8, 16], "criterion__lambda_energy": [1e-3]},
        cv=StratifiedKFold(2, shuffle=True, random_state=0),
        error_score="raise",
    )
    gs.fit(Xtr, ytr)
    assert gs.best_params_["module__embedding_size"] in (8, 16)
    assert gs.best_params_["criterion__lambda_energy"] == 1e-3
    assert (
        gs.best_estimator_.module_.autoencoder.to_embedding.out_features
        == (gs.best_params_["module__embedding_size"])
    )
    assert len(gs.cv_results_["mean_test_score"]) == 2
    assert gs.best_score_ > 0.4  # 4 classes: chance is 0.25


def test_pipeline_grid_search_reaches_front_end_and_module(tiny_data):
    X, y = tiny_data
    pipe = make_pipeline(
        *front_end(), DualNetClassifier(**{**TINY_NET, "max_epochs": 2})
    )
    gs = GridSearchCV(
        pipe,
        {
            "sequencesegmenter__n_obs": [25],
            "dualnetclassifier__module__embedding_size": [8],
        },
        cv=2,
    ).fit(X, y)
    assert gs.best_params_ == {
        "dualnetclassifier__module__embedding_size": 8,
        "sequencesegmenter__n_obs": 25,
    }


def test_sequential_training_freezes_autoencoder_in_second_half(normalized):
    Xtr, ytr, Xte, yte = normalized
    clf = DualNetClassifier(**{**TINY_NET, "training": "sequential"}).fit(Xtr, ytr)
    assert clf.criterion_.stage == "estimation"
    assert all(p.requires_grad for p in clf.module_.parameters())  # released at end
    # stage 1 trains only the autoencoder: estimation weights untouched at epoch 2
    from skorch.callbacks import Callback

    class Snapshot(Callback):
        def on_epoch_end(self, net, **kw):
            e = len(net.history)
            self.__dict__[f"ae{e}"] = (
                net.module_.autoencoder.to_embedding.weight.clone()
            )
            self.__dict__[f"est{e}"] = net.module_.estimation.output.weight.clone()

    snap = Snapshot()
    DualNetClassifier(
        **{**TINY_NET, "training": "sequential"}, callbacks=[("s", snap)]
    ).fit(Xtr, ytr)
    assert torch.equal(snap.est1, snap.est2)  # autoencoder stage
    assert not torch.equal(snap.ae1, snap.ae2)
    assert torch.equal(snap.ae3, snap.ae4)  # estimation stage: encoder frozen
    assert not torch.equal(snap.est3, snap.est4)


def test_raw_list_input_runs_default_front_end():
    rng = np.random.default_rng(0)
    curves, y = [], []
    for i in range(24):
        t = np.sort(rng.uniform(0, 60, 40))
        p = 0.5 if i % 2 else 7.0
        curves.append(np.c_[t, 12 + np.sin(2 * np.pi * t / p), np.full(40, 0.05)])
        y.append(i % 2)
    clf = DualNetClassifier(**{**TINY_NET, "max_epochs": 2, "train_split": None})
    clf.fit(curves, y)
    assert clf.predict(curves).shape == (24,)
    assert set(clf.classes_) == {0, 1}


@pytest.mark.parametrize(
    "y, match",
    [
        (np.zeros(10), "one class only"),
        (np.zeros(9), "one label per star"),
    ],
)
def test_bad_labels(y, match):
    X = LightCurves.from_arrays(
        [np.c_[np.arange(20.0), np.sin(np.arange(20.0)), np.ones(20)]] * 10,
        period=np.ones(10),
    )
    with pytest.raises(ValueError, match=match):
        DualNetClassifier(**TINY_NET).fit(X, y)


def test_bad_params():
    X = LightCurves.from_arrays(
        [np.c_[np.arange(20.0), np.sin(np.arange(20.0)), np.ones(20)]] * 4,
        period=np.ones(4),
    )
    with pytest.raises(ValueError, match="training"):
        DualNetClassifier(training="both").fit(X, [0, 1, 0, 1])
    with pytest.raises(ValueError, match="novelty_percentile"):
        DualNetClassifier(novelty_percentile=100).fit(X, [0, 1, 0, 1])
    with pytest.raises(ValueError, match="augment_noise"):
        DualNetClassifier(augment_noise=-0.5).fit(X, [0, 1, 0, 1])
    with pytest.raises(ValueError, match="augment_drop"):
        DualNetClassifier(augment_drop=1.0).fit(X, [0, 1, 0, 1])


def test_nan_loss_stops_with_clear_error(normalized):
    Xtr, ytr, _, _ = normalized
    # an absurd learning rate blows the weights up after one step
    clf = DualNetClassifier(**{**TINY_NET, "lr": 1e30, "max_epochs": 2})
    with pytest.raises(FloatingPointError, match="Non-finite training loss"):
        clf.fit(Xtr, ytr)


def test_predict_all_is_the_separate_methods_in_one_pass(
    fitted_pipeline, tiny_test_data
):
    X, _ = tiny_test_data
    clf = fitted_pipeline[-1]
    Xn = fitted_pipeline[:-1].transform(X)
    calls = []
    forward = clf.module_.forward
    with mock.patch.object(
        clf.module_, "forward", lambda *a, **k: calls.append(1) or forward(*a, **k)
    ):
        out = clf.predict_all(Xn, latent=True)
    n_batches = len(calls)
    calls.clear()
    with mock.patch.object(
        clf.module_, "forward", lambda *a, **k: calls.append(1) or forward(*a, **k)
    ):
        clf.predict_proba(Xn)
    assert n_batches == len(calls)  # one pass, as predict_proba alone
    np.testing.assert_array_equal(out.proba, clf.predict_proba(Xn))
    np.testing.assert_array_equal(out.scores, clf.score_samples(Xn))
    np.testing.assert_array_equal(out.labels, clf.predict(Xn))
    np.testing.assert_array_equal(out.novel, clf.predict_novelty(Xn))
    np.testing.assert_array_equal(out.latent, clf.transform(Xn))
    assert "latent" not in clf.predict_all(Xn[:3])


def test_predictions_do_not_depend_on_batch_composition(
    fitted_pipeline, tiny_test_data
):
    # Our version of scikit-learn's sample-order and subset invariance checks
    # (expected failures in test_common: float32 matrix products may differ
    # in the last bits with the number of rows in a batch).
    X, _ = tiny_test_data
    clf = fitted_pipeline[-1]
    Xn = fitted_pipeline[:-1].transform(X)
    full = clf.predict_all(Xn, latent=True)
    order = np.random.default_rng(0).permutation(len(Xn))
    shuffled = clf.predict_all(Xn[order], latent=True)
    half = clf.predict_all(Xn[order[: len(order) // 2]], latent=True)
    for key in ("proba", "scores", "latent"):
        np.testing.assert_allclose(
            shuffled[key], full[key][order], rtol=1e-6, atol=1e-9
        )
        np.testing.assert_allclose(
            half[key], full[key][order[: len(order) // 2]], rtol=1e-6, atol=1e-9
        )


def test_predict_all_applies_a_user_predict_nonlinearity(
    fitted_pipeline, tiny_test_data
):
    X, _ = tiny_test_data
    clf = fitted_pipeline[-1]
    Xn = fitted_pipeline[:-1].transform(X[:6])
    plain = clf.predict_all(Xn).proba
    with mock.patch.object(clf, "predict_nonlinearity", lambda p: p**2):
        squared = clf.predict_all(Xn).proba
        np.testing.assert_array_equal(squared, clf.predict_proba(Xn))
    expected = plain**2 / (plain**2).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(squared, expected, rtol=1e-6)
    # skorch accepts a nonlinearity that returns an ndarray; so does predict_all
    with mock.patch.object(clf, "predict_nonlinearity", lambda p: p.numpy() ** 2):
        np.testing.assert_array_equal(clf.predict_all(Xn).proba, squared)


def test_warm_start_fit_trains_max_epochs_more(normalized):
    Xtr, ytr, _, _ = normalized
    clf = DualNetClassifier(**{**TINY_NET, "max_epochs": 2}, warm_start=True)
    clf.fit(Xtr, ytr)
    before = [p.detach().clone() for p in clf.module_.parameters()]
    clf.fit(Xtr, ytr)
    assert len(clf.history) == 4
    assert any(not torch.equal(a, b) for a, b in zip(before, clf.module_.parameters()))


def test_fit_standardises_aux_with_all_training_segments_and_keeps_it(normalized):
    Xtr, ytr, Xte, yte = normalized
    clf = DualNetClassifier(**{**TINY_NET, "max_epochs": 1}, warm_start=True)
    clf.fit(Xtr, ytr)
    aux = np.concatenate(Xtr.aux).astype(np.float64)
    norm = clf.module_.aux_norm
    np.testing.assert_allclose(norm.running_mean.numpy(), aux.mean(0), rtol=1e-6)
    np.testing.assert_allclose(norm.running_var.numpy(), aux.var(0), rtol=1e-5)
    # the statistics of the first fit stay through warm_start and partial_fit
    state = (norm.running_mean.clone(), norm.running_var.clone())
    clf.fit(Xte, yte)
    clf.partial_fit(Xte, yte)
    torch.testing.assert_close((norm.running_mean, norm.running_var), state)
    # a fresh fit on other stars sets them again
    clf.set_params(warm_start=False).fit(Xte, yte)
    other = np.concatenate(Xte.aux).astype(np.float64).mean(0)
    np.testing.assert_allclose(
        clf.module_.aux_norm.running_mean.numpy(), other, rtol=1e-6
    )


def test_an_explicit_validation_split_is_seeded_and_recorded(normalized):
    Xtr, ytr, _, _ = normalized
    params = {**TINY_NET, "max_epochs": 2}
    split = ValidSplit(0.5, stratified=True)
    a = DualNetClassifier(**params, train_split=split).fit(Xtr, ytr)
    b = DualNetClassifier(**params, train_split=split).fit(Xtr, ytr)
    assert {"valid_loss", "valid_acc"} <= set(a.history[-1])
    assert a.history[:, "valid_acc"] == b.history[:, "valid_acc"]
    # the default trains on every star and records no validation
    c = DualNetClassifier(**params).fit(Xtr, ytr)
    assert "valid_acc" not in c.history[-1]
    n_batches = -(-len(Xtr) // params["batch_size"])
    assert len(c.history[-1, "batches"]) == n_batches


def test_cosine_schedule_starts_each_call_from_the_optimizer_lr(normalized):
    Xtr, ytr, _, _ = normalized
    lr0 = 1e-3  # the optimizer's own rate, not the net's lr
    clf = DualNetClassifier(**{**TINY_NET, "max_epochs": 3}, optimizer__lr=lr0)
    clf.fit(Xtr, ytr)
    cos3 = [lr0 * (1 + np.cos(np.pi * k / 3)) / 2 for k in range(3)]
    np.testing.assert_allclose(clf.history[:, "event_lr"], cos3)
    np.testing.assert_allclose([g["lr"] for g in clf.optimizer_.param_groups], cos3[-1])
    # partial_fit: a new cycle of the new max_epochs, from the same rate
    clf.set_params(max_epochs=2)
    clf.partial_fit(Xtr, ytr)
    np.testing.assert_allclose(clf.history[:, "event_lr"], cos3 + [lr0, lr0 / 2])


def test_balanced_class_weight_reaches_the_loss(normalized):
    X, y = normalized[:2]
    keep = np.r_[np.flatnonzero(y == "EB"), np.flatnonzero(y == "M")[:5]]
    clf = DualNetClassifier(
        **{**TINY_NET, "max_epochs": 1}, class_weight="balanced", train_split=None
    )
    clf.fit(X[keep], y[keep])
    n_eb = int((y == "EB").sum())
    expected = [(n_eb + 5) / (2 * n_eb), (n_eb + 5) / (2 * 5)]  # n / (K * n_k)
    np.testing.assert_allclose(clf.class_weight_, expected)
    np.testing.assert_allclose(clf.criterion_.class_weight, expected)
    clf.set_params(class_weight={"M": 3.0}).fit(X[keep], y[keep])
    np.testing.assert_allclose(clf.criterion_.class_weight, [1.0, 3.0])
    unweighted = DualNetClassifier(**TINY_NET, class_weight=None).fit(X, y)
    assert unweighted.criterion_.class_weight is None


def test_default_class_weight_is_the_root_of_balanced(normalized):
    # 20 EB and 5 M stars: "balanced" gives 25/40 and 25/10, their roots
    # sqrt(0.625) = 0.790569... and sqrt(2.5) = 1.581138...; the default
    # (no class_weight given) is "sqrt_balanced"
    X, y = normalized[:2]
    keep = np.r_[np.flatnonzero(y == "EB")[:20], np.flatnonzero(y == "M")[:5]]
    assert "class_weight" not in TINY_NET
    clf = DualNetClassifier(**{**TINY_NET, "max_epochs": 1}).fit(X[keep], y[keep])
    assert clf.class_weight == "sqrt_balanced"
    np.testing.assert_allclose(clf.class_weight_, [0.7905694150, 1.5811388301])
    np.testing.assert_allclose(clf.criterion_.class_weight, clf.class_weight_)


def test_warm_start_refit_uses_the_new_class_weights(normalized):
    X, y = normalized[:2]
    clf = DualNetClassifier(
        **{**TINY_NET, "max_epochs": 1}, class_weight=None, warm_start=True
    ).fit(X, y)
    assert clf.criterion_.class_weight is None
    clf.set_params(class_weight={"M": 2.0}).fit(X, y)
    np.testing.assert_allclose(clf.criterion_.class_weight, clf.class_weight_)
    assert clf.criterion_.class_weight[list(clf.classes_).index("M")] == 2.0


@pytest.mark.parametrize(
    "weight, match",
    [
        ("uniform", "'class_weight' parameter of DualNetClassifier must be"),
        ({"XX": 2.0}, "not classes: \\['XX'\\]"),
    ],
)
def test_bad_class_weight(normalized, weight, match):
    X, y = normalized[:2]
    with pytest.raises(ValueError, match=match):
        DualNetClassifier(**TINY_NET, class_weight=weight).fit(X, y)


def test_class_weight_weights_the_cross_entropy_term():
    from skdualnet._criterion import DualNetLoss

    gen = torch.Generator().manual_seed(0)
    n, steps, k = 12, 7, 3
    logits = torch.randn(n, k, generator=gen)
    z = torch.randn(n, 4, generator=gen)
    x_hat = torch.randn(n, steps, generator=gen)
    star = torch.arange(n) // 2  # two segments per star
    y = torch.tensor([0, 1, 2, 0, 0, 1])
    seq = torch.randn(n, steps, 3, generator=gen)
    seq[..., 2] = 1.0
    X = {"seq": seq, "mask": torch.ones(n, steps, dtype=torch.bool)}
    y_pred = (None, logits, z, x_hat, star)
    weight = [0.5, 2.0, 4.0]
    for w in (None, weight):
        loss = DualNetLoss(lambda_energy=0.0, class_weight=w)
        loss(y_pred, y, X)
        w_t = None if w is None else torch.tensor(weight)
        expected = torch.nn.functional.cross_entropy(logits, y[star], weight=w_t)
        torch.testing.assert_close(loss.last_terms["ce"], expected)
        ae = ((seq[..., 1] - x_hat) ** 2).mean()
        torch.testing.assert_close(loss.last_terms["ae"], ae)


def test_cuda_path_code_gives_the_cpu_results_on_cpu(normalized):
    # module__gru_backend="torch" is what "auto" runs on a GPU (nn.GRU, so
    # cuDNN there). On CPU tensors it must train and predict as the custom
    # recurrence does: same outputs for a fitted model, and, with dropout off
    # in the GRUs (their dropout draws random numbers differently), the same
    # model after training.
    Xtr, ytr, Xte, _ = normalized
    params = {**TINY_NET, "max_epochs": 3, "module__dropout": 0.0}
    fits = {
        b: DualNetClassifier(**params, module__gru_backend=b).fit(Xtr, ytr)
        for b in ("custom", "torch")
    }
    assert fits["torch"].module_.autoencoder.gru_backend == "torch"
    outs = {b: clf.predict_all(Xte) for b, clf in fits.items()}
    np.testing.assert_allclose(
        outs["torch"]["proba"], outs["custom"]["proba"], rtol=1e-4, atol=1e-5
    )
    np.testing.assert_allclose(
        outs["torch"]["scores"], outs["custom"]["scores"], rtol=1e-4, atol=1e-4
    )
    # one fitted model, its GRUs switched: the same numbers to float rounding
    clf = fits["custom"]
    before = clf.predict_all(Xte, latent=True)
    clf.module_.autoencoder.gru_backend = "torch"
    switched = clf.predict_all(Xte, latent=True)
    for key in ("proba", "scores", "latent"):
        np.testing.assert_allclose(switched[key], before[key], rtol=1e-5, atol=1e-5)


def test_training_scores_are_the_training_stars_score_samples(normalized):
    # computed in the mixture pass, without a second pass over the data
    Xtr, ytr, _, _ = normalized
    clf = DualNetClassifier(**{**TINY_NET, "max_epochs": 2}).fit(Xtr, ytr)
    np.testing.assert_array_equal(clf.training_scores_, clf.score_samples(Xtr))
    assert len(clf.training_scores_) == len(Xtr)


def test_augmentation_adds_noise_within_the_errors_to_magnitudes_only(normalized):
    from skdualnet._classifier import StarDataset, collate_stars

    X = normalized[0]
    batch = collate_stars([StarDataset(X)[i] for i in range(3)])
    before = {k: v.clone() for k, v in batch[0].items()}
    clf = DualNetClassifier(augment_noise=0.5)
    torch.manual_seed(7)
    (augmented, y) = clf._augment_within_errors(batch)
    torch.manual_seed(7)
    noise = torch.randn(before["seq"].shape[:-1], dtype=before["seq"].dtype)
    seq, mask = before["seq"], before["mask"]
    expected = seq[..., 1] + 0.5 * seq[..., 2] * noise * mask
    torch.testing.assert_close(augmented["seq"][..., 1], expected, rtol=0, atol=0)
    # lags, errors, padding, mask, auxiliary inputs and labels are unchanged
    torch.testing.assert_close(augmented["seq"][..., [0, 2]], seq[..., [0, 2]])
    assert torch.equal(augmented["seq"][..., 1][~mask], seq[..., 1][~mask])
    for key in ("mask", "aux", "star"):
        assert torch.equal(augmented[key], before[key])
    assert y is batch[1]
    # the loader's batch is not modified in place
    for key, value in before.items():
        assert torch.equal(batch[0][key], value)
    assert (augmented["seq"][..., 1][mask] != seq[..., 1][mask]).all()


def test_dropping_keeps_a_random_subset_of_observations_with_their_phase_gaps():
    # three sequences: 6 observed steps, 3 observed + padding, 2 observed
    phase = torch.tensor([[0.0, 0.1, 0.3, 0.4, 0.7, 0.9], [0.0, 0.2, 0.5, 0, 0, 0]])
    dt = torch.diff(phase, dim=1, prepend=phase[:, :1])
    dt[1, 3:] = 0
    x = torch.tensor([[1.0, 2, 3, 4, 5, 6], [7.0, 8, 9, 0, 0, 0]])
    sigma = torch.tensor([[0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [0.7, 0.8, 0.9, 1, 1, 1]])
    mask = torch.tensor([[True] * 6, [True] * 3 + [False] * 3])
    # a third, two-step sequence: when it would keep fewer than two, it stays whole
    seq = torch.stack((dt, x, sigma), -1)
    seq = torch.cat(
        [seq, torch.tensor([[[0.0, 1, 0.1], [0.5, -1, 0.1]] + [[0, 0, 1]] * 4])]
    )
    mask = torch.cat([mask, torch.tensor([[True, True] + [False] * 4])])
    batch = ({"seq": seq, "mask": mask, "aux": torch.zeros(3, 3)}, torch.zeros(3))
    before = seq.clone()
    clf = DualNetClassifier(augment_drop=0.5)
    torch.manual_seed(1)
    out, _ = clf._augment_by_dropping(batch)
    torch.manual_seed(1)
    keep = (torch.rand(mask.shape) >= 0.5) & mask
    expected_rows = []
    for row in range(3):
        k = keep[row] if keep[row].sum() >= 2 else mask[row]
        ph = torch.cumsum(before[row, :, 0], 0)[k]
        lag = torch.cat([torch.zeros(1), ph[1:] - ph[:-1]])
        expected_rows.append(
            torch.stack((lag, before[row, k, 1], before[row, k, 2]), 1)
        )
    steps = max(len(r) for r in expected_rows)
    assert out["seq"].shape == (3, steps, 3)
    for row, expected in enumerate(expected_rows):
        n = len(expected)
        torch.testing.assert_close(out["seq"][row, :n], expected)
        assert out["mask"][row, :n].all() and not out["mask"][row, n:].any()
        pad = out["seq"][row, n:]
        assert (pad[:, :2] == 0).all() and (pad[:, 2] == 1).all()
    # seed 1 keeps steps 0, 3, 5 of the first row and 1, 2 of the second; the
    # third would keep one step, so it stays whole
    # (steps past the longest kept sequence are cut: 3 of 6 remain)
    expected = [[0.0, 1, 0.1], [0.4, 4, 0.4], [0.5, 6, 0.6]]
    torch.testing.assert_close(out["seq"][0], torch.tensor(expected))
    torch.testing.assert_close(
        out["seq"][1, :2], torch.tensor([[0, 8, 0.8], [0.3, 9, 0.9]])
    )
    torch.testing.assert_close(out["seq"][2, :2], before[2, :2])
    assert torch.equal(batch[0]["seq"], before)  # not modified in place


@pytest.mark.parametrize("augment_drop", [0.0, 0.5])
def test_training_steps_see_the_thinned_batches(normalized, augment_drop):
    # what reaches the network: the observed steps of each training batch,
    # against the same batch before thinning (counted from its segments)
    Xtr, ytr, _, _ = normalized
    clf = DualNetClassifier(**{**TINY_NET, "max_epochs": 2}, augment_drop=augment_drop)
    seen = []
    step = clf.train_step_single

    def recording_step(batch, **fit_params):
        X, _ = batch
        seen.append(int(X["mask"].sum()))
        return step(batch, **fit_params)

    clf.train_step_single = recording_step
    clf.fit(Xtr, ytr)
    n_observed = sum(int(np.sum(mask)) for mask in clf._prepare(Xtr).mask)
    kept = sum(seen) / 2  # two epochs
    if augment_drop:
        assert 0.4 * n_observed < kept < 0.6 * n_observed
    else:
        assert kept == n_observed


@pytest.mark.parametrize("augment", [{"augment_noise": 1.0}, {"augment_drop": 0.3}])
def test_augmented_fit_is_repeatable_and_changes_the_model(normalized, augment):
    Xtr, ytr, Xte, _ = normalized
    params = {**TINY_NET, "max_epochs": 2}
    a = DualNetClassifier(**params, **augment).fit(Xtr, ytr)
    b = DualNetClassifier(**params, **augment).fit(Xtr, ytr)
    plain = DualNetClassifier(**params).fit(Xtr, ytr)
    np.testing.assert_array_equal(a.predict_proba(Xte), b.predict_proba(Xte))
    assert not np.array_equal(a.predict_proba(Xte), plain.predict_proba(Xte))


# ------------------------------------------------------------- boosting head
@pytest.fixture(scope="module")
def boosting_pair(normalized):
    """The same network fitted with either head (same seed, same data)."""
    X, y, _, _ = normalized
    network = DualNetClassifier(**TINY_NET).fit(X, y)
    boosting = DualNetClassifier(**TINY_NET, head="boosting").fit(X, y)
    return network, boosting


def test_boosting_head_changes_only_the_probabilities(normalized, boosting_pair):
    _, _, X_test, _ = normalized
    network, boosting = boosting_pair
    # the head is fitted after training: network, mixture and scores are shared
    np.testing.assert_array_equal(boosting.transform(X_test), network.transform(X_test))
    np.testing.assert_array_equal(
        boosting.score_samples(X_test), network.score_samples(X_test)
    )
    assert boosting.offset_ == network.offset_
    assert not hasattr(network, "head_trees_")
    assert not np.array_equal(
        boosting.predict_proba(X_test), network.predict_proba(X_test)
    )


def test_boosting_head_is_sklearn_boosting_on_the_training_latent(
    normalized, boosting_pair
):
    from sklearn.ensemble import HistGradientBoostingClassifier

    X, y, X_test, _ = normalized
    _, boosting = boosting_pair
    encoded = np.searchsorted(boosting.classes_, y)
    reference = HistGradientBoostingClassifier(
        max_iter=300, learning_rate=0.1, early_stopping=False
    ).fit(
        boosting.transform(X),
        encoded,
        sample_weight=boosting.class_weight_[encoded],
    )
    Z_test = boosting.transform(X_test)
    np.testing.assert_allclose(
        boosting.predict_proba(X_test),
        reference.predict_proba(Z_test),
        rtol=0,
        atol=1e-12,
    )
    out = boosting.predict_all(X_test)
    np.testing.assert_array_equal(out.proba, boosting.predict_proba(X_test))
    np.testing.assert_array_equal(
        out.labels, boosting.classes_[reference.predict(Z_test)]
    )


@pytest.mark.parametrize("decision", ["argmax", "balanced"])
def test_boosting_head_round_trips_through_a_model_file(
    normalized, boosting_pair, balanced_boosting, tmp_path, decision
):
    from skdualnet import load_model, save_model

    _, _, X_test, _ = normalized
    boosting = boosting_pair[1] if decision == "argmax" else balanced_boosting[0]
    save_model(boosting, tmp_path / "boosting.skdn")
    loaded = load_model(tmp_path / "boosting.skdn")
    assert loaded.head == "boosting" and loaded.decision == decision
    np.testing.assert_array_equal(
        loaded.predict_proba(X_test), boosting.predict_proba(X_test)
    )
    np.testing.assert_array_equal(
        loaded.score_samples(X_test), boosting.score_samples(X_test)
    )
    np.testing.assert_array_equal(loaded.decision_weights_, boosting.decision_weights_)
    np.testing.assert_array_equal(loaded.predict(X_test), boosting.predict(X_test))


def test_boosting_head_is_refitted_and_not_used_while_training(normalized):
    X, y, _, _ = normalized
    seen = []

    def on_epoch_end(self, net, **kwargs):
        seen.append(hasattr(self, "head_trees_"))

    clf = DualNetClassifier(**{**TINY_NET, "max_epochs": 2}, head="boosting")
    with mock.patch.object(DualNetClassifier, "on_epoch_end", on_epoch_end):
        clf.fit(X, y)
        first = clf.head_trees_["value"].copy()
        clf.partial_fit(X, y)
    assert seen == [False] * 4  # removed at every training start
    # refitted at the end on the further-trained network's latent vectors
    assert not np.array_equal(clf.head_trees_["value"], first)


def test_boosting_head_needs_two_classes_among_the_training_stars(normalized):
    X, y, _, _ = normalized
    first = np.flatnonzero(y == y[0])
    clf = DualNetClassifier(
        **{**TINY_NET, "max_epochs": 1}, head="boosting", classes=np.unique(y)
    )
    with pytest.raises(ValueError, match="at least 2 classes"):
        clf.fit(X[first], y[first])


def test_head_features_reach_the_head_only(normalized, boosting_pair):
    from sklearn.ensemble import HistGradientBoostingClassifier

    X, y, X_test, _ = normalized
    network, _ = boosting_pair
    rng = np.random.default_rng(0)
    H, H_test = rng.normal(size=(len(X), 2)), rng.normal(size=(len(X_test), 2))
    H[:, 1] += np.searchsorted(network.classes_, y)  # informative for the head
    clf = DualNetClassifier(**TINY_NET, head="boosting").fit(
        X.replace(head_features=H), y
    )
    X_new = X_test.replace(head_features=H_test)
    # the network never sees them: the same latent vectors and scores
    np.testing.assert_array_equal(clf.transform(X_new), network.transform(X_test))
    np.testing.assert_array_equal(
        clf.score_samples(X_new), network.score_samples(X_test)
    )
    encoded = np.searchsorted(clf.classes_, y)
    reference = HistGradientBoostingClassifier(
        max_iter=300, learning_rate=0.1, early_stopping=False
    ).fit(
        np.hstack([network.transform(X), H]),
        encoded,
        sample_weight=clf.class_weight_[encoded],
    )
    np.testing.assert_allclose(
        clf.predict_proba(X_new),
        reference.predict_proba(np.hstack([network.transform(X_test), H_test])),
        rtol=0,
        atol=1e-12,
    )
    assert clf.n_head_features_ == 2
    with pytest.raises(ValueError, match="fitted with 2 head feature.*have 0"):
        clf.predict(X_test)


# ------------------------------------------------------------ novelty scores
@pytest.fixture(scope="module")
def combined_boosting(normalized):
    """The boosting pair's network, scored by the combined novelty score."""
    X, y, _, _ = normalized
    return DualNetClassifier(**TINY_NET, head="boosting", novelty="combined").fit(X, y)


def _rank(reference, values):
    """Known answer of a training rank: count the training stars at or below."""
    return np.array([(reference <= v).mean() for v in values])


def test_combined_score_is_the_mean_of_the_two_training_ranks(
    normalized, boosting_pair, combined_boosting
):
    _, _, X_test, _ = normalized
    _, boosting = boosting_pair
    clf = combined_boosting
    # the same network, mixture and trees: only the score differs
    energy = boosting.score_samples(X_test)
    np.testing.assert_array_equal(
        clf.predict_proba(X_test), boosting.predict_proba(X_test)
    )
    np.testing.assert_array_equal(
        clf.training_energy_scores_, boosting.training_scores_
    )
    max_proba = clf.predict_proba(X_test).max(axis=1)
    expected = 0.5 * (
        _rank(clf.training_energy_scores_, energy)
        + _rank(clf.training_max_proba_, max_proba)
    )
    np.testing.assert_allclose(clf.score_samples(X_test), expected, rtol=0, atol=1e-15)
    out = clf.predict_all(X_test)
    np.testing.assert_array_equal(out.scores, clf.score_samples(X_test))
    np.testing.assert_array_equal(out.energy, energy)
    np.testing.assert_array_equal(out.novel, out.scores < clf.offset_)
    assert ((out.scores >= 0) & (out.scores <= 1)).all()


def _out_of_fold_reference(clf, X, y):
    """Known answer of the boosting head's out-of-fold training probabilities:
    scikit-learn's boosting refitted on 5 stratified folds of the latent
    vectors, seeded and weighted like the head."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    encoded = np.searchsorted(clf.classes_, y)
    Z = clf.transform(X)
    oof = np.zeros((len(y), len(clf.classes_)))
    folds = StratifiedKFold(5, shuffle=True, random_state=clf._torch_seed_)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # a class of < 5 stars
        splits = list(folds.split(Z, encoded))
    for rows, held in splits:
        booster = HistGradientBoostingClassifier(
            max_iter=300,
            learning_rate=0.1,
            early_stopping=False,
            random_state=clf._torch_seed_,
        ).fit(Z[rows], encoded[rows], sample_weight=clf.class_weight_[encoded[rows]])
        oof[held] = booster.predict_proba(Z[held])
    return oof


def test_boosting_training_probabilities_are_out_of_fold(normalized, combined_boosting):

    X, y, _, _ = normalized
    clf = combined_boosting
    expected = _out_of_fold_reference(clf, X, y).max(axis=1)
    np.testing.assert_allclose(clf.training_max_proba_, expected, rtol=0, atol=1e-12)
    # out of fold, so less sure than the fitted head on its own training stars
    assert clf.training_max_proba_.mean() < clf.predict_proba(X).max(axis=1).mean()
    # the threshold is the 95th percentile of the training stars' scores
    assert clf.offset_ == np.percentile(clf.training_scores_, 5)
    np.testing.assert_allclose(
        clf.training_scores_,
        0.5
        * (
            _rank(clf.training_energy_scores_, clf.training_energy_scores_)
            + _rank(clf.training_max_proba_, clf.training_max_proba_)
        ),
        rtol=0,
        atol=1e-15,
    )


def test_max_proba_novelty_of_the_network_head(normalized):
    X, y, X_test, _ = normalized
    clf = DualNetClassifier(**TINY_NET, novelty="max_proba").fit(X, y)
    np.testing.assert_array_equal(
        clf.score_samples(X_test), clf.predict_proba(X_test).max(axis=1)
    )
    # the network's in-sample probabilities, from the mixture's pass
    np.testing.assert_allclose(
        clf.training_max_proba_, clf.predict_proba(X).max(axis=1), rtol=0, atol=1e-6
    )
    np.testing.assert_array_equal(clf.training_scores_, clf.training_max_proba_)
    assert clf.predict_novelty(X).mean() == pytest.approx(0.05, abs=0.03)


def test_novelty_is_fixed_at_fit_and_round_trips(
    normalized, combined_boosting, tmp_path
):
    from skdualnet import load_model, save_model

    X, y, X_test, _ = normalized
    clf = clone(combined_boosting).set_params(novelty="energy").fit(X, y)
    assert clf.novelty_ == "energy" and not hasattr(clf, "training_max_proba_")
    scores = clf.score_samples(X_test)
    clf.set_params(novelty="combined")  # a parameter: no effect until refitted
    np.testing.assert_array_equal(clf.score_samples(X_test), scores)
    save_model(combined_boosting, tmp_path / "combined.skdn")
    loaded = load_model(tmp_path / "combined.skdn")
    assert loaded.novelty_ == "combined"
    np.testing.assert_array_equal(
        loaded.score_samples(X_test), combined_boosting.score_samples(X_test)
    )
    assert loaded.offset_ == combined_boosting.offset_
    with pytest.raises(ValueError, match="novelty"):
        DualNetClassifier(**TINY_NET, novelty="distance").fit(X, y)


# ------------------------------------------------- decision for balanced accuracy
def test_argmax_decision_has_unit_weights(boosting_pair, normalized):
    _, _, X_test, _ = normalized
    for clf in boosting_pair:
        np.testing.assert_array_equal(clf.decision_weights_, np.ones(4))
        proba = clf.predict_proba(X_test)
        np.testing.assert_array_equal(
            clf.predict(X_test), clf.classes_[proba.argmax(axis=1)]
        )


@pytest.fixture(scope="module")
def balanced_boosting(normalized):
    """A boosting head deciding with balanced-accuracy weights, fitted on a
    training set with one rare class (4 DSCT stars of 94)."""
    return _fit_with_a_rare_class(normalized, head="boosting", decision="balanced")


def _fit_with_a_rare_class(normalized, **params):
    X, y, _, _ = normalized
    rare = np.flatnonzero(y == "DSCT")[4:]
    keep = np.setdiff1d(np.arange(len(y)), rare)
    return DualNetClassifier(**TINY_NET, **params).fit(X[keep], y[keep]), keep


def test_balanced_decision_weights_come_from_out_of_fold_probabilities(
    normalized, balanced_boosting
):
    from skdualnet._decision import balanced_decision_weights

    X, y, X_test, _ = normalized
    clf, keep = balanced_boosting
    X, y = X[keep], y[keep]
    oof = _out_of_fold_reference(clf, X, y)
    np.testing.assert_array_equal(
        clf.decision_weights_,
        balanced_decision_weights(oof, np.searchsorted(clf.classes_, y)),
    )
    assert not np.allclose(clf.decision_weights_, 1.0)  # the rare class moved them
    # the probabilities are the head's; only the decision moves
    proba = clf.predict_proba(X_test)
    expected = clf.classes_[(proba * clf.decision_weights_).argmax(axis=1)]
    np.testing.assert_array_equal(clf.predict(X_test), expected)
    np.testing.assert_array_equal(clf.predict_all(X_test).labels, expected)


def test_network_head_tunes_the_weights_on_in_sample_probabilities(normalized):
    from skdualnet._decision import balanced_decision_weights

    X, y, X_test, _ = normalized
    clf, keep = _fit_with_a_rare_class(normalized, decision="balanced")
    plain, _ = _fit_with_a_rare_class(normalized)
    encoded = np.searchsorted(clf.classes_, y[keep])
    np.testing.assert_array_equal(
        clf.decision_weights_,
        balanced_decision_weights(clf.predict_proba(X[keep]), encoded),
    )
    # the same network and scores as without the option
    np.testing.assert_array_equal(
        clf.predict_proba(X_test), plain.predict_proba(X_test)
    )
    np.testing.assert_array_equal(
        clf.score_samples(X_test), plain.score_samples(X_test)
    )
    np.testing.assert_array_equal(plain.decision_weights_, np.ones(4))


def test_model_without_decision_weights_predicts_the_most_probable(
    balanced_boosting, normalized
):
    # a model fitted before the option (no decision_weights_) still predicts
    _, _, X_test, _ = normalized
    clf = copy.deepcopy(balanced_boosting[0])
    del clf.decision_weights_
    proba = clf.predict_proba(X_test)
    np.testing.assert_array_equal(
        clf.predict(X_test), clf.classes_[proba.argmax(axis=1)]
    )
