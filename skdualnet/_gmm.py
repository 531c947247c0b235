"""Gaussian-mixture parameters and sample energy, as pure torch functions.

DAGMM (Zong et al. 2018, eq. 5-6) with the numerics fixed: covariances are
regularised by ``reg_covar * I`` and factorised by Cholesky; log-densities are
combined with log-sum-exp. No matrix inverse, no determinant, no exp-then-log.
"""

import math

import torch

__all__ = ["gmm_parameters", "sample_energy"]

_EPS = 1e-12


def gmm_parameters(z, gamma, reg_covar=1e-4):
    """Mixture weights, means and covariances from soft memberships.

    Parameters
    ----------
    z : Tensor of shape (n_samples, n_dims)
        Points.
    gamma : Tensor of shape (n_samples, n_components)
        Memberships; each row sums to 1.
    reg_covar : float, default=1e-4
        Added to the diagonal of every covariance so that it stays positive
        definite even when a component has (almost) no members or the points
        are rank deficient (``sklearn.mixture`` uses the same name).

    Returns
    -------
    weights : Tensor of shape (n_components,)
    means : Tensor of shape (n_components, n_dims)
    covariances : Tensor of shape (n_components, n_dims, n_dims)
    """
    n_k = gamma.sum(0)  # (K,)
    weights = n_k / gamma.shape[0]
    denom = n_k.clamp_min(_EPS)[:, None]
    means = gamma.t() @ z / denom  # (K, D)
    diff = z[None, :, :] - means[:, None, :]  # (K, N, D)
    weighted = diff * gamma.t()[:, :, None]
    covariances = weighted.transpose(1, 2) @ diff / denom[:, :, None]
    eye = torch.eye(z.shape[1], dtype=z.dtype, device=z.device)
    covariances = covariances + reg_covar * eye
    return weights, means, covariances


def sample_energy(z, weights, means, covariances=None, *, cholesky=None):
    """Sample energy ``E(z) = -log sum_k phi_k N(z; mu_k, Sigma_k)``.

    Parameters
    ----------
    z : Tensor of shape (n_samples, n_dims)
    weights : Tensor of shape (n_components,)
    means : Tensor of shape (n_components, n_dims)
    covariances : Tensor of shape (n_components, n_dims, n_dims), default=None
        Positive definite covariances; factorised here.
    cholesky : Tensor of shape (n_components, n_dims, n_dims), default=None
        Lower Cholesky factors of the covariances, if already known.

    Returns
    -------
    energy : Tensor of shape (n_samples,)
        Finite for finite input, with finite gradients: a component with zero
        weight is clamped to the smallest normal float, so it contributes
        nothing to the log-sum-exp.
    """
    if cholesky is None:
        cholesky, info = torch.linalg.cholesky_ex(covariances)
        if bool((info > 0).any()):
            # Not positive definite despite reg_covar (float32 round-off): add
            # a little more. Non-finite covariances still fail here and give
            # non-finite energies, which the trainer reports as an error.
            jitter = covariances.diagonal(dim1=-2, dim2=-1).abs().mean() * 1e-6 + 1e-6
            eye = torch.eye(covariances.shape[-1], dtype=z.dtype, device=z.device)
            cholesky, _ = torch.linalg.cholesky_ex(covariances + jitter * eye)
    n_dims = z.shape[1]
    diff = (z[None, :, :] - means[:, None, :]).transpose(1, 2)  # (K, D, N)
    sol = torch.linalg.solve_triangular(cholesky, diff, upper=False)  # (K, D, N)
    maha = (sol * sol).sum(1)  # (K, N)
    log_det = 2.0 * torch.log(cholesky.diagonal(dim1=-2, dim2=-1)).sum(-1)  # (K,)
    log_norm = -0.5 * (n_dims * math.log(2.0 * math.pi) + log_det)  # (K,)
    # Clamping (not adding) keeps the log finite and its gradient zero for a
    # component with no weight, instead of inf * 0 = NaN in backward.
    log_weights = torch.log(weights.clamp_min(torch.finfo(z.dtype).tiny))
    log_prob = log_weights[:, None] + log_norm[:, None] - 0.5 * maha  # (K, N)
    return -torch.logsumexp(log_prob, dim=0)
