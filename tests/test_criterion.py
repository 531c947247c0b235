"""DualNetLoss: each term against an independent numpy/scipy computation."""

import numpy as np
import pytest
import torch
from scipy.special import logsumexp, softmax
from scipy.stats import multivariate_normal

from skdualnet._criterion import DualNetLoss
from skdualnet._gmm import gmm_parameters, sample_energy

# A hand-built batch: 6 segments of 5 steps from 3 stars (star 2 has one
# segment), 3 classes, a 4-dimensional z. Padded steps hold garbage that the
# loss must ignore; some errors are below min_error, so the floor matters.
N_SEG, STEPS, K, D = 6, 5, 3, 4
STAR = np.array([0, 0, 1, 1, 1, 2])
Y_TRUE = np.array([2, 0, 1])  # label of each star
LENGTHS = np.array([5, 3, 5, 2, 4, 1])  # observed steps of each segment
LAMBDA, REG, MIN_ERROR = 0.37, 0.05, 0.2


def _batch():
    rng = np.random.default_rng(42)
    mask = np.arange(STEPS)[None, :] < LENGTHS[:, None]
    seq = np.empty((N_SEG, STEPS, 3))
    seq[..., 0] = rng.uniform(0, 0.3, (N_SEG, STEPS))
    seq[..., 1] = rng.normal(size=(N_SEG, STEPS))
    seq[..., 2] = rng.choice([0.05, 0.1, 0.5, 1.3], size=(N_SEG, STEPS))
    seq[~mask, 1] = 1e3  # garbage on padding: x, x_hat and a tiny sigma
    seq[~mask, 2] = 1e-6
    x_hat = rng.normal(size=(N_SEG, STEPS))
    x_hat[~mask] = -1e3
    logits = rng.normal(size=(N_SEG, K)) * 1.5
    z = rng.normal(size=(N_SEG, D))
    aux = rng.normal(size=(N_SEG, 2))
    return seq, mask, aux, x_hat, logits, z


def _torch_inputs(seq, mask, aux, x_hat, logits, z, requires_grad=False):
    X = {
        "seq": torch.tensor(seq),
        "mask": torch.tensor(mask),
        "aux": torch.tensor(aux),
        "star": torch.tensor(STAR),
    }
    x_hat, logits, z = (
        torch.tensor(a, requires_grad=requires_grad) for a in (x_hat, logits, z)
    )
    proba = torch.zeros(len(Y_TRUE), K, dtype=torch.float64)  # unused by the loss
    y_pred = (proba, logits, z, x_hat, X["star"])
    return y_pred, torch.tensor(Y_TRUE), X, (x_hat, logits, z)


def _expected_terms(seq, mask, x_hat, logits, z, class_weight=None):
    """L_AE, L_CE and L_GMM computed directly from their definitions."""
    x, sigma = seq[..., 1], seq[..., 2]
    num = 0.0
    for i in range(N_SEG):
        for j in range(STEPS):
            if mask[i, j]:
                num += (x[i, j] - x_hat[i, j]) ** 2 / max(sigma[i, j], MIN_ERROR)
    ae = num / mask.sum()

    labels = Y_TRUE[STAR]
    log_p = logits - logsumexp(logits, axis=1, keepdims=True)
    w = np.ones(K) if class_weight is None else np.asarray(class_weight)
    # torch's weighted mean: sum_i w_{y_i} * nll_i / sum_i w_{y_i}
    ce = -np.sum(w[labels] * log_p[np.arange(N_SEG), labels]) / np.sum(w[labels])

    return ae, ce, _expected_energy(z, logits, REG).mean()


def _expected_energy(z, logits, reg):
    """Sample energy of each row of ``z`` under the mixture of its batch."""
    gamma = softmax(logits, axis=1)
    log_dens = np.empty((len(z), gamma.shape[1]))
    for k in range(gamma.shape[1]):
        g = gamma[:, k]
        mu = g @ z / g.sum()
        diff = z - mu
        cov = (g[:, None] * diff).T @ diff / g.sum() + reg * np.eye(z.shape[1])
        log_dens[:, k] = np.log(g.mean()) + multivariate_normal(mu, cov).logpdf(z)
    return -logsumexp(log_dens, axis=1)


@pytest.mark.parametrize("class_weight", [None, [0.5, 2.0, 4.0]])
def test_total_loss_and_terms_match_numpy(class_weight):
    seq, mask, aux, x_hat, logits, z = _batch()
    ae, ce, gmm = _expected_terms(seq, mask, x_hat, logits, z, class_weight)
    criterion = DualNetLoss(
        lambda_energy=LAMBDA,
        reg_covar=REG,
        min_error=MIN_ERROR,
        class_weight=class_weight,
    )
    y_pred, y_true, X, _ = _torch_inputs(seq, mask, aux, x_hat, logits, z)
    loss = criterion(y_pred, y_true, X)
    terms = {k: float(v) for k, v in criterion.last_terms.items()}
    np.testing.assert_allclose(terms["ae"], ae, rtol=1e-12)
    np.testing.assert_allclose(terms["ce"], ce, rtol=1e-12)
    np.testing.assert_allclose(terms["energy"], gmm, rtol=1e-10)
    np.testing.assert_allclose(float(loss), ae + ce + LAMBDA * gmm, rtol=1e-10)
    assert all(not v.requires_grad for v in criterion.last_terms.values())


