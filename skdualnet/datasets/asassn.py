"""ASAS-SN Variable Stars Database: one light curve, the catalogue, a folder.

:func:`read_asassn_lightcurve` (one per-star CSV), :func:`read_asassn_catalog`
(the catalogue table) and :func:`load_asassn` (a folder of both, with the
paper's selection cuts and the superclass mapping :data:`SUPERCLASS_MAP`).
"""

import gzip
import re
import warnings
from collections import Counter
from pathlib import Path
from types import MappingProxyType

import numpy as np

from .._progress import progress
from ._common import (
    _CATALOG_COLUMNS,
    _FILE_COLUMNS,
    _LC_COLUMNS,
    _SENTINEL_ERR,
    _check_on_error,
    _csv_rows,
    _file_key,
    _fill_doc,
    _find_column,
    _finish,
    _first_of_duplicates,
    _normalize_name,
    _read_catalog_table,
    _read_csv_header,
    _row_problem,
    _skipped_rows,
    _strip_trailing_empty,
    _to_float,
    _warn_skipped,
)

#: ASAS-SN variable type -> superclass (Tsang & Schultz 2019, Table 1; read-only).
#: ``VAR`` (variables of uncertain type) is the novel class, never trained on.
#: Any type not listed maps to ``None``: the star is excluded.
SUPERCLASS_MAP = MappingProxyType(
    {
        "CWA": "CEP",
        "CWB": "CEP",
        "DCEP": "CEP",
        "DCEPS": "CEP",
        "RVA": "CEP",
        "DSCT": "DSCT",
        "HADS": "DSCT",
        "EA": "EB",
        "EB": "EB",
        "EW": "EB",
        "M": "M",
        "ROT": "ROT",
        "RRAB": "RRAB",
        "RRC": "RRCD",
        "RRD": "RRCD",
        "SR": "SR",
        "VAR": "VAR",
    }
)


# -------------------------------------------------------------- class mapping
def map_variable_type(variable_type, mapping=SUPERCLASS_MAP):
    """Map one ASAS-SN variable type to a superclass.

    The type is upper-cased and stripped of ASAS-SN's uncertainty suffix
    ``":"`` (``"ROT:"`` is treated as ``"ROT"``; the class-probability cut of
    :func:`load_asassn` is the place to reject uncertain classifications). A
    combined type such as ``"EA|EB"`` (either of the two) is split on ``"|"``
    (and ``"+"``, ``"/"``); it maps to a superclass only when every part maps
    to the same one (``"EA|EB"`` -> ``"EB"``), and to ``None`` (excluded) when
    the parts disagree (``"ROT|EA"``) or one part is unmapped.

    Parameters
    ----------
    variable_type : str
        ASAS-SN variable type, e.g. ``"RRAB"``, ``"EW:"``, ``"EA|EB"``.
    mapping : mapping of str to str or None, default=SUPERCLASS_MAP
        Type -> superclass. Keys are compared upper-cased; a user mapping may
        map a type to ``None`` to exclude it.

    Returns
    -------
    str or None
        The superclass, or ``None`` if the star is excluded.

    Examples
    --------
    >>> from skdualnet.datasets import map_variable_type
    >>> [map_variable_type(t) for t in ["RRC", "ew:", "EA|EB", "ROT|EA", "YSO"]]
    ['RRCD', 'EB', 'EB', None, None]
    """
    if variable_type is None:
        return None
    table = {str(k).strip().upper(): v for k, v in mapping.items()}
    text = str(variable_type).strip().upper()
    if text in table:  # a user mapping may list combined types verbatim
        return table[text]
    parts = [p.strip().rstrip(":").strip() for p in re.split(r"[|+/]", text)]
    parts = [p for p in parts if p]
    if not parts:
        return None
    classes = {table.get(p) for p in parts}
    if len(classes) == 1:
        return classes.pop()
    return None


