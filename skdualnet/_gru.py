"""A masked multi-layer GRU: ``torch.nn.GRU`` plus a faster CPU recurrence.

:class:`GRU` is a ``torch.nn.GRU`` (same parameters, names and layouts:
``weight_ih_l{k}``, ``weight_hh_l{k}``, ``bias_ih_l{k}``, ``bias_hh_l{k}``;
gates in r, z, n order) that also takes a padding mask and per-sequence
``static`` inputs, and runs on one of two backends with the same results:
``"torch"`` (``nn.GRU``'s kernels, cuDNN on a GPU; the default there) and
``"custom"`` (the recurrence below; the default on CPU, where it measured
faster than ``nn.GRU`` with denormals flushed, ``benchmarks/speed.py``).

How the custom backend is made fast (pure PyTorch, measured on a 2-core CPU;
see ``benchmarks/gru_speed.py``):

* each layer's recurrence is one ``torch.autograd.Function`` with a
  hand-written backward (backpropagation through time in a plain loop), so
  autograd records four nodes per layer instead of about ten per time step;
* all buffers are time-major and preallocated; the forward step is six
  in-place / ``out=`` kernels (two small matrix multiplies, ``sigmoid_``,
  ``addcmul_``, ``tanh_``, ``lerp``), the backward step three
  (``mul``, ``addmm``, ``addcmul_``): the gate derivatives that depend only on
  forward quantities are computed in cache-sized chunks of time steps, with
  PyTorch's fused ``tanh_backward`` / ``sigmoid_backward`` kernels (seven
  elementwise passes per chunk instead of ten: training about 7 % faster);
* the input projections of all steps (forward) and all weight gradients
  (backward, e.g. ``dW_hh = sum_t dg_t^T h_{t-1}``) are single matrix
  multiplies over ``steps * batch`` rows;
* padding is handled by forcing the update gate to exactly 1 (the
  pre-activation is set to ``+inf``), which carries the state through
  unchanged and makes every gate derivative exactly zero there;
* without a gradient (inference) the input projections are made step by step
  into one step's buffers, which stay in cache (the same numbers up to
  float rounding; bit-identical in the configurations measured);
* :func:`flush_denormal` (a context manager) flushes subnormal floats to zero,
  on the calling thread and on PyTorch's OpenMP worker threads; gradients
  through saturated gates otherwise become subnormal and CPU arithmetic on
  them is very slow.

``GRU(..., compute_dtype=torch.bfloat16)`` rounds the operands of the matrix
multiplies to bfloat16 (states, gates, parameters and gradients stay
float32). That pays only on CPUs that multiply bfloat16 natively (AMX or
AVX512-BF16); on the 2-core AVX-512 reference machine (no AMX, no
AVX512-BF16) bfloat16 matrix multiplies are emulated, about 5 times slower
than float32 ones, and training and inference are 2 to 3 times slower.
``torch.compile`` of the step was also measured there: slower (and about
90 s to compile).
"""

import contextlib
import ctypes
import math
import os

import torch
from torch import nn

__all__ = ["GRU", "clear_workspace", "denormals_flushed", "flush_denormal"]

# Time steps per chunk when the backward pass precomputes gate derivatives:
# small enough for a chunk (about 8 * batch * 4 * hidden floats) to stay in
# cache, large enough to amortise the per-call overhead.
_CHUNK = 8

# Without a gradient (float32 path), project the inputs step by step inside
# the recurrence into one step's buffers, which stay in cache, instead of all
# steps at once into buffers of steps * batch rows (measured: inference 10 to
# 30 % faster; for training, whose buffers are kept for backward, no gain).
_STEP_PROJ = True


# Most bytes the workspace keeps (see ``_Workspace``).
_WORKSPACE_MAX_BYTES = 3 * 2**30


def _storage_users(tensor):
    return torch._C._storage_Use_Count(tensor.untyped_storage()._cdata)


