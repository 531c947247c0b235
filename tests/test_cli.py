"""The skdualnet command: demo, fit, predict, evaluate on tiny data."""

import csv
import io
import json
import math
import os
import re
import shutil
import struct
import sys

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
    from skdualnet._persistence import load_model

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
    # one row per catalogue star, in its order, with its catalogue period
    with open(asassn_folder / "catalog.csv") as f:
        catalog = list(csv.DictReader(f))
    assert [r["id"] for r in rows] == [c["ASASSN_Name"] for c in catalog]
    for r, c in zip(rows, catalog):
        assert float(r["period"]) == pytest.approx(float(c["Period"]), rel=1e-7)
        assert r["period_power"] == ""  # catalogue period: no search
    # the label is the most probable class; novel is the score below offset_
    classes = np.array(["EB", "M", "RRAB"])
    proba = np.array([[float(r[f"p_{c}"]) for c in classes] for r in rows])
    top2 = np.sort(proba, axis=1)[:, -2:]
    clear = top2[:, 1] - top2[:, 0] > 2e-5  # not a tie at 5 decimals
    assert clear.sum() >= 25
    predicted = np.array([r["predicted_class"] for r in rows])
    np.testing.assert_array_equal(predicted[clear], classes[proba.argmax(1)][clear])
    offset = load_model(model)[-1].offset_
    score = np.array([float(r["novelty_score"]) for r in rows])
    novel = np.array([r["novel"] for r in rows])
    sure = np.abs(score - offset) > 1e-5
    np.testing.assert_array_equal(novel[sure], np.where(score < offset, "1", "0")[sure])


def test_predict_with_a_corrupt_model_file_says_so(asassn_folder, tmp_path, capsys):
    bad = tmp_path / "bad.skdn"
    bad.write_bytes(b"not a model")
    assert main(["predict", str(asassn_folder), "--model", str(bad)]) == 2
    assert "not a readable skdualnet model" in capsys.readouterr().err


def _png_size(path):
    """(width, height) of a PNG, from its IHDR chunk."""
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR", path
    return struct.unpack(">II", head[16:24])


def _check_figures(out):
    import matplotlib.image

    # the sizes _report asks for: 6x5, 6x4 inches and a 2x4 grid, at 120 dpi
    sizes = {
        "confusion_matrix.png": (720, 600),
        "energy_histogram.png": (720, 480),
        "reconstructions.png": (1536, 600),
    }
    for name, size in sizes.items():
        assert _png_size(out / name) == size, name
        assert matplotlib.image.imread(out / name).std() > 0.01, f"{name} is blank"


def _check_classification(part, labels, support):
    """Accuracy figures of one model agree with its confusion matrix."""
    cm = np.asarray(part["confusion_matrix"])
    assert part["labels"] == labels
    assert part["support"] == support
    np.testing.assert_array_equal(cm.sum(1), [support[c] for c in labels])
    assert part["accuracy"] == pytest.approx(np.trace(cm) / cm.sum())
    recall = np.diag(cm) / cm.sum(1)
    assert [part["per_class_accuracy"][c] for c in labels] == pytest.approx(recall)
    assert part["balanced_accuracy"] == pytest.approx(recall.mean())


