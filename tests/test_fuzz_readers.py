"""Property-based tests: random valid and corrupted survey files through the readers.

Every public reader either returns valid light curves (finite, sorted by time,
ids preserved) or raises a ``ValueError`` naming the file, line or star; with
``on_error="skip"`` one corrupt star never loses the others, and every star
left out is named in the ``UserWarning``.
"""

import gzip
import io
import re
import tarfile
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skdualnet import LightCurves
from skdualnet.datasets import (
    from_long_format,
    load_asas_richards2012,
    load_asassn,
    load_eros1_lmc,
    load_s82_rrlyrae,
    read_asassn_catalog,
    read_asassn_lightcurve,
)

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

ASASSN_HEADER = "HJD,UT Date,Camera,FWHM,Limit,mag,mag_err,flux(mJy),flux_err"
ASASSN_TYPES = {"RRAB": "RRAB", "EW": "EB", "M": "M", "SR": "SR", "DCEP": "CEP"}
EROS_CODES = {1: "EB", 2: "CEP", 3: "RRL", 4: "M"}


# ------------------------------------------------------------------ strategies
def _num(lo, hi, places):
    """Floats written exactly in ``places`` decimals (exact round trips)."""
    return st.integers(lo * 10**places, hi * 10**places).map(lambda k: k / 10**places)


@st.composite
def curves(draw, min_obs=1, max_obs=12):
    """One star: unsorted (time, mag, err) rows, duplicate times allowed."""
    n = draw(st.integers(min_obs, max_obs))
    t = draw(st.lists(_num(0, 3000, 4), min_size=n, max_size=n))
    m = draw(st.lists(_num(8, 20, 3), min_size=n, max_size=n))
    e = draw(st.lists(_num(0, 1, 3).filter(lambda v: v > 0), min_size=n, max_size=n))
    return np.column_stack([t, m, e])


@st.composite
def star_sets(draw, max_stars=4):
    """Distinct integer ids with one curve each."""
    n = draw(st.integers(1, max_stars))
    ids = draw(st.lists(st.integers(1, 99999), min_size=n, max_size=n, unique=True))
    return [(str(i), draw(curves())) for i in ids]


GARBAGE = st.sampled_from(
    [
        "nan",
        "inf",
        "-inf",
        "",
        " ",
        "abc",
        ">17.2",
        "1e400",
        "99.99",
        "-99.99",
        '"',
        '"unclosed, quote',
        "[1.0, 2.0",
        "]",
        "#",
        '"' + "x" * 140_000,  # over the csv module's field size limit
    ]
)
CORRUPTIONS = (
    "bad_value",
    "wrong_columns",
    "garbage_line",
    "duplicate_row",
    "cut_line",
    "truncate",
    "non_utf8",
    "nul",
    "empty",
    "header_only",
)
# Corruptions confined to one data line: other lines (stars) stay readable.
LOCAL = {"bad_value", "wrong_columns", "garbage_line", "duplicate_row", "cut_line"}


@st.composite
def corruptions(draw, text, sep=","):
    """Return ``(kind, bytes)``: ``text`` with one kind of damage."""
    kind = draw(st.sampled_from(CORRUPTIONS))
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    data_lines = range(1, len(lines)) if len(lines) > 1 else range(1)
    i = draw(st.sampled_from(data_lines))
    if kind == "bad_value":
        fields = lines[i].split(sep)
        j = draw(st.integers(0, len(fields) - 1))
        fields[j] = draw(GARBAGE)
        lines[i] = sep.join(fields)
    elif kind == "wrong_columns":
        fields = lines[i].split(sep)
        if draw(st.booleans()) and len(fields) > 1:
            fields.pop(draw(st.integers(0, len(fields) - 1)))
        else:
            fields.append(draw(GARBAGE | st.just("1.0")))
        lines[i] = sep.join(fields)
    elif kind == "garbage_line":
        junk = draw(GARBAGE | st.text(st.characters(blacklist_categories=["Cc", "Cs"])))
        lines.insert(max(i, 1), junk)
    elif kind == "duplicate_row":
        lines.insert(i, lines[i])
    elif kind == "cut_line":
        lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))]
    raw = ("\n".join(lines) + "\n").encode()
    if kind == "truncate":
        raw = raw[: draw(st.integers(0, len(raw)))]
    elif kind in ("non_utf8", "nul"):
        at = draw(st.integers(0, len(raw)))
        bad = draw(st.sampled_from([b"\xff", b"\xc3(", b"\x80\x81"]))
        raw = raw[:at] + (b"\x00" if kind == "nul" else bad) + raw[at:]
    elif kind == "empty":
        raw = b""
    elif kind == "header_only":
        raw = (lines[0] + "\n").encode()
    return kind, raw