class _Workspace:
    """Reusable large buffers, so that training does not page-fault.

    A fresh buffer of tens of MB is new memory from the kernel (``mmap``), and
    touching it for the first time costs a page fault per 4 kB page -- about
    15 ms per 38 MB on the reference machine, more than the arithmetic done
    in it. Buffers are kept here and handed out again once nothing else (no
    view, no autograd graph, no caller) refers to their storage.
    """

    def __init__(self, max_bytes):
        self.max_bytes = max_bytes
        self.buffers = []  # (flat tensor, storage users when free)

    def empty(self, shape, like):
        """Return an uninitialised tensor of ``shape`` with ``like``'s dtype."""
        numel = math.prod(shape)
        for buf, idle in self.buffers:
            if (
                buf.numel() == numel
                and buf.dtype == like.dtype
                and buf.device == like.device
                and _storage_users(buf) == idle
            ):
                return buf.view(shape)
        buf = torch.empty(numel, dtype=like.dtype, device=like.device)
        nbytes = numel * buf.element_size()
        if nbytes > self.max_bytes:
            return buf.view(shape)
        total = sum(b.numel() * b.element_size() for b, _ in self.buffers)
        if total + nbytes > self.max_bytes:
            keep = []
            for b, idle in self.buffers:
                if total + nbytes > self.max_bytes and _storage_users(b) == idle:
                    total -= b.numel() * b.element_size()
                else:
                    keep.append((b, idle))
            self.buffers = keep
        if total + nbytes <= self.max_bytes:
            self.buffers.append((buf, _storage_users(buf)))
        return buf.view(shape)

    def clear(self):
        """Forget all buffers (those in use stay valid)."""
        self.buffers = []


_workspace = _Workspace(_WORKSPACE_MAX_BYTES)


def clear_workspace():
    """Release the buffers the GRU keeps for reuse between calls.

    Training and inference keep their large intermediate buffers (up to 3 GiB
    in all, about 1 GB for the autoencoder at batch 500 and 200 steps) to
    avoid the cost of fresh memory; call this to give the memory back.
    """
    _workspace.clear()


def denormals_flushed():
    """Tell whether the calling thread flushes subnormal floats to zero.

    PyTorch has ``torch.set_flush_denormal`` but no getter, so the state is
    probed: with flush-to-zero / denormals-are-zero set, a subnormal float32
    operand is read (and written) as zero.

    Returns
    -------
    bool
        ``True`` when subnormals are flushed on this thread.
    """
    tiny = torch.tensor([1e-39], dtype=torch.float32)  # float32 subnormal
    return bool((tiny * 2.0).item() == 0.0)


@contextlib.contextmanager
def flush_denormal(enabled=True):
    """Flush subnormal floats to zero inside a ``with`` block.

    On exit the previous state is restored. Because PyTorch offers no getter,
    the previous state is read with :func:`denormals_flushed` (a probe) before
    calling ``torch.set_flush_denormal(enabled)``, and set back with
    ``torch.set_flush_denormal(previous)`` afterwards, also on error.

    Parameters
    ----------
    enabled : bool, default=True
        State to use inside the block.

    Yields
    ------
    bool
        Whether the CPU supports the setting (``torch.set_flush_denormal``'s
        return value).

    Notes
    -----
    The setting lives in the floating-point control register of each thread
    (x86 MXCSR); threads created later inherit it from their creator, threads
    that already exist keep theirs. PyTorch's OpenMP worker threads usually
    exist already (they are made by the first parallel operation), and a
    worker that does not flush is as slow on subnormals as no flushing at all
    (measured: training at 2 threads 160 instead of 245 sequences/s), so the
    setting is also made on each thread of the OpenMP team (see
    :func:`_set_flush_denormal_all_threads`). Results change only for values
    below about 1.2e-38 (float32), which become zero.
    """
    previous = denormals_flushed()
    supported = _set_flush_denormal_all_threads(enabled)
    try:
        yield supported
    finally:
        _set_flush_denormal_all_threads(previous)


