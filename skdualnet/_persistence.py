"""Save and load fitted models as data: arrays and JSON, never pickles.

A model file (``.skdn`` by convention) is a zip archive readable by
:func:`numpy.load` with ``allow_pickle=False``:

* ``model.json``: the file format and its version, the versions of the
  libraries that wrote it, and the estimator tree. Every estimator is its
  class (from an allow-list), its ``get_params(deep=False)`` and its fitted
  attributes; a Pipeline lists its steps; a
  :class:`~skdualnet.DualNetClassifier` adds its network's ``state_dict`` and
  its training history.
* one ``.npy`` member per array (weights, ``classes_``, the fitted mixture,
  ...), referenced from the JSON document by name.

Loading rebuilds the estimators from their classes and parameters, so no code
stored in the file is ever run. Files of format 1 (a pickle, written by
skdualnet 0.1) still load, with a warning.
"""

import json
import numbers
import os
import pickle
import platform
import tempfile
import warnings
import zipfile
import zlib

import numpy as np
import sklearn
import skorch
import torch
from sklearn.base import BaseEstimator
from skorch.dataset import ValidSplit

__all__ = ["FORMAT_VERSION", "load_model", "save_model"]

#: Version of the model-file layout. Bump it when the layout or the meaning of
#: stored state changes, and teach :func:`load_model` to read the old one.
FORMAT_VERSION = 2
_MAGIC = "skdualnet-model"
_DOCUMENT = "model.json"
_ZIP_MAGIC = b"PK\x03\x04"
_PICKLE_MAGIC = b"\x80"

# skorch's own attributes ending in "_": rebuilt by ``initialize()`` (or the
# constructor) from the parameters, or stored separately (module_, history_).
_SKORCH_REBUILT = frozenset(
    {
        "module_",
        "criterion_",
        "optimizer_",
        "callbacks_",
        "history_",
        "initialized_",
        "virtual_params_",
        "init_context_",
        "prefixes_",
        "cuda_dependent_attributes_",
    }
)

# JSON tags: an object with exactly one of these keys is not a plain dict.
_ARRAY, _SCALAR, _TUPLE, _DICT, _ITEMS, _DEFAULT, _VALID_SPLIT = (
    "__array__",  # an array, by its member name
    "__scalar__",  # a numpy scalar, stored as a 0-d array
    "__tuple__",  # a tuple, as a list
    "__dict__",  # a dict whose only key would read as a tag
    "__items__",  # a dict with keys other than strings, as [key, value] pairs
    "__default__",  # a parameter left at its class's default (not data)
    "__valid_split__",  # a skorch ValidSplit, by its arguments
)
_TAGS = frozenset({_ARRAY, _SCALAR, _TUPLE, _DICT, _ITEMS, _DEFAULT, _VALID_SPLIT})


#: Value of a constructor parameter for a model file (or pickle) written
#: before the parameter existed: the behaviour such a model was trained with,
#: not today's default. Keyed by parameter name, per class name.
_LEGACY_PARAMS = {
    "DualNetClassifier": {"class_weight": None},
}

#: Defaults that have changed: a file that stored a parameter as "the
#: default" gets the default of its time (as JSON), which files written
#: since store as data. Keyed by parameter name, per class name.
_FORMER_DEFAULTS = {
    "DualNetClassifier": {
        "train_split": {
            _VALID_SPLIT: {"cv": 0.2, "stratified": True, "random_state": None}
        },
    },
}


class _NotData(TypeError):
    """A value that is not a number, string, bool, None, list, dict or array."""


def _library_versions():
    """Versions of the libraries a model file depends on, as stored in it."""
    from . import __version__

    return {
        "skdualnet": __version__,
        "torch": torch.__version__,
        "skorch": skorch.__version__,
        "sklearn": sklearn.__version__,
    }


def _allowed_classes():
    """Estimator classes a model file may name: ``{qualified name: class}``.

    The estimators exported in ``skdualnet.__all__`` and scikit-learn's
    Pipeline.
    """
    from sklearn.pipeline import Pipeline

    import skdualnet

    allowed = {"sklearn.pipeline.Pipeline": Pipeline}
    for name in skdualnet.__all__:
        obj = getattr(skdualnet, name, None)
        if isinstance(obj, type) and issubclass(obj, BaseEstimator):
            allowed[f"skdualnet.{name}"] = obj
    return allowed


