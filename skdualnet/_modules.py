"""The DualNet torch modules: GRU autoencoder, estimation network, and both joined.

Only ``nn.Module`` classes live here; losses are in ``_criterion.py`` and the
Gaussian-mixture maths in ``_gmm.py``.
"""

import torch
from torch import nn

from ._gru import GRU

__all__ = ["DualNetModule", "EstimationNetwork", "GRUAutoencoder"]

_EPS = 1e-6


def _glorot_gru_(gru):
    """Keras-style initialisation, as in the paper: Glorot-uniform input
    kernels, orthogonal recurrent kernels (per gate), zero biases."""
    hidden = gru.hidden_size
    for k in range(gru.num_layers):
        w_ih, w_hh, b_ih, b_hh = gru.layer_weights(k)
        with torch.no_grad():
            for g in range(3):
                nn.init.xavier_uniform_(w_ih[g * hidden : (g + 1) * hidden])
                nn.init.orthogonal_(w_hh[g * hidden : (g + 1) * hidden])
            b_ih.zero_()
            b_hh.zero_()


def _glorot_linear_(linear):
    nn.init.xavier_uniform_(linear.weight)
    if linear.bias is not None:
        nn.init.zeros_(linear.bias)


class GRUAutoencoder(nn.Module):
    """Recurrent autoencoder of Naul et al. (2018) for irregular sequences.

    Encoder: the per-step input ``(dt, x)`` goes through ``num_layers`` GRU
    layers; the last hidden state goes through dropout and a linear layer to
    the embedding. Decoder: the embedding, repeated at every step and joined to
    that step's ``dt``, goes through ``num_layers`` GRU layers and a per-step
    linear layer to the reconstruction. On the ``"custom"`` GRU backend the
    embedding's contribution to the decoder's first-layer gates is computed
    once per sequence, not per step (the same numbers as repeating it at
    every step, which the ``"torch"`` backend does).

    Parameters
    ----------
    hidden_size : int, default=96
        GRU units per layer.
    num_layers : int, default=2
        GRU layers in the encoder and in the decoder.
    embedding_size : int, default=16
        Size ``m`` of the embedding ``z_e``.
    dropout : float, default=0.25
        Dropout between recurrent layers and after the encoder's last layer.
    gru_backend : {"auto", "custom", "torch"}, default="auto"
        Backend of both GRUs (see :class:`skdualnet._gru.GRU`): ``"auto"``
        runs cuDNN on a GPU and skdualnet's own recurrence on CPU.
    """

    # State-dict version 2: the decoder's first layer reads (dt, z_e); version
    # 1 kept z_e's input weights in a separate ``embedding_to_gates`` Linear.
    _version = 2

    def __init__(
        self,
        hidden_size=96,
        num_layers=2,
        embedding_size=16,
        dropout=0.25,
        gru_backend="auto",
    ):
        super().__init__()
        self.encoder = GRU(2, hidden_size, num_layers, dropout=dropout)
        self.encoder_dropout = nn.Dropout(dropout)
        self.to_embedding = nn.Linear(hidden_size, embedding_size)
        # Decoder input per step: (dt, z_e), z_e the same at every step.
        self.decoder = GRU(1 + embedding_size, hidden_size, num_layers, dropout=dropout)
        self.decoder_dropout = nn.Dropout(dropout)
        self.to_output = nn.Linear(hidden_size, 1)
        self.gru_backend = gru_backend
        _glorot_gru_(self.encoder)
        _glorot_gru_(self.decoder)
        for linear in (self.to_embedding, self.to_output):
            _glorot_linear_(linear)

    @property
    def gru_backend(self):
        """Backend of the encoder's and decoder's GRUs."""
        return self.encoder.backend

    @gru_backend.setter
    def gru_backend(self, value):
        self.encoder.backend = self.decoder.backend = value

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, *args):
        # nn.Module's hook for versioned state dicts (as BatchNorm's): fold a
        # version-1 ``embedding_to_gates.weight`` into the decoder's layer 0.
        old = prefix + "embedding_to_gates.weight"
        if old in state_dict:
            key = prefix + "decoder.weight_ih_l0"
            state_dict[key] = torch.cat((state_dict[key], state_dict.pop(old)), dim=1)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, *args)

    def __setstate__(self, state):
        # A version-1 module unpickled: fold embedding_to_gates in, as above.
        super().__setstate__(state)
        old = self._modules.pop("embedding_to_gates", None)
        if old is not None:
            w = torch.cat((self.decoder.weight_ih_l0.data, old.weight.data), dim=1)
            self.decoder.weight_ih_l0 = nn.Parameter(w)
            self.decoder.input_size = w.shape[1]

    def encode(self, dt, x, mask=None):
        """Embedding ``z_e`` of shape (batch, embedding_size)."""
        _, h_n = self.encoder(torch.stack((dt, x), dim=-1), mask=mask)
        return self.to_embedding(self.encoder_dropout(h_n[-1]))

    def decode(self, z_e, dt):
        """Reconstruction ``x_hat`` of shape (batch, steps)."""
        out, _ = self.decoder(dt.unsqueeze(-1), static=z_e)
        return self.to_output(self.decoder_dropout(out)).squeeze(-1)

    def forward(self, dt, x, mask=None):
        """Return ``(z_e, x_hat)``."""
        z_e = self.encode(dt, x, mask)
        return z_e, self.decode(z_e, dt)