def _damaged_gzip(draw, raw):
    """Gzip ``raw``, then maybe truncate or flip a byte of the compressed stream."""
    data = gzip.compress(raw, mtime=0)
    how = draw(st.sampled_from(["intact", "intact", "truncate", "flip"]))
    if how == "truncate":
        data = data[: draw(st.integers(0, len(data) - 1))]
    elif how == "flip":
        at = draw(st.integers(0, len(data) - 1))
        data = data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1 :]
    return how, data


def _targz(members):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


# -------------------------------------------------------------------- writers
def _asassn_csv(curve, filter_col=False):
    lines = [ASASSN_HEADER + (",Filter" if filter_col else "")]
    for t, m, e in curve:
        row = f"{float(t)!r},2015-01-01,bd,1.5,17.5,{float(m)!r},{float(e)!r},1,0"
        lines.append(row + (",V" if filter_col else ""))
    return "\n".join(lines) + "\n"


def _write_asassn(folder, stars, types):
    (folder / "lightcurves").mkdir()
    cat = ["ASASSN_Name,Period,Variable_Type"]
    files = {}
    for (star, curve), vtype in zip(stars, types, strict=True):
        name = f"ASASSN-V J{star}"
        cat.append(f"{name},0.5,{vtype}")
        path = folder / "lightcurves" / f"ASASSN-V_J{star}.csv"
        path.write_text(_asassn_csv(curve))
        files[name] = path
    (folder / "catalog.csv").write_text("\n".join(cat) + "\n")
    return files


def _richards_members(stars):
    return {
        f"lightcurves/{star}.dat": "".join(
            ",".join(map(repr, row)) + "\n" for row in curve.tolist()
        ).encode()
        for star, curve in stars
    }


def _write_richards(folder, stars, members=None):
    rows = ["id,class"] + [f"{star},Mira" for star, _ in stars]
    (folder / "classes.csv").write_text("\n".join(rows) + "\n")
    members = _richards_members(stars) if members is None else members
    (folder / "lightcurves.tar.gz").write_bytes(gzip.compress(_targz(members)))


def _eros_texts(stars, codes):
    cat = ["Unnamed: 0,magnitude_b,magnitude_r,period,type,quality,div_period"]
    lcs = [",time_points_b,time_points_r,light_points_b,light_points_r,"
           "error_points_b,error_points_r"]  # fmt: skip

    def lst(values):
        return '"[' + ", ".join(repr(v) for v in values.tolist()) + ']"'

    for (star, curve), code in zip(stars, codes, strict=True):
        cat.append(f"{star},18.5,18.0,1.5,{code}.0,1.0,3.0")
        t, m, e = curve.T
        lcs.append(",".join([star, lst(t), lst(t), lst(m), lst(m), lst(e), lst(e)]))
    return "\n".join(cat) + "\n", "\n".join(lcs) + "\n"


def _s82_member(curve):
    rows = []
    for row in curve.tolist():
        rows.append(" ".join(["23.2", "1.03"] + [repr(v) for v in row] * 5))
    return ("\n".join(rows) + "\n").encode()


