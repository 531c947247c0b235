"""Tests of the survey readers on tiny fixtures in ``tests/data``.

The fixtures are written by ``tests/data/make_fixtures.py`` (deterministic);
the real data in ``/work/shared/data`` is never needed.
"""

import gzip
import io
import shutil
import sys
import tarfile
import warnings
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from skdualnet import LightCurves, PhaseFolder
from skdualnet.datasets import (
    ACVS_SUPERCLASS_MAP,
    RICHARDS_SUPERCLASS_MAP,
    SUPERCLASS_MAP,
    combine_datasets,
    from_long_format,
    load_asas_acvs,
    load_asas_richards2012,
    load_asassn,
    load_eros1_lmc,
    load_s82_rrlyrae,
    map_variable_type,
    read_asassn_catalog,
    read_asassn_lightcurve,
    select_catalog_rows,
    to_long_format,
)

DATA = Path(__file__).parent / "data"
ASASSN = DATA / "asassn"
LC = ASASSN / "lightcurves"
NAMES = [f"ASASSN-V J00000{i}.00+00000{i}.0" for i in range(1, 9)]


def lc_file(i):
    """Light-curve file of catalogue star ``i`` (1-based)."""
    return LC / (NAMES[i - 1].replace(" ", "_") + ".csv")


# ------------------------------------------------------------- class mapping
def test_superclass_map_is_method_table_1():
    table = {
        "CEP": {"CWA", "CWB", "DCEP", "DCEPS", "RVA"},
        "DSCT": {"DSCT", "HADS"},
        "EB": {"EA", "EB", "EW"},
        "M": {"M"},
        "ROT": {"ROT"},
        "RRAB": {"RRAB"},
        "RRCD": {"RRC", "RRD"},
        "SR": {"SR"},
        "VAR": {"VAR"},
    }
    expected = {t: sup for sup, types in table.items() for t in types}
    assert dict(SUPERCLASS_MAP) == expected
    with pytest.raises(TypeError):
        SUPERCLASS_MAP["YSO"] = "YSO"  # read-only


@pytest.mark.parametrize(
    "vtype, expected",
    [
        ("RRC", "RRCD"),
        ("rrd", "RRCD"),
        ("EW:", "EB"),
        (" ROT: ", "ROT"),
        ("EA|EB", "EB"),
        ("EA:|EW", "EB"),
        ("ROT|EA", None),
        ("VAR", "VAR"),
        ("YSO", None),
        ("L", None),
        ("", None),
        (None, None),
    ],
)
def test_map_variable_type(vtype, expected):
    assert map_variable_type(vtype) == expected


def test_map_variable_type_user_mapping():
    mapping = {"YSO": "YSO", "EA|EB": None, "EA": "EB", "EB": "EB"}
    assert map_variable_type("yso:", mapping) == "YSO"
    assert map_variable_type("EA|EB", mapping) is None  # listed verbatim wins
    assert map_variable_type("RRAB", mapping) is None


def test_richards_map_is_readme_mapping():
    assert RICHARDS_SUPERCLASS_MAP["RR_Lyrae_DM"] == "RRCD"
    assert RICHARDS_SUPERCLASS_MAP["ChemPeculiar"] == "ROT"
    superclasses = set(RICHARDS_SUPERCLASS_MAP.values())
    assert superclasses == {"CEP", "DSCT", "EB", "M", "ROT", "RRAB", "RRCD", "SR"}
    assert "RCB" not in RICHARDS_SUPERCLASS_MAP  # novel


# ------------------------------------------------------ ASAS-SN light curves
def test_read_lightcurve_known_values_and_nondetection_dropped():
    # CRLF endings, a comment line, a blank line, trailing commas, one '>' row
    curve, info = read_asassn_lightcurve(lc_file(1), return_info=True)
    assert curve.shape == (19, 3)
    assert curve.dtype == np.float64
    assert_allclose(curve[0], [2457000.23057, 13.839, 0.019])
    assert_allclose(curve[-1], [2457026.16667, 13.961, 0.015])
    assert 2457006.87157 not in curve[:, 0]  # the '>17.200' non-detection
    assert np.all(np.diff(curve[:, 0]) > 0)
    assert info == {
        "n_rows": 20,
        "n_nondetections": 1,
        "n_flagged": 0,
        "band": "V",
        "n_per_band": {"V": 19},
    }


