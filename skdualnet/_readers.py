"""Readers for survey light curves and catalogues, returning ``(X, y)``.

Every loader returns ``X`` as a :class:`~skdualnet.LightCurves` (one sample = one
star, with the catalogue period where the survey gives one and the star
identifiers in ``X.ids``) and ``y`` as an array of string labels, ready for
``DualNetClassifier().fit(X, y)``.

* ASAS-SN Variable Stars Database (the survey of Tsang & Schultz 2019):
  :func:`read_asassn_lightcurve` (one per-star CSV), :func:`read_asassn_catalog`
  (the catalogue table) and :func:`load_asassn` (a folder of both, with the
  paper's selection cuts and the superclass mapping :data:`SUPERCLASS_MAP`).
* Real data sets redistributed with the project (see each folder's README):
  :func:`load_asas_acvs`, :func:`load_asas_richards2012`, :func:`load_eros1_lmc`,
  :func:`load_s82_rrlyrae`; :func:`combine_datasets` joins labelled sets.
* A survey-agnostic long table (one row per observation):
  :func:`to_long_format` and :func:`from_long_format`.

Only the standard library, numpy and skdualnet's progress bars (tqdm) are
used; pandas is imported lazily, and
only when a DataFrame is explicitly requested. Nothing here touches the disk at
import time.
"""

import csv
import gzip
import io
import os
import re
import tarfile
import warnings
import zlib
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

import numpy as np

from ._progress import VERBOSE_DOC, progress
from ._validation import check_light_curves

__all__ = [
    "ACVS_SUPERCLASS_MAP",
    "RICHARDS_SUPERCLASS_MAP",
    "SUPERCLASS_MAP",
    "SkippedStarsWarning",
    "combine_datasets",
    "from_long_format",
    "load_asas_acvs",
    "load_asas_richards2012",
    "load_asassn",
    "load_eros1_lmc",
    "load_s82_rrlyrae",
    "map_variable_type",
    "read_asassn_catalog",
    "read_asassn_lightcurve",
    "to_long_format",
]

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

#: ASAS (Richards et al. 2012) training-set class -> superclass, as suggested by
#: ``asas_richards2012/README.md`` (read-only). Classes not listed (the
#: README's "novel" group: T Tauri, Herbig Ae/Be, RCB, beta Cephei, pulsating Be,
#: S Doradus, ellipsoidal) get the ``novel_label`` of
#: :func:`load_asas_richards2012`.
RICHARDS_SUPERCLASS_MAP = MappingProxyType(
    {
        "Classical_Cepheid": "CEP",
        "PopII_Cepheid": "CEP",
        "MultiMode_Cepheid": "CEP",
        "RV_Tauri": "CEP",
        "Delta_Scuti": "DSCT",
        "SX_Phe": "DSCT",
        "W_Ursae_Maj": "EB",
        "Beta_Lyrae": "EB",
        "Beta_Persei": "EB",
        "Mira": "M",
        "RS_CVn": "ROT",
        "ChemPeculiar": "ROT",
        "RR_Lyrae_FM": "RRAB",
        "RR_Lyrae_FO": "RRCD",
        "RR_Lyrae_DM": "RRCD",
        "Semireg_PV": "SR",
        "SARG_A": "SR",
        "SARG_B": "SR",
        "LSP": "SR",
        "RSG": "SR",
    }
)

#: ASAS Catalogue of Variable Stars class -> superclass, as suggested by
#: ``asas_acvs/README.md`` (read-only). Classes not listed (alpha2 CVn and beta
#: Cephei stars) get the ``novel_label`` of :func:`load_asas_acvs`.
ACVS_SUPERCLASS_MAP = MappingProxyType(
    {
        "Close Binary Eclipsing Systems": "EB",
        "Contact Systems": "EB",
        "Detached": "EB",
        "Semidetached": "EB",
        "Mira": "M",
        "RR Lyrae, Fundamental Mode": "RRAB",
        "RR Lyrae, First Overtone": "RRCD",
        "Delta Scuti": "DSCT",
    }
)

# EROS-1 / RAMP type codes (eros1_lmc/README.md).
_EROS_TYPES = {1: "EB", 2: "CEP", 3: "RRL", 4: "M"}
# Stripe 82 RR Lyrae subtypes (s82_rrlyrae/README.md).
_S82_TYPES = {"ab": "RRAB", "c": "RRC"}
_S82_BANDS = ("u", "g", "r", "i", "z")

# Tolerated column names, normalised (lower case, non-alphanumerics -> "_"),
# in order of preference.
_CATALOG_COLUMNS = {
    "ids": ("asassn_name", "id", "name", "source_id", "star_id"),
    "type": ("variable_type", "type", "class", "var_type", "vartype"),
    "period": ("period", "per", "p"),
    "probability": ("class_probability", "prob", "probability", "class_prob"),
    "mean_mag": ("mean_vmag", "vmag", "mean_mag", "mag", "mean_v", "v"),
}
# Optional catalogue column naming each star's light-curve file.
_FILE_COLUMNS = ("lightcurve", "light_curve", "lc_file", "file", "filename", "path")
_LC_COLUMNS = {
    "time": ("hjd", "jd", "bjd", "time"),
    "mag": ("mag", "magnitude"),
    "err": ("mag_err", "magerr", "mag_error", "e_mag", "err", "error"),
    "filter": ("filter", "band"),
}
_SENTINEL_ERR = 99.0  # ASAS-SN writes mag_err = 99.99 for failed photometry

