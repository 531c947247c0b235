"""Sphinx configuration for skdualnet.

Build the HTML docs (from the repository root) with warnings as errors::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

Requirements: ``pip install sphinx numpydoc sphinx-gallery matplotlib`` (the
``docs`` extra) plus skdualnet's own runtime dependencies (the API pages import
the package; the gallery runs its examples, about 10 s on a CPU). The build
needs no network access by default; see the intersphinx note below. Output goes to
``docs/_build/``, autosummary stubs to ``docs/generated/`` and the rendered
gallery to ``docs/auto_examples/``; all are gitignored.
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
    "sphinx_gallery.gen_gallery",
]
autosummary_generate = True
numpydoc_show_class_members = False
templates_path = ["_templates"]
html_theme = "alabaster"
# ``examples/`` holds the gallery's sources (its GALLERY_HEADER.rst is read by
# sphinx-gallery, not by Sphinx); the generated pages are in ``auto_examples/``.
exclude_patterns = ["_build", "examples"]

# Example gallery (sphinx-gallery): every ``examples/plot_*.py`` is run at
# build time and rendered, with its figures, to ``auto_examples/`` (gitignored).
# The examples are small enough to run on a CPU in seconds. Build without
# running them with ``-D plot_gallery=0``.
sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "doc_module": ("skdualnet",),
    "reference_url": {"skdualnet": None},
    "backreferences_dir": None,
    "image_scrapers": ("matplotlib",),
    "remove_config_comments": True,
    # No sg_execution_times.rst pages: the root one would land in docs/ itself
    # (not gitignored); each example page still shows its own running time.
    "write_computation_times": False,
}

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