@pytest.mark.parametrize(
    "band, n_obs, kept",
    [(None, 18, "g"), ("V", 12, "V"), ("v", 12, "V"), ("g", 18, "g")],
)
def test_read_lightcurve_band_selection(band, n_obs, kept):
    curve, info = read_asassn_lightcurve(lc_file(2), band=band, return_info=True)
    assert len(curve) == n_obs
    assert info["band"] == kept
    assert info["n_per_band"] == {"V": 12, "g": 18}
    # the fixture's V curve precedes its g curve and is ~0.4 mag brighter
    if kept == "V":
        assert curve[:, 0].max() < 2458500
        assert abs(np.mean(curve[:, 1]) - 14.0) < 0.3
    else:
        assert curve[:, 0].min() >= 2458500
        assert abs(np.mean(curve[:, 1]) - 14.4) < 0.3


def test_read_lightcurve_band_errors():
    with pytest.raises(ValueError, match="band must be"):
        read_asassn_lightcurve(lc_file(2), band="r")
    with pytest.raises(ValueError, match="no usable observation in band 'g'") as exc:
        read_asassn_lightcurve(lc_file(1), band="g")  # V-only file
    assert str(lc_file(1)) in str(exc.value)


def test_read_lightcurve_file_objects_and_gzip(tmp_path):
    expected = read_asassn_lightcurve(lc_file(1))
    raw = lc_file(1).read_bytes()
    assert_array_equal(read_asassn_lightcurve(io.BytesIO(raw)), expected)
    assert_array_equal(read_asassn_lightcurve(io.StringIO(raw.decode())), expected)
    gz = tmp_path / "star.csv.gz"
    gz.write_bytes(gzip.compress(raw))
    assert_array_equal(read_asassn_lightcurve(gz), expected)


def test_read_lightcurve_sentinels_flagged():
    text = (
        "HJD,mag,mag_err\n"
        "1.0,12.0,0.01\n"
        "2.0,12.1,99.990\n"  # failed photometry
        "3.0,nan,0.01\n"
        "4.0,>16.5,99.99\n"
        "5.0,12.2,0.02\n"
    )
    curve, info = read_asassn_lightcurve(io.StringIO(text), return_info=True)
    assert_array_equal(curve[:, 0], [1.0, 5.0])
    assert (info["n_flagged"], info["n_nondetections"]) == (2, 1)


def test_corrupt_file_names_file_and_problem():
    path = lc_file(6)
    with pytest.raises(ValueError, match="truncated or corrupt") as excinfo:
        read_asassn_lightcurve(path)
    assert str(path) in str(excinfo.value)
    assert "line 13" in str(excinfo.value)


@pytest.mark.parametrize(
    "content, match",
    [
        (b"", "empty file"),
        (b"\n# only a comment\n", "empty file"),
        (b"time,flux\n1,2\n", "header has no mag, mag_err column"),
        (b"HJD,mag,mag_err\n1.0,abc,0.1\n", "cannot parse"),
        (b"HJD,mag,mag_err\n1.0,>17,99.99\n", "no usable observation"),
        (b"HJD,mag,mag_err\n", "no usable observation"),
        (b"\xff\xfe\x00\x81garbage", "not a UTF-8 text file"),
        (b"\x1f\x8b\x08\x00broken gzip", "cannot read file"),
    ],
)
def test_read_lightcurve_unusable_files(tmp_path, content, match):
    path = tmp_path / "bad_star.csv"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=match) as excinfo:
        read_asassn_lightcurve(path)
    assert "bad_star.csv" in str(excinfo.value)


def test_read_lightcurve_missing_file(tmp_path):
    with pytest.raises(ValueError, match="nope.csv: file not found"):
        read_asassn_lightcurve(tmp_path / "nope.csv")


# ---------------------------------------------------------- ASAS-SN catalogue
def test_read_catalog_known_values():
    cat = read_asassn_catalog(ASASSN / "catalog.csv")
    assert set(cat) == {
        "ids",
        "type",
        "period",
        "probability",
        "mean_mag",
        "file",
        "aliases",
    }
    assert_array_equal(cat["ids"], NAMES)  # asassn_name preferred to source_id
    # every identifier-like column, for the file lookup; no file column
    assert cat["aliases"][1] == [NAMES[1], "102"]
    assert cat["file"].tolist() == [""] * 8
    _, info = read_asassn_catalog(ASASSN / "catalog.csv", return_info=True)
    assert info == {"missing_columns": set()}
    types = "RRAB EW VAR SR DCEP: EA|EB YSO ROT".split()
    assert cat["type"].tolist() == types
    assert_allclose(cat["period"][[0, 1, 4]], [0.55, 0.33, 5.366])
    assert np.isnan(cat["period"][2])  # blank period of the VAR star
    assert_allclose(cat["probability"][3], 0.5)
    assert_allclose(cat["mean_mag"], [13.2, 14, 15, 12.5, 12, 16, 13, 10.5])