def _check_report(out, stdout, title, n_per_class, n_novel):
    """report.json agrees with the data, with itself, with report.txt and
    with the table printed on standard output."""
    doc = json.loads((out / "report.json").read_text())
    fold = doc["folds"][0]
    labels = sorted(n_per_class)
    n_known = sum(n_per_class.values())
    n_test = math.ceil(0.2 * n_known)  # train_test_split(test_size=0.2)
    assert (fold["n_train"], fold["n_test"]) == (n_known - n_test, n_test)
    support = fold["estimation_network"]["support"]
    assert sum(support.values()) == n_test and set(support) == set(labels)
    for c in labels:  # stratified by class
        share = n_test * n_per_class[c] / n_known
        assert math.floor(share) <= support[c] <= math.ceil(share), support
    for model in ("estimation_network", "random_forest"):
        _check_classification(fold[model], labels, support)
    nov = fold["novelty"]
    assert (nov["n_known"], nov["n_novel"]) == (n_test, n_novel)
    for key in ("p80", "p95"):
        m = nov[key]
        n_fp = m["false_positive_rate"] * n_test
        assert n_fp == pytest.approx(round(n_fp))
        p, r = m["precision"], m["recall"]
        assert m["f1"] == pytest.approx(2 * p * r / (p + r) if p + r else 0.0)
        if n_novel:
            assert r * n_novel == pytest.approx(round(r * n_novel))
        else:
            assert p == r == m["f1"] == 0.0
    # a higher percentile of training energies is a lower score threshold
    assert nov["p95"]["threshold"] <= nov["p80"]["threshold"]
    assert nov["p95"]["false_positive_rate"] <= nov["p80"]["false_positive_rate"]
    assert nov["p95"]["recall"] <= nov["p80"]["recall"]
    if n_novel:
        assert 0.0 <= nov["auroc"] <= 1.0
    else:
        assert nov["auroc"] is None
    # one fold: the summary's means are the fold's figures
    summary = doc["summary"]
    est, rf = fold["estimation_network"], fold["random_forest"]
    assert summary["estimation_network.accuracy"]["mean"] == est["accuracy"]
    assert summary["random_forest.accuracy"]["mean"] == rf["accuracy"]
    assert summary["novelty.p95.recall"]["mean"] == nov["p95"]["recall"]
    assert {v["n"] for v in summary.values()} == {1}
    assert {v["std"] for v in summary.values()} == {0.0}

    # standard output: the title, then the same table as report.txt
    printed = stdout.split(f"\n{title}\n" + "=" * len(title) + "\n", 1)[1]
    printed = printed.split("\n(training took", 1)[0]
    assert (out / "report.txt").read_text() == f"{title}\n{printed}\n"

    def pct(v):
        return re.escape(f"{100 * v:.1f}%")

    for name, part in (("estimation network", est), ("random forest on embedding", rf)):
        row = rf"  {name} +{pct(part['accuracy'])} +{pct(part['balanced_accuracy'])}\n"
        assert re.search(row, printed), name
    for c in labels:
        row = re.search(rf"\n    {c} +([\d.]+)% / +([\d.]+)% +n=(\d+)\n", printed)
        assert row, c
        acc_est, acc_rf, n = row.groups()
        expected = (est["per_class_accuracy"][c], rf["per_class_accuracy"][c])
        assert (float(acc_est), float(acc_rf)) == pytest.approx(
            [100 * a for a in expected], abs=0.05
        )
        assert int(n) == support[c]
    header = f"Novelty ({n_novel} novel vs {n_test} known test stars, score: energy)"
    assert header in printed
    auroc = "n/a" if nov["auroc"] is None else f"{nov['auroc']:.3f}"
    assert f"  AUROC {auroc}\n" in printed
    for p in (80, 95):
        m = nov[f"p{p}"]
        assert (
            f"{p}th percentile: precision {m['precision']:.3f}  recall "
            f"{m['recall']:.3f}  F1 {m['f1']:.3f}  (FPR on known "
            f"{100 * m['false_positive_rate']:5.1f}%)"
        ) in printed
    return doc


