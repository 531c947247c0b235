"""ASAS V-band folders redistributed with the project: ACVS and Richards 2012.

Both folders hold ``classes.csv`` and ``lightcurves.tar.gz``; one reader
serves both, each with its documented class mapping.
"""

import io
from pathlib import Path
from types import MappingProxyType

import numpy as np

from ._common import (
    _check_on_error,
    _clean_curve,
    _fill_doc,
    _find_column,
    _finish,
    _first_rows,
    _read_catalog_table,
    _read_tar_curves,
    _skipped_rows,
    _warn_skipped,
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
    tar_path = folder / "lightcurves.tar.gz"

    def parse(data):
        arr = np.loadtxt(io.BytesIO(data), delimiter=",", ndmin=2, dtype=np.float64)
        if arr.shape[1] != 3 or len(arr) == 0:
            raise ValueError(f"expected 3 columns, got shape {arr.shape}")
        return _clean_curve(arr)

    arrays, problems = _read_tar_curves(
        tar_path, wanted, parse, f"reading {folder.name}", verbose
    )
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


@_fill_doc
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


@_fill_doc
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