def test_read_catalog_tolerant_column_names(tmp_path):
    path = tmp_path / "cat.csv"
    path.write_text("\ufeffID , CLASS,Per,Prob,Mag,\r\nx1,RRAB,0.5,0.95,12.0,\r\n")
    cat = read_asassn_catalog(path)
    assert cat["ids"].tolist() == ["x1"]
    assert cat["type"].tolist() == ["RRAB"]
    assert_allclose([cat["period"][0], cat["probability"][0]], [0.5, 0.95])
    # optional columns may be absent
    path.write_text("source_id,type,file\n7,EW,a/7.csv\n")
    cat, info = read_asassn_catalog(path, return_info=True)
    assert cat["ids"].tolist() == ["7"]
    assert cat["file"].tolist() == ["a/7.csv"]
    assert np.isnan(cat["period"]).all() and np.isnan(cat["mean_mag"]).all()
    assert info["missing_columns"] == {"period", "probability", "mean_mag"}


def test_select_catalog_rows_known_cuts():
    cat = read_asassn_catalog(ASASSN / "catalog.csv")
    # RRAB EW VAR SR DCEP: EA|EB YSO ROT; probabilities .99 .95 .97 .5 .92
    # .93 .99 .99; magnitudes 13.2 14 15 12.5 12 16 13 10.5
    labels, keep, counts = select_catalog_rows(cat)
    assert labels.tolist() == ["RRAB", "EB", "VAR", "SR", "CEP", "EB", None, "ROT"]
    assert keep.tolist() == [True, True, True, False, True, True, False, False]
    assert counts == {"unmapped": 1, "novel": 0, "probability": 1, "magnitude": 1}
    _, keep, counts = select_catalog_rows(
        cat, include_novel=False, min_probability=None, mag_range=None
    )
    assert keep.tolist() == [True, True, False, True, True, True, False, True]
    assert counts == {"unmapped": 1, "novel": 1, "probability": 0, "magnitude": 0}
    # a catalogue without a probability column skips that cut
    _, keep, counts = select_catalog_rows(cat, missing_columns={"probability"})
    assert keep[3] and counts["probability"] == 0


def test_read_catalog_errors(tmp_path):
    path = tmp_path / "cat.csv"
    path.write_text("id,period\nx,1.0\n")
    with pytest.raises(ValueError, match="cat.csv.*no 'type' column"):
        read_asassn_catalog(path)
    path.write_text("id,type,period\nx,EW,1.0\ny,EW\n")
    with pytest.raises(ValueError, match="cat.csv: line 3 has 2 fields, expected 3"):
        read_asassn_catalog(path)


# ---------------------------------------------------------- ASAS-SN: loading
def test_load_asassn_skip_keeps_the_other_stars():
    with pytest.warns(UserWarning, match=r"skipped 1 star.*J000006") as record:
        X, y, fine, info = load_asassn(
            ASASSN,
            min_obs=10,
            on_error="skip",
            return_fine_labels=True,
            return_info=True,
        )
    assert "truncated or corrupt" in str(record[0].message)
    assert isinstance(X, LightCurves)
    assert_array_equal(X.ids, [NAMES[i] for i in (0, 1, 2, 4)])
    assert_array_equal(y, ["RRAB", "EB", "VAR", "CEP"])
    assert_array_equal(fine, ["RRAB", "EW", "VAR", "DCEP:"])
    assert_allclose(X.period, [0.55, 0.33, np.nan, 5.366])
    # default band="V": 12 V rows of the mixed file; star 5 found by source_id
    assert [len(c) for c in X.curves] == [19, 12, 15, 25]
    assert info["n_catalog"] == 8
    assert (info["unmapped"], info["probability"], info["magnitude"]) == (1, 1, 1)
    assert (info["errors"], info["non_detections"], info["min_obs"]) == (1, 1, 0)
    assert list(info["skipped"]) == [NAMES[5]]


def test_load_asassn_raise_names_the_star():
    with pytest.raises(ValueError) as excinfo:
        load_asassn(ASASSN, min_obs=10)
    message = str(excinfo.value)
    assert NAMES[5] in message
    assert "truncated or corrupt" in message