_ON_ERROR_DOC = """on_error : {"raise", "skip"}, default="raise"
        What to do with a star whose light curve is missing, corrupt or has no
        observation with a finite time and magnitude, or whose catalogue row
        is malformed (wrong number of fields, truncated). ``"raise"`` raises a
        ``ValueError`` naming the star (or the catalogue line); ``"skip"``
        leaves the star out and emits one ``UserWarning`` (a
        :class:`SkippedStarsWarning`, whose ``skipped`` attribute maps every
        skipped star to the reason) listing every skipped star and why, so
        that one bad file or row among thousands does not lose the others. A
        file that cannot be read at all (missing, not UTF-8 text, corrupt
        archive) raises in both modes. A star listed twice in the catalogue is
        loaded once, from its first row, with a ``UserWarning``."""


# --------------------------------------------------------------------- helpers
def _normalize_name(name):
    """Column-name key: lower case, runs of non-alphanumerics -> ``_``."""
    return re.sub(r"[^0-9a-z]+", "_", str(name).strip().lower()).strip("_")


def _file_key(name):
    """File-matching key: lower case alphanumerics only."""
    return re.sub(r"[^0-9a-z]+", "", str(name).lower())


def _find_column(header, candidates):
    """Index of the first of ``candidates`` present in normalised ``header``."""
    for cand in candidates:
        if cand in header:
            return header.index(cand)
    return None


def _source_name(path_or_file):
    if isinstance(path_or_file, (str, os.PathLike)):
        return str(path_or_file)
    return str(getattr(path_or_file, "name", "<file-like object>"))


def _read_text(path_or_file):
    """Return ``(text, name)``; gzip (``.gz``) is decompressed transparently.

    Raises ``ValueError`` naming the source if it cannot be read as text.
    """
    name = _source_name(path_or_file)
    try:
        if isinstance(path_or_file, (str, os.PathLike)):
            data = Path(path_or_file).read_bytes()
        else:
            data = path_or_file.read()
        if isinstance(data, bytes) and data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
    except FileNotFoundError:
        raise ValueError(f"{name}: file not found") from None
    except (OSError, EOFError, zlib.error) as exc:  # BadGzipFile is an OSError
        raise ValueError(f"{name}: cannot read file ({exc})") from None
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValueError(
                f"{name}: not a UTF-8 text file, corrupt or binary ({exc.reason} "
                f"at byte {exc.start})"
            ) from None
    if "\x00" in data:
        raise ValueError(f"{name}: contains NUL bytes; the file is corrupt")
    return data.lstrip("\ufeff"), name


def _csv_rows(text):
    """Yield ``(line_number, fields)`` for non-blank, non-comment CSV lines.

    Each line is parsed on its own: a quote left open by a corrupt line never
    swallows the lines after it, and line numbers stay exact. ``fields`` is
    ``None`` for a line the csv module cannot parse (e.g. a field over its
    size limit); callers treat it as a malformed row.
    """
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if '"' not in line:
            yield lineno, [f.strip() for f in line.split(",")]
            continue
        try:
            fields = next(csv.reader((line,)), [])
        except csv.Error:
            yield lineno, None
            continue
        yield lineno, [f.strip() for f in fields]


def _strip_trailing_empty(fields, n):
    """Drop trailing empty fields beyond ``n`` (trailing commas)."""
    if fields is None:
        return None
    while len(fields) > n and fields[-1] == "":
        fields.pop()
    return fields


def _row_problem(fields, n):
    """Why a CSV row is malformed (``None`` if it has ``n`` fields)."""
    if fields is None:
        return "is not valid CSV (unbalanced quotes or a huge field)"
    if len(fields) != n:
        return f"has {len(fields)} fields, expected {n}"
    return None


def _clean_curve(curve):
    """Drop rows with a non-finite time or magnitude; refuse an empty curve.

    Applied to each star inside the loaders, so that an unusable star is
    raised or skipped like any other per-star problem (``on_error``) instead
    of failing the whole data set in :func:`_finish`.
    """
    curve = np.asarray(curve, dtype=np.float64)
    curve = curve[np.isfinite(curve[:, 0]) & np.isfinite(curve[:, 1])]
    if len(curve) == 0:
        raise ValueError("no observation with a finite time and magnitude")
    return curve


def _first_of_duplicates(ids, what, stacklevel=3):
    """Mask keeping the first row of each identifier; warns about the others.

    ``stacklevel`` points the warning at the loader's caller.
    """
    seen, keep, dups = set(), [], []
    for star in ids:
        keep.append(star not in seen)
        if star in seen:
            dups.append(star)
        seen.add(star)
    if dups:
        shown = ", ".join(repr(str(d)) for d in dups[:20])
        more = f" and {len(dups) - 20} more" if len(dups) > 20 else ""
        warnings.warn(
            f"{what}: {len(dups)} duplicate catalogue row(s) for star(s) "
            f"{shown}{more}; the first row of each star is used",
            UserWarning,
            stacklevel=stacklevel,
        )
    return np.array(keep, dtype=bool)


