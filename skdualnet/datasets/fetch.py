"""Download and cache the ASAS-SN Variable Stars Database, ``sklearn`` style.

:func:`fetch_asassn_variables` downloads the catalogue CSV and the per-star
light-curve CSVs into a local cache (``~/skdualnet_data/asassn_variables`` by
default), resumes interrupted downloads, validates every file with the readers
of :mod:`skdualnet.datasets` and works offline once the cache is complete.
Only the standard library is used for the network (:mod:`urllib.request`);
nothing touches the network or the disk at import time.

Experimental: tested against a local HTTP server that mimics the service's
layout (``tests/test_fetch.py``), not yet against the live ASAS-SN service.
"""

import csv
import http.client
import io
import numbers
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
from pathlib import Path

import numpy as np

from .._parameters import Interval, StrOptions, check_params
from ._common import _csv_rows, _listing, _normalize_name, _read_text
from .asassn import (
    load_asassn,
    read_asassn_catalog,
    read_asassn_lightcurve,
    select_catalog_rows,
)

__all__ = ["fetch_asassn_variables"]

_SUBFOLDER = "asassn_variables"
_FULL_CATALOG = "catalog_full.csv"  # the catalogue as downloaded
_CATALOG = "catalog.csv"  # the rows selected by the last call (read by load_asassn)
_LC_DIR = "lightcurves"
_USER_AGENT = "skdualnet (fetch_asassn_variables; Python urllib)"
_CHUNK = 1 << 16
# Parameters of load_asassn that fetch_asassn_variables passes on (it sets
# folder, catalog, lightcurve_dir and on_error itself); a test checks this
# against load_asassn's signature.
_LOAD_OPTIONS = (
    "mapping",
    "min_probability",
    "min_obs",
    "mag_range",
    "include_novel",
    "band",
    "return_fine_labels",
    "return_info",
    "verbose",
)
# Of those, the catalogue cuts (select_catalog_rows's parameters).
_CUT_OPTIONS = ("mapping", "min_probability", "mag_range", "include_novel")


class _FileError(Exception):
    """One file could not be downloaded (HTTP error, corrupt, after retries)."""


class _NetworkError(Exception):
    """The server cannot be reached (refused, DNS, timeout), after retries."""


def _get_data_home(data_home=None):
    """Cache root: ``data_home``, ``$SKDUALNET_DATA`` or ``~/skdualnet_data``."""
    if data_home is None:
        data_home = os.environ.get(
            "SKDUALNET_DATA", os.path.join("~", "skdualnet_data")
        )
    return Path(data_home).expanduser()


def _join_url(base_url, path):
    """``path`` if it is a full URL, else ``base_url/path``."""
    if urllib.parse.urlsplit(str(path)).scheme:
        return str(path)
    return f"{str(base_url).rstrip('/')}/{str(path).lstrip('/')}"


def _safe_name(star):
    """File-system safe stem for a star identifier (``load_asassn`` finds it)."""
    stem = re.sub(r"[^0-9A-Za-z.+-]+", "_", str(star)).strip("._")
    return stem or "star"


def _get_once(url, part, timeout):
    """Stream ``url`` into ``part``; raise ``_FileError`` or a retryable error.

    Returns ``None`` on success. Transient problems are returned as
    ``(message, is_network)`` so that the caller may retry; local file-system
    errors propagate unchanged.
    """
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        exc.close()
        message = f"HTTP error {exc.code} ({exc.reason})"
        if 400 <= exc.code < 500 and exc.code not in (408, 429):
            raise _FileError(message) from None  # not found etc.: no retry
        return message, False
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        reason = getattr(exc, "reason", None) or exc
        return f"cannot connect ({reason})", True
    n_bytes = 0
    with response, open(part, "wb") as f:
        expected = response.headers.get("Content-Length")
        encoded = response.headers.get("Content-Encoding")
        while True:
            try:
                chunk = response.read(_CHUNK)
            except http.client.IncompleteRead as exc:
                return f"incomplete transfer ({exc})", False
            except (OSError, http.client.HTTPException) as exc:
                return f"connection lost during transfer ({exc})", True
            if not chunk:
                break
            f.write(chunk)
            n_bytes += len(chunk)
    if expected and not encoded and expected.isdigit() and int(expected) != n_bytes:
        return f"incomplete transfer ({n_bytes} of {expected} bytes)", False
    return None