@pytest.mark.parametrize(
    "kwargs, expected_ids",
    [
        ({"min_obs": 16}, [0, 4]),  # 12 and 15 observations are too few
        ({"min_obs": 10, "include_novel": False}, [0, 1, 4]),
        ({"min_obs": 10, "min_probability": 0.96}, [0, 2]),
        ({"min_obs": 10, "mag_range": (12.5, 14.5)}, [0, 1]),
        ({"min_obs": 10, "band": None}, [0, 1, 2, 4]),
    ],
)
def test_load_asassn_cuts(kwargs, expected_ids):
    # the corrupt star 6 (probability 0.93, V = 16) is only read, and skipped
    # with a warning, when it passes the catalogue cuts
    reads_corrupt = (
        kwargs.get("min_probability", 0.9) <= 0.93 and "mag_range" not in kwargs
    )
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        X, y = load_asassn(ASASSN, on_error="skip", **kwargs)
    assert any("J000006" in str(w.message) for w in record) == reads_corrupt
    assert_array_equal(X.ids, [NAMES[i] for i in expected_ids])
    assert len(y) == len(X)
    if kwargs.get("band", "V") is None:
        assert len(X.curves[1]) == 18  # most populous band (g) of the mixed file


def test_load_asassn_disabled_cuts_reach_unreadable_stars():
    # without the probability and magnitude cuts, the SR star (no file) and the
    # bright ROT star (no file) are selected, so they are reported as errors
    with pytest.warns(UserWarning, match="skipped 3 star") as record:
        X, y = load_asassn(
            ASASSN, min_obs=None, min_probability=None, mag_range=None, on_error="skip"
        )
    message = str(record[0].message)
    assert NAMES[3] in message and NAMES[7] in message
    assert "no light-curve file found" in message
    assert len(X) == 4


def test_load_asassn_custom_mapping():
    mapping = {"RRAB": "RRL", "DCEP": "CEP"}
    X, y = load_asassn(ASASSN, mapping=mapping, min_obs=10)  # corrupt star unmapped
    assert_array_equal(y, ["RRL", "CEP"])


def test_load_asassn_default_min_obs_leaves_nothing():
    with pytest.warns(UserWarning), pytest.raises(ValueError, match="no star left"):
        load_asassn(ASASSN, on_error="skip")


def test_load_asassn_autodetects_catalog_and_flat_folder(tmp_path):
    shutil.copy(ASASSN / "catalog.csv", tmp_path / "asassn_variables.csv")
    for path in LC.iterdir():
        shutil.copy(path, tmp_path / path.name)
    with pytest.warns(UserWarning, match="J000006"):
        X, y = load_asassn(tmp_path, min_obs=10, on_error="skip")
    assert_array_equal(y, ["RRAB", "EB", "VAR", "CEP"])
    # a second catalogue makes the choice ambiguous
    shutil.copy(ASASSN / "catalog.csv", tmp_path / "other.csv")
    with pytest.raises(ValueError, match="found 2 catalogue"):
        load_asassn(tmp_path, min_obs=10)
    X, y = load_asassn(
        tmp_path, catalog="other.csv", min_obs=10, mapping={"RRAB": "RRAB"}
    )
    assert len(X) == 1


def test_load_asassn_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="on_error"):
        load_asassn(ASASSN, on_error="ignore")
    with pytest.raises(ValueError, match="missing.csv: catalogue file not found"):
        load_asassn(ASASSN, catalog="missing.csv")
    with pytest.raises(ValueError, match="found no catalogue"):
        load_asassn(tmp_path)
    with pytest.raises(ValueError, match="light-curve folder not found"):
        load_asassn(ASASSN, lightcurve_dir="nowhere")


# --------------------------------------------------------- Richards (ASAS)
def _tar_member(path, name):
    with tarfile.open(path) as tar:
        return np.loadtxt(tar.extractfile(name), delimiter=",")


def test_load_asas_richards2012():
    folder = DATA / "richards"
    X, y, fine = load_asas_richards2012(folder, return_fine_labels=True)
    assert_array_equal(X.ids, ["215181", "215311", "229999"])
    assert_array_equal(y, ["RRAB", "EB", "novel"])
    assert_array_equal(fine, ["RR_Lyrae_FM", "W_Ursae_Maj", "RCB"])
    assert [len(c) for c in X.curves] == [24, 18, 12]
    assert np.isnan(X.period).all()
    expected = _tar_member(folder / "lightcurves.tar.gz", "lightcurves/215311.dat")
    assert_allclose(X.curves[1], expected)


def test_load_asas_richards2012_mapping_and_novel_label():
    folder = DATA / "richards"
    X, y = load_asas_richards2012(folder, novel_label=None)
    assert_array_equal(y, ["RRAB", "EB"])
    X, y = load_asas_richards2012(folder, {"RCB": "RCB"}, novel_label="other")
    assert_array_equal(y, ["other", "other", "RCB"])


