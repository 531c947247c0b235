"""The torch modules: star_mean, the latent vector z and the auxiliary inputs'
standardisation."""

import numpy as np
import pytest
import torch

from skdualnet._modules import DualNetModule, star_mean

EMBEDDING, N_AUX = 4, 2


def tiny_module(**kw):
    return DualNetModule(
        n_classes=3,
        n_aux=N_AUX,
        hidden_size=5,
        num_layers=1,
        embedding_size=EMBEDDING,
        dropout=0.0,
        estimation_dropout=0.0,
        **kw,
    )


def _segments(rng, lengths, steps=6):
    lengths = np.asarray(lengths)
    mask = np.arange(steps)[None, :] < lengths[:, None]
    seq = np.zeros((len(lengths), steps, 3), np.float32)
    seq[..., 0] = rng.uniform(0.01, 0.2, seq.shape[:2])
    seq[..., 1] = rng.normal(size=seq.shape[:2])
    seq[..., 2] = 0.3
    seq[~mask, 1] = 50.0  # garbage on padding, which z must not see
    return torch.tensor(seq), torch.tensor(mask)


# ----------------------------------------------------------------- star_mean
def _loop_mean(values, star, n_stars):
    out = np.zeros((n_stars,) + values.shape[1:])
    for s in range(n_stars):
        rows = values[star == s]
        if len(rows):
            out[s] = sum(rows) / len(rows)
    return out


@pytest.mark.parametrize("shape", [(7,), (7, 3)])
def test_star_mean_matches_a_loop(shape):
    rng = np.random.default_rng(0)
    star = np.array([0, 0, 0, 1, 2, 2, 3])  # star 1 has a single segment
    values = rng.normal(size=shape)
    got = star_mean(torch.tensor(values), torch.tensor(star), 4).numpy()
    assert got.shape == (4,) + shape[1:]
    np.testing.assert_allclose(got, _loop_mean(values, star, 4), rtol=1e-12)
    np.testing.assert_allclose(got[1], values[3])  # one segment: itself


def test_star_mean_of_a_star_without_segments_is_zero_not_nan():
    values = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    got = star_mean(values, torch.tensor([0, 2]), 3)
    np.testing.assert_array_equal(got.numpy(), [[1, 2], [0, 0], [3, 4]])


# ------------------------------------------------------ reconstruction errors
@pytest.mark.parametrize("lengths", [[6, 3, 1, 5], [6, 6, 6, 6]])
def test_latent_reconstruction_features_over_observed_steps(lengths):
    rng = np.random.default_rng(1)
    seq, mask = _segments(rng, lengths)
    aux = torch.tensor(rng.normal(size=(len(lengths), N_AUX)), dtype=torch.float32)
    module = tiny_module().eval()
    with torch.no_grad():
        z, x_hat = module.latent(seq, mask, aux)
        z_e, x_hat_ref = module.autoencoder(seq[..., 0], seq[..., 1], mask)
    torch.testing.assert_close(x_hat, x_hat_ref)
    m = EMBEDDING
    assert z.shape == (len(lengths), m + 2 + N_AUX) == (len(lengths), module.n_latent)
    np.testing.assert_allclose(z[:, :m].numpy(), z_e.numpy(), rtol=1e-6)
    x64, xh64 = seq[..., 1].double().numpy(), x_hat_ref.double().numpy()
    for i, n in enumerate(lengths):
        x, xh = x64[i, :n], xh64[i, :n]
        rel = np.linalg.norm(x - xh) / (np.linalg.norm(x) + 1e-6)
        cos = x @ xh / (np.linalg.norm(x) * np.linalg.norm(xh) + 1e-6)
        np.testing.assert_allclose(z[i, m].item(), rel, rtol=1e-5)
        np.testing.assert_allclose(z[i, m + 1].item(), cos, rtol=1e-5, atol=1e-6)
    # eval mode, fresh statistics (mean 0, variance 1): aux passes through
    np.testing.assert_allclose(z[:, m + 2 :].numpy(), aux.numpy(), rtol=1e-5)