# ------------------------------------------------------------ ASAS-SN: one star
def _data_rows(name, rows, n_cols):
    """``(line numbers, fields)`` of the data rows; a truncated row raises."""
    linenos, table = [], []
    for lineno, fields in rows:
        fields = _strip_trailing_empty(fields, n_cols)
        problem = _row_problem(fields, n_cols)
        if problem:
            raise ValueError(
                f"{name}: line {lineno} {problem} (truncated or corrupt file)"
            )
        linenos.append(lineno)
        table.append(fields)
    return linenos, table


def _parse_values(name, cols, linenos, table, detected):
    """(time, mag, err) of the detections as floats; a bad cell raises with
    its line number."""
    i_t, i_m, i_e = cols["time"], cols["mag"], cols["err"]
    try:
        return np.array(
            [[row[i_t], row[i_m], row[i_e]] for row in detected], dtype=np.float64
        ).reshape(-1, 3)
    except ValueError:  # find the offending row for the message
        for lineno, row in zip(linenos, table, strict=True):
            if row[i_m].startswith(">"):
                continue
            try:
                float(row[i_t]), float(row[i_m]), float(row[i_e])
            except ValueError:
                raise ValueError(
                    f"{name}: line {lineno}: cannot parse time/mag/mag_err from "
                    f"{row[i_t]!r}, {row[i_m]!r}, {row[i_e]!r} (corrupt file)"
                ) from None
        raise  # pragma: no cover (numpy and float() disagree)


def _bands(cols, detected, n):
    """Band of every detection ("V" when the file has no filter column)."""
    if cols["filter"] is None:
        return np.full(n, "V")
    bands = np.array([row[cols["filter"]] for row in detected], dtype=object)
    lower = np.array([str(b).lower() for b in bands], dtype=object)
    return np.where(lower == "v", "V", np.where(lower == "g", "g", bands)).astype(str)