# ------------------------------------------------------------------- writing
def _encode(value, arrays, key):
    """JSON form of ``value``; its arrays go into ``arrays`` under ``key...``.

    Raises
    ------
    _NotData
        If ``value`` is not (made of) numbers, strings, bools, None, lists,
        tuples, dicts and numpy arrays or scalars.
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.generic) and not isinstance(value, np.object_):
        key = _new_key(arrays, key)
        arrays[key] = np.asarray(value)
        return {_SCALAR: key}
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, np.ndarray):
        key = _new_key(arrays, key)
        arrays[key] = _plain_array(value)
        return {_ARRAY: key}
    if isinstance(value, (list, tuple)):
        items = [_encode(v, arrays, f"{key}.{i}") for i, v in enumerate(value)]
        return {_TUPLE: items} if isinstance(value, tuple) else items
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):  # e.g. integer labels
            items = enumerate(value.items())
            return {
                _ITEMS: [
                    [
                        _encode(k, arrays, f"{key}.{i}k"),
                        _encode(v, arrays, f"{key}.{i}"),
                    ]
                    for i, (k, v) in items
                ]
            }
        out = {k: _encode(v, arrays, f"{key}.{k}") for k, v in value.items()}
        return {_DICT: out} if len(out) == 1 and set(out) <= _TAGS else out
    if type(value) is ValidSplit:  # skorch's split is its three arguments
        try:
            return {_VALID_SPLIT: _encode(vars(value), arrays, key)}
        except _NotData as exc:
            raise _NotData(f"a ValidSplit object holding {exc}") from None
    if isinstance(value, type):
        raise _NotData(f"the class {_class_name(value)}")
    raise _NotData(f"a {type(value).__name__} object")


def _new_key(arrays, key):
    """``key``, or ``key~1``, ``key~2``, ... if it is taken."""
    n, unique = 0, key
    while unique in arrays:
        n += 1
        unique = f"{key}~{n}"
    return unique


def _what(value, exc):
    """What a value that is not data is, for error messages."""
    if isinstance(value, (list, tuple, dict)):
        return f"a {type(value).__name__} holding {exc}"
    return str(exc)


def _plain_array(a):
    """``a`` as an array ``numpy.save`` writes without pickling."""
    if a.dtype.hasobject:
        if a.dtype == object and all(isinstance(v, str) for v in a.ravel()):
            return a.astype(str)  # labels read from a catalogue
        raise _NotData(f"an array of Python objects (dtype {a.dtype})")
    return a


def _same(value, default):
    """Whether a parameter value is its class's default (class or instance)."""
    if value is default:
        return True
    if isinstance(value, type) or isinstance(default, type):
        return False
    if type(value) is not type(default):
        return False
    if hasattr(value, "__dict__") and not isinstance(value, np.ndarray):
        a, b = vars(value), vars(default)
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    try:
        equal = value == default
    except Exception:  # noqa: BLE001 - any comparison failure means "no"
        return False
    return equal if isinstance(equal, bool) else False


def _defaults(cls):
    """``get_params(deep=False)`` of a default-constructed ``cls``."""
    try:
        return cls().get_params(deep=False)
    except TypeError:  # required arguments: only the signature's defaults
        import inspect

        return {
            name: p.default
            for name, p in inspect.signature(cls).parameters.items()
            if p.default is not p.empty
        }


def _class_name(cls):
    return f"{cls.__module__}.{cls.__qualname__}"


def _describe(est, allowed, arrays, node):
    """JSON description of one estimator (recursively for a Pipeline)."""
    from sklearn.pipeline import Pipeline
    from skorch import NeuralNet

    names = {cls: name for name, cls in allowed.items()}
    cls = type(est)
    if cls not in names:
        raise ValueError(
            f"cannot save a {_class_name(cls)}: model files hold only these "
            f"estimators: {', '.join(sorted(allowed))}"
        )
    doc = {
        "class": names[cls],
        "params": _describe_params(est, names[cls], arrays, node),
    }
    if cls is Pipeline:
        doc["steps"] = [
            [step_name, step if step in (None, "passthrough") else None]
            for step_name, step in est.steps
        ]
        for i, (_, step) in enumerate(est.steps):
            if step not in (None, "passthrough"):
                doc["steps"][i][1] = _describe(step, allowed, arrays, f"{node}.{i}")
    doc["fitted"] = _describe_fitted(est, names[cls], arrays, node)
    if isinstance(est, NeuralNet) and getattr(est, "initialized_", False):
        doc.update(_describe_net(est, arrays, node))
    return doc


