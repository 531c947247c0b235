"""Synthetic ASAS-SN-like light curves of periodic variable stars.

:func:`make_light_curves` draws stars of the eight superclasses of Tsang & Schultz
(2019) -- CEP, DSCT, EB, M, ROT, RRAB, RRCD, SR -- plus "novel" classes that a
classifier never sees in training (VAR: irregular and dipping variables; BCEP:
multi-periodic beta Cephei stars). It is meant for tests, examples and
benchmarks: it is fast, deterministic under ``random_state``, and the classes
overlap the way real ones do (contact binaries and RRc stars share periods and
amplitudes; low-amplitude semi-regulars look like spotted rotators; faint
delta Scuti stars are noise-limited), so the task is learnable but not trivial.

The physics, the cadence and noise model and the sources of every parameter
range are documented in the Notes of :func:`make_light_curves`.
"""

import numbers

import numpy as np
from scipy.signal import lfilter
from sklearn.utils import check_random_state

from .._validation import LightCurves

__all__ = ["make_light_curves"]

KNOWN_CLASSES = ("CEP", "DSCT", "EB", "M", "ROT", "RRAB", "RRCD", "SR")
NOVEL_CLASSES = ("VAR", "BCEP")

#: Period range (days) of each class, as in the table of ``make_light_curves``.
PERIOD_RANGE = {
    "CEP": (1.0, 50.0),
    "DSCT": (0.03, 0.25),
    "EB": (0.22, 20.0),
    "M": (100.0, 600.0),
    "ROT": (1.0, 30.0),
    "RRAB": (0.45, 0.9),
    "RRCD": (0.2, 0.45),
    "SR": (20.0, 300.0),
    "VAR": (1.0, 300.0),
    "BCEP": (0.1, 0.3),
}

FEATURE_NAMES = ("M_G", "BP_RP", "W_RP")

_T0 = 2456000.0  # HJD of the start of ASAS-SN V-band observations (2012)
_T_END = 2458450.0  # end of the V-band era (late 2018)
_SITES = np.array([0.42, 0.67, 0.75, 0.92])  # local midnight as a fraction of JD
_GRID = np.arange(512) / 512.0  # phase grid of the shape templates
_TWO_PI = 2.0 * np.pi


# ---------------------------------------------------------------- draw helpers
def _loguniform(rng, low, high):
    return float(np.exp(rng.uniform(np.log(low), np.log(high))))


def _tnorm(rng, mean, sd, low, high):
    """Normal draw truncated to ``[low, high]`` (by rejection, then clipping)."""
    for _ in range(100):
        x = rng.normal(mean, sd)
        if low <= x <= high:
            return float(x)
    return float(np.clip(mean, low, high))


def _ou(rng, t, tau, sigma):
    """Ornstein-Uhlenbeck (damped random walk) process sampled at sorted ``t``.

    Simulated as an exact AR(1) on a regular grid (step <= tau / 4 and <= 1 d)
    and linearly interpolated, so its cost does not depend on ``len(t)``.
    """
    lo, hi = t[0], t[-1]
    step = min(1.0, tau / 4.0)
    m = int((hi - lo) / step) + 2
    if m > 20000:
        step = (hi - lo) / 19998.0
        m = 20000
    a = np.exp(-step / tau)
    e = rng.standard_normal(m) * (sigma * np.sqrt(1.0 - a * a))
    e[0] = sigma * rng.standard_normal()
    y = lfilter([1.0], [1.0, -a], e)
    return np.interp(t, lo + step * np.arange(m), y)


# ------------------------------------------------------------------- shapes
def _fourier_template(r21, r31, phi21, phi31, n_harm=6):
    """Zero-mean Fourier light-curve shape (magnitudes) of peak-to-peak 1."""
    s = np.cos(_TWO_PI * _GRID)
    q = min(r31 / r21, 0.8) if r21 > 0 else 0.0
    for k in range(2, n_harm + 1):
        if k == 2:
            r, p = r21, phi21
        else:
            r = r31 * q ** (k - 3)
            p = phi31 + (k - 3) * (phi31 - phi21)
        if r > 1e-4:
            s = s + r * np.cos(_TWO_PI * k * _GRID + p)
    s = s - s.mean()
    return s / np.ptp(s)


def _shape(template, phase):
    """Evaluate a periodic template at arbitrary phases (in cycles)."""
    return np.interp(phase, _GRID, template, period=1.0)


def _sine():
    return _fourier_template(0.0, 0.0, 0.0, 0.0, n_harm=1)


def _eclipse(x, w, c):
    """Eclipse dip of unit depth, half-width ``w`` (phase) centred at ``x = 0``."""
    x = (x + 0.5) % 1.0 - 0.5
    return np.clip(1.0 - (x / w) ** 2, 0.0, 1.0) ** c