def read_asassn_lightcurve(path_or_file, band=None, *, return_info=False):
    """Read one ASAS-SN Variable Stars Database light-curve CSV.

    The file has the header ``HJD,UT Date,Camera,FWHM,Limit,mag,mag_err,
    flux(mJy),flux_err`` and optionally a ``Filter`` column (``V`` or ``g``).
    Column names are matched case-insensitively (``JD``/``BJD`` are accepted
    for the time, ``band`` for the filter). Blank lines, ``#`` comment lines,
    trailing commas, a UTF-8 byte-order mark, Windows line endings and gzip
    compression are tolerated.

    Rows that are dropped (and counted in ``info``):

    * non-detections, written as ``>limit`` in the ``mag`` column;
    * flagged rows: a non-finite value, or ASAS-SN's ``mag_err = 99.99``
      sentinel for failed photometry;
    * rows of the other band (see ``band``).

    Parameters
    ----------
    path_or_file : str, path-like or file-like
        The CSV file (text or binary file objects are accepted).
    band : {None, "V", "g"}, default=None
        Photometric band to keep. ``None`` keeps the band with the most usable
        rows (ties go to ``V``, the band of Tsang & Schultz 2019). A file without a
        ``Filter`` column is taken as V band (the database's V-only files).
    return_info : bool, default=False
        Also return a dict with ``n_rows`` (data rows read), ``n_nondetections``,
        ``n_flagged``, ``band`` (the band kept) and ``n_per_band`` (usable rows
        per band).

    Returns
    -------
    curve : ndarray of shape (n_obs, 3)
        Columns (HJD, magnitude, magnitude error), sorted by time.
    info : dict
        Only when ``return_info=True``.

    Raises
    ------
    ValueError
        If the file is missing, not text, has no ``HJD``/``mag``/``mag_err``
        header, a truncated or malformed row, or no usable row in the
        requested band. The message names the file and the problem.

    Examples
    --------
    >>> import io
    >>> from skdualnet.datasets import read_asassn_lightcurve
    >>> f = io.StringIO("HJD,mag,mag_err,Filter\\n1.0,12.5,0.02,V\\n"
    ...                 "2.0,>17.1,99.99,V\\n3.0,12.7,0.03,V\\n")
    >>> read_asassn_lightcurve(f).tolist()
    [[1.0, 12.5, 0.02], [3.0, 12.7, 0.03]]
    """
    if band is not None:
        if str(band).lower() not in ("v", "g"):
            raise ValueError(f'band must be None, "V" or "g"; got {band!r}')
        band = "V" if str(band).lower() == "v" else "g"
    name, header_line, header, rows = _read_csv_header(path_or_file, "file")
    cols = {key: _find_column(header, cands) for key, cands in _LC_COLUMNS.items()}
    missing = [key for key in ("time", "mag", "err") if cols[key] is None]
    if missing:
        names = ", ".join(_LC_COLUMNS[key][0] for key in missing)
        raise ValueError(
            f"{name}: line {header_line}: header has no {names} column(s); expected "
            "an ASAS-SN light curve (HJD,UT Date,Camera,FWHM,Limit,mag,mag_err,"
            f"flux(mJy),flux_err[,Filter]); got {header!r}"
        )
    linenos, table = _data_rows(name, rows, len(header))
    n_rows = len(table)
    detected = [row for row in table if not row[cols["mag"]].startswith(">")]
    n_nondet = n_rows - len(detected)
    values = _parse_values(name, cols, linenos, table, detected)
    bands = _bands(cols, detected, len(values))
    usable = np.isfinite(values).all(axis=1) & (values[:, 2] < _SENTINEL_ERR)
    n_flagged = int((~usable).sum())
    values, bands = values[usable], bands[usable]
    counts = Counter(bands.tolist())
    if band is None:
        kept = max(counts, key=lambda b: (counts[b], b == "V", b)) if counts else "V"
    else:
        kept = band
    if counts.get(kept, 0) == 0:
        raise ValueError(
            f"{name}: no usable observation in band {kept!r} ({n_rows} data rows, "
            f"{n_nondet} non-detections, {n_flagged} flagged, usable rows per band "
            f"{dict(counts)})"
        )
    curve = values[bands == kept]
    curve = curve[np.argsort(curve[:, 0], kind="stable")]
    if return_info:
        info = {
            "n_rows": n_rows,
            "n_nondetections": n_nondet,
            "n_flagged": n_flagged,
            "band": kept,
            "n_per_band": dict(counts),
        }
        return curve, info
    return curve


def _is_catalog_header(header):
    return (
        _find_column(header, _CATALOG_COLUMNS["ids"]) is not None
        and _find_column(header, _CATALOG_COLUMNS["type"]) is not None
    )


def _parse_catalog(path, skipped=None):
    """Catalogue arrays, file-lookup keys and missing optional columns.

    With a ``skipped`` dict, malformed rows are left out and recorded there
    (star id or line -> problem) instead of raising.
    """
    bad_rows = None if skipped is None else []
    name, header_line, header, body = _read_catalog_table(path, bad_rows)
    idx = {key: _find_column(header, c) for key, c in _CATALOG_COLUMNS.items()}
    for key in ("ids", "type"):
        if idx[key] is None:
            raise ValueError(
                f"{name}: line {header_line}: no {key!r} column among "
                f"{header!r}; expected one of {_CATALOG_COLUMNS[key]}"
            )
    if skipped is not None:
        skipped.update(_skipped_rows(bad_rows, idx["ids"]))
    out = {}
    for key in ("ids", "type"):
        out[key] = np.array([row[idx[key]] for row in body], dtype=str)
    for key in ("period", "probability", "mean_mag"):
        if idx[key] is None:
            out[key] = np.full(len(body), np.nan)
        else:
            out[key] = np.array([_to_float(row[idx[key]]) for row in body])
    # every identifier-like column and an optional file column, for file lookup
    alt = [i for i, h in enumerate(header) if h in _CATALOG_COLUMNS["ids"]]
    file_col = _find_column(header, _FILE_COLUMNS)
    out["file"] = np.array(
        [row[file_col] if file_col is not None else "" for row in body], dtype=str
    )
    out["aliases"] = np.empty(len(body), dtype=object)
    out["aliases"][:] = [[row[i] for i in alt if row[i]] for row in body]
    missing = {key for key in ("period", "probability", "mean_mag") if idx[key] is None}
    return out, missing


