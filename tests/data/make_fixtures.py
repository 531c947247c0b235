"""Regenerate the tiny reader fixtures in this folder (deterministic).

Run ``python tests/data/make_fixtures.py`` from the repository root. The files
mimic the layout of the real data sets read by ``skdualnet.datasets``:

* ``asassn/``: an ASAS-SN Variable Stars Database folder (``catalog.csv`` and
  ``lightcurves/*.csv``), with a non-detection row, a mixed V/g file, a
  file named by ``source_id``, a corrupt (truncated) file, comment lines,
  blank lines, trailing commas and Windows line endings;
* ``richards/``: ``classes.csv`` and ``lightcurves.tar.gz`` (ASAS, Richards 2012);
* ``acvs/``: the same layout with the ACVS ``classes.csv`` columns (ASAS ACVS);
* ``eros/``: ``stars.csv`` and ``lightcurves.csv.gz`` (EROS-1, RAMP kit);
* ``s82/``: ``table1_lightcurves.tar.gz`` and ``table2_periods_types.dat.gz``
  (SDSS Stripe 82 RR Lyrae).
"""

import gzip
import io
import tarfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def _gzip_bytes(data):
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as f:
        f.write(data)
    return buf.getvalue()


def _targz(path, members):
    """Write ``members`` (name -> bytes or None for a folder) reproducibly."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.mtime = 0
            if data is None:
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                tar.addfile(info)
            else:
                info.size = len(data)
                info.mode = 0o644
                tar.addfile(info, io.BytesIO(data))
    path.write_bytes(_gzip_bytes(buf.getvalue()))


def _curve(rng, n, period, mean, amp, t0=2457000.0, step=1.37):
    t = t0 + step * np.arange(n) + rng.uniform(0, 0.3, n)
    m = mean + amp * np.sin(2 * np.pi * t / period) + rng.normal(0, 0.01, n)
    e = rng.uniform(0.01, 0.05, n)
    return t, m, e


ASASSN_HEADER = "HJD,UT Date,Camera,FWHM,Limit,mag,mag_err,flux(mJy),flux_err"


def _asassn_row(t, m, e, band=None, nondet=False):
    limit = 17.2
    mag = f">{limit:.3f}" if nondet else f"{m:.3f}"
    err = "99.990" if nondet else f"{e:.3f}"
    flux = 3631e3 * 10 ** (-0.4 * (limit if nondet else m))
    row = f"{t:.5f},2015-01-01.{int(t * 1000) % 10000:04d},bd,1.52,{limit},{mag},{err}"
    row += f",{flux:.3f},0.050"
    return row if band is None else f"{row},{band}"


def make_asassn(rng):
    root = HERE / "asassn"
    lc = root / "lightcurves"
    lc.mkdir(parents=True, exist_ok=True)
    stars = [
        # name, source_id, other, mean V, amplitude, period, type, probability
        ("ASASSN-V J000001.00+000001.0", 101, "", 13.20, 0.80, "0.5500", "RRAB", 0.99),
        (
            "ASASSN-V J000002.00+000002.0",
            102,
            "V0002",
            14.00,
            0.40,
            "0.3300",
            "EW",
            0.95,
        ),
        ("ASASSN-V J000003.00+000003.0", 103, "", 15.00, 0.20, "", "VAR", 0.97),
        ("ASASSN-V J000004.00+000004.0", 104, "", 12.50, 0.50, "60.0", "SR", 0.50),
        ("ASASSN-V J000005.00+000005.0", 105, "", 12.00, 0.60, "5.3660", "DCEP:", 0.92),
        ("ASASSN-V J000006.00+000006.0", 106, "", 16.00, 0.50, "1.2000", "EA|EB", 0.93),
        ("ASASSN-V J000007.00+000007.0", 107, "", 13.00, 0.30, "3.0000", "YSO", 0.99),
        ("ASASSN-V J000008.00+000008.0", 108, "", 10.50, 0.10, "2.5000", "ROT", 0.99),
    ]
    lines = [
        "# ASAS-SN variable stars catalogue (tiny test fixture)",
        "ASASSN_Name,Source_ID,Other Names,Mean VMag,Amplitude,Period,"
        "Variable_Type,Class_Probability",
    ]
    for name, sid, other, vmag, amp, per, vtype, prob in stars:
        lines.append(
            f'{name},{sid},"{other}",{vmag:.2f},{amp:.2f},{per},{vtype},{prob}'
        )
    (root / "catalog.csv").write_text("\n".join(lines) + "\n")

    def fname(i):
        return stars[i][0].replace(" ", "_") + ".csv"

    # 1: RRAB, V only (no Filter column), one non-detection, a comment line, a
    #    blank line, trailing commas and Windows line endings.
    t, m, e = _curve(rng, 20, 0.55, 13.2, 0.8)
    rows = [_asassn_row(*v) + "," for v in zip(t, m, e, strict=True)]
    rows[5] = _asassn_row(t[5], m[5], e[5], nondet=True) + ","
    body = ["# downloaded from ASAS-SN", ASASSN_HEADER + ","] + rows[:10] + [""]
    body += rows[10:]
    (lc / fname(0)).write_bytes(("\r\n".join(body) + "\r\n").encode())

    # 2: EW, mixed bands: 12 V rows then 18 g rows (g is the most populous).
    tv, mv, ev = _curve(rng, 12, 0.33, 14.0, 0.4)
    tg, mg, eg = _curve(rng, 18, 0.33, 14.4, 0.4, t0=2458500.0)
    rows = [_asassn_row(*v, band="V") for v in zip(tv, mv, ev, strict=True)]
    rows += [_asassn_row(*v, band="g") for v in zip(tg, mg, eg, strict=True)]
    (lc / fname(1)).write_text("\n".join([ASASSN_HEADER + ",Filter", *rows]) + "\n")

    # 3: VAR, 15 rows, V only with a Filter column.
    t, m, e = _curve(rng, 15, 7.0, 15.0, 0.2)
    rows = [_asassn_row(*v, band="V") for v in zip(t, m, e, strict=True)]
    (lc / fname(2)).write_text("\n".join([ASASSN_HEADER + ",Filter", *rows]) + "\n")

    # 4: SR below the probability cut: no light-curve file at all.

    # 5: DCEP: (uncertain), file named by its source_id.
    t, m, e = _curve(rng, 25, 5.366, 12.0, 0.6)
    rows = [_asassn_row(*v) for v in zip(t, m, e, strict=True)]
    (lc / "105.csv").write_text("\n".join([ASASSN_HEADER, *rows]) + "\n")

    # 6: EA|EB, corrupt: the file is cut in the middle of its 12th row.
    t, m, e = _curve(rng, 12, 1.2, 16.0, 0.5)
    rows = [_asassn_row(*v) for v in zip(t, m, e, strict=True)]
    text = "\n".join([ASASSN_HEADER, *rows])
    (lc / fname(5)).write_text(text[: len(text) - 30])

    # 7 (YSO, unmapped) and 8 (ROT, too bright): no file needed.


def make_richards(rng):
    root = HERE / "richards"
    root.mkdir(parents=True, exist_ok=True)
    stars = [
        ("215181", "RR_Lyrae_FM", 0.57, 12.1, 0.5, 24),
        ("215311", "W_Ursae_Maj", 0.35, 10.8, 0.3, 18),
        ("229999", "RCB", 40.0, 11.5, 1.5, 12),
    ]
    lines = ["id,class"] + [f"{s[0]},{s[1]}" for s in stars]
    (root / "classes.csv").write_text("\n".join(lines) + "\n")
    members = {"lightcurves": None}
    for sid, _, period, mean, amp, n in stars:
        t, m, e = _curve(rng, n, period, mean, amp, t0=1869.5, step=2.03)
        text = "".join(
            f"{a:.5f},{b:.3f},{c:.3f}\n" for a, b, c in zip(t, m, e, strict=True)
        )
        members[f"lightcurves/{sid}.dat"] = text.encode()
    _targz(root / "lightcurves.tar.gz", members)


def make_acvs(rng):
    root = HERE / "acvs"
    root.mkdir(parents=True, exist_ok=True)
    stars = [
        ("149390", "Contact Systems", 0.41, 11.2, 0.4, 20),
        ("150001", "Mira", 310.0, 9.5, 3.0, 16),
        ("151002", "Alpha2 Canum Venaticorum", 2.7, 8.9, 0.05, 14),
    ]
    lines = ["id,class,asas_id,ra_deg,dec_deg"] + [
        f'{s[0]},"{s[1]}",0001{k}7-1717.5,{0.2 + k:.7f},-16.7083333'
        for k, s in enumerate(stars)
    ]
    (root / "classes.csv").write_text("\n".join(lines) + "\n")
    members = {"lightcurves": None}
    for sid, _, period, mean, amp, n in stars:
        t, m, e = _curve(rng, n, period, mean, amp, t0=1868.5, step=3.1)
        text = "".join(
            f"{a:.5f},{b:.3f},{c:.3f}\n" for a, b, c in zip(t, m, e, strict=True)
        )
        members[f"lightcurves/{sid}.dat"] = text.encode()
    _targz(root / "lightcurves.tar.gz", members)


def make_eros(rng):
    root = HERE / "eros"
    root.mkdir(parents=True, exist_ok=True)
    # key, type code, true period, div_period, mean b, mean r, n_b, n_r
    stars = [
        ("135_9613", 3.0, 0.6, 4.0, 19.15, 18.80, 14, 12),
        ("271_4304", 4.0, 280.0, 1.0, 17.68, 15.31, 10, 11),
        ("223_530", 1.0, 2.5, 3.0, 16.48, 15.50, 13, 15),
    ]
    lines = ["Unnamed: 0,magnitude_b,magnitude_r,period,type,quality,div_period"]
    for key, code, period, div, mb, mr, _, _ in stars:
        lines.append(f"{key},{mb},{mr},{period * div!r},{code},1.0,{div}")
    (root / "stars.csv").write_text("\n".join(lines) + "\n")

    def fmt(values, decimals):
        return '"[' + ", ".join(f"{v:.{decimals}f}" for v in values) + ']"'

    header = (
        ",time_points_b,time_points_r,light_points_b,light_points_r,"
        "error_points_b,error_points_r,bkg_points_b,bkg_points_r,"
        "polltn_points_b,polltn_points_r"
    )
    rows = [header]
    for key, _, period, _, mb, mr, nb, nr in stars:
        tb, m_b, eb = _curve(rng, nb, period, mb, 0.3, t0=290.0, step=3.1)
        tr, m_r, er = _curve(rng, nr, period, mr, 0.3, t0=290.05, step=3.3)
        rows.append(
            ",".join(
                [
                    key,
                    fmt(tb, 2),
                    fmt(tr, 2),
                    fmt(m_b, 2),
                    fmt(m_r, 2),
                    fmt(eb, 2),
                    fmt(er, 2),
                    fmt(np.zeros(nb), 1),
                    fmt(np.zeros(nr), 1),
                    fmt(np.zeros(nb), 1),
                    fmt(np.zeros(nr), 1),
                ]
            )
        )
    (root / "lightcurves.csv.gz").write_bytes(
        _gzip_bytes(("\n".join(rows) + "\n").encode())
    )


def make_s82(rng):
    root = HERE / "s82"
    root.mkdir(parents=True, exist_ok=True)
    stars = [("4099", "ab", 0.641754351271, 16.7, 20), ("13350", "c", 0.3123, 17.0, 16)]
    lines = ["#id type P gA g0 gE gT"]
    for sid, kind, period, mean, _ in stars:
        lines.append(f"{sid} {kind} {period} 0.5 {mean} 51075.27 101")
    (root / "table2_periods_types.dat.gz").write_bytes(
        _gzip_bytes(("\n".join(lines) + "\n").encode())
    )
    members = {
        "table1": None,
        "table1/0README": b"Filenames (*.dat) correspond to RR Lyrae ID numbers.\n",
    }
    for sid, _, period, mean, n in stars:
        cols = [np.full(n, 23.2), np.full(n, 1.03)]
        for k in range(5):  # u g r i z
            t, m, e = _curve(rng, n, period, mean + 0.3 * (2 - k), 0.4, 51081.3, 41.0)
            cols += [t + 0.0017 * k, m, e]
        data = np.column_stack(cols)
        data[2, 6] = -99.99  # missing g magnitude
        data[5, 6] = 99.99  # bad g magnitude
        data[3, 3] = -99.99  # missing u magnitude
        text = "".join(
            " ".join(
                f"{v:.6f}" if j in (0, 1) or j % 3 == 2 else f"{v:.3f}"
                for j, v in enumerate(row)
            )
            + "\n"
            for row in data
        )
        members[f"table1/{sid}.dat"] = text.encode()
    _targz(root / "table1_lightcurves.tar.gz", members)


def main():
    rng = np.random.default_rng(20190514)
    make_asassn(rng)
    make_richards(rng)
    make_eros(rng)
    make_s82(rng)
    make_acvs(np.random.default_rng(20121004))  # own stream: others unchanged


if __name__ == "__main__":
    main()