# -------------------------------------------------------------- class models
# Each model takes (rng, t) with t in days since _T0 and returns
# (period, delta_mag, subtype); delta_mag is the noiseless variation around
# the mean magnitude.
def _rrab_template(rng):
    return _fourier_template(
        rng.uniform(0.40, 0.55),
        rng.uniform(0.25, 0.40),
        rng.uniform(3.7, 4.3),
        rng.uniform(1.6, 2.5),
        n_harm=8,
    )


def _rrc_template(rng):
    return _fourier_template(
        rng.uniform(0.05, 0.25),
        rng.uniform(0.02, 0.10),
        rng.uniform(4.4, 5.2),
        rng.uniform(2.6, 4.4),
    )


def _sim_rrab(rng, t):
    period = _tnorm(rng, 0.58, 0.07, 0.45, 0.9)
    amp = float(np.clip(0.85 - 2.0 * (period - 0.58) + rng.normal(0, 0.12), 0.5, 1.2))
    phase = t / period + rng.uniform()
    amp_t = amp
    if rng.uniform() < 0.3:  # Blazhko effect
        arg = _TWO_PI * t / _loguniform(rng, 20.0, 200.0) + rng.uniform(0, _TWO_PI)
        amp_t = amp * (1.0 + rng.uniform(0.05, 0.3) * np.sin(arg))
        phase = phase + rng.uniform(0.0, 0.03) * np.sin(arg + rng.uniform(0, _TWO_PI))
    return period, amp_t * _shape(_rrab_template(rng), phase), "RRAB"


def _sim_rrcd(rng, t):
    if rng.uniform() < 0.9:
        period = _tnorm(rng, 0.32, 0.05, 0.2, 0.45)
        amp = rng.uniform(0.2, 0.5)
        dm = amp * _shape(_rrc_template(rng), t / period + rng.uniform())
        return period, dm, "RRC"
    p0 = rng.uniform(0.46, 0.6)
    period = p0 * rng.uniform(0.742, 0.748)
    a1 = rng.uniform(0.15, 0.35)
    a0 = a1 * rng.uniform(0.4, 1.0)
    dm = a1 * _shape(_rrc_template(rng), t / period + rng.uniform())
    dm = dm + a0 * _shape(_rrab_template(rng), t / p0 + rng.uniform())
    return period, dm, "RRD"


def _sim_cep(rng, t):
    u = rng.uniform()
    if u < 0.6:
        sub = "DCEP"
        logp = _tnorm(rng, 0.65, 0.3, 0.0, np.log10(50.0))
        amp = rng.uniform(0.3, 1.1)
        # Hertzsprung progression: R21 dips and phi21 drops near P = 10 d.
        r21 = np.interp(
            logp, [0, 0.3, 0.85, 1.0, 1.15, 1.7], [0.35, 0.45, 0.4, 0.12, 0.35, 0.45]
        )
        r21 *= rng.uniform(0.85, 1.1)
        phi21 = np.interp(logp, [0, 0.3, 0.95, 1.05, 1.7], [3.3, 3.6, 5.0, 3.5, 4.7])
        phi21 += rng.normal(0, 0.15)
        phi31 = 2 * phi21 - _TWO_PI + rng.normal(0, 0.25)
        template = _fourier_template(r21, r21 * rng.uniform(0.35, 0.65), phi21, phi31)
    elif u < 0.8:
        sub = "DCEPS"
        logp = rng.uniform(0.0, np.log10(5.0))
        amp = rng.uniform(0.1, 0.5)
        r21 = rng.uniform(0.05, 0.25)
        template = _fourier_template(
            r21,
            r21 * rng.uniform(0.2, 0.5),
            rng.uniform(4.3, 5.0),
            rng.uniform(2.5, 4.0),
        )
    else:
        sub = "CW"
        logp = rng.uniform(0.0, np.log10(30.0))
        amp = rng.uniform(0.3, 1.1)
        r21 = rng.uniform(0.2, 0.45)
        phi21 = rng.uniform(3.7, 4.4)
        template = _fourier_template(
            r21,
            r21 * rng.uniform(0.3, 0.6),
            phi21,
            2 * phi21 - _TWO_PI + rng.normal(0, 0.3),
        )
    period = 10.0**logp
    return period, amp * _shape(template, t / period + rng.uniform()), sub


