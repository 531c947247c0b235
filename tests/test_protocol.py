"""The evaluation protocol (Table 2 of the paper) on tiny simulated data."""

import numpy as np

from skdualnet._protocol import evaluate_split, make_default_model
from tests.conftest import TINY_NET


def test_evaluate_split_keeps_each_star_sets_latent_vectors_and_probabilities(
    tiny_data,
):
    X, y = tiny_data
    y = np.asarray(y)
    rng = np.random.default_rng(0)
    order = rng.permutation(len(y))
    novel = np.flatnonzero(y == "DSCT")
    known = order[np.isin(order, novel, invert=True)]
    train, test = known[:60], known[60:]
    report = evaluate_split(
        make_default_model(n_obs=30, **TINY_NET),
        X,
        y,
        train,
        test,
        novel,
        random_forest=False,
        keep=True,
    )
    objects = report["_objects"]
    clf = objects["model"][-1]
    n_latent, n_classes = clf.means_.shape[1], len(clf.classes_)
    for part, idx in (("train", train), ("test", test), ("novel", novel)):
        Z, P = objects[f"Z_{part}"], objects[f"proba_{part}"]
        assert Z.shape == (len(idx), n_latent)
        assert P.shape == (len(idx), n_classes)
        assert np.all(np.isfinite(Z))
        np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=1e-6)
    # the kept arrays are those of the fitted model on the same stars
    np.testing.assert_array_equal(objects["Z_test"], clf.transform(objects["X_test"]))
    predicted = clf.classes_[objects["proba_test"].argmax(axis=1)]
    cm = np.asarray(report["estimation_network"]["confusion_matrix"])
    assert (predicted == y[test]).sum() == np.trace(cm)


def test_evaluate_split_without_novel_stars_keeps_empty_arrays(tiny_data):
    X, y = tiny_data
    y = np.asarray(y)
    idx = np.arange(len(y))
    report = evaluate_split(
        make_default_model(n_obs=30, **TINY_NET),
        X,
        y,
        idx[::2],
        idx[1::2],
        np.zeros(0, dtype=int),
        random_forest=False,
        keep=True,
    )
    objects = report["_objects"]
    clf = objects["model"][-1]
    assert objects["Z_novel"].shape == (0, clf.means_.shape[1])
    assert objects["proba_novel"].shape == (0, len(clf.classes_))


def test_a_combined_score_reports_its_two_parts(tiny_data):
    from skdualnet._report import format_report

    X, y = tiny_data
    y = np.asarray(y)
    novel = np.flatnonzero(y == "DSCT")
    known = np.flatnonzero(y != "DSCT")
    train, test = known[::2], known[1::2]
    reports = {
        novelty: evaluate_split(
            make_default_model(n_obs=30, novelty=novelty, **TINY_NET),
            X,
            y,
            train,
            test,
            novel,
            random_forest=False,
        )
        for novelty in ("energy", "combined")
    }
    energy, combined = reports["energy"], reports["combined"]
    # the same network: its energy alone is the energy model's score
    assert combined["novelty_energy"] == energy["novelty"]
    assert "novelty_energy" not in energy and energy["novelty_score"] == "energy"
    assert combined["novelty_score"] == "combined" and combined["head"] == "network"
    assert combined["novelty"]["auroc"] != combined["novelty_energy"]["auroc"]
    text = format_report(combined)
    assert "score: combined energy + max probability)" in text
    assert (
        f"(energy alone {energy['novelty']['auroc']:.3f}, max probability alone "
        f"{combined['novelty_max_proba']['auroc']:.3f})"
    ) in text
    assert "estimation network" in text and "boosting head" not in text
    assert "  boosting head " in format_report({**combined, "head": "boosting"})
