"""Models trained by the skdualnet developers, shipped with the package."""

from importlib import resources

from ._persistence import load_model

__all__ = ["pretrained"]


def _available():
    """Names of the pretrained models installed with skdualnet, sorted."""
    folder = resources.files("skdualnet") / "models"
    if not folder.is_dir():
        return []
    return sorted(
        entry.name[: -len(".skdn")]
        for entry in folder.iterdir()
        if entry.name.endswith(".skdn") and entry.is_file()
    )


def pretrained(name="asas"):
    """Load a fitted model shipped with skdualnet.

    The model is a Pipeline (front end and
    :class:`~skdualnet.DualNetClassifier`) stored in
    ``skdualnet/models/<name>.skdn`` in the format of
    :func:`~skdualnet.save_model`: arrays and JSON, loaded without
    unpickling.

    Parameters
    ----------
    name : str, default="asas"
        Which model: ``"asas"`` is trained on the ASAS V-band light curves
        of the ACVS and Richards et al. (2012) sets, eight superclasses, with
        ``novelty="combined"`` (the mean of the energy's and the network's
        max probability's ranks among the training stars; see the model
        card in the user guide). ``"asas_boosting"``, where
        installed, is the same data and split with
        ``make_default_model(classical=True, head="boosting")``: class
        probabilities from gradient-boosted trees on the latent vector and
        :class:`~skdualnet.ClassicalFeatures` (needs ``pip install
        'skdualnet[classical]'``) and ``novelty="combined"``: its novelty
        score is the mean of the energy's and the trees' max probability's
        ranks among the training stars.

    Returns
    -------
    Pipeline
        Ready for ``predict``, ``predict_proba`` and ``score_samples`` on
        light curves.

    Raises
    ------
    ValueError
        If no model of that name is installed; the message lists those that
        are.

    See Also
    --------
    DualNetClassifier : The classifier at the end of the Pipeline.

    Examples
    --------
    >>> from skdualnet import pretrained
    >>> pretrained("no-such-model")
    Traceback (most recent call last):
    ...
    ValueError: no pretrained model 'no-such-model' ...
    """
    names = _available()
    if name not in names:
        listed = ", ".join(repr(n) for n in names) if names else "none"
        raise ValueError(
            f"no pretrained model {name!r} is installed with this skdualnet "
            f"(available: {listed})"
        )
    folder = resources.files("skdualnet") / "models"
    with resources.as_file(folder / f"{name}.skdn") as path:
        return load_model(path)