def _sim_dsct(rng, t):
    if rng.uniform() < 0.5:
        sub = "HADS"
        period = _loguniform(rng, 0.04, 0.25)
        amp = rng.uniform(0.1, 0.3)
        r21 = rng.uniform(0.15, 0.4)
        template = _fourier_template(
            r21,
            r21 * rng.uniform(0.2, 0.5),
            rng.uniform(3.9, 4.5),
            rng.uniform(2.0, 3.0),
        )
        dm = amp * _shape(template, t / period + rng.uniform())
        if rng.uniform() < 0.3:  # radial double mode, first overtone
            p1 = period * rng.uniform(0.756, 0.80)
            dm = dm + amp * rng.uniform(0.2, 0.7) * _shape(
                _sine(), t / p1 + rng.uniform()
            )
        return period, dm, sub
    period = _loguniform(rng, 0.03, 0.2)
    amp = _loguniform(rng, 0.02, 0.1)
    sine = _sine()
    dm = amp * _shape(sine, t / period + rng.uniform())
    for _ in range(rng.randint(1, 4)):
        ratio = rng.uniform(0.7, 1.4)
        dm = dm + amp * rng.uniform(0.2, 0.8) * _shape(
            sine, t * ratio / period + rng.uniform()
        )
    return period, dm, "DSCT"


def _eb_flux(phase, *, w, c, d1, d2, phase2, ell, refl, oconnell=0.0):
    flux = (
        1.0
        - ell * 0.5 * (1.0 - np.cos(2 * _TWO_PI * phase))
        + refl * 0.5 * (1.0 - np.cos(_TWO_PI * phase))
        + oconnell * np.sin(_TWO_PI * phase)
        - d1 * _eclipse(phase, w, c)
        - d2 * _eclipse(phase - phase2, w, c)
    )
    return -2.5 * np.log10(np.clip(flux, 1e-3, None))


def _sim_eb(rng, t):
    u = rng.uniform()
    if u < 0.45:
        sub = "EA"
        period = _loguniform(rng, 0.4, 20.0)
        w = float(
            np.clip(rng.uniform(0.6, 1.4) * 0.045 * period ** (-2 / 3), 0.01, 0.09)
        )
        d1 = rng.uniform(0.1, 0.7)
        eccentric = rng.uniform() < 0.2
        kw = {
            "w": w,
            "c": rng.uniform(0.5, 1.5),
            "d1": d1,
            "d2": d1 * rng.uniform(0.05, 0.9),
            "phase2": 0.5 + (rng.uniform(-0.1, 0.1) if eccentric else 0.0),
            "ell": rng.uniform(0.0, 0.03),
            "refl": rng.uniform(0.0, 0.02),
        }
    elif u < 0.9:
        sub = "EW"
        period = 10.0 ** _tnorm(
            rng, np.log10(0.37), 0.12, np.log10(0.22), np.log10(0.8)
        )
        d1 = rng.uniform(0.0, 0.25)
        kw = {
            "w": rng.uniform(0.12, 0.2),
            "c": rng.uniform(1.0, 2.0),
            "d1": d1,
            "d2": d1 * rng.uniform(0.75, 1.0),
            "phase2": 0.5,
            "ell": rng.uniform(0.04, 0.2),
            "refl": 0.0,
            "oconnell": rng.uniform(-0.02, 0.02),
        }
    else:
        sub = "EB"
        period = _loguniform(rng, 0.4, 5.0)
        d1 = rng.uniform(0.1, 0.4)
        kw = {
            "w": rng.uniform(0.08, 0.15),
            "c": rng.uniform(1.0, 2.0),
            "d1": d1,
            "d2": d1 * rng.uniform(0.25, 0.7),
            "phase2": 0.5,
            "ell": rng.uniform(0.05, 0.15),
            "refl": rng.uniform(0.0, 0.03),
        }
    template = _eb_flux(_GRID, **kw)
    template = template - template.mean()
    return period, _shape(template, t / period + rng.uniform()), sub


def _sim_m(rng, t):
    period = 10.0 ** _tnorm(rng, np.log10(300.0), 0.15, 2.0, np.log10(600.0))
    amp = rng.uniform(2.5, 6.5)
    r21 = rng.uniform(0.03, 0.2)
    template = _fourier_template(
        r21, r21 * rng.uniform(0.0, 0.5), rng.uniform(3.8, 5.0), rng.uniform(1.5, 3.5)
    )
    phase = t / period + rng.uniform() + _ou(rng, t, 3 * period, 0.03)
    amp_t = amp * np.exp(_ou(rng, t, period, 0.1))
    return period, amp_t * _shape(template, phase) + _ou(rng, t, 2 * period, 0.15), "M"