def _torch_openmp():
    """PyTorch's OpenMP runtime (a ``ctypes.CDLL``), or ``None``.

    Found among the shared libraries this process has loaded
    (``/proc/self/maps``, Linux): a GNU, Intel or LLVM OpenMP runtime that
    lies in PyTorch's own folder, or else the only one loaded. Other
    packages' runtimes (e.g. scikit-learn's vendored ``libgomp``) have their
    own threads, which PyTorch does not use, and are left alone. Looked up
    once, when first needed (PyTorch's runtime is loaded with PyTorch).
    """
    global _OPENMP
    if _OPENMP is None:
        _OPENMP = [None]
        names = ("libgomp", "libiomp", "libomp")
        try:
            with open("/proc/self/maps") as maps:
                paths = sorted(
                    {
                        ln.split()[-1]
                        for ln in maps
                        if any(n in ln.rsplit("/", 1)[-1] for n in names)
                    }
                )
        except OSError:
            paths = []
        torch_dir = os.path.dirname(torch.__file__)
        own = [p for p in paths if p.startswith(torch_dir)]
        for path in own or (paths if len(paths) == 1 else []):
            try:
                lib = ctypes.CDLL(path)
                fn = lib.GOMP_parallel
            except (OSError, AttributeError):
                continue
            fn.argtypes = [_OMP_FN, ctypes.c_void_p, ctypes.c_uint, ctypes.c_uint]
            fn.restype = None
            _OPENMP = [lib]
            break
    return _OPENMP[0]


_OPENMP = None
_OMP_FN = ctypes.CFUNCTYPE(None, ctypes.c_void_p)


def _set_flush_denormal_all_threads(enabled):
    """``torch.set_flush_denormal(enabled)`` here and on PyTorch's OpenMP workers.

    ``torch.set_flush_denormal`` sets only the calling thread. PyTorch's
    worker threads (``torch.get_num_threads()`` of them, the caller
    included) are reached by running one parallel region of that many threads
    in PyTorch's OpenMP runtime (``GOMP_parallel``, the entry point compilers
    use for ``#pragma omp parallel``, also exported by the Intel and LLVM
    runtimes) whose body, a ``ctypes`` callback, makes the same call on each
    thread. Where the runtime is not found (not Linux, another layout) or one
    thread is used, only the calling thread is set. Returns
    ``torch.set_flush_denormal``'s value (whether the CPU supports it).
    """
    supported = torch.set_flush_denormal(enabled)
    n_threads = torch.get_num_threads()
    if n_threads > 1:
        lib = _torch_openmp()
        if lib is not None:

            def body(_):
                torch.set_flush_denormal(enabled)

            lib.GOMP_parallel(_OMP_FN(body), None, n_threads, 0)
    return supported


_BACKENDS = ("auto", "custom", "torch")