def _download(url, dest, validate, *, timeout, retries, backoff):
    """Download ``url`` to ``dest`` atomically, validated, with retries.

    The body goes to ``dest.part``; it is renamed to ``dest`` only once
    ``validate(part)`` accepts it, so an existing ``dest`` is always complete.
    Raises ``_NetworkError`` if the server stays unreachable and ``_FileError``
    if the file stays unusable after ``retries`` further attempts.
    """
    part = dest.with_name(dest.name + ".part")
    message, network = "no attempt made", False
    for attempt in range(retries + 1):
        if attempt and backoff > 0:
            time.sleep(backoff * 2 ** (attempt - 1))
        try:
            failure = _get_once(url, part, timeout)
        except _FileError:
            part.unlink(missing_ok=True)
            raise
        if failure is None:
            try:
                validate(part)
            except ValueError as exc:
                # the reader names the .part file; name the URL instead
                reason = str(exc).replace(str(part), "").lstrip(": ")
                failure = f"downloaded file is corrupt ({reason})", False
        if failure is None:
            os.replace(part, dest)
            return
        part.unlink(missing_ok=True)
        message, network = failure
    attempts = f"{retries + 1} attempt{'s' if retries else ''}"
    raise (_NetworkError if network else _FileError)(f"{message}; {attempts}")


def _write_atomic(path, text):
    part = path.with_name(path.name + ".part")
    part.write_text(text, encoding="utf-8", newline="")
    os.replace(part, path)


def _manual_help(folder, missing):
    """How to fill the cache by hand, naming the missing files."""
    shown = _listing(missing, ", ", limit=10)
    return (
        f"The cache is {folder}. To work offline, copy the files there by hand "
        f"(missing: {shown}): the catalogue CSV as {folder / _FULL_CATALOG} "
        f"and each star's light-curve CSV as {folder / _LC_DIR}/<star>.csv (the "
        "ASAS-SN name with spaces as '_'), then call fetch_asassn_variables again "
        "(or pass base_url= a reachable mirror)."
    )


def _fetch_catalog(folder, url, get, download_if_missing):
    """Path of the cached full catalogue, downloaded from ``url`` if missing."""
    full = folder / _FULL_CATALOG
    if full.is_file():
        return full
    if not download_if_missing:
        raise OSError(
            f"ASAS-SN catalogue not found in the cache ({full}) and "
            "download_if_missing=False. " + _manual_help(folder, [_FULL_CATALOG])
        )
    folder.mkdir(parents=True, exist_ok=True)
    try:
        _download(url, full, read_asassn_catalog, **get)
    except _NetworkError as exc:
        raise ConnectionError(
            f"Cannot download the ASAS-SN catalogue from {url}: {exc}. "
            + _manual_help(folder, [_FULL_CATALOG])
        ) from None
    except _FileError as exc:
        raise OSError(
            f"Cannot download the ASAS-SN catalogue from {url}: {exc}. Check "
            "base_url and catalog_path. " + _manual_help(folder, [_FULL_CATALOG])
        ) from None
    return full


def _read_cached_catalog(full):
    """``(catalog, info, header, body)`` of the cached catalogue: the parsed
    columns (:func:`read_asassn_catalog`) and the raw CSV rows."""
    try:
        cat, cat_info = read_asassn_catalog(full, return_info=True)
        text, _ = _read_text(full)
    except ValueError as exc:
        raise OSError(
            f"The cached catalogue {full} is unreadable ({exc}); delete it to "
            "download it again."
        ) from None
    rows = [fields for _, fields in _csv_rows(text)]
    return cat, cat_info, rows[0], rows[1:]


