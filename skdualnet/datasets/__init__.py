"""Simulated and real light-curve data sets, one module per source.

``make_light_curves`` (``simulator``) simulates the eight superclasses of the
paper (and novel classes) with ASAS-SN-like cadence; the ``load_*`` and
``read_*`` functions read survey formats into :class:`~skdualnet.LightCurves`
and labels:

* ``asassn``: the ASAS-SN Variable Stars Database (one light curve, the
  catalogue, a folder; ``fetch`` downloads it, experimental);
* ``asas``: the ASAS ACVS and Richards 2012 folders;
* ``eros``: EROS-1 LMC; ``stripe82``: SDSS Stripe 82 RR Lyrae;
* ``long_format``: any survey as a long table (one row per observation);
* ``_common``: what the readers share (CSV parsing, curve cleaning, the
  ``on_error`` skip-and-report skeleton, :func:`combine_datasets`).

Every loader returns ``X`` as a :class:`~skdualnet.LightCurves` (one sample =
one star, with the catalogue period where the survey gives one and the star
identifiers in ``X.ids``) and ``y`` as an array of string labels, ready for
``DualNetClassifier().fit(X, y)``. Only the standard library, numpy and
skdualnet's progress bars are used; pandas is imported lazily, only when a
DataFrame is explicitly requested. Nothing here touches the disk at import
time.
"""

from ._common import SkippedStarsWarning, combine_datasets
from .asas import (
    ACVS_SUPERCLASS_MAP,
    RICHARDS_SUPERCLASS_MAP,
    load_asas_acvs,
    load_asas_richards2012,
)
from .asassn import (
    SUPERCLASS_MAP,
    load_asassn,
    map_variable_type,
    read_asassn_catalog,
    read_asassn_lightcurve,
    select_catalog_rows,
)
from .eros import load_eros1_lmc
from .fetch import fetch_asassn_variables
from .long_format import from_long_format, to_long_format
from .simulator import make_light_curves
from .stripe82 import load_s82_rrlyrae

__all__ = [
    "ACVS_SUPERCLASS_MAP",
    "RICHARDS_SUPERCLASS_MAP",
    "SUPERCLASS_MAP",
    "SkippedStarsWarning",
    "combine_datasets",
    "fetch_asassn_variables",
    "from_long_format",
    "load_asas_acvs",
    "load_asas_richards2012",
    "load_asassn",
    "load_eros1_lmc",
    "load_s82_rrlyrae",
    "make_light_curves",
    "map_variable_type",
    "read_asassn_catalog",
    "read_asassn_lightcurve",
    "select_catalog_rows",
    "to_long_format",
]
