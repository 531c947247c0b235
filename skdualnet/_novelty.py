"""Novelty scores beyond the paper's energy: the combined score's ranks.

The paper's score is the mixture's sample energy (:mod:`._gmm`).
``DualNetClassifier(novelty=...)`` can also score a star by its maximum class
probability, or by both at once: ``"combined"`` puts the two on one scale by
ranking each against the training stars' values and averages the ranks.
"""

import numpy as np

__all__ = ["NOVELTY_NAMES", "NOVELTY_SCORES", "combined_score", "training_rank"]

#: The values of ``DualNetClassifier(novelty=...)`` and how reports name them.
NOVELTY_NAMES = {
    "energy": "energy",
    "max_proba": "max probability",
    "combined": "combined energy + max probability",
}
NOVELTY_SCORES = tuple(NOVELTY_NAMES)


def training_rank(reference, values):
    """Fraction of the reference (training) stars scoring at or below each value.

    The empirical distribution function of ``reference`` at ``values``: 0
    below every training star, 1 at or above the highest.

    Parameters
    ----------
    reference : ndarray of shape (n_reference,)
        Scores of the training stars (higher is more typical).
    values : ndarray of shape (n_stars,)
        Scores to rank.

    Returns
    -------
    ndarray of shape (n_stars,)
        Values in [0, 1].

    Examples
    --------
    >>> reference = np.array([1.0, 2.0, 3.0, 4.0])
    >>> training_rank(reference, np.array([0.5, 2.0, 9.0])).tolist()
    [0.0, 0.5, 1.0]
    """
    reference = np.sort(np.asarray(reference, dtype=np.float64))
    ranks = np.searchsorted(reference, np.asarray(values, dtype=np.float64), "right")
    return ranks / len(reference)


def combined_score(energy, max_proba, training_energy, training_max_proba):
    """The ``"combined"`` novelty score: the mean of the two training ranks.

    Parameters
    ----------
    energy : ndarray of shape (n_stars,)
        Minus the mean segment energy of each star (the paper's score).
    max_proba : ndarray of shape (n_stars,)
        Each star's highest class probability.
    training_energy, training_max_proba : ndarray of shape (n_training_stars,)
        The same two scores of the training stars (for the boosting head, its
        out-of-fold probabilities).

    Returns
    -------
    ndarray of shape (n_stars,)
        In [0, 1]; higher is more typical of the training classes. A star as
        unusual as the lowest 5 % of training stars on both scores gets at
        most 0.05.

    Examples
    --------
    >>> energy, max_proba = np.array([0.5, 4.0]), np.array([0.9, 0.2])
    >>> training_energy = np.array([1.0, 2.0, 3.0, 4.0])
    >>> training_max_proba = np.array([0.4, 0.6, 0.8, 1.0])
    >>> combined_score(energy, max_proba, training_energy, training_max_proba).tolist()
    [0.375, 0.5]
    """
    return 0.5 * (
        training_rank(training_energy, energy)
        + training_rank(training_max_proba, max_proba)
    )
