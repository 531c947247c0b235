"""EROS-1 LMC light curves (two bands; the RAMP challenge set)."""

from pathlib import Path
from types import SimpleNamespace

import numpy as np

from .._parameters import StrOptions, check_params
from .._progress import progress
from ._common import (
    _check_on_error,
    _clean_curve,
    _csv_rows,
    _fill_doc,
    _find_column,
    _finish,
    _first_rows,
    _normalize_name,
    _read_catalog_table,
    _read_text,
    _skipped_rows,
    _to_float,
    _warn_skipped,
)

# EROS-1 / RAMP type codes (eros1_lmc/README.md).
_EROS_TYPES = {1: "EB", 2: "CEP", 3: "RRL", 4: "M"}


# --------------------------------------------------------- real data: EROS-1
def _parse_list(text):
    """Parse a bracketed comma-separated list of numbers."""
    inner = text.strip().lstrip("[").rstrip("]").strip()
    if not inner:
        return np.zeros(0)
    return np.array(inner.split(","), dtype=np.float64)


@_fill_doc
def _eros_catalog(path, band, bad_rows):
    """``(name, column indices, rows)`` of ``stars.csv``."""
    cat_name, _, header, body = _read_catalog_table(path, bad_rows)
    cols = {k: _find_column(header, (k,)) for k in ("type", "period", "div_period")}
    cols["mag_b"] = _find_column(header, ("magnitude_b",))
    cols["mag_r"] = _find_column(header, ("magnitude_r",))
    need = ["type", "period", "div_period"] + (["mag_b", "mag_r"] * (band == "both"))
    absent = [k for k in need if cols[k] is None]
    if absent:
        raise ValueError(f"{cat_name}: missing column(s) {absent}; got {header!r}")
    return cat_name, cols, body


def _eros_lightcurves(path, band):
    """The light-curve table of one band: name, band, list columns, and the
    first row of each star (``star -> (line number, fields)``)."""
    text, lc_name = _read_text(path)
    rows = _csv_rows(text)
    _, lc_header = next(rows, (0, []))
    lc_header = [_normalize_name(h) for h in lc_header or ()]
    use = "r" if band == "both" else band
    lc_cols = [
        _find_column(lc_header, (f"{k}_points_{use}",))
        for k in ("time", "light", "error")
    ]
    if None in lc_cols:
        raise ValueError(
            f"{lc_name}: no time/light/error_points_{use} columns; got {lc_header!r}"
        )
    first = {}
    for lineno, fields in rows:
        if fields is None:
            continue  # a star whose row this was is reported as having none
        first.setdefault(fields[0], (lineno, fields))
    return SimpleNamespace(name=lc_name, band=use, cols=lc_cols, rows=first)


def _eros_star(row, cols, cat_name, lc, band):
    """``(curve, colour or None)`` of one catalogue row; ValueError if bad."""
    star = row[0]
    code = _to_float(row[cols["type"]])
    if code not in _EROS_TYPES:
        raise ValueError(f"unknown type code {row[cols['type']]!r} in {cat_name}")
    if star not in lc.rows:
        raise ValueError(f"no light curve in {lc.name}")
    lineno, fields = lc.rows[star]
    try:
        t, m, e = (_parse_list(fields[c]) for c in lc.cols)
    except (ValueError, IndexError) as exc:
        raise ValueError(f"{lc.name}: line {lineno}: corrupt row ({exc})") from None
    if not len(t) == len(m) == len(e) or len(t) == 0:
        raise ValueError(
            f"{lc.name}: line {lineno}: band {lc.band} lists of lengths "
            f"{len(t)}, {len(m)}, {len(e)}"
        )
    curve = _clean_curve(np.column_stack([t, m, e]))
    if band != "both":
        return curve, None
    colour = _to_float(row[cols["mag_b"]]) - _to_float(row[cols["mag_r"]])
    if not np.isfinite(colour):
        raise ValueError(
            f"{cat_name}: magnitude_b {row[cols['mag_b']]!r} or "
            f"magnitude_r {row[cols['mag_r']]!r} is not a finite "
            'number, so band="both" has no colour feature'
        )
    return curve, colour


def load_eros1_lmc(folder, band="r", *, on_error="raise", verbose=0):
    """Load the EROS-1 LMC variable stars (RAMP challenge training part).

    Reads ``stars.csv`` (one row per star: type code, mean magnitudes,
    ``period``, ``div_period``) and ``lightcurves.csv.gz`` (per band, the
    bracketed lists ``time_points_*``, ``light_points_*``,
    ``error_points_*``). The period is ``period / div_period``: the challenge
    scrambled it on purpose (README). Type codes become labels 1 -> ``"EB"``,
    2 -> ``"CEP"``, 3 -> ``"RRL"`` (RR Lyrae, ab and c together), 4 -> ``"M"``.
    The background and pollution flags are not used.

    Parameters
    ----------
    folder : str or path-like
        The ``eros1_lmc`` folder.
    band : {"r", "b", "both"}, default="r"
        ``"r"`` (red) or ``"b"`` (blue) light curves. A :class:`LightCurves`
        holds one curve per star, so ``"both"`` returns the red-band curve and
        adds the blue band as one extra per-star feature, the catalogue colour
        ``magnitude_b - magnitude_r`` (in ``X.features``). For the full blue
        curves load ``band="b"`` as well; stars come in the same order
        (``stars.csv`` order) and ``X.ids`` aligns them.
    %(on_error)s
    %(verbose)s
        The bar counts the catalogue stars.

    Returns
    -------
    X : LightCurves
        One star per sample; ``X.ids`` are the ``<patch>_<star>`` keys.
    y : ndarray of str
        ``"EB"``, ``"CEP"``, ``"RRL"`` or ``"M"``.
    """
    _check_on_error(on_error)
    check_params(
        "load_eros1_lmc", {"band": [StrOptions({"r", "b", "both"})]}, band=band
    )
    folder = Path(folder)
    what = f"load_eros1_lmc({folder})"
    bad_rows = [] if on_error == "skip" else None
    cat_name, cols, body = _eros_catalog(folder / "stars.csv", band, bad_rows)
    lc = _eros_lightcurves(folder / "lightcurves.csv.gz", band)
    skipped = _skipped_rows(bad_rows, 0)
    body = _first_rows(body, 0, what)
    curves, periods, ids, ys, feats = [], [], [], [], []
    for row in progress(body, desc=f"reading {folder.name}", verbose=verbose):
        star = row[0]
        try:
            curve, colour = _eros_star(row, cols, cat_name, lc, band)
        except ValueError as exc:
            if on_error == "raise":
                raise ValueError(f"star {str(star)!r}: {exc}") from None
            skipped[star] = str(exc)
            continue
        div = _to_float(row[cols["div_period"]])
        periods.append(_to_float(row[cols["period"]]) / div if div else np.nan)
        curves.append(curve)
        ids.append(star)
        ys.append(_EROS_TYPES[_to_float(row[cols["type"]])])
        feats.append(colour)
    _warn_skipped(skipped, what)
    features = np.asarray(feats)[:, None] if band == "both" and feats else None
    return _finish(curves, periods, ids, ys, what, features=features)
