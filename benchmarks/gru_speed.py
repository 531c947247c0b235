"""Training and inference speed of the GRU autoencoder: ``nn.GRU`` vs ours.

Builds the autoencoder of METHOD.md section 2 twice -- encoder: 2 GRU layers
of 96 units on (dt, x), last state -> linear -> embedding (16); decoder: the
embedding repeated over the steps next to dt, 2 GRU layers of 96 units, a
per-step linear -> reconstruction; weighted MSE loss; Adam -- once with
``torch.nn.GRU`` under default torch settings (the naive reference; the
decoder is fed the concatenated input) and once with ``skdualnet._gru.GRU``
(the embedding is projected once and passed as ``input_proj``; padding mask
given) inside ``flush_denormal()``. Prints JSON with training and inference
sequences per second for both and their ratios.

Usage: ``python benchmarks/gru_speed.py [--batch 500] [--steps 200] ...``
"""

import argparse
import contextlib
import json
import os
import sys
import time

import torch
from torch import nn

try:
    from skdualnet._gru import GRU, flush_denormal
except ImportError:  # run from a checkout without installing
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
    from skdualnet._gru import GRU, flush_denormal

HIDDEN = 96
EMBEDDING = 16


class NaiveAutoencoder(nn.Module):
    """The autoencoder on ``torch.nn.GRU`` (no mask)."""

    def __init__(self):
        super().__init__()
        self.encoder = nn.GRU(2, HIDDEN, 2, dropout=0.25, batch_first=True)
        self.embed = nn.Linear(HIDDEN, EMBEDDING)
        self.decoder = nn.GRU(1 + EMBEDDING, HIDDEN, 2, dropout=0.25, batch_first=True)
        self.head = nn.Linear(HIDDEN, 1)

    def forward(self, dt, x, mask):
        _, h = self.encoder(torch.stack((dt, x), dim=-1))
        z = self.embed(h[-1])
        steps = dt.shape[1]
        dec_in = torch.cat((z.unsqueeze(1).expand(-1, steps, -1), dt[..., None]), -1)
        out, _ = self.decoder(dec_in)
        return self.head(out).squeeze(-1)


class FastAutoencoder(nn.Module):
    """The same autoencoder on ``skdualnet._gru.GRU`` (masked)."""

    def __init__(self):
        super().__init__()
        self.encoder = GRU(2, HIDDEN, 2, dropout=0.25)
        self.embed = nn.Linear(HIDDEN, EMBEDDING)
        self.decoder = GRU(1, HIDDEN, 2, dropout=0.25)
        self.embed_proj = nn.Linear(EMBEDDING, 3 * HIDDEN, bias=False)
        self.head = nn.Linear(HIDDEN, 1)

    def forward(self, dt, x, mask):
        _, h = self.encoder(torch.stack((dt, x), dim=-1), mask=mask)
        z = self.embed(h[-1])
        out, _ = self.decoder(dt[..., None], mask=mask, input_proj=self.embed_proj(z))
        return self.head(out).squeeze(-1)


def make_batch(batch, steps, seed=0):
    """Phase-folded-looking lags, standardised magnitudes, weights, mask."""
    gen = torch.Generator().manual_seed(seed)
    phase = torch.sort(torch.rand(batch, steps, generator=gen), dim=1).values
    dt = torch.diff(phase, dim=1, prepend=phase[:, :1])
    amp = 0.5 + torch.rand(batch, 1, generator=gen)
    x = amp * torch.sin(2 * torch.pi * phase) + 0.3 * torch.randn(
        batch, steps, generator=gen
    )
    x = (x - x.mean(1, keepdim=True)) / x.std(1, keepdim=True)
    w = 1.0 / (0.05 + 0.1 * torch.rand(batch, steps, generator=gen))
    lengths = torch.randint(steps * 3 // 4, steps + 1, (batch,), generator=gen)
    mask = torch.arange(steps) < lengths[:, None]
    return dt, x, w, mask


def _rates(fn, batch, warmup, iters):
    """Sequences per second of ``fn``: from the median and the best iteration.

    The machine may be shared, so iterations are timed one by one and the
    median (typical) and the fastest (least disturbed) are both reported.
    """
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(iters):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    times.sort()
    return batch / times[len(times) // 2], batch / times[0]


def time_model(model, data, warmup, iters):
    """Return training and inference rates ``((median, best), (median, best))``."""
    dt, x, w, mask = data
    opt = torch.optim.Adam(model.parameters(), lr=2e-4)

    def train_step():
        opt.zero_grad(set_to_none=True)
        x_hat = model(dt, x, mask)
        loss = ((x - x_hat) ** 2 * w).mean()
        loss.backward()
        opt.step()

    model.train()
    train = _rates(train_step, dt.shape[0], warmup, iters)
    model.eval()
    with torch.no_grad():
        infer = _rates(lambda: model(dt, x, mask), dt.shape[0], warmup, iters)
    return train, infer


def main(argv=None):
    """Run the benchmark and print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--iters", type=int, default=8)
    parser.add_argument("--naive-iters", type=int, default=3)
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument("--no-flush", action="store_true")
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    data = make_batch(args.batch, args.steps)
    result = {
        "batch": args.batch,
        "steps": args.steps,
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
    }
    if not args.skip_naive:
        torch.manual_seed(0)
        train, infer = time_model(
            NaiveAutoencoder(), data, min(args.warmup, 1), args.naive_iters
        )
        result["naive_train_seq_per_s"] = round(train[0], 1)
        result["naive_train_seq_per_s_best"] = round(train[1], 1)
        result["naive_infer_seq_per_s"] = round(infer[0], 1)
        result["naive_infer_seq_per_s_best"] = round(infer[1], 1)
    torch.manual_seed(0)
    scope = contextlib.nullcontext() if args.no_flush else flush_denormal()
    with scope:
        train, infer = time_model(FastAutoencoder(), data, args.warmup, args.iters)
    result["fast_flush_denormal"] = not args.no_flush
    result["fast_train_seq_per_s"] = round(train[0], 1)
    result["fast_train_seq_per_s_best"] = round(train[1], 1)
    result["fast_infer_seq_per_s"] = round(infer[0], 1)
    result["fast_infer_seq_per_s_best"] = round(infer[1], 1)
    if not args.skip_naive:
        for kind in ("train", "infer"):
            fast, naive = (
                result[f"fast_{kind}_seq_per_s"],
                result[f"naive_{kind}_seq_per_s"],
            )
            result[f"{kind}_speedup"] = round(fast / naive, 2)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