def test_demo_quick_report_agrees_with_the_data_and_figures(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--quick", "--out", str(out), "--verbose", "0"]) == 0
    stdout = capsys.readouterr().out
    classes = ["CEP", "DSCT", "EB", "M", "ROT", "RRAB", "RRCD", "SR"]
    doc = _check_report(
        out,
        stdout,
        "skdualnet demo: simulated stars, 8 classes + VAR",
        dict.fromkeys(classes, 12),  # --quick: 12 stars per class, 12 VAR
        n_novel=12,
    )
    assert doc["note"].startswith(
        "demo settings: 12 stars per class, 12 novel stars, 3 epochs"
    )
    assert doc["note"] in stdout
    _check_figures(out)


def test_evaluate_report_agrees_with_the_folder(asassn_folder, tmp_path, capsys):
    out = tmp_path / "eval"
    assert main(["evaluate", str(asassn_folder), "--out", str(out), *TINY]) == 0
    # the folder: 10 stars each of EB (ASAS-SN type EW), M and RRAB, no VAR
    _check_report(
        out,
        capsys.readouterr().out,
        f"skdualnet evaluate: {asassn_folder}",
        {"EB": 10, "M": 10, "RRAB": 10},
        n_novel=0,
    )
    _check_figures(out)


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
    assert "no --model given: using the pretrained ASAS model" in err
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


# ------------------------------------------------- progress, --quiet, summaries
class _Terminal(io.StringIO):
    """A standard error that says it is a terminal, so that bars are shown."""

    def isatty(self):
        return True


@pytest.fixture
def terminal(monkeypatch):
    """``terminal()`` replaces standard error by a terminal-like StringIO.

    Call it in the test body: capsys resets sys.stderr when the test starts.
    """

    def use():
        stream = _Terminal()
        monkeypatch.setattr(sys, "stderr", stream)
        return stream

    return use


QUICK_FIT = ["--epochs", "2", "--n-obs", "30", "--min-obs", "20"]


def test_fit_on_a_terminal_shows_bars_and_quiet_silences_them(
    asassn_folder, tmp_path, terminal, capsys
):
    err = terminal()
    model = tmp_path / "m.skdn"
    argv = ["fit", str(asassn_folder), "--model", str(model), *QUICK_FIT]
    assert main(argv) == 0
    text = err.getvalue()
    for bar in ("reading ", "shape features", "epoch 1", "epoch 2", "scoring"):
        assert bar in text, bar
    assert "train_loss" in capsys.readouterr().out  # skorch's epoch table
    err.truncate(0)
    err.seek(0)
    model.unlink()
    assert main([*argv, "-q"]) == 0
    assert model.stat().st_size > 0
    assert err.getvalue() == ""
    assert capsys.readouterr().out == ""  # nor the epoch table


def test_fit_prints_plan_estimate_and_summary(asassn_folder, tmp_path, capsys):
    model = tmp_path / "m.skdn"
    assert main(["fit", str(asassn_folder), "--model", str(model), *TINY]) == 0
    err = capsys.readouterr().err
    assert "period search for 0 star(s) without a catalogue period" in err
    assert re.search(
        r"training on 30 stars \(\d+ sequences of up to 30 observations\), 3 "
        r"epochs .* estimated .* \(timed on 3 batches",
        err,
    )
    assert "skdualnet fit: summary" in err
    assert re.search(r"stars read: +30 read, 0 skipped", err)
    assert re.search(r"trained on: +30 stars: EB 10, M 10, RRAB 10", err)
    assert re.search(rf"model: +{re.escape(str(model))}", err)


def test_predict_on_a_terminal_bars_on_stderr_csv_on_stdout(
    asassn_folder, tiny_model, terminal, capsys
):
    stderr = terminal()
    argv = ["predict", str(asassn_folder), "--model", str(tiny_model)]
    assert main([*argv, "--min-obs", "20"]) == 0
    out = capsys.readouterr().out
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0][0] == "id" and len(rows) == 31  # nothing but the CSV
    assert {len(r) for r in rows} == {len(rows[0])}
    err = stderr.getvalue()
    for bar in ("reading ", "shape features", "scoring"):
        assert re.search(rf"{bar}.*100%.*30/30 \[.*star/s\]", err), bar
    assert "predictions:        standard output" in err
    # --quiet: the same CSV, nothing on standard error
    stderr.truncate(0)
    stderr.seek(0)
    assert main([*argv, "--min-obs", "20", "--quiet"]) == 0
    assert capsys.readouterr().out == out
    assert stderr.getvalue() == ""


def _summary(err):
    """The summary block of ``err`` as {label: text}."""
    block = err.split("summary\n", 1)[1]
    return dict(
        re.match(r"  ([^:]+): +(.*)", line).groups()
        for line in block.splitlines()
        if line.startswith("  ") and ": " in line
    )