def _describe_params(est, name_of_class, arrays, node):
    """JSON of an estimator's own parameters: data, or the default's name."""
    from sklearn.pipeline import Pipeline

    cls = type(est)
    params = est.get_params(deep=False)
    defaults = _defaults(cls)
    out = {}
    for name, value in params.items():
        if name.startswith("_") or (cls is Pipeline and name == "steps"):
            continue
        if name == "device" and isinstance(value, torch.device):
            value = str(value)
        try:
            out[name] = _encode(value, arrays, f"{node}/params/{name}")
            continue
        except _NotData as exc:
            why = _what(value, exc)
        if name in defaults and _same(value, defaults[name]):
            out[name] = {_DEFAULT: _value_name(value)}
        elif name == "random_state":
            warnings.warn(
                f"{name_of_class}: random_state={value!r} is not stored (only an "
                "int or None is); the loaded model has random_state=None. It "
                "matters only for refitting: the fitted state is saved whole.",
                UserWarning,
                stacklevel=5,
            )
            out[name] = None
        else:
            raise ValueError(
                f"cannot save {name_of_class}: its parameter {name!r} is {why}, "
                "neither a JSON value (number, string, bool, None, list, dict), "
                "an array nor the default, and a model file stores data, not "
                f"code. Set {name} to one of those (set_params) before saving."
            )
    return out


def _describe_fitted(est, name_of_class, arrays, node):
    """JSON of an estimator's fitted attributes (``name_``)."""
    from skorch import NeuralNet

    skip = set()
    if isinstance(est, NeuralNet):
        skip = _SKORCH_REBUILT | {f"{m}_" for m in _skorch_components(est)}
    fitted = {}
    for name, value in vars(est).items():
        if not name.endswith("_") or name.startswith("__") or name in skip:
            continue
        try:
            fitted[name] = _encode(value, arrays, f"{node}/fitted/{name}")
        except _NotData as exc:
            raise ValueError(
                f"cannot save {name_of_class}: its fitted attribute {name!r} is "
                f"{_what(value, exc)}, not a number, string, bool, None, list, "
                "dict or array"
            ) from None
    return fitted


def _skorch_components(net):
    return [*net._modules, *net._criteria, *net._optimizers]


def _value_name(value):
    """Readable name of a default parameter value (informative only)."""
    if isinstance(value, type):
        return _class_name(value)
    return f"{_class_name(type(value))} instance"


def _describe_net(net, arrays, node):
    """The network's weights and the training history of a skorch net."""
    state = {}
    for name, tensor in net.module_.state_dict().items():
        key = f"{node}/state_dict/{name}"
        tensor = tensor.detach().cpu()
        if tensor.dtype == torch.bfloat16:
            tensor = tensor.float()
        arrays[key] = tensor.numpy()
        state[name] = key
    out = {"state_dict": state, "module_arguments": _module_arguments(net)}
    out["history"] = None
    try:
        history = json.loads(json.dumps(net.history_.to_list(), default=_scalar))
    except (TypeError, ValueError) as exc:
        warnings.warn(
            f"the training history is not stored ({exc}); the loaded model has "
            "an empty history",
            UserWarning,
            stacklevel=5,
        )
    else:
        out["history"] = history
    return out


def _module_arguments(net):
    """Every constructor argument the network was built with, defaults
    included, so that a later change of a default cannot change (or break)
    the architecture a file describes."""
    import inspect

    if not isinstance(net.module, type):
        return {}
    args = {
        name: p.default
        for name, p in inspect.signature(net.module.__init__).parameters.items()
        if name != "self" and p.default is not p.empty
    }
    args.update(net.get_params_for("module"))
    for name in ("n_classes", "n_aux"):
        if hasattr(net.module_, name):
            args[name] = getattr(net.module_, name)
    try:
        return json.loads(json.dumps(args, default=_scalar))
    except (TypeError, ValueError):
        return {}  # not data: the stored parameters are all there is


def _scalar(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} in the history is not JSON")