def select_catalog_rows(
    catalog,
    *,
    mapping=SUPERCLASS_MAP,
    include_novel=True,
    min_probability=0.9,
    mag_range=(11, 17),
    missing_columns=(),
):
    """The catalogue-level cuts of :func:`load_asassn` (cuts 1-4).

    Parameters
    ----------
    catalog : dict of ndarray
        As returned by :func:`read_asassn_catalog`.
    mapping, include_novel, min_probability, mag_range
        As in :func:`load_asassn` (same defaults).
    missing_columns : collection of str, default=()
        Optional columns the catalogue file lacks (``info["missing_columns"]``
        of ``read_asassn_catalog(path, return_info=True)``): the probability
        cut is skipped when ``"probability"`` is among them.

    Returns
    -------
    labels : ndarray of object
        Superclass of every catalogue row (``None`` if unmapped).
    keep : ndarray of bool
        The rows that pass. A star without a catalogue mean magnitude passes
        the magnitude cut here (:func:`load_asassn` then uses the median of
        its light curve).
    counts : dict
        Rows each cut removed: ``unmapped``, ``novel``, ``probability``,
        ``magnitude``.

    Examples
    --------
    >>> import numpy as np
    >>> cat = {"type": np.array(["RRAB", "EW", "XYZ"]),
    ...        "probability": np.array([0.95, 0.5, 0.99]),
    ...        "mean_mag": np.array([13.0, 14.0, 12.0])}
    >>> labels, keep, counts = select_catalog_rows(cat)
    >>> keep.tolist(), counts["unmapped"], counts["probability"]
    ([True, False, False], 1, 1)
    """
    cat, missing_cols = catalog, set(missing_columns)
    counts = dict.fromkeys(("unmapped", "novel", "probability", "magnitude"), 0)
    types, inverse = np.unique(cat["type"], return_inverse=True)
    mapped = [map_variable_type(t, mapping) for t in types]
    labels = np.array(mapped + [None], dtype=object)[inverse.ravel()]
    keep = np.array([label is not None for label in labels], dtype=bool)
    counts["unmapped"] = int((~keep).sum())
    if not include_novel:
        novel = keep & (labels == "VAR")
        counts["novel"] = int(novel.sum())
        keep &= ~novel
    if min_probability is not None and "probability" not in missing_cols:
        low = keep & ~(cat["probability"] >= min_probability)
        counts["probability"] = int(low.sum())
        keep &= ~low
    if mag_range is not None:
        lo, hi = mag_range
        mm = cat["mean_mag"]
        out = keep & np.isfinite(mm) & ~((mm > lo) & (mm < hi))
        counts["magnitude"] = int(out.sum())
        keep &= ~out
    return labels, keep, counts