def test_load_asas_richards2012_missing_star(tmp_path):
    shutil.copy(DATA / "richards" / "lightcurves.tar.gz", tmp_path)
    (tmp_path / "classes.csv").write_text("id,class\n215181,RR_Lyrae_FM\n999,Mira\n")
    with pytest.raises(ValueError, match="star '999': no lightcurves/999.dat"):
        load_asas_richards2012(tmp_path)
    with pytest.warns(UserWarning, match="skipped 1 star.*999"):
        X, y = load_asas_richards2012(tmp_path, on_error="skip")
    assert_array_equal(y, ["RRAB"])


# ------------------------------------------------------------ ASAS ACVS
def test_load_asas_acvs():
    folder = DATA / "acvs"
    X, y, fine = load_asas_acvs(folder, return_fine_labels=True)
    assert_array_equal(X.ids, ["149390", "150001", "151002"])
    assert_array_equal(y, ["EB", "M", "novel"])
    assert_array_equal(fine, ["Contact Systems", "Mira", "Alpha2 Canum Venaticorum"])
    assert [len(c) for c in X.curves] == [20, 16, 14]
    assert np.isnan(X.period).all()
    expected = _tar_member(folder / "lightcurves.tar.gz", "lightcurves/150001.dat")
    assert_allclose(X.curves[1], expected)
    X, y = load_asas_acvs(folder, novel_label=None)
    assert_array_equal(y, ["EB", "M"])


def test_acvs_mapping_covers_the_readme_classes():
    assert ACVS_SUPERCLASS_MAP["RR Lyrae, First Overtone"] == "RRCD"
    assert ACVS_SUPERCLASS_MAP["Semidetached"] == "EB"
    assert set(ACVS_SUPERCLASS_MAP.values()) == {"EB", "M", "RRAB", "RRCD", "DSCT"}
    assert "Alpha2 Canum Venaticorum" not in ACVS_SUPERCLASS_MAP  # novel
    assert "Beta Cephei" not in ACVS_SUPERCLASS_MAP


def test_combine_datasets_keeps_ids_and_order():
    a = load_asas_acvs(DATA / "acvs")
    b = load_asas_richards2012(DATA / "richards")
    X, y = combine_datasets(a, b)
    assert_array_equal(X.ids, list(a[0].ids) + list(b[0].ids))
    assert_array_equal(y, ["EB", "M", "novel", "RRAB", "EB", "novel"])
    assert_allclose(X.curves[4], b[0].curves[1])
    assert np.isnan(X.period).all()


def test_combine_datasets_refuses_duplicates_and_mixed_input():
    a = load_asas_acvs(DATA / "acvs")
    with pytest.raises(ValueError, match="star '150001' is in set 0 and in set 1"):
        combine_datasets(a, (a[0][[1]], a[1][[1]]))
    with pytest.raises(ValueError, match="set 1: 1 stars but 2 labels"):
        combine_datasets(
            a, (load_asas_richards2012(DATA / "richards")[0][[0]], ["x", "y"])
        )
    with pytest.raises(ValueError, match="at least one"):
        combine_datasets()
    no_ids = LightCurves.from_arrays(a[0].curves[:1])
    with pytest.raises(ValueError, match="set 1: its stars have no ids"):
        combine_datasets(a, (no_ids, ["EB"]))
    folded = PhaseFolder().fit_transform(a[0])
    with pytest.raises(ValueError, match="set 0: combine raw light curves"):
        combine_datasets((folded, a[1]))


def test_cli_detects_the_acvs_folder():
    from skdualnet.__main__ import detect_format

    assert detect_format(DATA / "acvs") == "acvs"
    assert detect_format(DATA / "richards") == "richards2012"


# ---------------------------------------------------------------- EROS-1
@pytest.mark.parametrize("band, n_obs", [("r", [12, 11, 15]), ("b", [14, 10, 13])])
def test_load_eros1_lmc(band, n_obs):
    X, y = load_eros1_lmc(DATA / "eros", band=band)
    assert_array_equal(X.ids, ["135_9613", "271_4304", "223_530"])
    assert_array_equal(y, ["RRL", "M", "EB"])
    assert_allclose(X.period, [0.6, 280.0, 2.5])  # period / div_period
    assert [len(c) for c in X.curves] == n_obs
    assert X.features is None
    first_time = {"r": 290.23, "b": 290.14}[band]
    assert_allclose(X.curves[0][0, 0], first_time)


