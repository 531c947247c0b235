"""The skdualnet command: demo, fit, predict, evaluate on tiny data."""

import csv
import os
import shutil

import numpy as np
import pytest

from skdualnet.__main__ import main
from skdualnet.datasets import make_light_curves


def write_asassn_folder(folder, n_per_class=10, seed=0):
    """Write simulated stars in the ASAS-SN Variable Stars Database format."""
    X, y = make_light_curves(
        n_per_class=n_per_class,
        classes=["EB", "M", "RRAB"],
        n_obs=(40, 60),
        random_state=seed,
    )
    types = {"EB": "EW", "M": "M", "RRAB": "RRAB"}
    os.makedirs(folder / "lightcurves")
    with open(folder / "catalog.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(
            ["ASASSN_Name", "Mean VMag", "Period", "Variable_Type", "Class_Probability"]
        )
        for i, (curve, label) in enumerate(zip(X.curves, y)):
            name = f"ASASSN-V J{i:06d}.00+000000.0"
            w.writerow(
                [
                    name,
                    f"{np.median(curve[:, 1]):.2f}",
                    f"{X.period[i]:.6f}",
                    types[label],
                    "0.99",
                ]
            )
            with open(
                folder / "lightcurves" / f"{name.replace(' ', '_')}.csv",
                "w",
                newline="",
            ) as g:
                lw = csv.writer(g)
                lw.writerow(
                    [
                        "HJD",
                        "UT Date",
                        "Camera",
                        "FWHM",
                        "Limit",
                        "mag",
                        "mag_err",
                        "flux(mJy)",
                        "flux_err",
                    ]
                )
                for t, m, e in curve:
                    lw.writerow(
                        [
                            f"{t:.5f}",
                            "2015-01-01",
                            "bd",
                            "1.5",
                            "17.5",
                            f"{m:.3f}",
                            f"{e:.3f}",
                            "1.0",
                            "0.05",
                        ]
                    )
    return X, y


@pytest.fixture(scope="module")
def asassn_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("asassn")
    write_asassn_folder(folder)
    return folder


TINY = ["--epochs", "3", "--n-obs", "30", "--verbose", "0", "--min-obs", "20"]


@pytest.fixture(scope="module")
def tiny_model(asassn_folder, tmp_path_factory):
    """A model trained for 3 epochs on the 30 simulated stars."""
    model = tmp_path_factory.mktemp("model") / "model.skdn"
    assert main(["fit", str(asassn_folder), "--model", str(model), *TINY]) == 0
    return model


def _star_file(folder, i):
    return folder / "lightcurves" / f"ASASSN-V_J{i:06d}.00+000000.0.csv"


def _keep_rows(path, n):
    """Keep the header and the first ``n`` observations of a light curve."""
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[: n + 1]) + "\n")


def _predict(folder, model, out, *extra):
    argv = ["predict", str(folder), "--model", str(model), "--out", str(out)]
    return main([*argv, *extra])


def test_fit_then_predict_writes_csv(asassn_folder, tiny_model, tmp_path):
    model = tiny_model  # written by `skdualnet fit` (see the fixture)
    assert model.stat().st_size > 0
    out = tmp_path / "pred.csv"
    assert (
        main(
            [
                "predict",
                str(asassn_folder),
                "--model",
                str(model),
                "--out",
                str(out),
                "--min-obs",
                "20",
            ]
        )
        == 0
    )
    with open(out) as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 30
    assert set(rows[0]) >= {"id", "predicted_class", "p_EB", "novelty_score", "novel"}
    assert {(r["status"], r["problem"]) for r in rows} == {("ok", "")}
    assert {r["predicted_class"] for r in rows} <= {"EB", "M", "RRAB"}
    for r in rows:
        assert abs(sum(float(r[f"p_{c}"]) for c in ("EB", "M", "RRAB")) - 1) < 1e-3
        assert np.isfinite(float(r["novelty_score"]))


def test_predict_with_a_corrupt_model_file_says_so(asassn_folder, tmp_path, capsys):
    bad = tmp_path / "bad.skdn"
    bad.write_bytes(b"not a model")
    assert main(["predict", str(asassn_folder), "--model", str(bad)]) == 2
    assert "not a readable skdualnet model" in capsys.readouterr().err


