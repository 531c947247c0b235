"""Shared pieces of the survey readers: CSV parsing, curve cleaning, the
skip-and-report skeleton (``on_error``), and :func:`combine_datasets`."""

import csv
import gzip
import os
import re
import tarfile
import warnings
import zlib
from pathlib import Path

import numpy as np

from .._progress import VERBOSE_DOC, progress
from .._validation import check_light_curves, repair_curve

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
    """``skdualnet._validation.repair_curve`` on a float64 copy.

    Applied to each star inside the loaders, so that an unusable star is
    raised or skipped like any other per-star problem (``on_error``) instead
    of failing the whole data set in :func:`_finish`.
    """
    return repair_curve(np.asarray(curve, dtype=np.float64))


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
        shown = _listing([repr(str(d)) for d in dups], ", ")
        warnings.warn(
            f"{what}: {len(dups)} duplicate catalogue row(s) for star(s) "
            f"{shown}; the first row of each star is used",
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
    >>> from skdualnet.datasets import SkippedStarsWarning
    >>> w = SkippedStarsWarning("skipped 1 star", {"V1": "file not found"})
    >>> isinstance(w, UserWarning), w.skipped
    (True, {'V1': 'file not found'})
    """

    def __init__(self, message, skipped=None):
        super().__init__(message)
        self.skipped = dict(skipped or {})


def _listing(items, sep, limit=20, more=""):
    """The first ``limit`` items joined by ``sep``, then "and N more"."""
    text = sep.join(items[:limit])
    if len(items) > limit:
        text += f"{more} and {len(items) - limit} more"
    return text


def _warn_skipped(skipped, what):
    """One warning listing every skipped star (at most 20 spelled out)."""
    if not skipped:
        return
    items = [f"{star}: {why}" for star, why in skipped.items()]
    warnings.warn(
        SkippedStarsWarning(
            f"{what}: skipped {len(items)} star(s) that could not be read: "
            f"{_listing(items, '; ', more='; ...')}",
            skipped,
        ),
        stacklevel=3,
    )


def _read_tar_curves(tar_path, wanted, parse, desc, verbose=0):
    """Parse the members of a ``.tar.gz`` whose file stem is in ``wanted``.

    Returns ``(arrays, problems)``: stem -> ``parse(member bytes)``, and stem
    -> reason for the members ``parse`` refused (``ValueError``). An archive
    that cannot be read raises ``ValueError`` naming it.
    """
    arrays, problems = {}, {}
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
                try:
                    arrays[stem] = parse(tar.extractfile(member).read())
                except ValueError as exc:
                    problems[stem] = f"{tar_path}:{member.name}: {exc}"
            _drain(tar)
    except (OSError, EOFError, zlib.error, tarfile.TarError) as exc:
        raise ValueError(f"{tar_path}: cannot read archive ({exc})") from None
    return arrays, problems


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


# ----------------------------------------------------------- ASAS-SN: catalogue
def _read_csv_header(path_or_file, what):
    """``(name, header_line, header, rows)`` of a CSV file.

    ``header``: the first row's names, normalised, trailing empty ones
    dropped; ``rows``: an iterator over the other ``(line_number, fields)``.
    An empty file or an invalid header raises ``ValueError`` naming the file
    (``what``: "catalogue", "file", ... in the message).
    """
    text, name = _read_text(path_or_file)
    rows = _csv_rows(text)
    try:
        header_line, header = next(rows)
    except StopIteration:
        raise ValueError(f"{name}: empty {what} (no header line)") from None
    if header is None:
        raise ValueError(f"{name}: line {header_line}: header is not valid CSV")
    header = [_normalize_name(h) for h in header]
    while header and header[-1] == "":
        header.pop()
    return name, header_line, header, rows


def _read_catalog_table(path, bad_rows=None):
    """Parse a catalogue CSV into normalised header and rows.

    A malformed row (wrong number of fields, invalid CSV) raises
    ``ValueError`` naming the file and line, unless ``bad_rows`` is a list:
    then ``(line_number, fields_or_None, problem)`` is appended to it and the
    row is left out (the loaders' ``on_error="skip"``).
    """
    name, header_line, header, rows = _read_csv_header(path, "catalogue")
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


def _fill_doc(func):
    """Decorator: fill ``%(on_error)s`` and ``%(verbose)s`` in a reader's docstring."""
    if func.__doc__:  # None under python -OO
        func.__doc__ = func.__doc__.replace("%(on_error)s", _ON_ERROR_DOC).replace(
            "%(verbose)s", VERBOSE_DOC
        )
    return func