def test_load_eros1_lmc_both_bands():
    X, y = load_eros1_lmc(DATA / "eros", band="both")
    Xr, _ = load_eros1_lmc(DATA / "eros", band="r")
    for a, b in zip(X.curves, Xr.curves, strict=True):
        assert_array_equal(a, b)
    assert_allclose(X.features[:, 0], [19.15 - 18.8, 17.68 - 15.31, 16.48 - 15.5])
    with pytest.raises(ValueError, match="'band' parameter of load_eros1_lmc"):
        load_eros1_lmc(DATA / "eros", band="v")


# ------------------------------------------------------------- Stripe 82
@pytest.mark.parametrize(
    "band, n_obs", [("g", [18, 14]), ("u", [19, 15]), ("r", [20, 16])]
)
def test_load_s82_rrlyrae(band, n_obs):
    X, y = load_s82_rrlyrae(DATA / "s82", band=band)
    assert_array_equal(X.ids, ["4099", "13350"])
    assert_array_equal(y, ["RRAB", "RRC"])
    assert_allclose(X.period, [0.641754351271, 0.3123])
    assert [len(c) for c in X.curves] == n_obs
    for curve in X.curves:
        assert np.all((curve[:, 1] > 0) & (curve[:, 1] < 40))
    first_time = {"g": 51081.58449, "u": 51081.40534, "r": 51081.45755}[band]
    assert_allclose(X.curves[0][0, 0], first_time)


def test_load_s82_rrlyrae_bad_band():
    with pytest.raises(ValueError, match="'band' parameter of load_s82_rrlyrae"):
        load_s82_rrlyrae(DATA / "s82", band="V")


# ------------------------------------------------------------- long format
def _example():
    rng = np.random.default_rng(0)
    curves = [
        np.c_[
            np.sort(rng.uniform(0, 50, n)),
            rng.normal(14, 1, n),
            rng.uniform(0.01, 0.1, n),
        ]
        for n in (5, 3, 7)
    ]
    X = LightCurves.from_arrays(curves, period=[0.5, np.nan, 3.0], ids=["a", "b", "c"])
    return X, np.array(["RRAB", "EB", "RRAB"])


def _assert_same(X1, X2):
    assert len(X1) == len(X2)
    for a, b in zip(X1.curves, X2.curves, strict=True):
        assert_array_equal(a, b)
    assert_array_equal(X1.ids, X2.ids)
    assert_allclose(X1.period, X2.period)


def test_long_format_round_trip():
    X, y = _example()
    table = to_long_format(X, y)
    assert list(table) == ["star_id", "time", "mag", "err", "period", "label"]
    assert table["star_id"].tolist() == ["a"] * 5 + ["b"] * 3 + ["c"] * 7
    assert_array_equal(table["label"][:6], ["RRAB"] * 5 + ["EB"])
    X2, y2 = from_long_format(table, period="period", label_col="label")
    _assert_same(X, X2)
    assert_array_equal(y, y2)


def test_long_format_shuffled_rows_and_other_period_specs():
    X, y = _example()
    table = to_long_format(X)
    perm = np.random.default_rng(1).permutation(len(table["time"]))
    shuffled = {key: value[perm] for key, value in table.items()}
    X2 = from_long_format(shuffled, period={"a": 0.5, "c": 3.0})
    order = np.argsort([list(X.ids).index(i) for i in X2.ids])
    _assert_same(X, X2[order])
    X3 = from_long_format(table, period=[0.5, np.nan, 3.0])
    _assert_same(X, X3)


def test_long_format_on_recorded_fixture():
    X, y = load_eros1_lmc(DATA / "eros")
    X2, y2 = from_long_format(to_long_format(X, y), period="period", label_col="label")
    _assert_same(X, X2)
    assert_array_equal(y, y2)


class _FrameLike:
    """Duck-typed stand-in for a pandas DataFrame (column access only)."""

    def __init__(self, columns):
        self._columns = columns

    def __getitem__(self, name):
        return list(self._columns[name])


def test_from_long_format_duck_typed_table_and_defaults():
    table = _FrameLike({"id": [3, 3, 4], "t": [2.0, 1.0, 5.0], "m": [10.0, 11.0, 12.0]})
    X = from_long_format(table, star_col="id", time_col="t", mag_col="m", err_col=None)
    assert_array_equal(X.ids, [3, 4])
    assert_array_equal(X.curves[0], [[1.0, 11.0, 1.0], [2.0, 10.0, 1.0]])
    assert np.isnan(X.period).all()