def test_demo_quick_prints_report_and_writes_figures(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--quick", "--out", str(out), "--verbose", "0"]) == 0
    text = capsys.readouterr().out
    for needle in (
        "estimation network",
        "random forest on embedding",
        "AUROC",
        "95th percentile",
        "80th percentile",
    ):
        assert needle in text
    for name in (
        "report.json",
        "confusion_matrix.png",
        "energy_histogram.png",
        "reconstructions.png",
    ):
        assert (out / name).stat().st_size > 0


def test_evaluate_on_a_folder(asassn_folder, tmp_path, capsys):
    out = tmp_path / "eval"
    assert main(["evaluate", str(asassn_folder), "--out", str(out), *TINY]) == 0
    assert "Classification" in capsys.readouterr().out
    assert (out / "report.json").exists()


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(SystemExit, match="no such folder"):
        main(["evaluate", str(tmp_path / "nope")])


def test_row_predict_lists_skipped_stars_in_csv_and_on_stderr(
    asassn_folder, tiny_model, tmp_path, capsys
):
    folder = tmp_path / "data"
    shutil.copytree(asassn_folder, folder)
    text = _star_file(folder, 3).read_text()
    _star_file(folder, 3).write_text(text[: len(text) // 2])  # truncated download
    _keep_rows(_star_file(folder, 7), 5)  # fewer than --min-obs 8
    _keep_rows(_star_file(folder, 11), 9)  # too short for the model's front end
    _star_file(folder, 20).unlink()  # listed in the catalogue, no file
    out = tmp_path / "pred.csv"
    assert _predict(folder, tiny_model, out, "--min-obs", "8") == 0
    with open(out) as f:
        rows = {r["id"]: r for r in csv.DictReader(f)}
    assert len(rows) == 30  # one row per catalogue star, skipped or not
    skipped = {i: r for i, r in rows.items() if r["status"] == "skipped"}
    name = "ASASSN-V J{:06d}.00+000000.0".format
    assert set(skipped) == {name(3), name(7), name(11), name(20)}
    assert "truncated or corrupt" in skipped[name(3)]["problem"]
    assert skipped[name(7)]["problem"] == (
        "5 usable observations, fewer than --min-obs 8"
    )
    assert "min_obs" in skipped[name(11)]["problem"]
    assert "no light-curve file found" in skipped[name(20)]["problem"]
    for r in skipped.values():
        assert r["predicted_class"] == r["novelty_score"] == r["novel"] == ""
    ok = [r for r in rows.values() if r["status"] == "ok"]
    assert len(ok) == 26 and all(r["problem"] == "" for r in ok)
    assert {r["predicted_class"] for r in ok} <= {"EB", "M", "RRAB"}
    err = capsys.readouterr().err
    assert f"skipped 4 of 30 star(s) (listed in {out} with status=skipped)" in err
    for i in (3, 7, 11, 20):
        assert name(i) in err


def test_predict_with_no_readable_star_exits_non_zero(
    asassn_folder, tiny_model, tmp_path, capsys
):
    folder = tmp_path / "data"
    shutil.copytree(asassn_folder, folder)
    for path in (folder / "lightcurves").iterdir():
        path.write_bytes(b"\xff\xfe not a light curve")
    out = tmp_path / "pred.csv"
    assert _predict(folder, tiny_model, out, "--min-obs", "8") == 2
    err = capsys.readouterr().err
    assert "skipped 30 of 30 star(s)" in err
    assert "error: " in err and "no star could be predicted" in err
    with open(out) as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 30 and {r["status"] for r in rows} == {"skipped"}
    assert all("not a UTF-8 text file" in r["problem"] for r in rows)


def test_predict_all_stars_too_short_exits_non_zero(
    asassn_folder, tiny_model, tmp_path, capsys
):
    out = tmp_path / "pred.csv"
    assert _predict(asassn_folder, tiny_model, out, "--min-obs", "1000") == 2
    assert "no star could be predicted (30 star(s) found" in capsys.readouterr().err


DATA = os.path.join(os.path.dirname(__file__), "data")


def test_convert_rewrites_a_pickle_model_file_as_data(tmp_path, capsys):
    import warnings

    from skdualnet._persistence import load_model

    new = tmp_path / "new.skdn"
    old = os.path.join(DATA, "model_format1_last.skdn")
    assert main(["convert", old, str(new)]) == 0
    assert "pickle-based" not in capsys.readouterr().err
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # format 2: no pickle warning
        model = load_model(new)
    expected = np.load(os.path.join(DATA, "model_expected.npz"))
    X, _ = make_light_curves(
        n_per_class=8, classes=["EB", "M", "RRAB"], n_obs=(40, 60), random_state=0
    )
    np.testing.assert_allclose(
        model.score_samples(X[:10]), expected["score"], rtol=1e-6, atol=1e-12
    )


def test_predict_without_model_uses_the_pretrained_one(
    asassn_folder, tiny_model, tmp_path, capsys, monkeypatch
):
    import skdualnet._pretrained
    from skdualnet._persistence import load_model

    asked = []

    def pretrained(name="asas"):
        asked.append(name)
        return load_model(tiny_model)

    monkeypatch.setattr(skdualnet._pretrained, "pretrained", pretrained)
    out = tmp_path / "pred.csv"
    assert main(["predict", str(asassn_folder), "--out", str(out), *TINY[-2:]]) == 0
    assert asked == ["asas"]
    err = capsys.readouterr().err
    assert "no --model given: using the pretrained ASAS-SN model" in err
    with open(out) as f:
        assert len(list(csv.DictReader(f))) == 30


def test_predict_without_model_or_pretrained_model_says_so(asassn_folder, capsys):
    import skdualnet

    if os.path.exists(
        os.path.join(os.path.dirname(skdualnet.__file__), "models", "asas.skdn")
    ):
        pytest.skip("skdualnet/models/asas.skdn is installed")
    assert main(["predict", str(asassn_folder)]) == 2
    assert "no pretrained model 'asas' is installed" in capsys.readouterr().err