def read_asassn_catalog(path, *, return_info=False):
    """Read an ASAS-SN variable-star catalogue CSV.

    Column names are matched case-insensitively, ignoring spaces and
    punctuation, first match wins:

    =========== ============================================================
    key         accepted column names
    =========== ============================================================
    ids         asassn_name, id, name, source_id, star_id
    type        variable_type, type, class, var_type, vartype
    period      period, per, p
    probability class_probability, prob, probability, class_prob
    mean_mag    mean_vmag, vmag, mean_mag, mag, mean_v, v
    =========== ============================================================

    ``ids`` and ``type`` are required; a missing optional column, an empty
    cell or an unparseable number gives ``NaN``.

    Parameters
    ----------
    path : str, path-like or file-like
        The catalogue CSV (optionally gzip-compressed).
    return_info : bool, default=False
        Also return ``{"missing_columns": set}``: the optional columns the
        file lacks (their entries are all ``NaN``).

    Returns
    -------
    catalog : dict of ndarray
        ``ids`` and ``type`` (str) and ``period``, ``probability``,
        ``mean_mag`` (float), one entry per catalogue row; ``file`` (str, the
        ``file``/``lightcurve`` column, ``""`` when absent) and ``aliases``
        (object, the non-empty values of every identifier-like column), with
        which :func:`load_asassn` finds each star's light-curve file.
    info : dict
        Only if ``return_info``.

    Raises
    ------
    ValueError
        If the file cannot be read, lacks an identifier or type column, or has
        a truncated row; the message names the file.
    """
    catalog, missing = _parse_catalog(path)
    return (catalog, {"missing_columns": missing}) if return_info else catalog


def _read_head(path, n_bytes=65536):
    """First ``n_bytes`` of a (possibly gzipped) text file, or ``""``."""
    try:
        opener = gzip.open if str(path).lower().endswith(".gz") else open
        with opener(path, "rb") as f:
            head = f.read(n_bytes)
        return head.decode("utf-8", errors="replace").lstrip("\ufeff")
    except (OSError, EOFError):
        return ""


def _find_catalog(folder, catalog):
    if catalog is not None:
        path = Path(catalog)
        path = path if path.is_absolute() else folder / path
        if path.is_file():
            return path
        if str(catalog) != "catalog.csv":
            raise ValueError(f"{path}: catalogue file not found")
    found = []
    for path in sorted(folder.glob("*.csv")) + sorted(folder.glob("*.csv.gz")):
        for _, header in _csv_rows(_read_head(path)):
            if header is not None and _is_catalog_header(
                [_normalize_name(h) for h in header]
            ):
                found.append(path)
            break
    if len(found) != 1:
        names = f" ({', '.join(p.name for p in found)})" if found else ""
        raise ValueError(
            f"{folder}: found {len(found) or 'no'} catalogue CSV files{names} (a CSV "
            "whose header has an identifier and a variable-type column); pass "
            "catalog=<file name>"
        )
    return found[0]


def _lightcurve_index(lc_dir, exclude):
    """Map normalised file stem -> path for the light-curve CSVs in ``lc_dir``."""
    index = {}
    for path in sorted(lc_dir.iterdir()):
        lower = path.name.lower()
        if not path.is_file() or path.resolve() == exclude:
            continue
        for suffix in (".csv.gz", ".csv", ".dat", ".txt"):
            if lower.endswith(suffix):
                index.setdefault(_file_key(path.name[: -len(suffix)]), path)
                break
    return index