def test_from_long_format_errors():
    table = {
        "star_id": ["a", "a"],
        "time": [1.0, 2.0],
        "mag": [1.0, 2.0],
        "err": [0.1, 0.1],
        "period": [1.0, 2.0],
    }
    with pytest.raises(ValueError, match="no column 'flux'"):
        from_long_format(table, mag_col="flux")
    with pytest.raises(ValueError, match="period column 'period' varies within star"):
        from_long_format(table, period="period")
    with pytest.raises(ValueError, match="shape"):
        from_long_format(dict(table, time=[1.0]))


def test_to_long_format_without_ids_and_bad_y():
    X = LightCurves.from_arrays([np.ones((2, 3)), np.ones((1, 3))])
    assert to_long_format(X)["star_id"].tolist() == [0, 0, 1]
    with pytest.raises(ValueError, match="one label per star"):
        to_long_format(X, ["a"])


def test_to_long_format_as_frame_needs_pandas(monkeypatch):
    X, y = _example()
    monkeypatch.setitem(sys.modules, "pandas", None)  # simulate pandas missing
    with pytest.raises(ImportError, match="requires pandas"):
        to_long_format(X, y, as_frame=True)


# ------------------------------------- regressions found by test_fuzz_readers
def test_read_lightcurve_huge_field_is_a_named_error(tmp_path):
    # used to crash with _csv.Error ("field larger than field limit")
    path = tmp_path / "huge.csv"
    path.write_text('HJD,mag,mag_err\n1.0,12.0,0.1\n2.0,"' + "x" * 140_000 + "\n")
    with pytest.raises(ValueError, match=r"huge.csv: line 3 is not valid CSV"):
        read_asassn_lightcurve(path)


def test_open_quote_does_not_swallow_the_next_lines(tmp_path):
    # csv used to join the lines after an unbalanced quote into one field
    path = tmp_path / "cat.csv"
    path.write_text('id,type\n"a,EW\nb,EW\nc,RRAB\n')
    with pytest.raises(ValueError, match="cat.csv: line 2 has 1 fields"):
        read_asassn_catalog(path)


def _asassn_copy(tmp_path, catalog_text):
    shutil.copytree(LC, tmp_path / "lightcurves")
    (tmp_path / "catalog.csv").write_text(catalog_text)
    return tmp_path


def test_load_asassn_skip_leaves_out_a_malformed_catalogue_row(tmp_path):
    lines = (ASASSN / "catalog.csv").read_text().splitlines()
    lines[3] = lines[3].rsplit(",", 2)[0]  # star 2 (EW): truncated row
    folder = _asassn_copy(tmp_path, "\n".join(lines) + "\n")
    with pytest.raises(ValueError, match="catalog.csv: line 4 has 6 fields"):
        load_asassn(folder, min_obs=10)
    with pytest.warns(UserWarning, match=r"skipped 2 star.*J000002.*line 4"):
        X, y, info = load_asassn(folder, min_obs=10, on_error="skip", return_info=True)
    assert_array_equal(X.ids, [NAMES[i] for i in (0, 2, 4)])
    assert set(info["skipped"]) == {NAMES[1], NAMES[5]}


def test_load_asassn_duplicate_catalogue_rows_load_once(tmp_path):
    lines = (ASASSN / "catalog.csv").read_text().splitlines()
    folder = _asassn_copy(tmp_path, "\n".join([*lines, lines[2]]) + "\n")
    with pytest.warns(UserWarning) as record:
        X, y, info = load_asassn(folder, min_obs=10, on_error="skip", return_info=True)
    messages = [str(w.message) for w in record]
    assert any("1 duplicate catalogue row(s) for star(s) 'ASASSN-V J000001" in m
               for m in messages)  # fmt: skip
    assert_array_equal(X.ids, [NAMES[i] for i in (0, 1, 2, 4)])
    assert info["duplicates"] == 1


def _richards_copy(tmp_path, members):
    (tmp_path / "classes.csv").write_text(
        "id,class\n" + "".join(f"{m},Mira\n" for m in members)
    )
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, text in members.items():
            info = tarfile.TarInfo(f"lightcurves/{name}.dat")
            info.size = len(text)
            tar.addfile(info, io.BytesIO(text))
    (tmp_path / "lightcurves.tar.gz").write_bytes(gzip.compress(buf.getvalue()))
    return tmp_path


def test_load_asas_richards2012_all_nan_star_is_skipped_not_fatal(tmp_path):
    # used to fail the whole data set in check_light_curves, even with "skip"
    folder = _richards_copy(
        tmp_path, {"1": b"1.0,12.0,0.1\n2.0,12.5,0.1\n", "2": b"nan,nan,0.1\n"}
    )
    with pytest.raises(ValueError, match="star '2'.*no observation with a finite"):
        load_asas_richards2012(folder)
    with pytest.warns(UserWarning, match="skipped 1 star.*2: .*no observation"):
        X, y = load_asas_richards2012(folder, on_error="skip")
    assert_array_equal(X.ids, ["1"])
    assert_array_equal(X.curves[0], [[1.0, 12.0, 0.1], [2.0, 12.5, 0.1]])


