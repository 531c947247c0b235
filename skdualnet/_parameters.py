"""Parameter checks: one mechanism for every public entry point.

Estimators declare ``_parameter_constraints`` (scikit-learn's format) and
functions pass a constraint table to :func:`check_params`. Both end in
scikit-learn's ``validate_parameter_constraints``, so every bad parameter
raises the same :class:`~sklearn.utils._param_validation.InvalidParameterError`
(a subclass of ``ValueError`` and ``TypeError``) with the same wording. This is
the only module that imports scikit-learn's private ``_param_validation``: if
a scikit-learn release moves it, this file is the one to change.
"""

from sklearn.utils._param_validation import (
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
    validate_parameter_constraints,
)

__all__ = [
    "Interval",
    "InvalidParameterError",
    "Options",
    "StrOptions",
    "check_estimator_params",
    "check_params",
]


def check_params(caller, constraints, **params):
    """Check ``params`` against ``constraints``; raise a ``ValueError`` if one fails.

    Parameters
    ----------
    caller : str
        Name used in the message (a function or class name).
    constraints : dict
        Parameter name -> list of scikit-learn constraints (any may hold).
    **params
        The values to check.

    Raises
    ------
    InvalidParameterError
        A subclass of ``ValueError`` (and ``TypeError``) naming the
        parameter, the caller, what is allowed and what was given.

    Examples
    --------
    >>> import numbers
    >>> positive = [Interval(numbers.Integral, 1, None, closed="left")]
    >>> try:
    ...     check_params("f", {"n": positive}, n=0)
    ... except ValueError as exc:
    ...     print(exc)
    The 'n' parameter of f must be an int in the range [1, inf). Got 0 instead.
    """
    validate_parameter_constraints(constraints, params, caller_name=caller)


def check_estimator_params(estimator):
    """Check an estimator's parameters against its ``_parameter_constraints``."""
    constraints = type(estimator)._parameter_constraints
    check_params(
        type(estimator).__name__,
        constraints,
        **{name: getattr(estimator, name) for name in constraints},
    )