@_fill_doc
def load_asassn(
    folder,
    *,
    catalog="catalog.csv",
    lightcurve_dir=None,
    mapping=SUPERCLASS_MAP,
    min_probability=0.9,
    min_obs=200,
    mag_range=(11, 17),
    include_novel=True,
    band="V",
    on_error="raise",
    return_fine_labels=False,
    return_info=False,
    verbose=0,
):
    """Load an ASAS-SN Variable Stars Database folder as ``(X, y)``.

    The folder holds a catalogue CSV (see :func:`read_asassn_catalog`) and one
    light-curve CSV per star (see :func:`read_asassn_lightcurve`). A star's
    file is found by its catalogue identifiers: any identifier column
    (``asassn_name``, ``id``, ``name``, ``source_id``) matched against the file
    name without extension, ignoring case, spaces and punctuation
    (``"ASASSN-V J0001+02"`` finds ``ASASSN-V_J0001+02.csv``), or a
    ``file``/``lightcurve`` column giving the file name.

    The data selection of Tsang & Schultz (2019) is applied, in this order, each cut
    optional:

    1. superclass mapping (:func:`map_variable_type`): unmapped types dropped;
    2. ``include_novel``: keep or drop the ``VAR`` stars;
    3. class probability >= ``min_probability`` (a star with no probability
       fails the cut; a catalogue with no probability column skips it, with a
       warning);
    4. ``mag_range[0] < mean magnitude < mag_range[1]``, on the catalogue mean
       V magnitude, or the median of the star's light curve when the catalogue
       has none;
    5. at least ``min_obs`` usable observations after non-detections and the
       other band are dropped.

    Cuts 1-3 (and 4 when the catalogue has mean magnitudes) are applied before
    any light curve is read. The paper's SuperSmoother residual cut (<= 0.7,
    periodic sources only) is not available: it needs a SuperSmoother fit,
    which skdualnet does not implement; filter ``X`` yourself if you need it.

    Parameters
    ----------
    folder : str or path-like
        The data folder.
    catalog : str or path-like, default="catalog.csv"
        Catalogue file, relative to ``folder`` or absolute. If the default
        ``catalog.csv`` does not exist, the only CSV in ``folder`` whose header
        has an identifier and a variable-type column is used.
    lightcurve_dir : str or path-like, default=None
        Folder of the per-star CSVs, relative to ``folder`` or absolute.
        ``None`` uses ``folder/lightcurves`` if it exists, else ``folder``.
    mapping : mapping of str to str or None, default=SUPERCLASS_MAP
        ASAS-SN type -> label (see :func:`map_variable_type`).
    min_probability : float or None, default=0.9
        Minimum catalogue class probability; ``None`` disables the cut.
    min_obs : int or None, default=200
        Minimum number of usable observations; ``None`` disables the cut.
    mag_range : tuple of float or None, default=(11, 17)
        Open interval of accepted mean magnitudes; ``None`` disables the cut.
    include_novel : bool, default=True
        Keep the stars labelled ``"VAR"`` (the novel class, for testing novelty
        detection). ``False`` drops them.
    band : {"V", "g", None}, default="V"
        Band passed to :func:`read_asassn_lightcurve` (the paper uses V;
        ``None`` keeps each star's most populous band).
    %(on_error)s
    return_fine_labels : bool, default=False
        Also return the original ASAS-SN variable types of the loaded stars.
    return_info : bool, default=False
        Also return a dict counting the stars dropped by each cut
        (``n_catalog``, ``unmapped``, ``novel``, ``probability``,
        ``magnitude``, ``min_obs``, ``errors``, ``duplicates``), the total
        number of non-detections dropped and the ``skipped`` stars (star id,
        or catalogue line for a malformed row) with their reasons.
    %(verbose)s
        The bar counts the catalogue stars whose light curve is read.

    Returns
    -------
    X : LightCurves
        One star per sample, with the catalogue period (``NaN`` where the
        catalogue has none) and ``X.ids`` the catalogue identifiers.
    y : ndarray of str
        Superclass labels.
    fine_labels : ndarray of str
        Only when ``return_fine_labels=True``.
    info : dict
        Only when ``return_info=True``.

    Raises
    ------
    ValueError
        If the catalogue cannot be found or read, if ``on_error="raise"`` and
        a star's light curve is missing or unreadable (the message names the
        star and the file), or if no star survives the cuts.
    """
    _check_on_error(on_error)
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"{folder}: not a folder")
    cat_path = _find_catalog(folder, catalog)
    what = f"load_asassn({folder})"
    skipped = {}
    cat, missing_cols = _parse_catalog(
        cat_path, skipped if on_error == "skip" else None
    )
    lc_dir = _lightcurve_folder(folder, lightcurve_dir)
    info = dict.fromkeys(_INFO_COUNTS, 0)
    info["n_catalog"] = len(cat["ids"])
    info["non_detections"] = 0
    if min_probability is not None and "probability" in missing_cols:
        warnings.warn(
            f"{cat_path}: no class-probability column; the min_probability "
            "cut is not applied",
            UserWarning,
            stacklevel=2,
        )
    labels, keep, counts = select_catalog_rows(
        cat,
        mapping=mapping,
        include_novel=include_novel,
        min_probability=min_probability,
        mag_range=mag_range,
        missing_columns=missing_cols,
    )
    info.update(counts)
    first = _first_of_duplicates(cat["ids"].tolist(), what)
    info["duplicates"] = int((keep & ~first).sum())
    keep &= first
    stars = progress(
        np.flatnonzero(keep), desc=f"reading {folder.name}", verbose=verbose
    )
    rows = _read_catalog_stars(
        cat,
        labels,
        stars,
        lc_dir,
        _lightcurve_index(lc_dir, cat_path.resolve()),
        band=band,
        mag_range=mag_range,
        min_obs=min_obs,
        on_error=on_error,
        skipped=skipped,
        info=info,
    )
    info["errors"] = len(skipped)
    info["skipped"] = skipped
    _warn_skipped(skipped, what)
    curves, periods, ids, ys, fine = map(list, zip(*rows)) if rows else ([],) * 5
    X, y = _finish(curves, periods, ids, ys, what)
    out = (X, y.astype(str))
    if return_fine_labels:
        out += (np.asarray(fine, dtype=str),)
    if return_info:
        out += (info,)
    return out