def test_corrupt_gzip_stream_of_an_archive_is_a_named_error(tmp_path):
    # a flipped byte in the deflate stream raised zlib.error, or went unnoticed
    folder = _richards_copy(tmp_path, {"1": b"1.0,12.0,0.1\n" * 200})
    path = folder / "lightcurves.tar.gz"
    data = path.read_bytes()
    path.write_bytes(data[:-6] + bytes([data[-6] ^ 0xFF]) + data[-5:])  # CRC
    with pytest.raises(ValueError, match="lightcurves.tar.gz: cannot read archive"):
        load_asas_richards2012(folder, on_error="skip")


def _eros_copy(tmp_path, edit):
    shutil.copy(DATA / "eros" / "lightcurves.csv.gz", tmp_path)
    lines = (DATA / "eros" / "stars.csv").read_text().splitlines()
    (tmp_path / "stars.csv").write_text("\n".join(edit(lines)) + "\n")
    return tmp_path


def test_load_eros1_lmc_both_with_a_missing_magnitude_skips_the_star(tmp_path):
    # a NaN colour used to fail the whole data set, even with on_error="skip"
    folder = _eros_copy(
        tmp_path, lambda ls: [*ls[:2], ls[2].replace("17.68", ""), ls[3]]
    )
    with pytest.raises(ValueError, match="star '271_4304'.*magnitude_b"):
        load_eros1_lmc(folder, band="both")
    with pytest.warns(UserWarning, match="skipped 1 star.*271_4304"):
        X, y = load_eros1_lmc(folder, band="both", on_error="skip")
    assert_array_equal(X.ids, ["135_9613", "223_530"])
    assert_allclose(X.features[:, 0], [19.15 - 18.8, 16.48 - 15.5])


def test_load_eros1_lmc_malformed_and_duplicate_rows(tmp_path):
    folder = _eros_copy(tmp_path, lambda ls: [ls[0], ls[1], ls[1], ls[2][:20], ls[3]])
    with pytest.raises(ValueError, match="stars.csv: line 4 has"):
        load_eros1_lmc(folder)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        X, y = load_eros1_lmc(folder, on_error="skip")
    messages = " ".join(str(w.message) for w in record)
    assert "duplicate catalogue row(s) for star(s) '135_9613'" in messages
    assert "skipped 1 star" in messages and "271_4304" in messages
    assert_array_equal(X.ids, ["135_9613", "223_530"])


def test_load_s82_rrlyrae_truncated_table2_row(tmp_path):
    shutil.copy(DATA / "s82" / "table1_lightcurves.tar.gz", tmp_path)
    text = "#id type P gA\n4099 ab 0.641754351271 0.5\n13350\n"
    (tmp_path / "table2_periods_types.dat.gz").write_bytes(gzip.compress(text.encode()))
    with pytest.raises(ValueError, match="line 3: truncated row"):
        load_s82_rrlyrae(tmp_path)
    with pytest.warns(UserWarning, match="skipped 1 star.*13350"):
        X, y = load_s82_rrlyrae(tmp_path, on_error="skip")
    assert_array_equal(X.ids, ["4099"])


@pytest.mark.parametrize(
    "change, match",
    [
        ({"star_id": [0, None, 1]}, "column 'star_id': row 1 has no star identifier"),
        ({"star_id": [0.0, np.nan, 1.0]}, "row 1 has no star identifier"),
        ({"star_id": np.array([0, "a", 1], dtype=object)}, "cannot be compared"),
        ({"mag": [1.0, "abc", 2.0]}, "column 'mag' is not numeric"),
        ({"time": 3.0}, "column 'time' must be one-dimensional"),
        ({"period": [0.5]}, r"period column 'period' has shape \(1,\)"),
    ],
)
def test_from_long_format_bad_columns_are_named(change, match):
    # used to raise TypeError from np.unique/len() or IndexError (short period
    # column), or numpy's error without the column name
    table = {
        "star_id": [0, 0, 1],
        "time": [1.0, 2.0, 3.0],
        "mag": [1.0, 2.0, 3.0],
        "period": [0.5, 0.5, 0.7],
    }
    with pytest.raises(ValueError, match=match):
        from_long_format({**table, **change}, err_col=None, period="period")
