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

Each rate is given twice: per wall-clock second (``*_seq_per_s``, what a user
sees; disturbed by other processes on a shared machine) and per second of
this process's CPU time (``*_seq_per_cpu_s``, ``time.process_time``; the
comparable figure on a shared machine, best with ``--threads 1``). Both are
medians over iterations; with ``--repeats`` the whole measurement is repeated
and the median of the repeats is reported. ``--compute-dtype bfloat16`` (or
``both``) also times ours with bfloat16 matrix multiplies (keys ``bf16_*``);
``--loss-steps N`` trains ours (dropout off, Adam, ``--loss-lr``) for N steps
on one batch (of ``--loss-batch`` sequences, default ``--batch``) from the
same initialisation in float32 and in bfloat16 and reports the losses. The load
average (``os.getloadavg``) before and after is part of the output.

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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from machine import cpu_model  # noqa: E402

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

    def __init__(self, compute_dtype=None):
        super().__init__()
        self.encoder = GRU(2, HIDDEN, 2, dropout=0.25, compute_dtype=compute_dtype)
        self.embed = nn.Linear(HIDDEN, EMBEDDING)
        self.decoder = GRU(1, HIDDEN, 2, dropout=0.25, compute_dtype=compute_dtype)
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


def cpu_info():
    """``machine.cpu_model()`` and whether torch sees native bfloat16
    (AMX, AVX512-BF16)."""
    try:
        caps = torch._C._cpu._get_cpu_capability()
    except AttributeError:  # private API: absent in other torch versions
        caps = {}
    return {
        **cpu_model(),
        "amx_bf16": caps.get("amx_bf16"),
        "avx512_bf16": caps.get("avx512_bf16"),
    }


def _median(values):
    values = sorted(values)
    return values[len(values) // 2]


def _rates(fn, batch, warmup, iters):
    """Sequences per second of ``fn``: ``(median, best, median per CPU second)``.

    The machine may be shared, so iterations are timed one by one and the
    median (typical) and the fastest (least disturbed) wall-clock rates are
    reported, and the median rate per second of this process's CPU time.
    """
    for _ in range(warmup):
        fn()
    times, cpu = [], []
    for _ in range(iters):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return batch / _median(times), batch / min(times), batch / _median(cpu)


def time_model(model, data, warmup, iters):
    """Return training and inference rates (see ``_rates``)."""
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


def time_repeated(make_model, data, warmup, iters, repeats):
    """``time_model`` ``repeats`` times; the median of each figure."""
    runs = []
    for _ in range(repeats):
        torch.manual_seed(0)
        runs.append(time_model(make_model(), data, warmup, iters))
    return tuple(
        tuple(_median(run[kind][i] for run in runs) for i in range(3))
        for kind in range(2)
    )


def loss_curve(data, steps, compute_dtype, lr):
    """Losses of ``steps`` Adam steps of ours on one batch (dropout off)."""
    dt, x, w, mask = data
    torch.manual_seed(0)
    model = FastAutoencoder(compute_dtype).eval()  # deterministic: no dropout
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        opt.zero_grad(set_to_none=True)
        loss = ((x - model(dt, x, mask)) ** 2 * w).mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def _store(result, prefix, train, infer):
    for kind, rates in (("train", train), ("infer", infer)):
        result[f"{prefix}_{kind}_seq_per_s"] = round(rates[0], 1)
        result[f"{prefix}_{kind}_seq_per_s_best"] = round(rates[1], 1)
        result[f"{prefix}_{kind}_seq_per_cpu_s"] = round(rates[2], 1)


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
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument(
        "--compute-dtype", choices=("float32", "bfloat16", "both"), default="float32"
    )
    parser.add_argument("--loss-steps", type=int, default=0)
    parser.add_argument("--loss-batch", type=int, default=None)
    parser.add_argument("--loss-lr", type=float, default=5e-3)
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    data = make_batch(args.batch, args.steps)
    result = {
        "batch": args.batch,
        "steps": args.steps,
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "cpu": cpu_info(),
        "loadavg_start": [round(v, 2) for v in os.getloadavg()],
    }
    if not args.skip_naive:
        train, infer = time_repeated(
            NaiveAutoencoder, data, min(args.warmup, 1), args.naive_iters, args.repeats
        )
        _store(result, "naive", train, infer)
    dtypes = {
        "float32": [("fast", None)],
        "bfloat16": [("bf16", torch.bfloat16)],
        "both": [("fast", None), ("bf16", torch.bfloat16)],
    }[args.compute_dtype]
    scope = contextlib.nullcontext() if args.no_flush else flush_denormal()
    with scope:
        for prefix, dtype in dtypes:
            train, infer = time_repeated(
                lambda dtype=dtype: FastAutoencoder(dtype),
                data,
                args.warmup,
                args.iters,
                args.repeats,
            )
            _store(result, prefix, train, infer)
        if args.loss_steps:
            loss_data = data
            if args.loss_batch:
                loss_data = make_batch(args.loss_batch, args.steps)
            curves = {}
            for prefix, dtype in (("fp32", None), ("bf16", torch.bfloat16)):
                curves[prefix] = loss_curve(
                    loss_data, args.loss_steps, dtype, args.loss_lr
                )
            every = max(1, args.loss_steps // 5)
            result["loss_batch"] = loss_data[0].shape[0]
            result["loss_lr"] = args.loss_lr
            result["loss_at_step"] = list(range(0, args.loss_steps, every))
            for prefix, losses in curves.items():
                result[f"{prefix}_loss"] = [round(v, 5) for v in losses[::every]]
                result[f"{prefix}_loss_last"] = round(losses[-1], 5)
            pairs = zip(curves["bf16"], curves["fp32"], strict=True)
            worst = max(abs(a - b) / abs(b) for a, b in pairs)
            result["loss_max_rel_diff"] = float(f"{worst:.2e}")
    result["fast_flush_denormal"] = not args.no_flush
    result["loadavg_end"] = [round(v, 2) for v in os.getloadavg()]
    if not args.skip_naive and "fast_train_seq_per_s" in result:
        for kind in ("train", "infer"):
            for unit in ("s", "cpu_s"):
                fast, naive = (
                    result[f"fast_{kind}_seq_per_{unit}"],
                    result[f"naive_{kind}_seq_per_{unit}"],
                )
                suffix = "" if unit == "s" else "_cpu"
                result[f"{kind}_speedup{suffix}"] = round(fast / naive, 2)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