_INFO_COUNTS = (
    "unmapped",
    "novel",
    "probability",
    "magnitude",
    "min_obs",
    "errors",
    "duplicates",
)


def _lightcurve_folder(folder, lightcurve_dir):
    """``lightcurve_dir`` resolved against ``folder`` (see :func:`load_asassn`)."""
    if lightcurve_dir is None:
        return folder / "lightcurves" if (folder / "lightcurves").is_dir() else folder
    lc_dir = Path(lightcurve_dir)
    lc_dir = lc_dir if lc_dir.is_absolute() else folder / lc_dir
    if not lc_dir.is_dir():
        raise ValueError(f"{lc_dir}: light-curve folder not found")
    return lc_dir


def _star_file(cat, i, lc_dir, index):
    """Path of catalogue row ``i``'s light curve, or None if none is found."""
    file_name = cat["file"][i]
    if file_name:
        path = Path(file_name)
        return path if path.is_absolute() else lc_dir / path
    return next(
        (index[k] for k in map(_file_key, cat["aliases"][i]) if k in index), None
    )


def _read_catalog_stars(
    cat,
    labels,
    stars,
    lc_dir,
    index,
    *,
    band,
    mag_range,
    min_obs,
    on_error,
    skipped,
    info,
):
    """Read the selected rows' light curves; apply cuts 4 (fallback) and 5.

    Returns ``(curve, period, id, label, fine type)`` per kept star; a star
    whose file fails is raised or recorded in ``skipped``; the cuts are
    counted in ``info``.
    """
    rows = []
    for i in stars:
        star = cat["ids"][i]
        path = _star_file(cat, i, lc_dir, index)
        try:
            if path is None:
                raise ValueError(
                    f"no light-curve file found in {lc_dir} for identifiers "
                    f"{list(cat['aliases'][i])}"
                )
            curve, lc_info = read_asassn_lightcurve(path, band, return_info=True)
        except ValueError as exc:
            if on_error == "raise":
                raise ValueError(f"star {str(star)!r}: {exc}") from None
            skipped[str(star)] = str(exc)
            continue
        info["non_detections"] += lc_info["n_nondetections"]
        if mag_range is not None and not np.isfinite(cat["mean_mag"][i]):
            med = np.median(curve[:, 1])
            if not mag_range[0] < med < mag_range[1]:
                info["magnitude"] += 1
                continue
        if min_obs is not None and len(curve) < min_obs:
            info["min_obs"] += 1
            continue
        rows.append((curve, cat["period"][i], star, labels[i], cat["type"][i]))
    return rows