def test_latent_perfect_reconstruction_gives_distance_zero():
    # fix z_e by hand and feed the decoder's own output as the data: then
    # x = x_hat on every observed step (padding holds garbage)
    module = tiny_module().eval()
    rng = np.random.default_rng(2)
    seq, mask = _segments(rng, [6, 4])
    module.autoencoder.encode = lambda dt, x, mask=None: torch.zeros(2, EMBEDDING)
    with torch.no_grad():
        _, x_fixed = module.autoencoder(seq[..., 0], seq[..., 1], mask)
        seq = seq.clone()
        seq[..., 1] = torch.where(mask, x_fixed, torch.full_like(x_fixed, 9.0))
        z, _ = module.latent(seq, mask, torch.zeros(2, N_AUX))
    n2 = (x_fixed.double() ** 2 * mask).sum(1).numpy()
    np.testing.assert_allclose(z[:, EMBEDDING].numpy(), 0, atol=1e-6)
    # cosine x.x / (|x|^2 + 1e-6), a little below 1 for these small x
    np.testing.assert_allclose(z[:, EMBEDDING + 1].numpy(), n2 / (n2 + 1e-6), rtol=1e-5)


# ------------------------------------------------------------ auxiliary norm
def test_aux_standardisation_uses_the_set_statistics_in_training_and_evaluation():
    # known answer: rows (0, 1), (2, 1), (4, 4) have mean (2, 2) and
    # population variance (8/3, 2); a later row (5, 0) maps to
    # ((5 - 2) / sqrt(8/3 + eps), (0 - 2) / sqrt(2 + eps)) in either mode
    rng = np.random.default_rng(3)
    module = tiny_module()
    assert not module.aux_statistics_set
    rows = torch.tensor([[0.0, 1.0], [2.0, 1.0], [4.0, 4.0]], dtype=torch.float64)
    assert module.set_aux_statistics(rows) is module
    assert module.aux_statistics_set
    norm = module.aux_norm
    np.testing.assert_allclose(norm.running_mean.numpy(), [2.0, 2.0])
    np.testing.assert_allclose(norm.running_var.numpy(), [8 / 3, 2.0], rtol=1e-6)
    eps = norm.eps
    expected = [3 / np.sqrt(8 / 3 + eps), -2 / np.sqrt(2 + eps)]
    seq, mask = _segments(rng, [6, 6])
    aux = torch.tensor([[5.0, 0.0], [5.0, 0.0]])
    for mode in (module.train, module.eval):
        mode()
        with torch.no_grad():
            z, _ = module.latent(seq, mask, aux)
        np.testing.assert_allclose(
            z[:, EMBEDDING + 2 :].numpy(), [expected] * 2, rtol=1e-6
        )
    # training does not move the statistics, and a one-row batch is fine
    with torch.no_grad():
        module.train().latent(seq[:1], mask[:1], aux[:1])
    np.testing.assert_allclose(norm.running_mean.numpy(), [2.0, 2.0])
    assert int(norm.num_batches_tracked) == 1


def test_aux_standardisation_before_the_statistics_are_set_is_the_identity():
    module = tiny_module().train()
    seq, mask = _segments(np.random.default_rng(4), [6, 6])
    aux = torch.tensor([[14.0, -0.3], [12.0, 0.5]])
    with torch.no_grad():
        z, _ = module.latent(seq, mask, aux)
    torch.testing.assert_close(z[:, EMBEDDING + 2 :], aux / np.sqrt(1 + 1e-5))


@pytest.mark.parametrize("aux", [torch.zeros(0, N_AUX), torch.zeros(3, N_AUX + 1)])
def test_set_aux_statistics_refuses_the_wrong_shape(aux):
    with pytest.raises(ValueError, match=f"aux must have shape .*{N_AUX}"):
        tiny_module().set_aux_statistics(aux)


def test_forward_proba_is_the_star_mean_of_softmax_logits():
    rng = np.random.default_rng(5)
    module = tiny_module().eval()
    seq, mask = _segments(rng, [6, 2, 5, 6, 3])
    aux = torch.tensor(rng.normal(size=(5, N_AUX)), dtype=torch.float32)
    star = torch.tensor([0, 0, 1, 2, 2])
    with torch.no_grad():
        proba, logits, z, x_hat, star_out = module(seq, mask, aux, star)
        z_ref, _ = module.latent(seq, mask, aux)
    torch.testing.assert_close(z, z_ref)
    torch.testing.assert_close(logits, module.estimation(z))
    gamma = np.exp(logits.double().numpy())
    gamma /= gamma.sum(1, keepdims=True)
    expected = _loop_mean(gamma, star.numpy(), 3)
    np.testing.assert_allclose(proba.numpy(), expected, rtol=1e-5)
    np.testing.assert_allclose(proba.sum(1).numpy(), 1, rtol=1e-6)
    assert proba.shape == (3, 3) and x_hat.shape == (5, 6) and star_out is star