class GRU(nn.GRU):
    """Multi-layer GRU, batch first, with an optional step mask.

    A ``torch.nn.GRU`` (``batch_first=True``; same parameters, so weights
    and ``state_dict`` carry over either way) with two additions the
    autoencoder needs: a padding ``mask`` and ``static`` features that are
    part of every step's input. It runs on one of two backends, which give the
    same results (to float rounding):

    * ``"custom"``: this module's recurrence (see the module docstring), the
      faster one on CPU (``benchmarks/speed.py``); ``static`` features are
      projected once per sequence, not at every step;
    * ``"torch"``: ``torch.nn.GRU``'s own kernels (cuDNN on a GPU), the mask
      turned into ``pack_padded_sequence`` lengths and ``static`` repeated
      over the steps.

    Parameters
    ----------
    input_size : int
        Features per time step, ``static`` ones included.
    hidden_size : int
        Units per layer.
    num_layers : int, default=1
        Stacked layers.
    dropout : float, default=0.0
        Dropout on the outputs of each layer except the last (as ``nn.GRU``),
        in training mode only.
    compute_dtype : torch.dtype or None, default=None
        Data type of the matrix multiplies of the ``"custom"`` backend.
        ``None`` or ``torch.float32``: the parameters' own dtype (exact, the
        numerics of ``nn.GRU``). ``torch.bfloat16``: the operands of every
        matrix multiply (input projections, the per-step ``W_hh h`` and
        ``dg W_hh``, weight gradients) are rounded to bfloat16 and the
        products come back in bfloat16 (accumulated in float32 inside the
        kernel); states, gates, parameters and gradients stay float32. About
        3 significant digits: worth it only where the CPU multiplies bfloat16
        natively (AMX or AVX512-BF16); elsewhere it is emulated and several
        times slower. A plain attribute: it may be changed after construction.
    backend : {"auto", "custom", "torch"}, default="auto"
        ``"auto"``: ``"torch"`` (cuDNN) for inputs on a CUDA device,
        ``"custom"`` otherwise. A plain attribute.
    """

    # Defaults for GRUs unpickled from files written before the attributes existed.
    compute_dtype = None
    backend = "auto"

    def __init__(
        self,
        input_size,
        hidden_size,
        num_layers=1,
        dropout=0.0,
        compute_dtype=None,
        backend="auto",
    ):
        super().__init__(
            input_size, hidden_size, num_layers, dropout=dropout, batch_first=True
        )
        self.compute_dtype = compute_dtype
        self.backend = backend

    def __setstate__(self, state):
        # skdualnet <= 0.1 pickled this class as a plain nn.Module with the
        # same parameters: add what nn.GRU's own state has.
        if "_flat_weights_names" not in state:
            names = [
                [f"{w}_l{k}" for w in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
                for k in range(state["num_layers"])
            ]
            state = dict(state, mode="GRU", bias=True, batch_first=True)
            state.update(bidirectional=False, proj_size=0, _all_weights=names)
            state["_flat_weights_names"] = [n for layer in names for n in layer]
            state["_flat_weights"] = [
                state["_parameters"][n] for n in state["_flat_weights_names"]
            ]
        super().__setstate__(state)

    def layer_weights(self, k):
        """Return ``(weight_ih, weight_hh, bias_ih, bias_hh)`` of layer ``k``."""
        return tuple(
            getattr(self, f"{name}_l{k}")
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
        )

    def resolved_backend(self, x):
        """The backend (``"custom"`` or ``"torch"``) used for input ``x``."""
        if self.backend not in _BACKENDS:
            raise ValueError(
                f"backend must be one of {_BACKENDS}, got {self.backend!r}"
            )
        if self.backend == "auto":
            return "torch" if x.is_cuda else "custom"
        return self.backend

    def forward(self, x, mask=None, static=None):
        """Run the GRU.

        Parameters
        ----------
        x : Tensor of shape (batch, steps, input_size - n_static)
            Input sequence.
        mask : bool Tensor of shape (batch, steps), default=None
            ``False`` marks padding: there the hidden state is carried over
            unchanged and the output repeats it. The ``"torch"`` backend
            needs the padding at the end of each sequence (every sequence
            at least one step long).
        static : Tensor of shape (batch, n_static), default=None
            Features of each sequence that are part of every step's input,
            after ``x``'s (the decoder's repeated embedding).

        Returns
        -------
        output : Tensor of shape (batch, steps, hidden_size)
            Last layer's hidden states (not necessarily contiguous).
        h_n : Tensor of shape (num_layers, batch, hidden_size)
            Final hidden state of each layer.
        """
        n_static = 0 if static is None else static.shape[-1]
        if x.shape[-1] + n_static != self.input_size:
            raise ValueError(
                f"GRU expects {self.input_size} input features per step, got "
                f"{x.shape[-1]} in x and {n_static} static"
            )
        if self.resolved_backend(x) == "torch":
            return self._forward_torch(x, mask, static)
        return self._forward_custom(x, mask, static)

    def _forward_torch(self, x, mask, static):
        if _check_compute_dtype(self.compute_dtype) is not None:
            raise ValueError("compute_dtype=torch.bfloat16 needs backend='custom'")
        steps = x.shape[1]
        if static is not None:
            x = torch.cat((x, static.unsqueeze(1).expand(-1, steps, -1)), dim=-1)
        if mask is None or bool(mask.all()):
            return super().forward(x)
        mask = mask.to(torch.bool)
        lengths = mask.sum(dim=1)
        prefix = torch.arange(steps, device=mask.device) < lengths[:, None]
        if not bool(torch.equal(prefix, mask)) or not bool((lengths > 0).all()):
            raise ValueError(
                "backend='torch' needs each sequence's padding at its end and "
                "at least one observed step"
            )
        packed = nn.utils.rnn.pack_padded_sequence(
            x, lengths.cpu(), batch_first=True, enforce_sorted=False
        )
        out, h_n = super().forward(packed)
        out, _ = nn.utils.rnn.pad_packed_sequence(
            out, batch_first=True, total_length=steps
        )
        # As the custom backend: the output repeats the last state in padding.
        out = torch.where(mask.unsqueeze(-1), out, h_n[-1].unsqueeze(1))
        return out, h_n

    def _forward_custom(self, x, mask, static):
        cdt = _check_compute_dtype(self.compute_dtype)
        pad = None
        if mask is not None:
            pad = torch.logical_not(mask.to(torch.bool)).t().unsqueeze(-1)
            padded = pad.any(dim=1).squeeze(-1).nonzero()
            # Only steps from the first one with padding on need masking.
            pad = (int(padded[0, 0]), pad) if len(padded) else None
        out = x.transpose(0, 1).contiguous()
        keep = None
        h_last = []
        for k in range(self.num_layers):
            w_ih, w_hh, b_ih, b_hh = self.layer_weights(k)
            extra = None
            if k == 0 and static is not None:
                n_x = x.shape[-1]
                extra = static @ w_ih[:, n_x:].t()
                w_ih = w_ih[:, :n_x].contiguous()
            out, h = _gru_layer(out, w_ih, b_ih, w_hh, b_hh, extra, pad, keep, cdt)
            h_last.append(h)
            keep = None
            if self.dropout and self.training and k < self.num_layers - 1:
                keep = _dropout_keep(out, self.dropout)
        return out.transpose(0, 1), torch.stack(h_last)


def _check_compute_dtype(dtype):
    """Return ``None`` (exact) or ``torch.bfloat16`` for a ``compute_dtype``."""
    if dtype is None or dtype == torch.float32:
        return None
    if dtype == torch.bfloat16:
        return dtype
    raise ValueError(
        f"compute_dtype must be None, torch.float32 or torch.bfloat16, got {dtype!r}"
    )


def _lowp(t, cdt):
    """``t`` rounded to ``cdt`` in a workspace buffer (contiguous)."""
    return _workspace.empty(t.shape, _like(t, cdt)).copy_(t)


def _like(t, cdt):
    """An empty tensor of dtype ``cdt`` on ``t``'s device."""
    return t.new_empty(0, dtype=cdt)


def _dropout_keep(x, p):
    """Scaled keep mask for dropout: 0 with probability ``p``, else 1/(1-p)."""
    keep = _workspace.empty(x.shape, x)
    if p >= 1.0:
        return keep.zero_()
    keep.uniform_()
    keep.ge_(p)
    return keep.mul_(1.0 / (1.0 - p))


def _gru_layer(x, w_ih, b_ih, w_hh, b_hh, extra, pad, keep, cdt=None):
    """One layer on time-major ``x`` (steps, batch, features).

    ``keep`` is an optional dropout mask multiplied into ``x``. Returns the
    outputs (steps, batch, H) and the final state (batch, H). Uses the custom
    autograd function when a gradient is needed, otherwise the same forward
    loop without saving anything for backward. ``cdt`` is the matrix-multiply
    dtype (``None``: exact).
    """
    tensors = (x, w_ih, b_ih, w_hh, b_hh) + ((extra,) if extra is not None else ())
    if torch.is_grad_enabled() and any(t.requires_grad for t in tensors):
        return _GRULayerFunction.apply(x, w_ih, b_ih, w_hh, b_hh, extra, pad, keep, cdt)
    with torch.no_grad():
        if keep is not None:
            x = torch.mul(x, keep, out=_workspace.empty(x.shape, x))
        out, _, _, _, hpad = _forward(x, w_ih, b_ih, w_hh, b_hh, extra, pad, False, cdt)
        return out, hpad[-1].clone()


def _forward(x, w_ih, b_ih, w_hh, b_hh, extra, pad, save, cdt=None):
    """Forward recurrence; returns ``(output, rz, ghn, n, hpad)``.

    ``rz`` (steps, batch, 2H) holds the reset and update gates, ``ghn`` the
    hidden-to-hidden candidate term ``W_hn h + b_hn``, ``n`` the candidate,
    ``hpad`` (steps + 1, batch, H) the states with the zero initial state first;
    ``output`` is ``hpad[1:]``. With ``cdt`` (bfloat16) the matrix multiplies
    take rounded operands and give rounded products, added to float32.

    One function (about 65 lines) on purpose: the input projection of all
    steps at once, then the step loop writing into preallocated outputs; the
    loop is the hot path of training and inference.
    """
    steps, batch, n_in = x.shape
    hidden = w_hh.shape[1]
    h2 = 2 * hidden
    x2 = x.reshape(steps * batch, n_in)
    # Input projections; b_hh's r and z parts are folded in.
    step_proj = cdt is None and not save and _STEP_PROJ
    nbuf = 1 if step_proj else steps
    rz = _workspace.empty((nbuf, batch, h2), x)
    n = _workspace.empty((nbuf, batch, hidden), x)
    first = steps
    if pad is not None:
        first, pad_mask = pad
    b_rz = b_ih[:h2] + b_hh[:h2]
    b_in = b_ih[h2:]
    if extra is not None:
        # The per-sequence term is folded into the biases once (the step by
        # step and all-steps paths add in the same order: the same numbers).
        b_rz, b_in = b_rz + extra[:, :h2], b_in + extra[:, h2:]
    # The biases (per layer, or per sequence) are broadcast over the steps.
    if step_proj:
        w_ih_rz = w_ih[:h2].t()
        w_ih_n = w_ih[h2:].t()
    elif cdt is None:
        rz.copy_(b_rz).view(-1, h2).addmm_(x2, w_ih[:h2].t())
        n.copy_(b_in).view(-1, hidden).addmm_(x2, w_ih[h2:].t())
    else:
        proj = _workspace.empty((steps * batch, 3 * hidden), _like(x, cdt))
        torch.mm(_lowp(x2, cdt), w_ih.to(cdt).t(), out=proj)
        proj = proj.view(steps, batch, 3 * hidden)
        torch.add(b_rz, proj[..., :h2], out=rz)
        torch.add(b_in, proj[..., h2:], out=n)
        del proj
    if first < steps and not step_proj:
        # Update gate exactly 1 at padding: the state is carried unchanged.
        rz[first:, :, hidden:].masked_fill_(pad_mask[first:], math.inf)
    w_rz = w_hh[:h2].t()
    w_n = w_hh[h2:].t()
    b_hn = b_hh[h2:]
    hpad = _workspace.empty((steps + 1, batch, hidden), x)
    hpad[0].zero_()
    if save:
        ghn = _workspace.empty((steps, batch, hidden), x)
    else:
        ghn = x.new_empty(1, batch, hidden).expand(steps, batch, hidden)
    h = hpad[0]
    if cdt is not None:
        w_c = w_hh.to(cdt).t()
        h_c = x.new_empty((batch, hidden), dtype=cdt)
        g_c = x.new_empty((batch, 3 * hidden), dtype=cdt)
    for t in range(steps):
        i = t if nbuf > 1 else 0
        rz_t = rz[i]
        n_t = n[i]
        if step_proj:
            torch.addmm(b_rz, x[t], w_ih_rz, out=rz_t)
            torch.addmm(b_in, x[t], w_ih_n, out=n_t)
            if t >= first:
                rz_t[:, hidden:].masked_fill_(pad_mask[t], math.inf)
        if cdt is None:
            rz_t.addmm_(h, w_rz)
            rz_t.sigmoid_()
            ghn_t = torch.addmm(b_hn, h, w_n, out=ghn[t])
        else:
            torch.mm(h_c.copy_(h), w_c, out=g_c)
            rz_t += g_c[:, :h2]
            rz_t.sigmoid_()
            ghn_t = torch.add(b_hn, g_c[:, h2:], out=ghn[t])
        n_t.addcmul_(rz_t[:, :hidden], ghn_t)
        n_t.tanh_()
        h = torch.lerp(n_t, h, rz_t[:, hidden:], out=hpad[t + 1])
    return hpad[1:], rz, ghn, n, hpad


def _tanh_backward_fallback(grad, y, *, grad_input):
    return torch.mul(grad, 1.0 - y * y, out=grad_input)


def _sigmoid_backward_fallback(grad, y, *, grad_input):
    return torch.mul(grad, y * (1.0 - y), out=grad_input)


# ``grad * (1 - y**2)`` and ``grad * y * (1 - y)`` in one fused pass: the
# kernels autograd itself uses for tanh and sigmoid (ATen operators, not
# public Python API; a plain two-pass version if a PyTorch lacks them).
try:
    _tanh_backward = torch.ops.aten.tanh_backward.grad_input
    _sigmoid_backward = torch.ops.aten.sigmoid_backward.grad_input
except (AttributeError, RuntimeError):  # pragma: no cover
    _tanh_backward = _tanh_backward_fallback
    _sigmoid_backward = _sigmoid_backward_fallback


class _GRULayerFunction(torch.autograd.Function):
    """One GRU layer (with input dropout) and hand-written BPTT."""

    @staticmethod
    def forward(ctx, x, w_ih, b_ih, w_hh, b_hh, extra, pad, keep, cdt):
        if keep is not None:
            x = torch.mul(x, keep, out=_workspace.empty(x.shape, x))
        out, rz, ghn, n, hpad = _forward(
            x, w_ih, b_ih, w_hh, b_hh, extra, pad, save=True, cdt=cdt
        )
        ctx.cdt = cdt
        ctx.save_for_backward(x, keep, w_ih, w_hh, rz, ghn, n, hpad)
        ctx.has_extra = extra is not None
        ctx.set_materialize_grads(False)
        return out, hpad[-1].clone()

    @staticmethod
    def backward(ctx, grad_out, grad_hn):
        """Backpropagation through time of the whole layer, step by step.

        Kept in one piece (about 85 lines) on purpose: the gate gradients of
        one step are computed in place into preallocated workspaces, then
        the weight gradients by three large matrix multiplies over all
        steps; split into helpers, the shared buffers would have to travel
        through every call, and the step loop is what the speed benchmark
        measures.
        """
        x, keep, w_ih, w_hh, rz, ghn, n, hpad = ctx.saved_tensors
        steps, batch, hidden = n.shape
        h2 = 2 * hidden
        h3 = 3 * hidden
        # total gradient wrt the state of each step
        dh = _workspace.empty((steps, batch, hidden), x)
        # gradient wrt W_hh h + b_hh
        dg = _workspace.empty((steps, batch, h3), x)
        # gradient wrt the candidate's input term
        dn = _workspace.empty((steps, batch, hidden), x)
        coef = x.new_empty(min(_CHUNK, steps), batch, h3)
        c_nbuf = x.new_empty(min(_CHUNK, steps), batch, hidden)
        cdt = ctx.cdt
        if cdt is not None:
            w_hh_c = w_hh.to(cdt)
            dg_c = x.new_empty((batch, h3), dtype=cdt)
            dh_c = x.new_empty((batch, hidden), dtype=cdt)
        if grad_out is None:
            dh[steps - 1].zero_()
        else:
            # One bulk copy (grad_out is often a strided view) beats a copy
            # per step inside addmm.
            dh.copy_(grad_out)
        if grad_hn is not None:
            dh[steps - 1] += grad_hn
        for t1 in range(steps, 0, -_CHUNK):
            t0 = max(0, t1 - _CHUNK)
            r_c = rz[t0:t1, :, :hidden]
            z_c = rz[t0:t1, :, hidden:]
            n_c = n[t0:t1]
            c = coef[: t1 - t0]
            c_r, c_z, c_hn = c[..., :hidden], c[..., hidden:h2], c[..., h2:]
            # tanh_backward(g, y) is g (1 - y^2), sigmoid_backward(g, y) is
            # g y (1 - y); written in place.
            # d n_pre / d h_new = (1 - z) (1 - n^2)
            c_n = torch.sub(1.0, z_c, out=c_nbuf[: t1 - t0])
            _tanh_backward(c_n, n_c, grad_input=c_n)
            torch.mul(c_n, r_c, out=c_hn)
            # d z_pre / d h_new = (h_prev - n) z (1 - z)
            torch.sub(hpad[t0:t1], n_c, out=c_z)
            _sigmoid_backward(c_z, z_c, grad_input=c_z)
            # d r_pre / d h_new = c_n * ghn * r (1 - r)
            torch.mul(c_n, ghn[t0:t1], out=c_r)
            _sigmoid_backward(c_r, r_c, grad_input=c_r)
            for t in range(t1 - 1, t0 - 1, -1):
                i = t - t0
                dh_t = dh[t]
                dg_t = dg[t]
                torch.mul(
                    c[i].view(batch, 3, hidden),
                    dh_t.unsqueeze(1),
                    out=dg_t.view(batch, 3, hidden),
                )
                if t > 0:
                    if cdt is not None:
                        torch.mm(dg_c.copy_(dg_t), w_hh_c, out=dh_c)
                        if grad_out is None:
                            dh_p = dh[t - 1].copy_(dh_c)
                        else:
                            dh_p = dh[t - 1].add_(dh_c)
                    elif grad_out is None:
                        dh_p = torch.mm(dg_t, w_hh, out=dh[t - 1])
                    else:
                        dh_p = dh[t - 1].addmm_(dg_t, w_hh)
                    dh_p.addcmul_(dh_t, z_c[i])
            torch.mul(dh[t0:t1], c_n, out=dn[t0:t1])
        dg2 = dg.view(steps * batch, h3)
        dn2 = dn.view(steps * batch, hidden)
        dg_rz = dg2[:, :h2]
        x2 = x.reshape(steps * batch, x.shape[-1])
        need = ctx.needs_input_grad
        dx = dw_ih = db_ih = dw_hh = db_hh = dextra = None
        if cdt is not None:
            dx, dw_ih, dw_hh = _weight_grads_lowp(
                need, cdt, x, keep, w_ih, dg2, dn2, hpad
            )
        elif need[0]:
            dx = _workspace.empty(x.shape, x)
            dx2 = dx.view(steps * batch, -1)
            torch.mm(dg_rz, w_ih[:h2], out=dx2)
            dx2.addmm_(dn2, w_ih[h2:])
            if keep is not None:
                dx.mul_(keep)
        if need[1] and cdt is None:
            dw_ih = torch.cat((dg_rz.t() @ x2, dn2.t() @ x2))
        if need[2] or need[4]:
            dg_sum = dg2.sum(0)
        if need[2]:
            db_ih = torch.cat((dg_sum[:h2], dn2.sum(0)))
        if need[3] and cdt is None:
            dw_hh = dg2.t() @ hpad[:-1].reshape(steps * batch, hidden)
        if need[4]:
            db_hh = dg_sum
        if ctx.has_extra and need[5]:
            dextra = torch.cat((dg[..., :h2].sum(0), dn.sum(0)), dim=1)
        return dx, dw_ih, db_ih, dw_hh, db_hh, dextra, None, None, None


def _weight_grads_lowp(need, cdt, x, keep, w_ih, dg2, dn2, hpad):
    """``dx``, ``dW_ih``, ``dW_hh`` with ``cdt`` matrix multiplies.

    The gradients wrt the input projections (``dg``'s r, z parts and ``dn``)
    are rounded into one ``(steps * batch, 3H)`` buffer, so that ``dx`` and
    ``dW_ih`` are one multiply each. Results are float32.
    """
    steps, batch = x.shape[:2]
    hidden = hpad.shape[-1]
    h2 = 2 * hidden
    dx = dw_ih = dw_hh = None
    if need[0] or need[1]:
        d_in = _workspace.empty((steps * batch, 3 * hidden), _like(x, cdt))
        d_in[:, :h2].copy_(dg2[:, :h2])
        d_in[:, h2:].copy_(dn2)
    if need[0]:
        dx = _workspace.empty(x.shape, x)
        dx2 = dx.view(steps * batch, -1)
        dx_c = _workspace.empty(dx2.shape, d_in)
        dx2.copy_(torch.mm(d_in, w_ih.to(cdt), out=dx_c))
        if keep is not None:
            dx.mul_(keep)
    if need[1]:
        x2 = _lowp(x.reshape(steps * batch, x.shape[-1]), cdt)
        dw_ih = (d_in.t() @ x2).to(w_ih.dtype)
    if need[3]:
        h_prev = _lowp(hpad[:-1].reshape(steps * batch, hidden), cdt)
        dw_hh = (_lowp(dg2, cdt).t() @ h_prev).to(w_ih.dtype)
    return dx, dw_ih, dw_hh
