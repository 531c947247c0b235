"""The skdualnet command: demo, fit, predict, evaluate on tiny data."""

import csv
import os

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


def test_fit_then_predict_writes_csv(asassn_folder, tmp_path):
    model = tmp_path / "model.skdn"
    assert main(["fit", str(asassn_folder), "--model", str(model), *TINY]) == 0
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
