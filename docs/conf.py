"""Sphinx configuration for skdualnet.

Build the HTML docs (from the repository root) with warnings as errors::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

Requirements: ``pip install sphinx numpydoc`` plus skdualnet's own runtime
dependencies (the API pages import the package). The build needs no network
access by default; see the intersphinx note below. Output goes to
``docs/_build/`` and autosummary stubs to ``docs/generated/``; both are
gitignored.
"""

import os

import skdualnet

project = "skdualnet"
author = "skdualnet developers"
release = version = skdualnet.__version__
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
]
autosummary_generate = True
numpydoc_show_class_members = False
templates_path = ["_templates"]
html_theme = "alabaster"
exclude_patterns = ["_build"]

# Intersphinx is OFF by default so that an offline build (CI sandboxes, no
# DNS) emits no "failed to reach any of the inventories" warning, which would
# fail ``-W``. Nothing in these docs needs it to resolve: without it,
# references to Python/scikit-learn/skorch/PyTorch objects simply render as
# unlinked text. Set SKDUALNET_DOCS_INTERSPHINX=1 to turn the cross-project
# links on when the network is reachable.
if os.environ.get("SKDUALNET_DOCS_INTERSPHINX", "") == "1":
    extensions.append("sphinx.ext.intersphinx")
    intersphinx_mapping = {
        "python": ("https://docs.python.org/3", None),
        "sklearn": ("https://scikit-learn.org/stable", None),
        "skorch": ("https://skorch.readthedocs.io/en/stable", None),
        "torch": ("https://pytorch.org/docs/stable", None),
    }


def _own_members(cls):
    """Names of the members of ``cls`` that skdualnet itself defines."""
    kept = []
    for name in dir(cls):
        for klass in cls.__mro__:
            if name in vars(klass):
                if klass.__module__.split(".")[0] == "skdualnet":
                    kept.append(name)
                break
    return sorted(kept)


# Used by ``_templates/autosummary/class.rst``: class pages list only the
# methods and attributes defined in skdualnet, not the many members inherited
# from scikit-learn and skorch (documented there; their docstrings use those
# projects' own Sphinx labels, e.g. ``:ref:`accuracy_score```, which cannot
# resolve here). Plain data (not a function) so Sphinx can cache the config.
autosummary_context = {
    "skdualnet_own_members": {
        f"skdualnet.{name}": _own_members(getattr(skdualnet, name))
        for name in skdualnet.__all__
        if isinstance(getattr(skdualnet, name), type)
    }
}