def _s82_table2(stars, kinds):
    rows = ["#id type P gA"] + [
        f"{star} {kind} 0.6 0.5" for (star, _), kind in zip(stars, kinds, strict=True)
    ]
    return "\n".join(rows) + "\n"


def _write_s82(folder, stars, kinds, table2=None, members=None):
    table2 = _s82_table2(stars, kinds).encode() if table2 is None else table2
    (folder / "table2_periods_types.dat.gz").write_bytes(gzip.compress(table2))
    if members is None:
        members = {f"table1/{star}.dat": _s82_member(c) for star, c in stars}
    (folder / "table1_lightcurves.tar.gz").write_bytes(gzip.compress(_targz(members)))


# ----------------------------------------------------------------- properties
def _rows_sorted(curve):
    return curve[np.lexsort(curve.T[::-1])]


def assert_valid(X):
    """The LightCurves contract: finite, sorted, non-empty, one id per star."""
    assert isinstance(X, LightCurves)
    assert len(X) >= 1
    assert X.ids is not None and len(X.ids) == len(X)
    assert len(set(X.ids.tolist())) == len(X), "duplicate star ids"
    for curve in X.curves:
        assert curve.ndim == 2 and curve.shape[1] == 3 and len(curve) >= 1
        assert np.isfinite(curve).all()
        assert np.all(np.diff(curve[:, 0]) >= 0)
        assert np.all(curve[:, 2] > 0)
    assert np.all(np.isnan(X.period) | (X.period > 0))


def assert_same_curves(X, expected):
    """``X`` holds exactly the stars of ``expected`` (id -> curve), in order."""
    assert X.ids.tolist() == list(expected)
    for curve, want in zip(X.curves, expected.values(), strict=True):
        np.testing.assert_array_equal(_rows_sorted(curve), _rows_sorted(want))


def _named(message, names, expected, foreign):
    """The oracle for an error message: it names one of ``names`` (the damaged
    file, or the damaged star as ``star 'ID'``), or it names a star that was
    never written (an identifier the damage garbled) with one of the
    ``foreign`` problems."""
    if any(n in message for n in names):
        return True
    match = re.match(r"star '([^']*)': (.*)", message, re.S)
    return bool(
        match
        and match.group(1) not in expected
        and any(f in match.group(2) for f in foreign)
    )


def load_both_ways(load, names, expected, damaged=None, *, local, foreign=()):
    """Check a damaged data set with ``on_error="raise"`` and ``"skip"``.

    ``names``: strings of which one must appear in a ``ValueError`` message;
    ``expected``: id -> curve of every star as written; ``damaged``: the id of
    the star whose data were damaged, ``None`` if unknown; ``local``: the
    damage is confined to one star (its file, or one line of a shared file),
    so ``"skip"`` must return every other star, read exactly; ``foreign``:
    the problems an error may report for a star that was never written (see
    :func:`_named`).
    """
    if damaged is not None:
        # a per-star problem is reported under that star's name
        names = [*names, f"star {str(damaged)!r}"]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            X, _ = load(on_error="raise")[:2]
    except ValueError as exc:
        assert _named(str(exc), names, expected, foreign), str(exc)
    else:
        assert_valid(X)
        assert set(X.ids.tolist()) <= set(expected)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        try:
            X, _ = load(on_error="skip")[:2]
        except ValueError as exc:
            assert _named(str(exc), names, expected, foreign), str(exc)
            # only a file-level problem, or losing the only star, may stop it
            assert not local or len(expected) == 1, str(exc)
            return
    assert_valid(X)
    got = dict(zip(X.ids.tolist(), X.curves, strict=True))
    assert set(got) <= set(expected)
    warned = " ".join(str(w.message) for w in record)
    intact = [
        star
        for star, curve in got.items()
        if np.array_equal(_rows_sorted(curve), _rows_sorted(expected[star]))
    ]
    if not local:
        return
    assert len(intact) >= len(expected) - 1, (sorted(expected), sorted(got))
    if damaged is not None:
        assert set(expected) - {damaged} <= set(intact)
        if damaged not in got:
            assert damaged in warned, f"skipped star {damaged} not reported"


