"""Simulated and real light-curve data sets.

``make_light_curves`` simulates the eight superclasses of the paper (and novel
classes) with ASAS-SN-like cadence; the ``load_*`` and ``read_*`` functions read
survey formats into :class:`~skdualnet.LightCurves`.
"""

from ._fetch import fetch_asassn_variables
from ._readers import (
    ACVS_SUPERCLASS_MAP,
    RICHARDS_SUPERCLASS_MAP,
    SUPERCLASS_MAP,
    SkippedStarsWarning,
    combine_datasets,
    from_long_format,
    load_asas_acvs,
    load_asas_richards2012,
    load_asassn,
    load_eros1_lmc,
    load_s82_rrlyrae,
    map_variable_type,
    read_asassn_catalog,
    read_asassn_lightcurve,
    to_long_format,
)
from ._simulate import make_light_curves

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
    "to_long_format",
]
