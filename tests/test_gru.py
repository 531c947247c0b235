"""Known-answer tests of ``skdualnet._gru`` against ``torch.nn.GRU``."""

import pytest
import torch
from torch import nn

from skdualnet import _gru as G
from skdualnet._gru import GRU, denormals_flushed, flush_denormal

TOL = {torch.float32: 2e-5, torch.float64: 1e-10}


def _pair(input_size, hidden, layers, dtype, seed=0):
    torch.manual_seed(seed)
    ours = GRU(input_size, hidden, layers).to(dtype)
    ref = nn.GRU(input_size, hidden, layers, batch_first=True).to(dtype)
    ref.load_state_dict(ours.state_dict())
    return ours, ref


def _grads(loss, tensors):
    return torch.autograd.grad(loss, tensors, allow_unused=False)


def _close(a, b, dtype):
    tol = TOL[dtype]
    torch.testing.assert_close(a, b, rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("layers", [1, 2])
def test_matches_nn_gru(dtype, layers):
    ours, ref = _pair(3, 8, layers, dtype)
    ours.train()
    ref.train()
    x = torch.randn(5, 11, 3, dtype=dtype, requires_grad=True)
    out, h_n = ours(x)
    out_ref, h_ref = ref(x)
    _close(out, out_ref, dtype)
    _close(h_n, h_ref, dtype)
    g_out, g_h = torch.randn_like(out), torch.randn_like(h_n)
    grads = _grads((out * g_out).sum() + (h_n * g_h).sum(), [x, *ours.parameters()])
    grads_ref = _grads(
        (out_ref * g_out).sum() + (h_ref * g_h).sum(), [x, *ref.parameters()]
    )
    for g, g_ref in zip(grads, grads_ref, strict=True):
        _close(g, g_ref, dtype)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_static_matches_concatenated_input(dtype):
    # static features = the same extra input at every step, after x's own
    n_static = 4
    ours, ref = _pair(2 + n_static, 6, 2, dtype)
    x = torch.randn(3, 9, 2, dtype=dtype, requires_grad=True)
    e = torch.randn(3, n_static, dtype=dtype, requires_grad=True)
    out, h_n = ours(x, static=e)
    out_ref, h_ref = ref(torch.cat((x, e[:, None].expand(-1, 9, -1)), dim=-1))
    _close(out, out_ref, dtype)
    _close(h_n, h_ref, dtype)
    g_out = torch.randn_like(out)
    grads = _grads((out * g_out).sum() + h_n.sum(), [x, e, *ours.parameters()])
    grads_ref = _grads((out_ref * g_out).sum() + h_ref.sum(), [x, e, *ref.parameters()])
    for g, g_ref in zip(grads, grads_ref, strict=True):
        _close(g, g_ref, dtype)


def test_wrong_number_of_input_features_is_refused():
    gru = GRU(3, 4)
    with pytest.raises(ValueError, match="3 input features per step, got 2 in x and 0"):
        gru(torch.randn(2, 5, 2))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_torch_backend_matches_custom_backend(dtype):
    # The cuDNN path's code (nn.GRU kernels, mask -> packed lengths, static
    # repeated) on CPU tensors gives the custom recurrence's numbers,
    # outputs in the padding and gradients included.
    torch.manual_seed(0)
    gru = GRU(1 + 3, 7, 2).to(dtype)
    lengths = torch.tensor([10, 6, 1, 8])
    mask = torch.arange(10) < lengths[:, None]
    x = torch.randn(4, 10, 1, dtype=dtype, requires_grad=True)
    e = torch.randn(4, 3, dtype=dtype, requires_grad=True)
    results = {}
    for backend in ("custom", "torch"):
        gru.backend = backend
        assert gru.resolved_backend(x) == backend
        out, h_n = gru(x, mask=mask, static=e)
        g_out = torch.linspace(-1, 1, out.numel(), dtype=dtype).view_as(out)
        grads = _grads((out * g_out).sum() + h_n.sum(), [x, e, *gru.parameters()])
        results[backend] = (out, h_n, *grads)
    for a, b in zip(results["custom"], results["torch"], strict=True):
        _close(a, b, dtype)
    # the fold is not a no-op: the padded steps differ from the unpadded run
    gru.backend = "torch"
    assert not torch.allclose(gru(x, static=e)[1], results["torch"][1])


def test_auto_backend_is_custom_on_cpu_and_bad_values_refused():
    gru = GRU(2, 4)
    assert gru.backend == "auto"
    assert gru.resolved_backend(torch.zeros(1, 2, 2)) == "custom"
    gru.backend = "cudnn"
    with pytest.raises(ValueError, match="backend must be one of"):
        gru(torch.zeros(1, 2, 2))


def test_torch_backend_refuses_padding_before_the_end():
    gru = GRU(2, 4, backend="torch")
    mask = torch.tensor([[True, False, True]])
    with pytest.raises(ValueError, match="padding at its end"):
        gru(torch.randn(1, 3, 2), mask=mask)
    gru.compute_dtype = torch.bfloat16
    with pytest.raises(ValueError, match="needs backend='custom'"):
        gru(torch.randn(1, 3, 2))


def test_gru_pickled_by_skdualnet_0_1_loads():
    # skdualnet 0.1's GRU was a plain nn.Module with nn.GRU's parameters; its
    # pickled state (no nn.GRU attributes) must unpickle into today's class.
    torch.manual_seed(0)
    gru = GRU(2, 5, 2).eval()
    x = torch.randn(3, 6, 2)
    expected = gru(x)[0]
    gru_only = ("mode", "bias", "batch_first", "bidirectional", "proj_size")
    gru_only += ("_flat_weights_names", "_all_weights", "_flat_weights")
    gru_only += ("_flat_weight_refs", "backend")
    old_state = {k: v for k, v in gru.__dict__.items() if k not in gru_only}
    assert "_parameters" in old_state and "_backward_hooks" in old_state
    clone = GRU.__new__(GRU)
    clone.__setstate__(dict(old_state))
    assert clone.backend == "auto" and clone.batch_first
    for backend in ("custom", "torch"):
        clone.backend = backend
        torch.testing.assert_close(clone(x)[0], expected)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_mask_matches_unpadded_prefix(dtype):
    ours, ref = _pair(2, 7, 2, dtype)
    lengths = [10, 6, 1, 8]
    x = torch.randn(len(lengths), 10, 2, dtype=dtype, requires_grad=True)
    mask = torch.arange(10) < torch.tensor(lengths)[:, None]
    out, h_n = ours(x, mask=mask)
    g_out = torch.randn_like(out)
    loss = (out * g_out).sum() + h_n.sum()
    grads = _grads(loss, [x, *ours.parameters()])
    grads_ref = [torch.zeros_like(g) for g in grads]
    for i, n in enumerate(lengths):
        xi = x[i : i + 1, :n]
        out_i, h_i = ref(xi)
        _close(out[i, :n], out_i[0], dtype)
        _close(h_n[:, i], h_i[:, 0], dtype)
        # at padding the output repeats the last state
        _close(out[i, n:], out_i[0, -1].expand(10 - n, -1), dtype)
        # gradient of the padded outputs flows into the last valid state
        g_i = g_out[i : i + 1, :n].clone()
        g_i[:, -1] += g_out[i, n:].sum(0)
        loss_i = (out_i * g_i).sum() + h_i.sum()
        for acc, g in zip(
            grads_ref, _grads(loss_i, [x, *ref.parameters()]), strict=True
        ):
            acc += g
    for g, g_ref in zip(grads, grads_ref, strict=True):
        _close(g, g_ref, dtype)


def test_dropout_only_in_training_and_between_layers():
    torch.manual_seed(0)
    gru = GRU(2, 5, 2, dropout=0.5)
    x = torch.randn(3, 6, 2)
    gru.eval()
    ref = nn.GRU(2, 5, 2, batch_first=True)
    ref.load_state_dict(gru.state_dict())
    out, _ = gru(x)
    _close(out, ref(x)[0], torch.float32)
    gru.train()
    out_a, _ = gru(x)
    out_b, _ = gru(x)
    assert not torch.allclose(out_a, out_b)
    with pytest.warns(UserWarning, match="dropout"):  # nn.GRU's own warning
        single = GRU(2, 5, 1, dropout=0.5).train()
    torch.testing.assert_close(single(x)[0], single(x)[0])


@pytest.mark.parametrize("input_size", [1, 2, 3])
def test_inference_path_matches_training_path(input_size):
    # Without a gradient, inputs are projected step by step, with the static
    # features' projection folded into the biases; with one, all steps at
    # once. The same numbers up to float rounding (bit-identical on the
    # machines measured).
    torch.manual_seed(0)
    gru = GRU(input_size + 4, 6, 2)
    x = torch.randn(4, 7, input_size)
    mask = torch.arange(7) < torch.tensor([7, 3, 5, 1])[:, None]
    static = torch.randn(4, 4)
    with torch.no_grad():
        out_ng, h_ng = gru(x, mask=mask, static=static)
    out, h_n = gru(x, mask=mask, static=static)
    torch.testing.assert_close(out, out_ng)
    torch.testing.assert_close(h_n, h_ng)


def test_backward_without_fused_derivative_kernels(monkeypatch):
    # The fallback used where PyTorch lacks aten's tanh/sigmoid_backward.
    monkeypatch.setattr(G, "_tanh_backward", G._tanh_backward_fallback)
    monkeypatch.setattr(G, "_sigmoid_backward", G._sigmoid_backward_fallback)
    test_matches_nn_gru(torch.float64, 2)


def test_gradcheck_float64():
    torch.manual_seed(0)
    gru = GRU(2 + 2, 3, 2).double()
    x = torch.randn(2, 4, 2, dtype=torch.float64, requires_grad=True)
    proj = torch.randn(2, 2, dtype=torch.float64, requires_grad=True)
    mask = torch.tensor([[True] * 4, [True, True, False, False]])
    names = [n for n, _ in gru.named_parameters()]

    def fn(x, proj, *weights):
        params = dict(zip(names, weights, strict=True))
        return torch.func.functional_call(
            gru, params, (x,), {"mask": mask, "static": proj}
        )

    weights = [p.detach().clone().requires_grad_() for p in gru.parameters()]
    assert torch.autograd.gradcheck(fn, (x, proj, *weights))


def test_flush_denormal_restores_state():
    torch.set_flush_denormal(False)
    assert not denormals_flushed()
    with flush_denormal() as supported:
        assert denormals_flushed() == supported
        with flush_denormal(False):
            assert not denormals_flushed()
        assert denormals_flushed() == supported
    assert not denormals_flushed()
    with pytest.raises(RuntimeError), flush_denormal():
        raise RuntimeError
    assert not denormals_flushed()


def test_flush_denormal_reaches_worker_threads():
    # A subnormal times 2 is subnormal (nonzero) unless the thread computing
    # it flushes; a large elementwise op is split over all intra-op threads.
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        torch.set_flush_denormal(False)
        tiny = torch.full((1 << 18,), 1e-39)
        assert torch.count_nonzero(tiny * 2.0) == tiny.numel()
        with flush_denormal() as supported:
            expected = 0 if supported else tiny.numel()
            assert torch.count_nonzero(tiny * 2.0) == expected
        assert torch.count_nonzero(tiny * 2.0) == tiny.numel()
    finally:
        torch.set_num_threads(threads)


def test_reused_buffers_do_not_clobber_live_results():
    torch.manual_seed(0)
    gru = GRU(2, 4, 2)
    out_a, h_a = gru(torch.randn(3, 5, 2))
    kept = out_a.detach().clone(), h_a.detach().clone()
    for _ in range(3):
        out_b, h_b = gru(torch.randn(3, 5, 2))
        (out_b.sum() + h_b.sum()).backward()
    torch.testing.assert_close(out_a.detach(), kept[0])
    torch.testing.assert_close(h_a.detach(), kept[1])


# bfloat16 matrix multiplies: operands rounded to 8 significant bits (relative
# rounding error <= 2**-9 ~ 2e-3 each), products rounded once more. Over these
# short recurrences the errors stay of that order (measured: 1e-3 to 7e-3
# relative, in norm, on outputs and on every gradient), so 2e-2 bounds them
# with a margin of about 3, while a wrong formula (errors of order 1) cannot
# meet it; an exact float32 result by mistake is caught separately.
BF16_RTOL = 2e-2


def _rel(a, b):
    return float((a - b).detach().norm() / b.detach().norm())


def _bf16_close(a, b):
    assert a.dtype == torch.float32
    assert torch.isfinite(a).all()
    assert _rel(a, b) < BF16_RTOL


@pytest.mark.parametrize("layers", [1, 2])
def test_bfloat16_matches_nn_gru(layers):
    ours, ref = _pair(3, 16, layers, torch.float32)
    ours.compute_dtype = torch.bfloat16
    x = torch.randn(6, 12, 3, requires_grad=True)
    out, h_n = ours(x)
    out_ref, h_ref = ref(x)
    _bf16_close(out, out_ref)
    _bf16_close(h_n, h_ref)
    # really rounded, not the exact float32 path
    assert not torch.allclose(out, out_ref, rtol=1e-5, atol=1e-6)
    g_out = torch.randn_like(out)
    grads = _grads((out * g_out).sum() + h_n.sum(), [x, *ours.parameters()])
    grads_ref = _grads((out_ref * g_out).sum() + h_ref.sum(), [x, *ref.parameters()])
    for g, g_ref in zip(grads, grads_ref, strict=True):
        _bf16_close(g, g_ref)
    assert all(p.dtype == torch.float32 for p in ours.parameters())


def test_bfloat16_with_mask_and_static_matches_float32():
    torch.manual_seed(0)
    gru = GRU(2 + 3, 16, 2, compute_dtype=torch.bfloat16)
    assert gru.compute_dtype == torch.bfloat16
    lengths = torch.tensor([9, 4, 1, 7])
    mask = torch.arange(9) < lengths[:, None]
    x = torch.randn(4, 9, 2, requires_grad=True)
    proj = torch.randn(4, 3, requires_grad=True)
    inputs = [x, proj, *gru.parameters()]
    results = {}
    for cdt in (torch.float32, torch.bfloat16):
        gru.compute_dtype = cdt
        out, h_n = gru(x, mask=mask, static=proj)
        g_out = torch.linspace(-1, 1, out.numel()).view_as(out)
        grads = _grads((out * g_out).sum() + h_n.sum(), inputs)
        with torch.no_grad():
            out_ng, h_ng = gru(x, mask=mask, static=proj)
        results[cdt] = out, h_n, grads, out_ng, h_ng
    out, h_n, grads, out_ng, h_ng = results[torch.bfloat16]
    out32, h32, grads32, _, _ = results[torch.float32]
    _bf16_close(out, out32)
    _bf16_close(h_n, h32)
    for g, g32 in zip(grads, grads32, strict=True):
        _bf16_close(g, g32)
    # inference path: the same arithmetic as the training path
    torch.testing.assert_close(out_ng, out, rtol=0, atol=0)
    torch.testing.assert_close(h_ng, h_n, rtol=0, atol=0)
    for i, n in enumerate(lengths.tolist()):
        # padding carries the state exactly: outputs repeat the last state
        # and the final state is the last valid output
        assert torch.equal(out[i, n:], out[i, n - 1].expand(9 - n, -1))
        assert torch.equal(h_n[-1, i], out[i, n - 1])
    # no gradient reaches padded inputs
    assert torch.equal(grads[0][2, 1:], torch.zeros(8, 2))


def test_compute_dtype_float32_is_exact_and_others_rejected():
    torch.manual_seed(0)
    gru = GRU(2, 5, 2)
    x = torch.randn(3, 6, 2)
    out_none, _ = gru(x)
    gru.compute_dtype = torch.float32
    assert torch.equal(gru(x)[0], out_none)
    gru.compute_dtype = torch.float16
    with pytest.raises(ValueError, match="compute_dtype"):
        gru(x)