# -------------------------------------------------------- ASAS-SN: one star
@FUZZ
@given(curves(), st.booleans(), st.lists(st.sampled_from(["nondet", "flag"])))
def test_asassn_lightcurve_round_trip(curve, filter_col, extra):
    text = _asassn_csv(curve, filter_col)
    for kind in extra:  # non-detections and failed photometry are dropped
        mag, err = (">17.2", "99.99") if kind == "nondet" else ("13.0", "99.99")
        row = f"5.0,2015-01-01,bd,1.5,17.5,{mag},{err},1.0,0.05"
        text += row + (",V" if filter_col else "") + "\n"
    got, info = read_asassn_lightcurve(io.StringIO(text), return_info=True)
    np.testing.assert_array_equal(got, curve[np.argsort(curve[:, 0], kind="stable")])
    assert info["n_rows"] == len(curve) + len(extra)
    assert info["n_nondetections"] == extra.count("nondet")


@FUZZ
@given(st.data())
def test_asassn_lightcurve_corrupt_file_raises_naming_file(data):
    curve = data.draw(curves())
    kind, raw = data.draw(corruptions(_asassn_csv(curve, data.draw(st.booleans()))))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "star_x.csv"
        path.write_bytes(raw)
        try:
            got = read_asassn_lightcurve(path)
        except ValueError as exc:
            assert "star_x.csv" in str(exc), str(exc)
            return
    assert got.ndim == 2 and got.shape[1] == 3 and len(got) >= 1
    assert np.isfinite(got).all() and np.all(np.diff(got[:, 0]) >= 0)
    assert np.all(got[:, 2] < 99)


# ---------------------------------------------------------- ASAS-SN: catalogue
@FUZZ
@given(star_sets(max_stars=6), st.data())
def test_asassn_catalog_round_trip_or_named_error(stars, data):
    text = "id,type,period\n" + "".join(
        f"{s},EW,{float(c[0, 0])!r}\n" for s, c in stars
    )
    cat = read_asassn_catalog(io.StringIO(text))
    assert cat["ids"].tolist() == [s for s, _ in stars]
    np.testing.assert_array_equal(cat["period"], [c[0, 0] for _, c in stars])
    kind, raw = data.draw(corruptions(text))
    try:
        cat = read_asassn_catalog(io.BytesIO(raw))
    except ValueError as exc:
        assert "<file-like object>" in str(exc), str(exc)
        return
    n = len(cat["ids"])
    assert all(len(v) == n for v in cat.values())
    assert cat["period"].dtype == np.float64


# ----------------------------------------------------- ASAS-SN: whole folder
@FUZZ
@given(star_sets(), st.data())
def test_load_asassn_round_trip_and_corruption(stars, data):
    types = data.draw(
        st.lists(st.sampled_from(list(ASASSN_TYPES)), min_size=len(stars),
                 max_size=len(stars))
    )  # fmt: skip
    expected = {f"ASASSN-V J{s}": c for s, c in stars}
    options = {"min_obs": None, "mag_range": None, "min_probability": None}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = _write_asassn(folder, stars, types)
        X, y = load_asassn(folder, **options)
        assert_valid(X)
        assert_same_curves(X, expected)
        assert y.tolist() == [ASASSN_TYPES[t] for t in types]

        target = data.draw(st.sampled_from([None, *files]))
        path = folder / "catalog.csv" if target is None else files[target]
        kind, raw = data.draw(corruptions(path.read_text()))
        path.write_bytes(raw)
        load_both_ways(
            lambda on_error: load_asassn(folder, on_error=on_error, **options),
            [path.name, "catalog", "no star left"],
            expected,
            target,
            local=target is not None or kind in LOCAL,
            foreign=["no light-curve file found"],
        )