def _sim_sr(rng, t):
    period = _loguniform(rng, 20.0, 300.0)
    amp = _loguniform(rng, 0.05, 1.2)
    phase = t / period + rng.uniform()
    phase = phase + _ou(rng, t, rng.uniform(1, 4) * period, rng.uniform(0.1, 0.3))
    amp_t = amp * np.exp(_ou(rng, t, rng.uniform(1, 3) * period, rng.uniform(0.2, 0.5)))
    r21 = rng.uniform(0.0, 0.15)
    template = _fourier_template(r21, 0.0, rng.uniform(0, _TWO_PI), 0.0)
    dm = amp_t * _shape(template, phase)
    dm = dm + _ou(rng, t, rng.uniform(0.3, 1.0) * period, rng.uniform(0.1, 0.3) * amp)
    if rng.uniform() < 0.25:  # long secondary period
        lsp = period * rng.uniform(5, 10)
        dm = dm + amp * rng.uniform(0.2, 0.8) * _shape(_sine(), t / lsp + rng.uniform())
    return period, dm, "SR"


def _sim_rot(rng, t):
    period = _loguniform(rng, 1.0, 30.0)
    amp = _loguniform(rng, 0.02, 0.25)
    tau = max(20.0, rng.uniform(5, 30) * period)
    arg = _TWO_PI * (t / period + rng.uniform())
    a1 = amp * 0.5 * np.exp(_ou(rng, t, tau, 0.4))
    a2 = amp * 0.5 * rng.uniform(0.0, 0.4) * np.exp(_ou(rng, t, tau, 0.4))
    dm = a1 * np.cos(arg + _TWO_PI * _ou(rng, t, tau, 0.08))
    dm = dm + a2 * np.cos(2 * arg + rng.uniform(0, _TWO_PI) + _ou(rng, t, tau, 0.5))
    dm = dm + _ou(rng, t, 300.0, 0.3 * amp)  # activity cycle
    return period, dm, "ROT"


def _sim_var(rng, t):
    if rng.uniform() < 0.6:
        sigma = _loguniform(rng, 0.05, 0.5)
        dm = _ou(rng, t, _loguniform(rng, 10.0, 300.0), sigma)
        period = _loguniform(rng, 5.0, 200.0)
        phase = t / period + rng.uniform()
        phase = phase + _ou(rng, t, rng.uniform(1, 3) * period, 0.3)
        dm = dm + sigma * rng.uniform(0.4, 1.6) * _shape(_sine(), phase)
        return period, dm, "DRW"
    dm = _ou(rng, t, _loguniform(rng, 5.0, 50.0), _loguniform(rng, 0.02, 0.1))
    span = t[-1] - t[0]
    period = _loguniform(rng, 1.0, 15.0)
    interval = _loguniform(rng, 10.0, 100.0)
    if rng.uniform() < 0.5:  # quasi-periodic dips (AA Tau-like)
        every = max(1, int(round(interval / period)))
        centres = (
            t[0]
            + rng.uniform(0, period)
            + period * every * np.arange(int(span / (period * every)) + 1)
        )
        centres = centres + rng.normal(0, 0.05 * period, centres.size)
        centres = centres[rng.uniform(size=centres.size) < 0.7]
    else:
        centres = t[0] + rng.uniform(0, span, rng.poisson(span / interval) + 1)
    depth = np.exp(rng.uniform(np.log(0.1), np.log(1.0), centres.size))
    width = np.exp(rng.uniform(np.log(0.3), np.log(5.0), centres.size))
    dips = np.exp(-0.5 * ((t[:, None] - centres) / width) ** 2) @ depth
    return period, dm + dips, "DIPPER"


def _sim_bcep(rng, t):
    period = rng.uniform(0.1, 0.3)
    amp = _loguniform(rng, 0.01, 0.1)
    sine = _sine()
    dm = amp * _shape(sine, t / period + rng.uniform())
    for _ in range(rng.randint(1, 4)):
        ratio = rng.uniform(0.8, 1.25)
        dm = dm + amp * rng.uniform(0.2, 0.8) * _shape(
            sine, t * ratio / period + rng.uniform()
        )
    return period, dm, "BCEP"


_MODELS = {
    "CEP": _sim_cep,
    "DSCT": _sim_dsct,
    "EB": _sim_eb,
    "M": _sim_m,
    "ROT": _sim_rot,
    "RRAB": _sim_rrab,
    "RRCD": _sim_rrcd,
    "SR": _sim_sr,
    "VAR": _sim_var,
    "BCEP": _sim_bcep,
}


# ------------------------------------------------------------ photometry
def _g_minus_rp(x):
    return 0.03 + 0.55 * x - 0.04 * x * x


