"""SDSS Stripe 82 RR Lyrae light curves (five bands)."""

import io
from pathlib import Path

import numpy as np

from .._parameters import StrOptions, check_params
from ._common import (
    _bad_row_key,
    _check_on_error,
    _fill_doc,
    _finish,
    _first_of_duplicates,
    _read_tar_curves,
    _read_text,
    _to_float,
    _warn_skipped,
)

# Stripe 82 RR Lyrae subtypes (s82_rrlyrae/README.md).
_S82_TYPES = {"ab": "RRAB", "c": "RRC"}
_S82_BANDS = ("u", "g", "r", "i", "z")


def _s82_periods_types(path, on_error, what):
    """``({star: (type, period)}, skipped)`` from table 2 (first row wins)."""
    text, t2_name = _read_text(path)
    lines = [
        (lineno, line.split())
        for lineno, line in enumerate(text.splitlines(), start=1)
        if line.strip()
    ]
    if not lines or lines[0][1][0].lstrip("#").lower() != "id":
        raise ValueError(f"{t2_name}: expected a '#id type P ...' header")
    header = [h.lstrip("#").lower() for h in lines[0][1]]
    try:
        i_id, i_type, i_p = header.index("id"), header.index("type"), header.index("p")
    except ValueError:
        raise ValueError(f"{t2_name}: header lacks id/type/P: {header}") from None
    table, skipped = {}, {}
    for lineno, row in lines[1:]:
        if row[0].startswith("#"):
            continue
        if len(row) <= max(i_id, i_type, i_p):
            problem = f"{t2_name}: line {lineno}: truncated row {row!r}"
            if on_error == "raise":
                raise ValueError(problem)
            skipped[_bad_row_key(lineno, row, i_id)] = problem
            continue
        table.setdefault(row[i_id], []).append((row[i_type], _to_float(row[i_p])))
    _first_of_duplicates([star for star, v in table.items() for _ in v], what)
    return {star: rows[0] for star, rows in table.items()}, skipped


# -------------------------------------------------- real data: Stripe 82 RRL
@_fill_doc
def load_s82_rrlyrae(folder, band="g", *, on_error="raise", verbose=0):
    """Load the SDSS Stripe 82 RR Lyrae light curves of Sesar et al. (2010).

    Reads ``table2_periods_types.dat.gz`` (id, type ``ab``/``c``, period P)
    and the per-star files ``table1/<id>.dat`` straight from
    ``table1_lightcurves.tar.gz``; columns ``ra dec`` then ``MJD mag err`` for
    each of u, g, r, i, z. A magnitude outside 0-40 (``-99.99`` missing,
    ``~99.99`` bad) marks a missing observation, and the row is dropped for
    that band.

    Parameters
    ----------
    folder : str or path-like
        The ``s82_rrlyrae`` folder.
    band : {"u", "g", "r", "i", "z"}, default="g"
        SDSS band of the light curve (time = that band's MJD).
    %(on_error)s
    %(verbose)s
        The bar counts the light curves read from the archive.

    Returns
    -------
    X : LightCurves
        One star per sample with the table-2 period; ``X.ids`` the ids (str).
    y : ndarray of str
        ``"RRAB"`` (type ab) or ``"RRC"`` (type c).
    """
    _check_on_error(on_error)
    check_params("load_s82_rrlyrae", {"band": [StrOptions(set(_S82_BANDS))]}, band=band)
    folder = Path(folder)
    what = f"load_s82_rrlyrae({folder})"
    t2_path = folder / "table2_periods_types.dat.gz"
    table, skipped = _s82_periods_types(t2_path, on_error, what)
    col = 2 + 3 * _S82_BANDS.index(band)
    tar_path = folder / "table1_lightcurves.tar.gz"

    def parse(data):
        arr = np.loadtxt(io.BytesIO(data), ndmin=2, dtype=np.float64)
        if arr.shape[1] != 17:
            raise ValueError(f"expected 17 columns, got {arr.shape[1]}")
        return arr[:, col : col + 3]

    arrays, problems = _read_tar_curves(
        tar_path, table, parse, f"reading {folder.name}", verbose
    )

    curves, periods, ids, ys = [], [], [], []
    for star, (kind, period) in table.items():
        try:
            if kind not in _S82_TYPES:
                raise ValueError(f"unknown RR Lyrae type {kind!r} in {t2_path}")
            if star not in arrays:
                raise ValueError(
                    problems.get(star, f"no table1/{star}.dat in {tar_path}")
                )
            arr = arrays[star]
            arr = arr[(arr[:, 1] > 0) & (arr[:, 1] < 40) & np.isfinite(arr[:, 0])]
            if len(arr) == 0:
                raise ValueError(f"no valid {band}-band magnitude")
        except ValueError as exc:
            if on_error == "raise":
                raise ValueError(f"star {str(star)!r}: {exc}") from None
            skipped[star] = str(exc)
            continue
        curves.append(arr)
        periods.append(period)
        ids.append(star)
        ys.append(_S82_TYPES[kind])
    _warn_skipped(skipped, what)
    return _finish(curves, periods, ids, ys, what)