# ----------------------------------------------------------- ASAS (Richards)
@FUZZ
@given(star_sets(), st.data())
def test_load_richards_round_trip_and_corruption(stars, data):
    expected = dict(stars)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _write_richards(folder, stars)
        X, y = load_asas_richards2012(folder)
        assert_valid(X)
        assert_same_curves(X, expected)
        assert set(y.tolist()) == {"M"}

        members = _richards_members(stars)
        target = data.draw(st.sampled_from(["classes", "archive", *expected]))
        local = True
        if target == "classes":
            kind, raw = data.draw(corruptions((folder / "classes.csv").read_text()))
            (folder / "classes.csv").write_bytes(raw)
            local = kind in LOCAL
        elif target == "archive":
            how, raw = _damaged_gzip(data.draw, _targz(members))
            (folder / "lightcurves.tar.gz").write_bytes(raw)
            local = how == "intact"
        else:
            member = f"lightcurves/{target}.dat"
            text = members[member].decode()
            members[member] = data.draw(corruptions("t,m,e\n" + text))[1][6:]
            _write_richards(folder, stars, members)
        load_both_ways(
            lambda on_error: load_asas_richards2012(folder, on_error=on_error),
            ["classes.csv", "lightcurves.tar.gz", "no star left"],
            expected,
            None if target in ("classes", "archive") else target,
            local=local,
        )


# -------------------------------------------------------------------- EROS-1
@FUZZ
@given(star_sets(), st.sampled_from(["r", "b", "both"]), st.data())
def test_load_eros1_round_trip_and_corruption(stars, band, data):
    stars = [(f"1_{s}", c) for s, c in stars]
    codes = data.draw(
        st.lists(st.sampled_from(list(EROS_CODES)), min_size=len(stars),
                 max_size=len(stars))
    )  # fmt: skip
    expected = dict(stars)
    cat, lcs = _eros_texts(stars, codes)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "stars.csv").write_text(cat)
        (folder / "lightcurves.csv.gz").write_bytes(gzip.compress(lcs.encode()))
        X, y = load_eros1_lmc(folder, band=band)
        assert_valid(X)
        assert_same_curves(X, expected)
        assert y.tolist() == [EROS_CODES[c] for c in codes]
        np.testing.assert_allclose(X.period, 0.5)
        if band == "both":
            np.testing.assert_allclose(X.features[:, 0], 0.5)

        target = data.draw(st.sampled_from(["stars.csv", "lightcurves.csv.gz"]))
        text = cat if target == "stars.csv" else lcs
        kind, raw = data.draw(corruptions(text))
        how = "intact"
        if target == "lightcurves.csv.gz":
            how, raw = _damaged_gzip(data.draw, raw)
        (folder / target).write_bytes(raw)
        load_both_ways(
            lambda on_error: load_eros1_lmc(folder, band=band, on_error=on_error),
            [target, "no star left"],
            expected,
            local=kind in LOCAL and how == "intact",
            foreign=["no light curve in"],
        )


# ------------------------------------------------------------- Stripe 82
@FUZZ
@given(star_sets(), st.data())
def test_load_s82_round_trip_and_corruption(stars, data):
    kinds = data.draw(
        st.lists(st.sampled_from(["ab", "c"]), min_size=len(stars),
                 max_size=len(stars))
    )  # fmt: skip
    expected = dict(stars)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _write_s82(folder, stars, kinds)
        X, y = load_s82_rrlyrae(folder, band=data.draw(st.sampled_from("ugriz")))
        assert_valid(X)
        assert_same_curves(X, expected)
        assert y.tolist() == [{"ab": "RRAB", "c": "RRC"}[k] for k in kinds]

        target = data.draw(st.sampled_from(["table2", *expected]))
        local = True
        if target == "table2":
            kind, raw = data.draw(corruptions(_s82_table2(stars, kinds), sep=" "))
            _write_s82(folder, stars, kinds, table2=raw)
            local = kind in LOCAL
        else:
            members = {f"table1/{s}.dat": _s82_member(c) for s, c in stars}
            member = f"table1/{target}.dat"
            text = "h\n" + members[member].decode()
            members[member] = data.draw(corruptions(text, sep=" "))[1][2:]
            _write_s82(folder, stars, kinds, members=members)
        load_both_ways(
            lambda on_error: load_s82_rrlyrae(folder, on_error=on_error),
            ["table2_periods_types", "table1_lightcurves", "no star left"],
            expected,
            None if target == "table2" else target,
            local=local,
        )