class EstimationNetwork(nn.Module):
    """DAGMM estimation network: one tanh hidden layer, dropout, softmax logits.

    Parameters
    ----------
    n_inputs : int
        Size ``l`` of the input ``z``.
    n_classes : int
        Number of classes = mixture components ``K``.
    hidden_size : int, default=16
        Hidden units (the paper uses the embedding size).
    dropout : float, default=0.5
        Dropout after the hidden layer.
    """

    def __init__(self, n_inputs, n_classes, hidden_size=16, dropout=0.5):
        super().__init__()
        self.hidden = nn.Linear(n_inputs, hidden_size)
        self.dropout = nn.Dropout(dropout)
        self.output = nn.Linear(hidden_size, n_classes)
        _glorot_linear_(self.hidden)
        _glorot_linear_(self.output)

    def forward(self, z):
        """Class logits of shape (batch, n_classes)."""
        return self.output(self.dropout(torch.tanh(self.hidden(z))))


class DualNetModule(nn.Module):
    """Autoencoder + estimation network of Tsang & Schultz (2019).

    The input is a batch of segments from several stars (see
    :class:`~skdualnet.DualNetClassifier`); every output but the first is per
    segment.

    Parameters
    ----------
    n_classes : int
        Number of known classes ``K`` (set by the classifier from ``y``).
    n_aux : int, default=3
        Auxiliary inputs per segment: mean magnitude, log10 scale, log10 period,
        then any per-star extra features (set by the classifier from ``X``).
    hidden_size : int, default=96
        GRU units per layer.
    num_layers : int, default=2
        GRU layers in encoder and decoder.
    embedding_size : int, default=16
        Embedding size ``m`` (the paper tries 8, 16, 32, 64).
    dropout : float, default=0.25
        Recurrent dropout.
    estimation_hidden_size : int or None, default=None
        Estimation network's hidden units; ``None`` means ``embedding_size``.
    estimation_dropout : float, default=0.5
        Dropout in the estimation network.
    gru_backend : {"auto", "custom", "torch"}, default="auto"
        Backend of the autoencoder's GRUs (``"torch"`` is ``nn.GRU``, cuDNN
        on a GPU; ``"auto"`` uses it on CUDA and skdualnet's faster CPU
        recurrence otherwise). The same weights and, to float rounding, the
        same results on either.

    Notes
    -----
    The auxiliary inputs are standardised with a fixed mean and variance, so
    a mean magnitude of 14 and a log period of -0.3 reach the network and the
    mixture on comparable scales, and a segment gets the same ``z`` in
    training and evaluation. :meth:`set_aux_statistics` sets them (the
    classifier does, from all training segments, at the start of a fresh
    fit); until then they are 0 and 1. They are the buffers of ``aux_norm``,
    a :class:`torch.nn.BatchNorm1d` without affine parameters, so model files
    of versions that updated them batch by batch in training (a cumulative
    average) load and predict as before.
    """

    def __init__(
        self,
        n_classes,
        n_aux=3,
        hidden_size=96,
        num_layers=2,
        embedding_size=16,
        dropout=0.25,
        estimation_hidden_size=None,
        estimation_dropout=0.5,
        gru_backend="auto",
    ):
        super().__init__()
        self.n_classes = n_classes
        self.n_aux = n_aux
        self.autoencoder = GRUAutoencoder(
            hidden_size, num_layers, embedding_size, dropout, gru_backend
        )
        self.aux_norm = nn.BatchNorm1d(n_aux, affine=False, momentum=None)
        self.n_latent = embedding_size + 2 + n_aux
        self.estimation = EstimationNetwork(
            self.n_latent,
            n_classes,
            hidden_size=estimation_hidden_size or embedding_size,
            dropout=estimation_dropout,
        )

    @property
    def aux_statistics_set(self):
        """Whether the auxiliary standardisation has been set (by
        :meth:`set_aux_statistics`, or by training in an older version)."""
        return bool(self.aux_norm.num_batches_tracked > 0)

    @torch.no_grad()
    def set_aux_statistics(self, aux):
        """Standardise the auxiliary inputs with the mean and (population)
        variance of the rows ``aux``.

        Parameters
        ----------
        aux : Tensor of shape (n_segments, n_aux)
            Auxiliary inputs of the training segments (float64 for exact
            sums over many segments).

        Returns
        -------
        self
        """
        if aux.ndim != 2 or aux.shape[1] != self.n_aux or not len(aux):
            raise ValueError(
                f"aux must have shape (n_segments >= 1, {self.n_aux}), "
                f"got {tuple(aux.shape)}"
            )
        norm = self.aux_norm
        norm.running_mean.copy_(aux.mean(0))
        norm.running_var.copy_(aux.var(0, correction=0))
        norm.num_batches_tracked.fill_(1)
        return self

    def latent(self, seq, mask, aux):
        """Return ``(z, x_hat)`` for a batch of segments.

        ``z = (z_e, z_r, z_a)``: embedding, the two reconstruction-error
        features (relative Euclidean distance and cosine similarity, over the
        observed steps only), and the standardised auxiliary inputs.
        """
        dt, x = seq[..., 0], seq[..., 1]
        if mask is not None and bool(mask.all()):
            mask = None
        z_e, x_hat = self.autoencoder(dt, x, mask)
        if mask is not None:
            m = mask.to(x.dtype)
            x, x_hat_obs = x * m, x_hat * m
        else:
            x_hat_obs = x_hat
        norm_x = torch.linalg.vector_norm(x, dim=1)
        norm_x_hat = torch.linalg.vector_norm(x_hat_obs, dim=1)
        rel_dist = torch.linalg.vector_norm(x - x_hat_obs, dim=1) / (norm_x + _EPS)
        cosine = (x * x_hat_obs).sum(1) / (norm_x * norm_x_hat + _EPS)
        aux = nn.functional.batch_norm(
            aux,
            self.aux_norm.running_mean,
            self.aux_norm.running_var,
            training=False,
            eps=self.aux_norm.eps,
        )
        z = torch.cat((z_e, rel_dist[:, None], cosine[:, None], aux), dim=1)
        return z, x_hat

    def forward(self, seq, mask, aux, star):
        """Run a batch of segments.

        Parameters
        ----------
        seq : Tensor of shape (n_segments, steps, 3)
            Per step: phase lag ``dt``, standardised magnitude, scaled error.
        mask : bool Tensor of shape (n_segments, steps)
            ``False`` marks padding at the end of short segments.
        aux : Tensor of shape (n_segments, n_aux)
            Auxiliary inputs.
        star : long Tensor of shape (n_segments,)
            Index (within the batch, sorted) of the star each segment belongs to.

        Returns
        -------
        proba : Tensor of shape (n_stars, n_classes)
            Per-star class probabilities: the mean of its segments' ``gamma``.
        logits : Tensor of shape (n_segments, n_classes)
        z : Tensor of shape (n_segments, n_latent)
        x_hat : Tensor of shape (n_segments, steps)
        star : Tensor of shape (n_segments,)
        """
        z, x_hat = self.latent(seq, mask, aux)
        logits = self.estimation(z)
        gamma = torch.softmax(logits, dim=1)
        n_stars = int(star[-1]) + 1 if star.numel() else 0
        proba = star_mean(gamma, star, n_stars)
        return proba, logits, z, x_hat, star


def star_mean(values, star, n_stars):
    """Mean of per-segment rows over the segments of each star."""
    total = values.new_zeros((n_stars,) + values.shape[1:])
    total.index_add_(0, star, values)
    counts = torch.bincount(star, minlength=n_stars).clamp_min(1).to(values.dtype)
    return total / counts.view((-1,) + (1,) * (values.dim() - 1))