def save_model(model, path):
    """Write a fitted estimator or Pipeline to ``path``, as data only.

    The file (``.skdn`` by convention; no suffix is added) is a zip archive
    that :func:`numpy.load` reads with ``allow_pickle=False``: one ``.npy``
    member per array (network weights, ``classes_``, the fitted mixture, ...)
    and ``model.json``, which gives the format version, the skdualnet, torch,
    skorch, scikit-learn, numpy and Python versions, and for every estimator
    its class, its parameters and its fitted attributes. The file is written
    to a temporary file first, then moved to ``path``.

    Parameters
    ----------
    model : estimator or Pipeline
        Typically a fitted Pipeline ending in
        :class:`~skdualnet.DualNetClassifier`. Only the estimators exported
        by skdualnet and :class:`sklearn.pipeline.Pipeline` can be saved.
    path : str or path-like
        File to write.

    Raises
    ------
    ValueError
        If the model contains another estimator class, or a parameter or
        fitted attribute that is not data (a number, string, bool, None,
        list, dict or array) and, for parameters, not the class's default
        (a callback list, a custom module class, ...). A ``random_state``
        that is a ``RandomState`` instance is stored as ``None``, with a
        ``UserWarning``.

    See Also
    --------
    load_model : Read the file back.

    Notes
    -----
    The optimizer's state is not stored: ``partial_fit`` on a loaded model
    continues training with a fresh optimizer.

    Examples
    --------
    >>> import os, tempfile
    >>> from skdualnet import PhaseFolder
    >>> path = os.path.join(tempfile.mkdtemp(), "folder.skdn")
    >>> save_model(PhaseFolder(estimate="always"), path)
    >>> load_model(path)
    PhaseFolder(estimate='always')
    """
    arrays = {}
    estimator = _describe(model, _allowed_classes(), arrays, "model")
    document = {
        "format": _MAGIC,
        "format_version": FORMAT_VERSION,
        "versions": {
            **_library_versions(),
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
        "estimator": estimator,
    }
    text = json.dumps(document, indent=1, allow_nan=True)
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".skdn-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f, zipfile.ZipFile(f, "w") as zf:
            zf.writestr(_zip_info(_DOCUMENT), text)
            for key, array in arrays.items():
                with zf.open(_zip_info(key + ".npy"), "w", force_zip64=True) as m:
                    np.lib.format.write_array(m, array, allow_pickle=False)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp's 0o600 is for the temporary file
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _zip_info(name):
    """A zip member with a fixed date, so that the same model gives the same file."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


# ------------------------------------------------------------------- reading
def load_model(path):
    """Read a model written by :func:`save_model`, without unpickling.

    The estimators are rebuilt from their stored classes (which must be
    skdualnet's estimators or :class:`sklearn.pipeline.Pipeline`) and
    parameters; a :class:`~skdualnet.DualNetClassifier` is initialised, its
    network weights loaded and its fitted attributes set, so it predicts what
    the saved model predicted. A model trained on a GPU loads on a CPU-only
    machine (with skorch's ``DeviceWarning``).

    Files written by skdualnet 0.1 (format 1, a pickle) still load, with a
    ``UserWarning``: unpickling can run code, so load them only if you trust
    them, and convert them once with ``skdualnet convert OLD NEW``.

    Parameters
    ----------
    path : str or path-like
        Model file.

    Returns
    -------
    estimator
        The fitted estimator or Pipeline.

    Raises
    ------
    ValueError
        If the file is not a skdualnet model, is truncated, names a class
        outside the allow-list, or was written in a newer format than this
        version of skdualnet reads.

    Warns
    -----
    UserWarning
        For a format-1 (pickle) file, and when the stored skdualnet, torch,
        skorch or scikit-learn version differs from the running one.

    See Also
    --------
    save_model : Write a model file.
    skdualnet.pretrained : Load a model shipped with skdualnet.
    """
    try:
        with open(path, "rb") as f:
            head = f.read(4)
    except OSError as exc:
        raise ValueError(f"{path}: cannot read the model file ({exc})") from None
    if head.startswith(_ZIP_MAGIC):
        return _load_npz(path)
    if head.startswith(_PICKLE_MAGIC):
        return _load_pickle(path)
    raise ValueError(
        f"{path}: not a readable skdualnet model file (neither a zip archive "
        "of format 2 nor a pickle of format 1)"
    )


def _check_versions(path, stored):
    current = _library_versions()
    changed = [
        f"{k} {stored[k]} -> {current[k]}"
        for k in current
        if stored.get(k) is not None and stored[k] != current[k]
    ]
    if changed:
        warnings.warn(
            f"{path}: model written with other library versions ({', '.join(changed)})"
            "; it loaded, but check its predictions, or re-train with `skdualnet fit`",
            UserWarning,
            stacklevel=3,
        )


def _newer(path, version, written_by):
    from . import __version__

    return ValueError(
        f"{path}: model format {version} was written by skdualnet "
        f"{written_by}, newer than this skdualnet {__version__} "
        f"(reads formats <= {FORMAT_VERSION}); upgrade skdualnet"
    )


def _corrupt(path, exc):
    return ValueError(
        f"{path}: not a readable skdualnet model file ({type(exc).__name__}: "
        f"{exc}). It may be truncated or written by an incompatible version; "
        "re-train with `skdualnet fit` or load it with the skdualnet version "
        "that wrote it."
    )


_READ_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    OSError,
    EOFError,
    ValueError,
    KeyError,
)


def _load_npz(path):
    try:
        npz = np.load(path, allow_pickle=False)
    except _READ_ERRORS as exc:
        raise _corrupt(path, exc) from None
    with npz:
        if _DOCUMENT not in npz.files:
            raise ValueError(
                f"{path}: not a skdualnet model file (no {_DOCUMENT} in the archive)"
            )
        try:
            document = json.loads(npz[_DOCUMENT].decode("utf-8"))
        except (*_READ_ERRORS, UnicodeDecodeError) as exc:
            raise _corrupt(path, exc) from None
        if not isinstance(document, dict) or document.get("format") != _MAGIC:
            raise ValueError(
                f"{path}: not a skdualnet model file (no skdualnet header)"
            )
        versions = document.get("versions")
        versions = versions if isinstance(versions, dict) else {}
        version = document.get("format_version")
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise _newer(path, version, versions.get("skdualnet"))
        if version < 2:
            raise ValueError(
                f"{path}: a zip archive claiming model format {version}, which "
                "was never a zip archive; the file is corrupt"
            )
        _check_versions(path, versions)
        reader = _Reader(path, npz, _allowed_classes())
        try:
            return reader.build(document.get("estimator"))
        except _READ_ERRORS as exc:
            if isinstance(exc, ValueError) and str(exc).startswith(f"{path}: "):
                raise
            raise _corrupt(path, exc) from None


class _Reader:
    """Rebuild estimators from a format-2 document and its arrays."""

    def __init__(self, path, npz, allowed):
        self.path, self.npz, self.allowed = path, npz, allowed

    def fail(self, reason):
        return ValueError(f"{self.path}: {reason}")

    def array(self, key):
        if not isinstance(key, str) or key not in self.npz.files:
            raise self.fail(f"array {key!r} is missing from the archive")
        return self.npz[key]

    def decode(self, value):
        if isinstance(value, list):
            return [self.decode(v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1 and set(value) <= _TAGS:
            (tag, inner) = next(iter(value.items()))
            if tag == _ARRAY:
                return self.array(inner)
            if tag == _SCALAR:
                return self.array(inner)[()]
            if tag == _TUPLE:
                return tuple(self.decode(v) for v in inner)
            if tag == _DICT:
                return {k: self.decode(v) for k, v in inner.items()}
            if tag == _ITEMS:
                return {self.decode(k): self.decode(v) for k, v in inner}
            if tag == _VALID_SPLIT:
                try:
                    return ValidSplit(**self.decode(inner))
                except (TypeError, ValueError) as exc:
                    why = f"a stored ValidSplit is malformed ({exc})"
                    raise self.fail(why) from None
            raise self.fail(f"unexpected {tag} in a value")
        return {k: self.decode(v) for k, v in value.items()}

    def build(self, doc):
        from sklearn.pipeline import Pipeline
        from skorch import NeuralNet

        if not isinstance(doc, dict) or not isinstance(doc.get("class"), str):
            raise self.fail("the estimator description is malformed")
        name = doc["class"]
        cls = self.allowed.get(name)
        if cls is None:
            raise self.fail(
                f"class {name!r} is not one a skdualnet model file may contain "
                f"(allowed: {', '.join(sorted(self.allowed))}); the file was "
                "written by another program or a newer skdualnet"
            )
        stored = doc.get("params", {})
        former = _FORMER_DEFAULTS.get(cls.__name__, {})
        params = {}
        for k, v in stored.items():
            if isinstance(v, dict) and set(v) == {_DEFAULT}:
                if k not in former:
                    continue  # today's default
                v = former[k]
            params[k] = self.decode(v)
        for k, v in _LEGACY_PARAMS.get(cls.__name__, {}).items():
            if k not in stored:
                params[k] = v
        for k, v in doc.get("module_arguments", {}).items():
            params.setdefault(f"module__{k}", v)
        if cls is Pipeline:
            params["steps"] = [
                (step, est if est in (None, "passthrough") else self.build(est))
                for step, est in doc.get("steps", [])
            ]
        fitted = {k: self.decode(v) for k, v in doc.get("fitted", {}).items()}
        if issubclass(cls, NeuralNet):
            params = self.device(params)
        try:
            est = cls(**params)
        except TypeError as exc:
            raise self.fail(f"cannot rebuild {name} ({exc})") from None
        vars(est).update(fitted)
        if issubclass(cls, NeuralNet) and "state_dict" in doc:
            self.restore_net(est, doc, name)
            vars(est).update(fitted)
        return est

    @staticmethod
    def device(params):
        """The stored device, or the CPU when it is not available here."""
        from skorch.utils import get_map_location

        device = params.get("device", "cpu")
        if device is not None:
            location = get_map_location(device)  # warns if CUDA is missing
            if torch.device(device).type != location.type:
                params["device"] = str(location)
        return params

    def restore_net(self, net, doc, name):
        from skorch.history import History

        # initialize_module reads classes_ (classes_inferred_) and n_aux_, set
        # above; its random initialisation must not move the global RNG.
        with torch.random.fork_rng(devices=[]):
            net.initialize()
        state = {
            k: torch.from_numpy(np.array(self.array(key)))
            for k, key in doc["state_dict"].items()
        }
        try:
            net.module_.load_state_dict(state, strict=True)
        except RuntimeError as exc:
            raise self.fail(
                f"the weights do not fit {name}'s network ({exc})"
            ) from None
        if doc.get("history") is not None:
            net.history_ = History(doc["history"])


def _load_pickle(path):
    """Read a format-1 file (a pickle): it can run code, so it warns."""
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
        ValueError,
    ) as exc:
        raise _corrupt(path, exc) from None
    if not isinstance(payload, dict) or payload.get("magic") != _MAGIC:
        raise ValueError(f"{path}: not a skdualnet model file (no skdualnet header)")
    version = payload.get("format_version")
    if version != 1:
        if isinstance(version, int) and version > FORMAT_VERSION:
            raise _newer(path, version, payload.get("skdualnet"))
        raise ValueError(
            f"{path}: a pickle claiming model format {version!r}; only format 1 "
            "was a pickle"
        )
    warnings.warn(
        f"{path} is a pickle-based model file (format 1); it can run code when "
        "loaded; convert it with `skdualnet convert OLD NEW` or "
        "`save_model(load_model(OLD), NEW)`",
        UserWarning,
        stacklevel=3,
    )
    _check_versions(path, payload)
    _fill_new_parameters(payload["model"])
    return payload["model"]


def _fill_new_parameters(model):
    """Give skdualnet objects unpickled from an older version the constructor
    parameters added since (a pickle restores attributes, not parameters):
    their legacy value (:data:`_LEGACY_PARAMS`, the behaviour the model was
    trained with) where one is recorded, else the default; for the estimators
    of ``model`` and their skorch criteria."""
    import inspect

    from sklearn.pipeline import Pipeline
    from skorch import NeuralNet

    def fill(obj):
        if not type(obj).__module__.startswith("skdualnet."):
            return
        legacy = _LEGACY_PARAMS.get(type(obj).__name__, {})
        for name, p in inspect.signature(type(obj).__init__).parameters.items():
            if p.default is not p.empty and not hasattr(obj, name):
                setattr(obj, name, legacy.get(name, p.default))

    stack = [model]
    while stack:
        obj = stack.pop()
        if isinstance(obj, Pipeline):
            stack.extend(step for _, step in obj.steps)
        elif isinstance(obj, BaseEstimator):
            fill(obj)
            if isinstance(obj, NeuralNet):
                for name in obj._criteria:
                    if hasattr(obj, f"{name}_"):
                        fill(getattr(obj, f"{name}_"))