def test_class_weight_changes_only_the_cross_entropy():
    # class_weight reaches L_CE only; L_AE and L_GMM are unweighted
    seq, mask, aux, x_hat, logits, z = _batch()
    terms = {}
    for name, weight in (("plain", None), ("weighted", [0.5, 2.0, 4.0])):
        criterion = DualNetLoss(class_weight=weight, reg_covar=REG)
        y_pred, y_true, X, _ = _torch_inputs(seq, mask, aux, x_hat, logits, z)
        criterion(y_pred, y_true, X)
        terms[name] = {k: float(v) for k, v in criterion.last_terms.items()}
    assert terms["plain"]["ae"] == terms["weighted"]["ae"]
    assert terms["plain"]["energy"] == terms["weighted"]["energy"]
    assert not np.isclose(terms["plain"]["ce"], terms["weighted"]["ce"])


def _grads(stage):
    seq, mask, aux, x_hat, logits, z = _batch()
    criterion = DualNetLoss(
        lambda_energy=LAMBDA, reg_covar=REG, min_error=MIN_ERROR, stage=stage
    )
    y_pred, y_true, X, leaves = _torch_inputs(
        seq, mask, aux, x_hat, logits, z, requires_grad=True
    )
    loss = criterion(y_pred, y_true, X)
    loss.backward()
    return float(loss.detach()), {
        n: t.grad for n, t in zip(("x_hat", "logits", "z"), leaves)
    }


def test_stage_decides_which_outputs_get_gradients():
    seq, mask, _, x_hat, logits, z = _batch()
    ae, ce, gmm = _expected_terms(seq, mask, x_hat, logits, z)
    # d L_AE / d x_hat = -2 (x - x_hat) / max(sigma, min_error) / n_observed
    x, sigma = seq[..., 1], seq[..., 2]
    d_ae = -2 * (x - x_hat) * mask / np.maximum(sigma, MIN_ERROR) / mask.sum()
    results = {s: _grads(s) for s in ("joint", "autoencoder", "estimation")}
    for stage, (value, _) in results.items():  # the value is always the total
        np.testing.assert_allclose(value, ae + ce + LAMBDA * gmm, rtol=1e-10)
    joint = results["joint"][1]
    np.testing.assert_allclose(joint["x_hat"].numpy(), d_ae, rtol=1e-12)
    assert torch.all(joint["logits"] != 0) and torch.all(joint["z"] != 0)

    ae_only = results["autoencoder"][1]
    np.testing.assert_allclose(ae_only["x_hat"].numpy(), d_ae, rtol=1e-12)
    assert ae_only["logits"] is None and ae_only["z"] is None

    est_only = results["estimation"][1]
    assert est_only["x_hat"] is None
    torch.testing.assert_close(est_only["logits"], joint["logits"])
    torch.testing.assert_close(est_only["z"], joint["z"])


def test_energy_gradient_reaches_z_with_weight_lambda():
    # z enters only L_GMM: its gradient scales with lambda_energy
    grads = {}
    for lam in (1.0, 0.25):
        seq, mask, aux, x_hat, logits, z = _batch()
        y_pred, y_true, X, (_, _, z_t) = _torch_inputs(
            seq, mask, aux, x_hat, logits, z, requires_grad=True
        )
        DualNetLoss(lambda_energy=lam, reg_covar=REG)(y_pred, y_true, X).backward()
        grads[lam] = z_t.grad
    torch.testing.assert_close(grads[0.25], 0.25 * grads[1.0])


def test_unknown_stage_raises():
    seq, mask, aux, x_hat, logits, z = _batch()
    y_pred, y_true, X, _ = _torch_inputs(seq, mask, aux, x_hat, logits, z)
    with pytest.raises(ValueError, match="stage must be one of .*got 'both'"):
        DualNetLoss(stage="both")(y_pred, y_true, X)


def test_ill_conditioned_float32_batch_falls_back_to_float64():
    # 120 segments whose 40-dimensional z is one large common variable plus
    # tiny noise: in float32 the round-off of the batch covariance leaves it
    # not positive definite despite reg_covar, so the float32 energy is not
    # finite (checked first). The loss then computes the batch's mixture in
    # float64; the energy must equal scipy's on the same float32 inputs.
    n, d, k, steps = 120, 40, 3, 4
    rng = np.random.default_rng(0)
    z = (rng.normal(size=(n, 1)) * 10 + 1e-3 * rng.normal(size=(n, d))).astype(
        np.float32
    )
    logits = rng.normal(size=(n, k)).astype(np.float32)
    z32, logits32 = torch.tensor(z, requires_grad=True), torch.tensor(logits)
    gamma32 = torch.softmax(logits32, dim=1)
    assert not torch.isfinite(
        sample_energy(z32, *gmm_parameters(z32, gamma32, 1e-4))
    ).all()

    seq = np.ones((n, steps, 3), dtype=np.float32)
    X = {
        "seq": torch.tensor(seq),
        "mask": torch.ones(n, steps, dtype=torch.bool),
        "aux": torch.zeros(n, 2),
        "star": torch.arange(n),
    }
    y_pred = (None, logits32, z32, torch.zeros(n, steps), X["star"])
    criterion = DualNetLoss(lambda_energy=1.0, reg_covar=1e-4)
    loss = criterion(y_pred, torch.zeros(n, dtype=torch.long), X)
    assert loss.dtype == torch.float32 and torch.isfinite(loss)
    loss.backward()
    assert torch.isfinite(z32.grad).all()

    expected = _expected_energy(
        z.astype(np.float64), logits.astype(np.float64), 1e-4
    ).mean()
    np.testing.assert_allclose(
        float(criterion.last_terms["energy"]), expected, rtol=1e-5
    )