def test_predict_summary_counts_match_the_csv(
    asassn_folder, tiny_model, tmp_path, capsys
):
    folder = tmp_path / "data"
    shutil.copytree(asassn_folder, folder)
    catalog = list(csv.reader(open(folder / "catalog.csv", newline="")))
    for row in catalog[5:9]:  # stars 4-7: no catalogue period, so searched
        row[2] = ""
    with open(folder / "catalog.csv", "w", newline="") as f:
        csv.writer(f).writerows(catalog)
    text = _star_file(folder, 3).read_text()
    _star_file(folder, 3).write_text(text[: len(text) // 2])  # truncated
    _star_file(folder, 20).unlink()  # no file
    _star_file(folder, 22).unlink()
    out = tmp_path / "pred.csv"
    assert _predict(folder, tiny_model, out, "--min-obs", "20") == 0
    summary = _summary(capsys.readouterr().err)
    with open(out) as f:
        rows = list(csv.DictReader(f))
    ok = [r for r in rows if r["status"] == "ok"]
    n_skipped = len(rows) - len(ok)
    assert n_skipped == 3
    assert summary["stars read"] == (
        f"{len(rows)} found, {len(ok)} predicted, {n_skipped} skipped "
        "(2 no light curve, 1 unreadable light curve)"
    )
    counts = {
        c: sum(r["predicted_class"] == c for r in ok) for c in ("EB", "M", "RRAB")
    }
    assert summary["classes predicted"] == ", ".join(
        f"{c} {n}" for c, n in counts.items()
    )
    n_novel = sum(r["novel"] == "1" for r in ok)
    assert summary["novel"].startswith(f"{n_novel} of {len(ok)} predicted stars")
    assert "offset_ = " in summary["novel"]
    n_flag = int(re.search(r", (\d+) flagged", summary["periods"]).group(1))
    assert summary["periods"].startswith("4 estimated by the period search")
    assert 0 <= n_flag <= 4
    assert summary["predictions"] == str(out)


def test_skip_reasons_are_counted_by_kind():
    from skdualnet.__main__ import _count_kinds

    reasons = [
        "no light-curve file found in /x for identifiers ['a']",
        "/x/a.csv: line 7 has 3 fields, expected 9 (truncated or corrupt file)",
        "/x/b.csv: not a UTF-8 text file, corrupt or binary (invalid at byte 0)",
        "5 usable observations, fewer than --min-obs 8",
        "something new happened at 12.5 days",
    ]
    assert _count_kinds(reasons) == (
        "2 unreadable light curve, 1 fewer than --min-obs observations, "
        "1 no light curve, 1 something new happened at N days"
    )


def test_demo_default_is_fast_and_full_is_todays_protocol():
    from skdualnet.__main__ import _demo_settings, build_parser

    def settings(*argv):
        return _demo_settings(build_parser().parse_args(["demo", *argv]))

    fast, full = settings(), settings("--full")
    assert (fast["n_per_class"], fast["n_novel"], fast["max_epochs"]) == (60, 60, 25)
    assert (full["n_per_class"], full["n_novel"], full["max_epochs"]) == (
        150,
        150,
        None,
    )
    assert fast["n_obs_range"] == full["n_obs_range"] == (200, 600)
    # the report says what was traded
    assert "--full" in fast["note"] and "6x the training time" in fast["note"]
    assert "12 test stars per class (instead of 30)" in fast["note"]
    assert "60 epochs" in full["note"]
    assert (
        settings("--full", "--n-per-class", "20", "--epochs", "5")["n_per_class"] == 20
    )
    with pytest.raises(SystemExit):
        build_parser().parse_args(["demo", "--full", "--quick"])


@pytest.mark.parametrize(
    "argv",
    [
        ["demo"],
        ["fit", "d", "--model", "m"],
        ["predict", "d"],
        ["convert", "a", "b"],
        ["evaluate", "d"],
    ],
)
def test_every_subcommand_takes_quiet(argv):
    from skdualnet.__main__ import build_parser

    assert build_parser().parse_args([*argv, "--quiet"]).quiet is True
    assert build_parser().parse_args(argv).quiet is False


def test_convert_quiet_prints_nothing(tmp_path, capsys):
    old = os.path.join(DATA, "model_format1_last.skdn")
    assert main(["convert", old, str(tmp_path / "new.skdn"), "--quiet"]) == 0
    assert capsys.readouterr() == ("", "")


def test_fit_with_the_boosting_head_predicts_from_its_trees(asassn_folder, tmp_path):
    pytest.importorskip("light_curve")
    import csv

    from skdualnet._persistence import load_model

    model = tmp_path / "boosting.skdn"
    argv = ["fit", str(asassn_folder), "--model", str(model), "--head", "boosting"]
    assert main([*argv, "--novelty", "combined", "--decision", "balanced", *TINY]) == 0
    pipe = load_model(model)
    assert pipe[-1].head == "boosting" and "head_trees_" in vars(pipe[-1])
    assert pipe[-1].novelty_ == "combined"
    assert pipe[-1].decision == "balanced"
    assert pipe[-1].decision_weights_.shape == pipe[-1].classes_.shape
    assert "classicalfeatures" in pipe.named_steps
    out = tmp_path / "pred.csv"
    assert _predict(asassn_folder, model, out, "--min-obs", "20") == 0
    with open(out) as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 30
    # the combined score is a mean of two ranks among the training stars
    scores = np.array([float(r["novelty_score"]) for r in rows])
    assert ((scores >= 0) & (scores <= 1)).all()