def _to_float(value):
    """Float or NaN for empty / unparseable catalogue cells."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return np.nan


def _check_on_error(on_error):
    if on_error not in ("raise", "skip"):
        raise ValueError(f'on_error must be "raise" or "skip"; got {on_error!r}')


class SkippedStarsWarning(UserWarning):
    """Warning of the loaders' ``on_error="skip"``: stars left out, and why.

    Parameters
    ----------
    message : str
        The text shown (at most 20 stars spelled out).
    skipped : dict of str to str, default=None
        Every skipped star (id, or catalogue line for a malformed row) and
        the reason, also available as the ``skipped`` attribute, so that a
        program can list them all (e.g. ``skdualnet predict``).

    Examples
    --------
    >>> import warnings
    >>> from skdualnet._readers import SkippedStarsWarning
    >>> w = SkippedStarsWarning("skipped 1 star", {"V1": "file not found"})
    >>> isinstance(w, UserWarning), w.skipped
    (True, {'V1': 'file not found'})
    """

    def __init__(self, message, skipped=None):
        super().__init__(message)
        self.skipped = dict(skipped or {})


def _warn_skipped(skipped, what):
    """One warning listing every skipped star (at most 20 spelled out)."""
    if not skipped:
        return
    items = [f"{star}: {why}" for star, why in skipped.items()]
    shown = "; ".join(items[:20])
    more = f"; ... and {len(items) - 20} more" if len(items) > 20 else ""
    warnings.warn(
        SkippedStarsWarning(
            f"{what}: skipped {len(items)} star(s) that could not be read: "
            f"{shown}{more}",
            skipped,
        ),
        stacklevel=3,
    )


def _drain(tar):
    """Read a ``.tar.gz`` to its end, so that gzip checks its CRC and length.

    tarfile stops at the end-of-archive blocks, before the gzip trailer: a
    corrupt byte inside the compressed stream would otherwise go unnoticed.
    """
    while tar.fileobj.read(1 << 20):
        pass


def _finish(curves, period, ids, labels, what, features=None):
    """Build ``(X, y)``; refuses to return an empty data set."""
    if not curves:
        raise ValueError(f"{what}: no star left to load")
    X = check_light_curves(
        curves, period=period, ids=np.asarray(ids), features=features
    )
    return X, np.asarray(labels)


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
    >>> from skdualnet._readers import map_variable_type
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
    >>> from skdualnet._readers import read_asassn_lightcurve
    >>> f = io.StringIO("HJD,mag,mag_err,Filter\\n1.0,12.5,0.02,V\\n"
    ...                 "2.0,>17.1,99.99,V\\n3.0,12.7,0.03,V\\n")
    >>> read_asassn_lightcurve(f).tolist()
    [[1.0, 12.5, 0.02], [3.0, 12.7, 0.03]]
    """
    if band is not None:
        if str(band).lower() not in ("v", "g"):
            raise ValueError(f'band must be None, "V" or "g"; got {band!r}')
        band = "V" if str(band).lower() == "v" else "g"
    text, name = _read_text(path_or_file)
    rows = _csv_rows(text)
    try:
        header_line, header = next(rows)
    except StopIteration:
        raise ValueError(f"{name}: empty file (no header line)") from None
    if header is None:
        raise ValueError(f"{name}: line {header_line}: header is not valid CSV")
    header = [_normalize_name(h) for h in header]
    while header and header[-1] == "":
        header.pop()
    cols = {key: _find_column(header, cands) for key, cands in _LC_COLUMNS.items()}
    missing = [key for key in ("time", "mag", "err") if cols[key] is None]
    if missing:
        names = ", ".join(_LC_COLUMNS[key][0] for key in missing)
        raise ValueError(
            f"{name}: line {header_line}: header has no {names} column(s); expected "
            "an ASAS-SN light curve (HJD,UT Date,Camera,FWHM,Limit,mag,mag_err,"
            f"flux(mJy),flux_err[,Filter]); got {header!r}"
        )
    n_cols = len(header)
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
    n_rows = len(table)
    detected = [row for row in table if not row[cols["mag"]].startswith(">")]
    n_nondet = n_rows - len(detected)
    i_t, i_m, i_e = cols["time"], cols["mag"], cols["err"]
    try:
        values = np.array(
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
    if cols["filter"] is None:
        bands = np.full(len(values), "V")
    else:
        bands = np.array([row[cols["filter"]] for row in detected], dtype=object)
        lower = np.array([str(b).lower() for b in bands], dtype=object)
        bands = np.where(lower == "v", "V", np.where(lower == "g", "g", bands))
        bands = bands.astype(str)
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


# ----------------------------------------------------------- ASAS-SN: catalogue
def _read_catalog_table(path, bad_rows=None):
    """Parse a catalogue CSV into normalised header and rows.

    A malformed row (wrong number of fields, invalid CSV) raises
    ``ValueError`` naming the file and line, unless ``bad_rows`` is a list:
    then ``(line_number, fields_or_None, problem)`` is appended to it and the
    row is left out (the loaders' ``on_error="skip"``).
    """
    text, name = _read_text(path)
    rows = _csv_rows(text)
    try:
        header_line, header = next(rows)
    except StopIteration:
        raise ValueError(f"{name}: empty catalogue (no header line)") from None
    if header is None:
        raise ValueError(f"{name}: line {header_line}: header is not valid CSV")
    header = [_normalize_name(h) for h in header]
    while header and header[-1] == "":
        header.pop()
    body = []
    for lineno, fields in rows:
        fields = _strip_trailing_empty(fields, len(header))
        problem = _row_problem(fields, len(header))
        if problem:
            problem = f"{name}: line {lineno} {problem} (truncated or corrupt row)"
            if bad_rows is None:
                raise ValueError(problem)
            bad_rows.append((lineno, fields, problem))
            continue
        body.append(fields)
    return name, header_line, header, body


def _bad_row_key(lineno, fields, id_col):
    """Name of the star of a malformed catalogue row, for the skip report."""
    if fields is not None and id_col is not None and id_col < len(fields):
        if fields[id_col]:
            return fields[id_col]
    return f"line {lineno}"


def _skipped_rows(bad_rows, id_col):
    """Skip report of malformed catalogue rows: star id (or line) -> problem."""
    return {
        _bad_row_key(lineno, fields, id_col): problem
        for lineno, fields, problem in bad_rows or ()
    }


def _first_rows(body, id_col, what):
    """Catalogue rows, keeping each star's first row (warns about the others)."""
    first = _first_of_duplicates([row[id_col] for row in body], what, stacklevel=4)
    return [row for row, keep in zip(body, first, strict=True) if keep]


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
    keys = []
    for row in body:
        names = [row[i] for i in alt if row[i]]
        keys.append((row[file_col] if file_col is not None else None, names))
    missing = {key for key in ("period", "probability", "mean_mag") if idx[key] is None}
    return out, keys, missing


def _catalog_cuts(
    cat, missing_cols, *, mapping, include_novel, min_probability, mag_range
):
    """The catalogue-level cuts of :func:`load_asassn`.

    Returns ``(labels, keep, counts)``: the superclass of every catalogue row
    (``None`` if unmapped), the rows that pass, and how many rows each cut
    removed (keys ``unmapped``, ``novel``, ``probability``, ``magnitude``).
    The probability cut is skipped when the catalogue has no such column; a
    star without a catalogue mean magnitude passes the magnitude cut here.
    """
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


def read_asassn_catalog(path):
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

    Returns
    -------
    catalog : dict of ndarray
        ``ids`` and ``type`` (str) and ``period``, ``probability``,
        ``mean_mag`` (float), one entry per catalogue row.

    Raises
    ------
    ValueError
        If the file cannot be read, lacks an identifier or type column, or has
        a truncated row; the message names the file.
    """
    return _parse_catalog(path)[0]


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
    cat, keys, missing_cols = _parse_catalog(
        cat_path, skipped if on_error == "skip" else None
    )
    if lightcurve_dir is None:
        lc_dir = folder / "lightcurves" if (folder / "lightcurves").is_dir() else folder
    else:
        lc_dir = Path(lightcurve_dir)
        lc_dir = lc_dir if lc_dir.is_absolute() else folder / lc_dir
        if not lc_dir.is_dir():
            raise ValueError(f"{lc_dir}: light-curve folder not found")
    index = _lightcurve_index(lc_dir, cat_path.resolve())

    info = dict.fromkeys(
        (
            "unmapped",
            "novel",
            "probability",
            "magnitude",
            "min_obs",
            "errors",
            "duplicates",
        ),
        0,
    )
    info["n_catalog"] = len(cat["ids"])
    info["non_detections"] = 0
    if min_probability is not None and "probability" in missing_cols:
        warnings.warn(
            f"{cat_path}: no class-probability column; the min_probability "
            "cut is not applied",
            UserWarning,
            stacklevel=2,
        )
    labels, keep, counts = _catalog_cuts(
        cat,
        missing_cols,
        mapping=mapping,
        include_novel=include_novel,
        min_probability=min_probability,
        mag_range=mag_range,
    )
    info.update(counts)
    first = _first_of_duplicates(cat["ids"].tolist(), what)
    info["duplicates"] = int((keep & ~first).sum())
    keep &= first

    curves, periods, ids, ys, fine = [], [], [], [], []
    stars = np.flatnonzero(keep)
    for i in progress(stars, desc=f"reading {folder.name}", verbose=verbose):
        star = cat["ids"][i]
        file_name, names = keys[i]
        if file_name:
            path = Path(file_name)
            path = path if path.is_absolute() else lc_dir / path
        else:
            path = next((index[k] for k in map(_file_key, names) if k in index), None)
        try:
            if path is None:
                raise ValueError(
                    f"no light-curve file found in {lc_dir} for identifiers {names}"
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
        curves.append(curve)
        periods.append(cat["period"][i])
        ids.append(star)
        ys.append(labels[i])
        fine.append(cat["type"][i])
    info["errors"] = len(skipped)
    info["skipped"] = skipped
    _warn_skipped(skipped, what)
    X, y = _finish(curves, periods, ids, ys, what)
    out = (X, y.astype(str))
    if return_fine_labels:
        out += (np.asarray(fine, dtype=str),)
    if return_info:
        out += (info,)
    return out


# ------------------------------------------------- real data: ASAS / Richards
def _load_asas_folder(
    folder, mapping, novel_label, on_error, return_fine_labels, what, verbose=0
):
    """Shared reader of the ASAS folders (``classes.csv`` + ``lightcurves.tar.gz``)."""
    _check_on_error(on_error)
    folder = Path(folder)
    bad_rows = [] if on_error == "skip" else None
    cat_name, _, header, body = _read_catalog_table(folder / "classes.csv", bad_rows)
    i_id = _find_column(header, ("id", "name", "star_id"))
    i_cls = _find_column(header, ("class", "type"))
    if i_id is None or i_cls is None:
        raise ValueError(f"{cat_name}: expected columns id,class; got {header!r}")
    skipped = _skipped_rows(bad_rows, i_id)
    body = _first_rows(body, i_id, what)
    wanted = {}
    for row in body:
        fine = row[i_cls]
        label = mapping[fine] if fine in mapping else novel_label
        if label is not None:
            wanted[row[i_id]] = (label, fine)
    arrays, problems = {}, {}
    tar_path = folder / "lightcurves.tar.gz"
    desc = f"reading {folder.name}"
    try:
        with (
            tarfile.open(tar_path, "r:gz") as tar,
            progress(total=len(wanted), desc=desc, verbose=verbose) as bar,
        ):
            for member in tar:
                stem = Path(member.name).stem
                if not member.isfile() or stem not in wanted:
                    continue
                bar.update()
                data = tar.extractfile(member).read()
                try:
                    arr = np.loadtxt(
                        io.BytesIO(data), delimiter=",", ndmin=2, dtype=np.float64
                    )
                    if arr.shape[1] != 3 or len(arr) == 0:
                        raise ValueError(f"expected 3 columns, got shape {arr.shape}")
                    arrays[stem] = _clean_curve(arr)
                except ValueError as exc:
                    problems[stem] = f"{tar_path}:{member.name}: {exc}"
            _drain(tar)
    except (OSError, EOFError, zlib.error, tarfile.TarError) as exc:
        raise ValueError(f"{tar_path}: cannot read archive ({exc})") from None
    curves, ids, ys, fines = [], [], [], []
    for star, (label, fine) in wanted.items():
        if star not in arrays:
            why = problems.get(star, f"no lightcurves/{star}.dat in {tar_path}")
            if on_error == "raise":
                raise ValueError(f"star {str(star)!r}: {why}")
            skipped[star] = why
            continue
        curves.append(arrays[star])
        ids.append(star)
        ys.append(label)
        fines.append(fine)
    _warn_skipped(skipped, what)
    X, y = _finish(curves, None, ids, ys, what)
    if return_fine_labels:
        return X, y, np.asarray(fines, dtype=str)
    return X, y


def load_asas_richards2012(
    folder,
    mapping=RICHARDS_SUPERCLASS_MAP,
    *,
    novel_label="novel",
    on_error="raise",
    return_fine_labels=False,
    verbose=0,
):
    """Load the ASAS training set of Richards et al. (2012) as ``(X, y)``.

    Reads ``classes.csv`` (``id,class``) and the per-star files
    ``lightcurves/<id>.dat`` (``time (HJD - 2450000), V mag, error``, comma
    separated, no header) straight from ``lightcurves.tar.gz``, without
    extracting it. The data set gives no periods: ``X.period`` is all ``NaN``
    and :class:`~skdualnet.PhaseFolder` estimates them.

    Parameters
    ----------
    folder : str or path-like
        The ``asas_richards2012`` folder.
    mapping : mapping of str to str or None, default=RICHARDS_SUPERCLASS_MAP
        Training-set class -> label, the README's suggested mapping to the
        eight superclasses. A class mapped to ``None`` is excluded.
    novel_label : str or None, default="novel"
        Label of the classes absent from ``mapping`` (the README's novel
        group); ``None`` excludes them.
    %(on_error)s
    return_fine_labels : bool, default=False
        Also return the original training-set classes of the loaded stars.
    %(verbose)s
        The bar counts the light curves read from the archive.

    Returns
    -------
    X : LightCurves
        One star per sample; ``X.ids`` are the ASAS ids (str).
    y : ndarray of str
        Superclass labels (``novel_label`` for the novel group).
    fine_labels : ndarray of str
        Only when ``return_fine_labels=True``.
    """
    what = f"load_asas_richards2012({folder})"
    return _load_asas_folder(
        folder, mapping, novel_label, on_error, return_fine_labels, what, verbose
    )


def load_asas_acvs(
    folder,
    mapping=ACVS_SUPERCLASS_MAP,
    *,
    novel_label="novel",
    on_error="raise",
    return_fine_labels=False,
    verbose=0,
):
    """Load the ASAS Catalogue of Variable Stars (ACVS) light curves as ``(X, y)``.

    The folder has the layout of :func:`load_asas_richards2012`:
    ``classes.csv`` (``id,class,asas_id,ra_deg,dec_deg``, ACVS class names) and
    ``lightcurves/<id>.dat`` inside ``lightcurves.tar.gz`` (``time (HJD -
    2450000), V mag, error``), read without extracting. No periods are given:
    ``X.period`` is all ``NaN`` and :class:`~skdualnet.PhaseFolder` estimates
    them. Combine it with :func:`load_asas_richards2012` (same survey, disjoint
    stars) through :func:`combine_datasets` for all eight superclasses.

    Parameters
    ----------
    folder : str or path-like
        The ``asas_acvs`` folder.
    mapping : mapping of str to str or None, default=ACVS_SUPERCLASS_MAP
        ACVS class -> label: the folder README's mapping to the superclasses
        (the four eclipsing types -> EB, Mira -> M, RR Lyrae fundamental /
        first overtone -> RRAB / RRCD, Delta Scuti -> DSCT). A class mapped
        to ``None`` is excluded.
    novel_label : str or None, default="novel"
        Label of the classes absent from ``mapping`` (alpha2 CVn and beta
        Cephei stars); ``None`` excludes them.
    %(on_error)s
    return_fine_labels : bool, default=False
        Also return the ACVS classes of the loaded stars.
    %(verbose)s
        The bar counts the light curves read from the archive.

    Returns
    -------
    X : LightCurves
        One star per sample; ``X.ids`` are the catalogue ids (str).
    y : ndarray of str
        Superclass labels (``novel_label`` for the novel group).
    fine_labels : ndarray of str
        Only when ``return_fine_labels=True``.

    See Also
    --------
    load_asas_richards2012 : The ASAS training set of Richards et al. (2012).
    combine_datasets : Join both folders into one labelled set.
    """
    what = f"load_asas_acvs({folder})"
    return _load_asas_folder(
        folder, mapping, novel_label, on_error, return_fine_labels, what, verbose
    )


def combine_datasets(*datasets):
    """Join several labelled sets ``(X, y)`` into one, refusing duplicate stars.

    Light curves, periods, ids and labels are concatenated in the order given
    (e.g. ``combine_datasets(load_asas_acvs(a), load_asas_richards2012(b))``).
    Every set must carry star ids (all loaders set ``X.ids``) and the same
    number of extra features (or none). The labels are taken as they are:
    choose the loaders' ``mapping`` so that one class means the same in every
    set (e.g. the ASAS folders map chemically peculiar stars differently: ROT
    in Richards et al., novel in the ACVS folder).

    Parameters
    ----------
    *datasets : tuple of (LightCurves, array-like of shape (n_stars,))
        Raw (not yet folded) sets, as the ``load_*`` functions return them.

    Returns
    -------
    X : LightCurves
    y : ndarray of str

    Raises
    ------
    ValueError
        If fewer than one set is given, a set lacks ids or has derived state,
        the feature columns differ, or a star id appears twice (the message
        names the id and the two sets).
    """
    if not datasets:
        raise ValueError("combine_datasets needs at least one (X, y) pair")
    curves, periods, ids, labels, features = [], [], [], [], []
    seen = {}
    for k, (X, y) in enumerate(datasets):
        X = check_light_curves(X)
        y = np.asarray(y)
        if X.stage != "raw":
            raise ValueError(
                f"set {k}: combine raw light curves (got stage {X.stage!r}); "
                "fold them after combining"
            )
        if X.ids is None:
            raise ValueError(f"set {k}: its stars have no ids; give ids to combine")
        if len(y) != len(X):
            raise ValueError(f"set {k}: {len(X)} stars but {len(y)} labels")
        for i, star in enumerate(X.ids):
            if str(star) in seen:
                raise ValueError(
                    f"star {str(star)!r} is in set {seen[str(star)]} and in set {k}: "
                    "duplicate stars would fall on both sides of a split"
                )
            seen[str(star)] = k
        curves.extend(X.curves)
        periods.append(np.asarray(X.period, dtype=float))
        ids.extend(str(s) for s in X.ids)
        labels.append(y.astype(str))
        features.append(X.features)
    if any(f is None for f in features) and not all(f is None for f in features):
        raise ValueError("combine_datasets: some sets have extra features, some not")
    feats = None if features[0] is None else np.vstack(features)
    X = check_light_curves(
        curves, period=np.concatenate(periods), ids=np.asarray(ids), features=feats
    )
    return X, np.concatenate(labels)


# --------------------------------------------------------- real data: EROS-1
def _parse_list(text):
    """Parse a bracketed comma-separated list of numbers."""
    inner = text.strip().lstrip("[").rstrip("]").strip()
    if not inner:
        return np.zeros(0)
    return np.array(inner.split(","), dtype=np.float64)


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
    if band not in ("r", "b", "both"):
        raise ValueError(f'band must be "r", "b" or "both"; got {band!r}')
    folder = Path(folder)
    what = f"load_eros1_lmc({folder})"
    bad_rows = [] if on_error == "skip" else None
    cat_name, _, header, body = _read_catalog_table(folder / "stars.csv", bad_rows)
    cols = {k: _find_column(header, (k,)) for k in ("type", "period", "div_period")}
    cols["mag_b"] = _find_column(header, ("magnitude_b",))
    cols["mag_r"] = _find_column(header, ("magnitude_r",))
    need = ["type", "period", "div_period"] + (["mag_b", "mag_r"] * (band == "both"))
    absent = [k for k in need if cols[k] is None]
    if absent:
        raise ValueError(f"{cat_name}: missing column(s) {absent}; got {header!r}")

    text, lc_name = _read_text(folder / "lightcurves.csv.gz")
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
    raw = {}
    for lineno, fields in rows:
        if fields is None:
            continue  # a star whose row this was is reported as having none
        raw.setdefault(fields[0], (lineno, fields))  # first row of a star

    skipped = _skipped_rows(bad_rows, 0)
    body = _first_rows(body, 0, what)
    curves, periods, ids, ys, feats = [], [], [], [], []
    for row in progress(body, desc=f"reading {folder.name}", verbose=verbose):
        star = row[0]
        try:
            code = _to_float(row[cols["type"]])
            if code not in _EROS_TYPES:
                raise ValueError(
                    f"unknown type code {row[cols['type']]!r} in {cat_name}"
                )
            if star not in raw:
                raise ValueError(f"no light curve in {lc_name}")
            lineno, fields = raw[star]
            try:
                t, m, e = (_parse_list(fields[c]) for c in lc_cols)
            except (ValueError, IndexError) as exc:
                raise ValueError(
                    f"{lc_name}: line {lineno}: corrupt row ({exc})"
                ) from None
            if not len(t) == len(m) == len(e) or len(t) == 0:
                raise ValueError(
                    f"{lc_name}: line {lineno}: band {use} lists of lengths "
                    f"{len(t)}, {len(m)}, {len(e)}"
                )
            curve = _clean_curve(np.column_stack([t, m, e]))
            if band == "both":
                colour = _to_float(row[cols["mag_b"]]) - _to_float(row[cols["mag_r"]])
                if not np.isfinite(colour):
                    raise ValueError(
                        f"{cat_name}: magnitude_b {row[cols['mag_b']]!r} or "
                        f"magnitude_r {row[cols['mag_r']]!r} is not a finite "
                        'number, so band="both" has no colour feature'
                    )
        except ValueError as exc:
            if on_error == "raise":
                raise ValueError(f"star {str(star)!r}: {exc}") from None
            skipped[star] = str(exc)
            continue
        div = _to_float(row[cols["div_period"]])
        periods.append(_to_float(row[cols["period"]]) / div if div else np.nan)
        curves.append(curve)
        ids.append(star)
        ys.append(_EROS_TYPES[code])
        if band == "both":
            feats.append(colour)
    _warn_skipped(skipped, what)
    features = np.asarray(feats)[:, None] if band == "both" and feats else None
    return _finish(curves, periods, ids, ys, what, features=features)


# -------------------------------------------------- real data: Stripe 82 RRL
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
    if band not in _S82_BANDS:
        raise ValueError(f"band must be one of {_S82_BANDS}; got {band!r}")
    folder = Path(folder)
    what = f"load_s82_rrlyrae({folder})"
    text, t2_name = _read_text(folder / "table2_periods_types.dat.gz")
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
    table = {star: rows[0] for star, rows in table.items()}  # first row wins

    col = 2 + 3 * _S82_BANDS.index(band)
    arrays, problems = {}, {}
    tar_path = folder / "table1_lightcurves.tar.gz"
    desc = f"reading {folder.name}"
    try:
        with (
            tarfile.open(tar_path, "r:gz") as tar,
            progress(total=len(table), desc=desc, verbose=verbose) as bar,
        ):
            for member in tar:
                stem = Path(member.name).stem
                if not member.isfile() or stem not in table:
                    continue
                bar.update()
                data = tar.extractfile(member).read()
                try:
                    arr = np.loadtxt(io.BytesIO(data), ndmin=2, dtype=np.float64)
                    if arr.shape[1] != 17:
                        raise ValueError(f"expected 17 columns, got {arr.shape[1]}")
                    arrays[stem] = arr[:, col : col + 3]
                except ValueError as exc:
                    problems[stem] = f"{tar_path}:{member.name}: {exc}"
            _drain(tar)
    except (OSError, EOFError, zlib.error, tarfile.TarError) as exc:
        raise ValueError(f"{tar_path}: cannot read archive ({exc})") from None

    curves, periods, ids, ys = [], [], [], []
    for star, (kind, period) in table.items():
        try:
            if kind not in _S82_TYPES:
                raise ValueError(f"unknown RR Lyrae type {kind!r} in {t2_name}")
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


# ----------------------------------------------------------------- long format
def to_long_format(X, y=None, *, as_frame=False):
    """Flatten light curves to a long table, one row per observation.

    Parameters
    ----------
    X : LightCurves or list of ndarray of shape (n_obs_i, 3)
        Light curves (validated with :func:`~skdualnet.check_light_curves`).
    y : array-like of shape (n_stars,), default=None
        Per-star labels, repeated on each of the star's rows as ``label``.
    as_frame : bool, default=False
        Return a pandas DataFrame instead of a dict (pandas is imported only
        then).

    Returns
    -------
    table : dict of ndarray or pandas.DataFrame
        Columns ``star_id`` (``X.ids``, or the star index when there are
        none), ``time``, ``mag``, ``err``, ``period`` (the star's period,
        ``NaN`` if unknown) and, when ``y`` is given, ``label``.

    See Also
    --------
    from_long_format : The inverse.

    Examples
    --------
    >>> import numpy as np
    >>> from skdualnet._readers import from_long_format, to_long_format
    >>> from skdualnet import LightCurves
    >>> X = LightCurves.from_arrays([np.ones((2, 3)), np.ones((1, 3))], ids=["a", "b"])
    >>> to_long_format(X)["star_id"].tolist()
    ['a', 'a', 'b']
    >>> len(from_long_format(to_long_format(X), period="period"))
    2
    """
    X = check_light_curves(X)
    n_obs = np.array([len(c) for c in X.curves], dtype=np.intp)
    ids = np.arange(len(X)) if X.ids is None else np.asarray(X.ids)
    stacked = np.concatenate(X.curves, axis=0)
    table = {
        "star_id": np.repeat(ids, n_obs),
        "time": stacked[:, 0],
        "mag": stacked[:, 1],
        "err": stacked[:, 2],
        "period": np.repeat(X.period, n_obs),
    }
    if y is not None:
        y = np.asarray(y)
        if y.shape != (len(X),):
            raise ValueError(
                f"y must have one label per star ({len(X)}); got {y.shape}"
            )
        table["label"] = np.repeat(y, n_obs)
    if as_frame:
        try:
            import pandas as pd
        except ImportError:
            raise ImportError(
                "to_long_format(..., as_frame=True) requires pandas, which is not "
                "installed; use the default dict output or `pip install pandas`"
            ) from None
        return pd.DataFrame(table)
    return table


def from_long_format(
    table,
    star_col="star_id",
    time_col="time",
    mag_col="mag",
    err_col="err",
    period=None,
    *,
    label_col=None,
):
    """Build :class:`~skdualnet.LightCurves` from a long table.

    One row per observation; rows are grouped by ``star_col``, and stars are
    ordered by first appearance (rows of a star need not be contiguous or
    sorted by time).

    Parameters
    ----------
    table : dict of array-like or pandas.DataFrame
        Anything with ``table[column]`` returning a 1-D array-like (duck-typed:
        pandas is never imported).
    star_col, time_col, mag_col : str
        Column names of the star identifier, time (days) and magnitude.
    err_col : str or None, default="err"
        Column of magnitude errors; ``None`` gives every observation error 1.
    period : None, str, mapping or array-like, default=None
        Per-star period: ``None`` (unknown, estimated later), the name of a
        column (constant within each star), a mapping star id -> period, or an
        array with one entry per star in order of first appearance.
    label_col : str, default=None
        If given, also return per-star labels from this column (constant
        within each star).

    Returns
    -------
    X : LightCurves
        With ``X.ids`` the distinct values of ``star_col``.
    y : ndarray
        Only when ``label_col`` is given.

    Raises
    ------
    ValueError
        If a column is missing, not one-dimensional or (time, magnitude,
        error, period) not numeric, the columns differ in length, a row has no
        star identifier (``None`` or ``NaN``), a per-star column (period,
        label) varies within a star, or a star has no observation with a
        finite time and magnitude. The message names the column or the star.

    See Also
    --------
    to_long_format : The inverse.
    """

    def column(name, numeric=False):
        try:
            values = table[name]
        except (KeyError, IndexError, TypeError):
            raise ValueError(f"long table has no column {name!r}") from None
        try:
            values = np.asarray(values, dtype=np.float64 if numeric else None)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"column {name!r} is not numeric ({exc})") from None
        if values.ndim != 1:
            raise ValueError(
                f"column {name!r} must be one-dimensional; got shape {values.shape}"
            )
        return values

    stars = column(star_col)
    n = len(stars)
    if stars.dtype.kind in "fO":
        missing = [
            i for i, s in enumerate(stars.tolist()) if s is None or s != s
        ]  # None or NaN
        if missing:
            raise ValueError(
                f"column {star_col!r}: row {missing[0]} has no star identifier "
                f"({len(missing)} row(s) without one); drop or fill them first"
            )
    time, mag = column(time_col, True), column(mag_col, True)
    err = np.ones(n) if err_col is None else column(err_col, True)
    for name, values in ((time_col, time), (mag_col, mag), (err_col, err)):
        if values.shape != (n,):
            raise ValueError(
                f"column {name!r} has shape {values.shape}; expected ({n},) like "
                f"{star_col!r}"
            )
    if n == 0:
        raise ValueError("long table has no rows")
    try:
        uniq, first, inverse = np.unique(stars, return_index=True, return_inverse=True)
    except TypeError:  # an object column mixing e.g. numbers and strings
        raise ValueError(
            f"column {star_col!r} mixes star identifiers of types that cannot be "
            "compared (e.g. numbers and strings); convert them to str first"
        ) from None
    order = np.argsort(first, kind="stable")  # star order = first appearance
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    group = rank[inverse.ravel()]
    sort = np.argsort(group, kind="stable")
    bounds = np.cumsum(np.bincount(group, minlength=len(order)))[:-1]
    curve_rows = np.split(sort, bounds)
    data = np.column_stack([time, mag, err]).astype(np.float64)
    curves = [data[rows] for rows in curve_rows]
    ids = uniq[order]

    def per_star(values, what):
        if values.shape != (n,):
            raise ValueError(
                f"{what} has shape {values.shape}; expected ({n},) like {star_col!r}"
            )
        firsts = values[first[order]]
        same = values == firsts[group]
        if values.dtype.kind == "f":
            same |= np.isnan(values) & np.isnan(firsts[group])
        if not same.all():
            bad = ids[group[np.flatnonzero(~same)[0]]]
            raise ValueError(f"{what} varies within star {bad!r}")
        return firsts

    if isinstance(period, str):
        period = per_star(column(period, True), f"period column {period!r}")
    elif isinstance(period, Mapping):
        period = np.array([period.get(s, np.nan) for s in ids.tolist()], dtype=float)
    X = check_light_curves(curves, period=period, ids=ids)
    if label_col is not None:
        return X, per_star(column(label_col), f"label column {label_col!r}")
    return X


for _func in (
    load_asassn,
    load_asas_acvs,
    load_asas_richards2012,
    load_eros1_lmc,
    load_s82_rrlyrae,
):
    if _func.__doc__:  # None under python -OO
        _func.__doc__ = _func.__doc__.replace("%(on_error)s", _ON_ERROR_DOC).replace(
            "%(verbose)s", VERBOSE_DOC
        )
del _func