def _intrinsic_photometry(rng, sub, period):
    """Intrinsic (M_G, BP-RP) of a star of subtype ``sub``."""
    logp = np.log10(period)
    if sub in ("DCEP", "DCEPS"):
        logp_f = logp + (np.log10(1 / 0.72) if sub == "DCEPS" else 0.0)
        return -2.43 * (logp_f - 1) - 4.05 + rng.normal(0, 0.2), (
            0.55 + 0.45 * logp_f + rng.normal(0, 0.1)
        )
    if sub == "CW":
        return -1.64 * logp + 0.05 + rng.normal(0, 0.25), (
            0.6 + 0.3 * logp + rng.normal(0, 0.1)
        )
    if sub in ("HADS", "DSCT"):
        return -2.89 * logp - 1.31 + rng.normal(0, 0.25), rng.normal(0.35, 0.1)
    if sub == "EW":
        x = max(0.1, 0.65 - 2.7 * (logp + 0.35) + rng.normal(0, 0.1))
        return -1.5 - 12.0 * logp + rng.normal(0, 0.3), x
    if sub in ("EA", "EB"):
        mg = rng.uniform(-1.0, 5.5)
        return mg, -0.05 + 0.19 * mg + rng.normal(0, 0.1)
    if sub in ("M", "SR"):
        if sub == "M":
            w = -7.0 - 3.5 * (logp - 2.5) + rng.normal(0, 0.25)
            x = 2.8 + 2.0 * (logp - 2.3) + rng.normal(0, 0.4)
        else:
            w = -5.5 - 3.0 * (logp - 2.0) + rng.normal(0, 0.5)
            x = rng.normal(2.4, 0.5)
        x = max(x, 1.2)
        return w + _g_minus_rp(x) + 1.3 * x, x
    if sub == "ROT":
        return rng.normal(3.5, 1.8), float(np.clip(rng.normal(1.1, 0.3), 0.5, 2.5))
    if sub == "RRAB":
        return rng.normal(0.63, 0.2), rng.normal(0.75, 0.08)
    if sub in ("RRC", "RRD"):
        return rng.normal(0.55, 0.2), rng.normal(0.5, 0.07)
    if sub == "DIPPER":
        return rng.normal(5.0, 1.2), rng.normal(2.0, 0.4)
    if sub == "DRW":
        return rng.normal(1.0, 2.0), rng.normal(1.3, 0.6)
    return rng.normal(-3.5, 0.6), rng.normal(-0.15, 0.1)  # BCEP


def _photometric_features(rng, sub, period):
    mg0, x0 = _intrinsic_photometry(rng, sub, period)
    w_rp = mg0 - _g_minus_rp(x0) - 1.3 * x0
    ebv = rng.exponential(0.15)
    plx = rng.normal(0.0, rng.uniform(0.05, 0.3))
    return (
        mg0 + 1.9 * ebv + plx,
        x0 + ebv + rng.normal(0, 0.02),
        w_rp + plx + rng.normal(0, 0.03),
    )