def _rows_of_ids(cat, ids, full):
    """Catalogue rows any of whose identifiers is in ``ids`` (all must be found)."""
    wanted = {str(i).strip() for i in np.atleast_1d(np.asarray(ids, dtype=str))}
    found = set()
    in_ids = np.zeros(len(cat["ids"]), dtype=bool)
    for i, star_names in enumerate(cat["aliases"]):
        hit = wanted.intersection(star_names)
        if hit:
            in_ids[i] = True
            found |= hit
    if wanted - found:
        raise ValueError(
            f"identifier(s) not in the ASAS-SN catalogue {full}: "
            f"{sorted(wanted - found)}"
        )
    return in_ids


def _star_files(cat, selected, header, body, lc_dir, base_url, lightcurve_path):
    """``(star, local file, url)`` of every selected row, each file once."""
    names = [_normalize_name(h) for h in header]
    stars, seen = [], set()
    for i in selected:
        star = str(cat["ids"][i])
        file_name = cat["file"][i]
        rel = Path(file_name) if file_name else None
        if rel is None or rel.is_absolute() or ".." in rel.parts:
            rel = Path(_safe_name(star) + ".csv")
        dest = lc_dir / rel
        if dest in seen:
            continue
        seen.add(dest)
        fields = dict(zip(names, body[i], strict=False))
        fields["id"] = star
        quoted = {k: urllib.parse.quote(str(v), safe="") for k, v in fields.items()}
        try:
            url = _join_url(base_url, lightcurve_path.format(**quoted))
        except (KeyError, IndexError) as exc:
            raise ValueError(
                f"lightcurve_path {lightcurve_path!r} uses an unknown field {exc}; "
                f"available: {sorted(quoted)}"
            ) from None
        stars.append((star, dest, url))
    return stars


