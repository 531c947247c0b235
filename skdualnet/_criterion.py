"""DualNet loss: reconstruction + cross-entropy + lambda * sample energy."""

import torch
from torch import nn

from ._gmm import gmm_parameters, sample_energy

__all__ = ["DualNetLoss"]

STAGES = ("joint", "autoencoder", "estimation")


class DualNetLoss(nn.Module):
    """Total loss ``L_AE + L_CE + lambda_energy * L_GMM`` of Tsang & Schultz.

    * ``L_AE``: uncertainty-weighted squared reconstruction error,
      ``mean((x - x_hat)^2 / sigma)`` over observed (unpadded) steps, with
      ``sigma`` the error scaled like the magnitudes and floored at
      ``min_error`` so one tiny error bar cannot dominate.
    * ``L_CE``: cross-entropy between each segment's class logits and the
      label of its star.
    * ``L_GMM``: mean sample energy of the segments under the Gaussian mixture
      whose parameters are estimated from the batch with the memberships
      ``gamma`` (DAGMM eq. 5), computed with Cholesky factors and log-sum-exp.

    Parameters
    ----------
    lambda_energy : float, default=1e-3
        Weight of the energy term.
    reg_covar : float, default=1e-4
        Added to the diagonal of each batch covariance.
    min_error : float, default=0.01
        Floor on the scaled errors in the reconstruction weights.
    class_weight : array-like of shape (n_classes,), default=None
        Weight of each class in ``L_CE`` (``None``: all 1). The classifier
        sets it from its ``class_weight`` parameter.
    stage : {"joint", "autoencoder", "estimation"}, default="joint"
        Which terms carry gradients. The value returned is always the total
        loss, so losses from the two stages of sequential training are
        comparable; terms without gradient are detached.
    """

    def __init__(
        self,
        lambda_energy=1e-3,
        reg_covar=1e-4,
        min_error=0.01,
        class_weight=None,
        stage="joint",
    ):
        super().__init__()
        self.lambda_energy = lambda_energy
        self.class_weight = class_weight
        self.reg_covar = reg_covar
        self.min_error = min_error
        self.stage = stage
        self.last_terms = {}

    def forward(self, y_pred, y_true, X):
        """Compute the loss.

        Parameters
        ----------
        y_pred : tuple
            Output of :class:`~skdualnet._modules.DualNetModule`.
        y_true : long Tensor of shape (n_stars,)
            Encoded star labels.
        X : dict
            The batch (``seq``, ``mask``, ``aux``, ``star``).

        Returns
        -------
        loss : scalar Tensor
        """
        if self.stage not in STAGES:
            raise ValueError(f"stage must be one of {STAGES}; got {self.stage!r}")
        _, logits, z, x_hat, star = y_pred
        seq, mask = X["seq"], X["mask"]
        x, sigma = seq[..., 1], seq[..., 2]
        weights = mask.to(x.dtype) / sigma.clamp_min(self.min_error)
        loss_ae = ((x - x_hat) ** 2 * weights).sum() / mask.sum().clamp_min(1)
        weight = None
        if self.class_weight is not None:
            weight = torch.as_tensor(
                self.class_weight, dtype=logits.dtype, device=logits.device
            )
        loss_ce = nn.functional.cross_entropy(logits, y_true[star], weight=weight)
        gamma = torch.softmax(logits, dim=1)
        loss_gmm = self._batch_energy(z, gamma).mean()
        estimation = loss_ce + self.lambda_energy * loss_gmm
        self.last_terms = {
            "ae": loss_ae.detach(),
            "ce": loss_ce.detach(),
            "energy": loss_gmm.detach(),
        }
        if self.stage == "autoencoder":
            return loss_ae + estimation.detach()
        if self.stage == "estimation":
            return loss_ae.detach() + estimation
        return loss_ae + estimation

    def _batch_energy(self, z, gamma):
        """Sample energies of the batch under the batch's own mixture.

        In the precision of ``z``; if that gives a non-finite energy, the
        batch is computed again in float64. In float32 the round-off of an
        ill-conditioned covariance (variances from 1e-3 to 500 in one ASAS
        batch) can leave it not positive definite despite ``reg_covar``, and
        the Cholesky factor is then not finite. Batches that are finite in
        float32 (almost all) are not changed.
        """
        energy = sample_energy(z, *gmm_parameters(z, gamma, self.reg_covar))
        if z.dtype == torch.float64 or bool(torch.isfinite(energy).all()):
            return energy
        z64 = z.double()
        params = gmm_parameters(z64, gamma.double(), self.reg_covar)
        return sample_energy(z64, *params).to(z.dtype)