# ------------------------------------------------------------ cadence, noise
def _cadence(rng, n):
    """ASAS-SN-like observation times (days since _T0) of ``n`` points."""
    start = rng.uniform(0.0, 700.0)
    span = 365.25 * rng.uniform(3.0, min(6.0, (_T_END - _T0 - start) / 365.25))
    nights = np.arange(int(span))
    on_season = (nights + rng.uniform(0, 365.25)) % 365.25 < rng.uniform(200, 270)
    clear = rng.uniform(size=nights.size // 5 + 1) >= 0.25
    cand = nights[on_season & clear[nights // 5]]
    n_visits = min(n, int(np.ceil(n / rng.uniform(1.0, 1.6))))
    if n_visits <= cand.size:
        visits = cand[rng.permutation(cand.size)[:n_visits]]
    else:
        visits = cand[rng.randint(0, cand.size, n_visits)]
    extra = visits[rng.randint(0, n_visits, n - n_visits)]
    night = np.concatenate([visits, extra])
    sites = _SITES[rng.permutation(_SITES.size)[: rng.randint(1, 4)]]
    frac = sites[rng.randint(0, sites.size, n)] + rng.normal(0, 0.05, n)
    return np.sort(start + night + frac)


def _sigma(mag):
    """Per-point photometric error of an ASAS-SN-like V-band measurement."""
    return np.minimum(np.hypot(0.005, 0.15 * 10.0 ** (0.2 * (mag - 17.0))), 1.5)


def _simulate_star(rng, cls, n):
    t = _cadence(rng, n)
    period, dm, sub = _MODELS[cls](rng, t)
    dm = dm - dm.mean()
    lo, hi = np.quantile(dm, [0.02, 0.98])
    amp = max(hi - lo, 1e-3)
    # Detection selection: fainter stars only where the amplitude beats the noise.
    faint = min(17.0 - 0.5 * amp, 17.0 + 5.0 * np.log10(amp / 0.15))
    mean_mag = rng.uniform(11.0, max(faint, 11.3))
    true = mean_mag + dm
    sigma = _sigma(true)
    mag = true + sigma * rng.uniform(0.9, 1.25) * rng.standard_normal(n)
    err = sigma * np.exp(rng.normal(0.0, 0.1, n))
    n_out = rng.binomial(n, rng.uniform(0.0, 0.02))
    if n_out:
        idx = rng.randint(0, n, n_out)
        sign = np.where(rng.uniform(size=n_out) < 0.7, 1.0, -1.0)
        mag[idx] += sign * (0.15 + rng.exponential(0.4, n_out))
    return np.column_stack([_T0 + t, mag, err]), period, sub


# ------------------------------------------------------------------ public
def _check_counts(n_per_class, names):
    if isinstance(n_per_class, dict):
        missing = [c for c in names if c not in n_per_class]
        extra = [c for c in n_per_class if c not in names]
        if missing or extra:
            raise ValueError(
                f"n_per_class must have one count per class; missing {missing}, "
                f"unexpected {extra}"
            )
        counts = [n_per_class[c] for c in names]
    else:
        counts = [n_per_class] * len(names)
    for c, k in zip(names, counts):
        if not isinstance(k, numbers.Integral) or isinstance(k, bool) or k < 0:
            raise ValueError(f"n_per_class for {c!r} must be an int >= 0; got {k!r}")
    return [int(k) for k in counts]


def _check_n_obs(n_obs):
    if isinstance(n_obs, numbers.Integral) and not isinstance(n_obs, bool):
        low = high = int(n_obs)
    else:
        try:
            low, high = (int(v) for v in n_obs)
        except (TypeError, ValueError):
            raise ValueError(
                f"n_obs must be an int or a (low, high) pair; got {n_obs!r}"
            ) from None
    if not 10 <= low <= high:
        raise ValueError(f"n_obs must satisfy 10 <= low <= high; got {n_obs!r}")
    return low, high


def make_light_curves(
    n_per_class=50,
    *,
    classes=None,
    novel_classes=(),
    n_obs=(200, 600),
    period_known=True,
    features=False,
    random_state=None,
):
    """Generate ASAS-SN-like light curves of periodic variable stars.

    Parameters
    ----------
    n_per_class : int or dict, default=50
        Number of stars per class, or a dict ``{class: count}`` with one entry
        per class in ``classes`` and ``novel_classes``. With a dict and
        ``classes=None``, the known classes are the dict's keys that are not
        in ``novel_classes``.
    classes : sequence of str, default=None
        Known classes to draw. ``None`` means the eight superclasses
        ``("CEP", "DSCT", "EB", "M", "ROT", "RRAB", "RRCD", "SR")``.
    novel_classes : sequence of str, default=()
        Extra classes for novelty detection, labelled under their own names:
        ``"VAR"`` (damped-random-walk and dipping irregular variables) and
        ``"BCEP"`` (multi-periodic beta Cephei stars).
    n_obs : int or tuple of (int, int), default=(200, 600)
        Observations per star, or the inclusive range they are drawn from
        uniformly.
    period_known : bool, default=True
        If True, ``X.period`` holds each star's true period (for VAR, the
        injected quasi-period); otherwise it is ``NaN`` (unknown).
    features : bool, default=False
        If True, ``X.features`` has shape ``(n_stars, 3)`` with columns
        (``M_G``, ``BP-RP``, ``W_RP``): absolute G magnitude, Gaia colour and
        Wesenheit magnitude.
    random_state : int, RandomState instance or None, default=None
        Controls all random draws. Pass an int for reproducible output.

    Returns
    -------
    X : LightCurves
        One light curve per star, columns (HJD, V magnitude, error), with
        ``ids`` such as ``"SIM-RRAB-0007"``. Stars are in random order.
    y : ndarray of str of shape (n_stars,)
        Class label of each star.

    Notes
    -----
    **Light-curve shapes.** Pulsators use a Fourier series in magnitude, cosine
    convention, ``m(phi) = sum_k A_k cos(2 pi k phi + phi_k)``, described by the
    amplitude ratios ``R_k1 = A_k / A_1`` and phase differences ``phi_k1 = phi_k - k
    phi_1`` (the parameters tabulated for OGLE and ASAS-SN variables). ``R21, R31,
    phi21, phi31`` are drawn per star from the ranges below; higher harmonics continue
    geometrically (``R_k1 = R31 q^(k-3)``, ``q = R31 / R21``) and linearly in phase. The
    template is scaled to the star's peak-to-peak amplitude. Eclipsing binaries use a
    geometric flux model (eclipse dips of half-width ``w`` and depths ``d1 >= d2``, an
    ellipsoidal ``cos 4 pi phi`` term and reflection); the irregular parts of SR, ROT, M
    (cycle-to-cycle changes), VAR and Blazhko RRAB use Ornstein-Uhlenbeck (damped random
    walk) processes for amplitude, phase and mean magnitude.

    **Per-class parameters** (V band; ``P`` in days, amplitude = peak-to-peak in mag):

    ===== ============ ============ ===================================================
    class P range      amplitude    shape and subtypes
    ===== ============ ============ ===================================================
    CEP   1 - 50       0.1 - 1.1    DCEP (60 %, log P ~ N(0.65, 0.3)): R21 0.35-0.5 with
                                    a dip to ~0.12 and a drop of phi21 from 5.0 to 3.5
                                    near P = 10 d (Hertzsprung progression); DCEPS
                                    (first overtone, 20 %, P 1-5, amp 0.1-0.5,
                                    R21 0.05-0.25, phi21 4.3-5.0); CW (type II, 20 %,
                                    P 1-30, R21 0.2-0.45, phi21 3.7-4.4)
    DSCT  0.03 - 0.25  0.02 - 0.3   HADS (50 %, amp 0.1-0.3, R21 0.15-0.4, phi21
                                    3.9-4.5, 30 % double-mode with P1/P0 0.756-0.80);
                                    low-amplitude DSCT (amp 0.02-0.1 log-uniform,
                                    sinusoidal, 1-3 extra modes at 0.7-1.4 x f0)
    EB    0.22 - 20    0.04 - 1.4   EA (45 %, P 0.4-20 log-uniform, narrow eclipses
                                    w ~ 0.045 P^(-2/3), d1 0.1-0.7 flux, d2/d1 0.05-0.9,
                                    20 % eccentric); EW (45 %, P 0.22-0.8 around 0.37,
                                    wide eclipses w 0.12-0.2, d2/d1 0.75-1, ellipsoidal
                                    0.04-0.2, O'Connell effect); EB (beta Lyr, 10 %,
                                    P 0.4-5, d2/d1 0.25-0.7)
    M     100 - 600    2.5 - 6.5    log P ~ N(log 300, 0.15); near-sinusoidal, R21
                                    0.03-0.2, phi21 3.8-5.0; cycle-to-cycle amplitude
                                    (10 %), mean (0.15 mag) and phase (0.03) wander
    ROT   1 - 30       0.02 - 0.25  log-uniform P and amplitude; two evolving spot
                                    harmonics (R21 0-0.4, any phase) whose amplitudes
                                    and phases wander on the spot lifetime
                                    max(20 d, 5-30 P); slow activity-cycle drift
    RRAB  0.45 - 0.9   0.5 - 1.2    P ~ N(0.58, 0.07); amplitude falls with period
                                    (Bailey diagram); R21 0.40-0.55, R31 0.25-0.40,
                                    phi21 3.7-4.3, phi31 1.6-2.5 (rise time 0.12-0.3);
                                    30 % Blazhko (P_B 20-200 d, 5-30 % modulation)
    RRCD  0.2 - 0.45   0.2 - 0.5    RRC (90 %, P ~ N(0.32, 0.05), R21 0.05-0.25,
                                    R31 0.02-0.1, phi21 4.4-5.2, phi31 2.6-4.4); RRD
                                    (10 %, P0 0.46-0.6, P1/P0 0.742-0.748, period given
                                    is the dominant first overtone P1)
    SR    20 - 300     0.05 - 1.2   log-uniform P and amplitude; phase wander
                                    (0.1-0.3 cycles over 1-4 P), amplitude wander,
                                    red noise; 25 % long secondary period (5-10 P)
    VAR   1 - 300      0.05 - 1.5   novel. Damped random walk (60 %, sigma 0.05-0.5,
                                    tau 10-300 d) with a weak quasi-periodic component
                                    (P 5-200 d, coherent over 1-3 cycles); YSO-like
                                    dippers (40 %, dips 0.1-1 mag deep, 0.3-5 d wide,
                                    every 10-100 d, half of them quasi-periodic with
                                    P 1-15 d). The period given is the injected
                                    quasi-period, a weak or spurious signal.
    BCEP  0.1 - 0.3    0.01 - 0.1   novel. 2-4 sinusoidal modes at 0.8-1.25 x f0
    ===== ============ ============ ===================================================

    Ranges follow the GCVS definitions and the ASAS-SN variable-star catalogue
    papers (Jayasinghe et al. 2018, MNRAS 477, 3145; 2019, MNRAS 486, 1907),
    Catelan & Smith, *Pulsating Stars* (Wiley, 2015) and Percy, *Understanding
    Variable Stars* (CUP, 2007); Fourier parameters follow the OGLE-III catalogues
    (Soszynski et al. 2008, AcA 58, 163 for Cepheids; 2009, AcA 59, 1 for RR Lyrae;
    Poleski et al. 2010, AcA 60, 1 for delta Scuti stars); contact binaries follow
    Rucinski (1993, PASP 105, 1433; 2006, MNRAS 368, 1319). Ranges are the
    simulator's design choices informed by these sources, not fits to them.

    **Cadence and noise.** ASAS-SN-like (Kochanek et al. 2017, PASP 129, 104502): a 3-6
    yr baseline starting at HJD 2456000-2456700, observing seasons of 200-270 d per
    year, 5-day weather gaps with probability 0.25, visited nights drawn at random
    (nightly at best) with 1.0-1.6 points per visited night on average, each taken
    from one of the star's 1-3 sites (different fractions of a day). Mean magnitudes are
    uniform in 11-17, limited to ``17 - amp / 2`` and to where the amplitude reaches the
    per-point noise (a detection selection: low-amplitude stars are brighter). Noise:
    ``sigma(V) = sqrt(0.005^2 + (0.15 * 10^(0.2 (V - 17)))^2)`` (0.011 at V = 11, 0.15
    at V = 17); reported errors scatter by 10 % around sigma, true errors are 0.9-1.25
    times sigma, and 0-2 % of points are outliers (0.15 + Exp(0.4) mag, mostly fainter).

    **Photometric features.** ``features=True`` adds per star (absolute G magnitude
    ``M_G``, colour ``BP-RP``, Wesenheit ``W_RP = M_RP - 1.3 (BP - RP)``, Lebzelter et
    al. 2018, A&A 616, L13), drawn from per-class loci of the Gaia DR2 colour-magnitude
    diagram (Gaia Collaboration, Eyer et al. 2019, A&A 623, A110): period-luminosity
    relations for Cepheids (Benedict et al. 2007), type II Cepheids (Pritzl et al.
    2003), delta Scuti stars (McNamara 2011), contact binaries (Rucinski 2006) and for
    Miras and semi-regulars in ``W_RP``; fixed loci elsewhere (RR Lyrae ``M_G ~ 0.6``,
    Muraveva et al. 2018). ``M_G`` and ``BP-RP`` include reddening (``E(BP-RP) ~
    Exp(0.15)``, ``A_G = 1.9 E``), ``W_RP`` is reddening-free, and all three share a
    parallax error of 0.05-0.3 mag. ``G - G_RP`` is approximated by ``0.03 + 0.55 x -
    0.04 x^2`` with ``x = BP - RP``.

    Examples
    --------
    >>> from skdualnet.datasets import make_light_curves
    >>> X, y = make_light_curves(2, novel_classes=["VAR"], random_state=0)
    >>> X
    LightCurves(18 stars, ...-... obs, 18 periods known)
    >>> sorted(set(y.tolist()))
    ['CEP', 'DSCT', 'EB', 'M', 'ROT', 'RRAB', 'RRCD', 'SR', 'VAR']
    """
    novel = [str(c) for c in novel_classes]
    if classes is None:
        if isinstance(n_per_class, dict):
            classes = [c for c in n_per_class if c not in novel]
        else:
            classes = KNOWN_CLASSES
    elif isinstance(classes, str):
        classes = [classes]
    names = [str(c) for c in classes] + novel
    unknown = [c for c in names if c not in _MODELS]
    if unknown:
        raise ValueError(f"Unknown classes {unknown}; choose from {sorted(_MODELS)}")
    if len(set(names)) != len(names):
        raise ValueError(f"classes and novel_classes repeat a class: {names}")
    counts = _check_counts(n_per_class, names)
    if sum(counts) == 0:
        raise ValueError("n_per_class asks for no star at all")
    low, high = _check_n_obs(n_obs)
    rng = check_random_state(random_state)

    labels = np.repeat(np.array(names, dtype=str), counts)
    order = rng.permutation(labels.size)
    labels = labels[order]
    serial = np.concatenate([np.arange(k) for k in counts] + [np.zeros(0, int)])
    serial = serial[order]
    n_points = rng.randint(low, high + 1, labels.size)

    curves, periods, feats = [], np.empty(labels.size), np.empty((labels.size, 3))
    for i, (cls, n) in enumerate(zip(labels, n_points)):
        curve, periods[i], sub = _simulate_star(rng, cls, int(n))
        curves.append(curve)
        # Drawn even when not returned, so that the curves do not depend on
        # the ``features`` flag.
        feats[i] = _photometric_features(rng, sub, periods[i])
    ids = np.array([f"SIM-{c}-{k:04d}" for c, k in zip(labels, serial)])
    X = LightCurves.from_arrays(
        curves,
        period=periods if period_known else None,
        features=feats if features else None,
        ids=ids,
    )
    return X, labels
