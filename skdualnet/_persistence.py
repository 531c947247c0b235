"""Save and load fitted models with a format version."""

import pickle
import platform
import warnings

import sklearn
import skorch
import torch

__all__ = ["FORMAT_VERSION", "load_model", "save_model"]

#: Version of the model-file layout. Bump it when the layout or the meaning of
#: stored state changes, and teach :func:`load_model` to read the old one.
FORMAT_VERSION = 1
_MAGIC = "skdualnet-model"


def _library_versions():
    """Versions of the libraries a model file depends on, as stored in it."""
    from . import __version__

    return {
        "skdualnet": __version__,
        "torch": torch.__version__,
        "skorch": skorch.__version__,
        "sklearn": sklearn.__version__,
    }


def save_model(model, path):
    """Write a fitted estimator or Pipeline to ``path``.

    The file is a pickle of a dictionary holding the model and the versions of
    the file format, skdualnet, torch, skorch, scikit-learn and Python, so
    that :func:`load_model` can say what to do when they do not match.

    Parameters
    ----------
    model : estimator or Pipeline
        Typically a fitted Pipeline ending in :class:`~skdualnet.DualNetClassifier`.
    path : str or path-like
    """
    payload = {
        "magic": _MAGIC,
        "format_version": FORMAT_VERSION,
        **_library_versions(),
        "python": platform.python_version(),
        "model": model,
    }
    with open(path, "wb") as f:
        pickle.dump(payload, f, protocol=pickle.HIGHEST_PROTOCOL)


def load_model(path):
    """Read a model written by :func:`save_model`.

    A model trained on a GPU loads on a CPU-only machine (skorch maps its
    tensors to the CPU and warns).

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    estimator

    Raises
    ------
    ValueError
        If the file is not a skdualnet model, is truncated, or was written in a
        newer format than this version of skdualnet reads.
    """
    from . import __version__

    try:
        with open(path, "rb") as f:
            payload = pickle.load(f)
    except (
        pickle.UnpicklingError,
        EOFError,
        AttributeError,
        ImportError,
        IndexError,
        TypeError,
    ) as exc:
        raise ValueError(
            f"{path}: not a readable skdualnet model file ({type(exc).__name__}: "
            f"{exc}). It may be truncated or written by an incompatible version; "
            "re-train with `skdualnet fit` or load it with the skdualnet version "
            "that wrote it."
        ) from None
    if not isinstance(payload, dict) or payload.get("magic") != _MAGIC:
        raise ValueError(f"{path}: not a skdualnet model file (no skdualnet header)")
    version = payload.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ValueError(
            f"{path}: model format {version} was written by skdualnet "
            f"{payload.get('skdualnet')}, newer than this skdualnet {__version__} "
            f"(reads formats <= {FORMAT_VERSION}); upgrade skdualnet"
        )
    current = _library_versions()
    changed = [
        f"{k} {payload[k]} -> {current[k]}"
        for k in current
        if payload.get(k) is not None and payload[k] != current[k]
    ]
    if changed:
        warnings.warn(
            f"{path}: model written with other library versions ({', '.join(changed)})"
            "; it loaded, but check its predictions, or re-train with `skdualnet fit`",
            UserWarning,
            stacklevel=2,
        )
    return payload["model"]
