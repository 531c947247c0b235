"""Known-answer and stress tests of the mixture maths."""

import numpy as np
import pytest
import torch
from scipy.stats import multivariate_normal

from skdualnet._gmm import gmm_parameters, sample_energy


def _random_spd(rng, k, d):
    a = rng.normal(size=(k, d, d))
    return a @ a.transpose(0, 2, 1) + 0.5 * np.eye(d)


def test_sample_energy_matches_scipy_mixture_density():
    rng = np.random.default_rng(0)
    k, d, n = 3, 4, 50
    weights = np.array([0.2, 0.5, 0.3])
    means = rng.normal(size=(k, d))
    covs = _random_spd(rng, k, d)
    z = rng.normal(size=(n, d)) * 2
    density = sum(
        w * multivariate_normal(m, c).pdf(z) for w, m, c in zip(weights, means, covs)
    )
    energy = sample_energy(
        torch.tensor(z), torch.tensor(weights), torch.tensor(means), torch.tensor(covs)
    ).numpy()
    np.testing.assert_allclose(energy, -np.log(density), rtol=1e-10)


def test_sample_energy_far_points_stay_finite():
    """exp-then-log underflows to -log(0) = inf here; log-sum-exp does not."""
    d = 3
    z = torch.full((2, d), 1e3, dtype=torch.float32)
    energy = sample_energy(
        z, torch.tensor([0.5, 0.5]), torch.zeros(2, d), torch.eye(d).repeat(2, 1, 1)
    )
    assert torch.isfinite(energy).all()
    assert energy[0] > 1e6  # ~ 0.5 * 3 * 1e6


def test_gmm_parameters_match_weighted_numpy():
    rng = np.random.default_rng(1)
    z = rng.normal(size=(40, 3))
    gamma = rng.dirichlet(np.ones(2), size=40)
    w, mu, cov = gmm_parameters(torch.tensor(z), torch.tensor(gamma), reg_covar=0.0)
    np.testing.assert_allclose(w.numpy(), gamma.mean(0))
    for k in range(2):
        np.testing.assert_allclose(
            mu[k].numpy(), np.average(z, axis=0, weights=gamma[:, k])
        )
        expected = np.cov(z.T, aweights=gamma[:, k], bias=True)
        np.testing.assert_allclose(cov[k].numpy(), expected, atol=1e-12)


def _degenerate_batches(rng):
    n, d, k = 32, 6, 4
    gamma_logits = rng.normal(size=(n, k)) * 3
    yield (
        "class absent",
        rng.normal(size=(n, d)),
        np.c_[gamma_logits[:, :3], -1e4 + 0 * gamma_logits[:, 3]],
    )
    yield "duplicate points", np.repeat(rng.normal(size=(1, d)), n, 0), gamma_logits
    low_rank = rng.normal(size=(n, 2)) @ rng.normal(size=(2, d))
    yield "rank deficient", low_rank, gamma_logits
    yield "huge magnitudes", rng.normal(size=(n, d)) * 1e4, gamma_logits
    yield "tiny magnitudes", rng.normal(size=(n, d)) * 1e-6, gamma_logits
    yield "single point", rng.normal(size=(1, d)), gamma_logits[:1]
    yield "saturated softmax", rng.normal(size=(n, d)), gamma_logits * 1e3


@pytest.mark.parametrize("seed", range(5))
def test_energy_and_gradients_finite_on_degenerate_batches(seed):
    rng = np.random.default_rng(seed)
    for name, z, logits in _degenerate_batches(rng):
        z = torch.tensor(z, dtype=torch.float32, requires_grad=True)
        logits = torch.tensor(logits, dtype=torch.float32, requires_grad=True)
        gamma = torch.softmax(logits, dim=1)
        w, mu, cov = gmm_parameters(z, gamma, reg_covar=1e-4)
        energy = sample_energy(z, w, mu, cov)
        loss = energy.mean()
        loss.backward()
        assert torch.isfinite(energy).all(), name
        assert torch.isfinite(z.grad).all(), name
        assert torch.isfinite(logits.grad).all(), name


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_singular_covariance_gets_the_documented_jitter(dtype):
    # [[1, 1], [1, 1]] block: Cholesky meets an exact zero pivot, so
    # sample_energy adds jitter = mean|diag| * 1e-6 + 1e-6 to every component
    singular = np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 2.0]])
    covs = np.stack([singular, np.diag([0.5, 1.0, 1.5])])
    weights, means = np.array([0.3, 0.7]), np.array([[0.0, 0.0, 0.0], [1.0, -1.0, 0.5]])
    z = np.array([[0.1, 0.1, 0.2], [0.2, -0.1, 0.0], [1.0, -0.5, 1.0]])
    info = torch.linalg.cholesky_ex(torch.tensor(covs[0], dtype=dtype)).info
    assert info > 0  # not positive definite: the fallback is exercised
    jitter = np.abs(np.diagonal(covs, axis1=1, axis2=2)).mean() * 1e-6 + 1e-6
    density = sum(
        w * multivariate_normal(m, c + jitter * np.eye(3)).pdf(z)
        for w, m, c in zip(weights, means, covs)
    )
    energy = sample_energy(
        *(torch.tensor(a, dtype=dtype) for a in (z, weights, means, covs))
    )
    assert torch.isfinite(energy).all()
    # float32 holds 1 + 2e-6 to ~3 %: the log-det of the near-singular
    # component (log 2e-6 ~ -13) is good to ~0.03 there
    tol = {"rtol": 1e-9} if dtype == torch.float64 else {"atol": 0.02}
    np.testing.assert_allclose(energy.double().numpy(), -np.log(density), **tol)