def _write_selection(path, header, rows):
    """Write the catalogue ``load_asassn`` reads (the selected rows), if changed."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    if not path.is_file() or path.read_text(encoding="utf-8") != out.getvalue():
        _write_atomic(path, out.getvalue())


def _fetch_lightcurves(folder, stars, get, download_if_missing, on_error):
    """Download the light curves not yet cached; report or raise on failures."""
    missing = [(s, d, u) for s, d, u in stars if not d.is_file()]
    if missing and not download_if_missing:
        raise OSError(
            f"{len(missing)} of {len(stars)} ASAS-SN light curve(s) not in the "
            f"cache and download_if_missing=False. "
            + _manual_help(folder, [str(d.relative_to(folder)) for _, d, _ in missing])
        )
    failed = {}
    for k, (star, dest, url) in enumerate(missing):
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            _download(url, dest, read_asassn_lightcurve, **get)
        except _NetworkError as exc:
            left = [str(d.relative_to(folder)) for _, d, _ in missing[k:]]
            raise ConnectionError(
                f"Cannot download the light curve of star {star!r} from {url}: "
                f"{exc}. {len(left)} of {len(stars)} light curve(s) are still "
                "missing; the others are cached. " + _manual_help(folder, left)
            ) from None
        except _FileError as exc:
            failed[star] = f"{url}: {exc}"
    if failed:
        items = [f"star {star!r} ({why})" for star, why in failed.items()]
        shown = _listing(items, "; ", more="; ...")
        message = f"could not download {len(failed)} ASAS-SN light curve(s): {shown}"
        if on_error == "raise":
            raise OSError(
                f"{message}. The other files are cached in {folder}; call again to "
                "retry, or pass on_error='skip' to go on without them."
            )
        warnings.warn(message, UserWarning, stacklevel=3)


def fetch_asassn_variables(
    data_home=None,
    *,
    base_url="https://asas-sn.osu.edu/variables",
    catalog_path="asassn_variables_x.csv",
    lightcurve_path="lightcurves/{id}.csv",
    ids=None,
    max_stars=None,
    timeout=30,
    retries=3,
    backoff=1.0,
    download_if_missing=True,
    on_error="raise",
    return_X_y=False,
    **load_kwargs,
):
    """Download (or load from the cache) the ASAS-SN Variable Stars Database.

    The catalogue CSV is downloaded first, then one light-curve CSV per
    selected star, into ``<data_home>/asassn_variables/``::

        catalog_full.csv      the catalogue as downloaded
        catalog.csv           the rows selected by this call
        lightcurves/<star>.csv

    so that the folder is directly readable by
    :func:`~skdualnet.datasets.load_asassn`.

    * **Resuming.** A file already in the cache is never downloaded again:
      each download is written to ``<file>.part`` and renamed only once it is
      complete and valid, so an interrupted call is simply called again. A
      second call with a complete cache makes no network request.
    * **Validation.** The catalogue must parse with
      :func:`~skdualnet.datasets.read_asassn_catalog` and each light curve with
      :func:`~skdualnet.datasets.read_asassn_lightcurve` (a truncated transfer
      is also detected from ``Content-Length``); otherwise the file is deleted
      and downloaded again.
    * **Retries.** Connection errors, timeouts, HTTP 408/429/5xx and corrupt
      files are retried ``retries`` times, waiting ``backoff * 2**k`` seconds
      before retry ``k``. Other HTTP errors (404 ...) are not retried.
    * **Offline.** If the server cannot be reached and the cache is
      incomplete, a ``ConnectionError`` says what is missing, where the cache
      is and how to copy the files there by hand. The light curves already
      downloaded are kept.

    Which stars are downloaded: those of the catalogue that can pass the
    catalogue-level cuts of :func:`~skdualnet.datasets.load_asassn` (type
    mapping, ``include_novel``, ``min_probability`` and ``mag_range``, with
    ``load_asassn``'s defaults unless given in ``load_kwargs``), restricted to
    ``ids`` if given, then the first ``max_stars`` of them. Stars that the
    cuts remove are never downloaded (the full catalogue holds several hundred
    thousand stars). ``catalog.csv`` lists exactly the selected stars.

    .. note::
       The layout of the public database (``base_url``, ``catalog_path``,
       ``lightcurve_path``) is an **assumption** of this function, not a
       documented API of ASAS-SN, and may change. Point ``base_url`` and the
       two path templates to wherever the files are, e.g. a local mirror
       (``base_url="http://mirror.example/asassn"``) or ``file://`` URLs.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Root of the cache. ``None`` uses the ``SKDUALNET_DATA`` environment
        variable if set, else ``~/skdualnet_data``. The data go into its
        ``asassn_variables`` subfolder.
    base_url : str, default="https://asas-sn.osu.edu/variables"
        URL that ``catalog_path`` and ``lightcurve_path`` are relative to.
    catalog_path : str, default="asassn_variables_x.csv"
        Path of the catalogue CSV under ``base_url`` (or a full URL). The
        file may be gzip-compressed.
    lightcurve_path : str, default="lightcurves/{id}.csv"
        Template of the path of one star's light curve under ``base_url`` (or
        a full URL), filled with :meth:`str.format`: ``{id}`` is the star's
        catalogue identifier (see :func:`~skdualnet.datasets.read_asassn_catalog`)
        and every catalogue column is available under its normalised name
        (lower case, punctuation as ``_``: ``{source_id}``, ``{asassn_name}``).
        Values are URL-quoted.
    ids : list of str, default=None
        Only these stars (matched against every identifier column of the
        catalogue). ``None``: every star.
    max_stars : int, default=None
        At most this many stars (the first ones of the selection, in
        catalogue order). ``None``: no limit.
    timeout : float, default=30
        Socket timeout of each request, in seconds.
    retries : int, default=3
        Further attempts after a failed one (0: try once).
    backoff : float, default=1.0
        Base delay of the exponential back-off between attempts, in seconds
        (0: no wait).
    download_if_missing : bool, default=True
        If ``False``, raise an ``OSError`` instead of downloading a file that is
        not in the cache.
    on_error : {"raise", "skip"}, default="raise"
        What to do when a light curve cannot be downloaded intact after the
        retries (HTTP 404, corrupt file): ``"raise"`` raises an ``OSError``
        naming the stars, once every other file has been downloaded and
        cached; ``"skip"`` emits one ``UserWarning`` naming them and goes on.
        Also passed to :func:`~skdualnet.datasets.load_asassn`.
    return_X_y : bool, default=False
        Return ``load_asassn(folder, **load_kwargs)`` instead of the folder.
    **load_kwargs
        Keyword arguments of :func:`~skdualnet.datasets.load_asassn`
        (``min_obs``, ``mag_range``, ``min_probability``, ``band`` ...); the
        catalogue-level cuts also choose which stars are downloaded.

    Returns
    -------
    folder : pathlib.Path
        The cache folder, when ``return_X_y=False``.
    X, y : LightCurves, ndarray of str
        When ``return_X_y=True``: the output of ``load_asassn`` (more items if
        ``return_fine_labels`` / ``return_info`` are passed).

    Raises
    ------
    ConnectionError
        If the server cannot be reached and the cache lacks a needed file.
    OSError
        If ``download_if_missing=False`` and a file is not cached, if the
        catalogue cannot be downloaded intact, or (``on_error="raise"``) if a
        light curve cannot.
    ValueError
        If an identifier of ``ids`` is not in the catalogue or an argument is
        invalid.
    TypeError
        If ``load_kwargs`` has a name that ``load_asassn`` does not accept.

    See Also
    --------
    skdualnet.datasets.load_asassn : Load a local copy of the database.

    Examples
    --------
    >>> from skdualnet.datasets import fetch_asassn_variables
    >>> folder = fetch_asassn_variables(max_stars=100)  # doctest: +SKIP
    >>> X, y = fetch_asassn_variables(max_stars=100, return_X_y=True,
    ...                               min_obs=100)  # doctest: +SKIP
    """
    check_params(
        "fetch_asassn_variables",
        {
            "on_error": [StrOptions({"raise", "skip"})],
            "retries": [Interval(numbers.Integral, 0, None, closed="left")],
            "max_stars": [Interval(numbers.Integral, 1, None, closed="left"), None],
        },
        on_error=on_error,
        retries=retries,
        max_stars=max_stars,
    )
    unknown = sorted(set(load_kwargs) - set(_LOAD_OPTIONS))
    if unknown:
        raise TypeError(
            f"fetch_asassn_variables() got unexpected keyword argument(s) {unknown}; "
            f"load_asassn accepts {sorted(_LOAD_OPTIONS)}"
        )
    folder = _get_data_home(data_home) / _SUBFOLDER
    get = {"timeout": timeout, "retries": int(retries), "backoff": backoff}
    full = _fetch_catalog(
        folder, _join_url(base_url, catalog_path), get, download_if_missing
    )
    cat, cat_info, header, body = _read_cached_catalog(full)
    cuts = {k: v for k, v in load_kwargs.items() if k in _CUT_OPTIONS}
    _, keep, _ = select_catalog_rows(
        cat, missing_columns=cat_info["missing_columns"], **cuts
    )
    if ids is not None:
        keep &= _rows_of_ids(cat, ids, full)
    selected = np.flatnonzero(keep)
    if max_stars is not None:
        selected = selected[: int(max_stars)]
    stars = _star_files(
        cat, selected, header, body, folder / _LC_DIR, base_url, lightcurve_path
    )
    _write_selection(folder / _CATALOG, header, [body[i] for i in selected])
    _fetch_lightcurves(folder, stars, get, download_if_missing, on_error)
    if return_X_y:
        return load_asassn(folder, on_error=on_error, **load_kwargs)
    return folder