# ---------------------------------------------------------------- long format
cells = (
    st.floats(allow_nan=True, allow_infinity=True, width=32)
    | st.sampled_from(["abc", "", None, "1.5"])
    | st.integers(-5, 5)
)
star_cells = st.sampled_from([0, 1, 2, "a", "b", None, np.nan, 1.5])


@FUZZ
@given(st.data())
def test_from_long_format_valid_or_named_error(data):
    n = data.draw(st.integers(0, 12))
    table = {
        "star_id": data.draw(st.lists(star_cells, min_size=n, max_size=n)),
        "time": data.draw(st.lists(cells, min_size=n, max_size=n)),
        "mag": data.draw(st.lists(cells, min_size=n, max_size=n)),
        "err": data.draw(st.lists(cells, min_size=n, max_size=n)),
        "period": data.draw(st.lists(cells, min_size=n, max_size=n)),
    }
    if data.draw(st.booleans()):  # a column of the wrong length or a scalar
        key = data.draw(st.sampled_from(list(table)))
        table[key] = data.draw(st.sampled_from([table[key][:-1], 3.0, [[1.0]]]))
    period = data.draw(st.sampled_from([None, "period"]))
    try:
        X = from_long_format(table, period=period)
    except ValueError as exc:
        message = str(exc)
        assert any(w in message for w in ("star", "column", "rows")), message
        return
    assert isinstance(X, LightCurves) and len(X) >= 1
    for curve in X.curves:
        assert np.isfinite(curve[:, :2]).all() and np.all(np.diff(curve[:, 0]) >= 0)
        assert np.all(curve[:, 2] > 0) and np.isfinite(curve[:, 2]).all()


@pytest.mark.parametrize("n_stars", [1, 3])
def test_fuzz_writers_are_readable_known_answer(tmp_path, n_stars):
    """The fixture writers above, checked once on hand-made stars."""
    stars = [
        (str(k), np.array([[2.0, 12.5, 0.1], [1.0, 12.0, 0.2]])) for k in range(n_stars)
    ]
    _write_richards(tmp_path, stars)
    X, _ = load_asas_richards2012(tmp_path)
    np.testing.assert_array_equal(X.curves[0], [[1.0, 12.0, 0.2], [2.0, 12.5, 0.1]])
    assert X.ids.tolist() == [str(k) for k in range(n_stars)]


def test_error_oracle_refuses_messages_that_do_not_name_the_damage():
    expected = {"a": None, "b": None}
    names = ["stars.csv", "star 'a'"]
    assert _named("stars.csv: line 3: bad row", names, expected, ())
    assert _named("star 'a': corrupt row", names, expected, ())
    # another written star, or a vague message, is not the damage
    assert not _named("star 'b': corrupt row", names, expected, ())
    assert not _named("something went wrong with a star ", names, expected, ())
    # a star that was never written (a garbled id) only with a foreign problem
    assert _named("star 'x?': no light curve in lc.gz", names, expected, ["no light"])
    assert not _named("star 'x?': corrupt row", names, expected, ["no light"])
    assert not _named(
        "star 'b': no light curve in lc.gz", names, expected, ["no light"]
    )
