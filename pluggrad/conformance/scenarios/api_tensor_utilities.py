"""Smaller parts of PyTorch's tensor API: window functions, ``vander``, ``promote_types``,
``scalar_tensor``, the functional ``fill``, ``range`` (deprecated), ``empty_strided``,
``typename``, ``is_storage``, the warn-always flag, ``index_reduce``, ``view_as_real`` and
``view_as_complex``, the top-level in-place functions (``torch.exp_``...) and the Tensor's
``mH``, ``new``, ``resize_``, ``apply_``, ``map_``, ``pin_memory``, ``share_memory_``,
``layout`` and ``is_*`` flags: values, gradients, warnings and errors."""

import warnings

import pluggrad as torch
from pluggrad.autograd import gradcheck, gradgradcheck
from pluggrad.conformance.scenarios._common import check, failure, rounded

# windows
for name in [
    "hann_window",
    "hamming_window",
    "blackman_window",
    "bartlett_window",
    "kaiser_window",
]:
    fn = getattr(torch, name)
    print(
        name,
        rounded(fn(6).tolist()),
        rounded(fn(5, False).tolist()),
        fn(1).tolist(),
        fn(0).tolist(),
    )
    w = fn(4, dtype=torch.float64, requires_grad=True)
    print(" ", str(w.dtype).split(".")[-1], w.requires_grad, w.is_leaf, rounded(w.tolist(), 12))
    failure(" neg", lambda fn=fn: fn(-1))
    failure(" int", lambda fn=fn: fn(3, dtype=torch.int64), cut="TensorOptions")
print("hamming", rounded(torch.hamming_window(5, False, 0.5, 0.2).tolist()))
print("hamming", rounded(torch.hamming_window(7, True, 0.6).tolist()))
print("kaiser", rounded(torch.kaiser_window(5, False, 5.0).tolist()))
print("kaiser", rounded(torch.kaiser_window(6, True, 0.5, dtype=torch.float64).tolist(), 10))

# vander
v = torch.tensor([1.5, -2.0, 0.5])
# values only: PyTorch 2.13's vander cannot backpropagate (its own in-place copy_ into the
# result invalidates what cumprod saved); pluggrad's can (tests/unit/test_torch_api_extras.py)
print("vander", rounded(torch.vander(v).tolist()), rounded(torch.vander(v, 4, True).tolist()))
print("vander1", torch.vander(v, N=1).tolist(), rounded(torch.vander(v, 2).tolist()))
print(
    "vander_int",
    torch.vander(torch.tensor([1, 2, 3]), 4).tolist(),
    str(torch.vander(torch.tensor([1, 2, 3]), 4).dtype).split(".")[-1],
)
print(
    "vander_bool",
    torch.vander(torch.tensor([True, False])).tolist(),
    str(torch.vander(torch.tensor([True, False])).dtype).split(".")[-1],
)
print("vander0", torch.vander(v, 0).shape == (3, 0))
failure("vander2d", lambda: torch.vander(torch.ones(2, 2)))
failure("vanderN", lambda: torch.vander(v, -1))

# promote_types, scalar_tensor, fill, range, empty_strided
pairs = [
    (torch.int8, torch.uint8),
    (torch.int32, torch.float32),
    (torch.bool, torch.int16),
    (torch.float32, torch.complex64),
    (torch.float64, torch.complex64),
    (torch.uint8, torch.bool),
]
print("promote", [str(torch.promote_types(a, b)).split(".")[-1] for a, b in pairs])
failure("promote_u64", lambda: torch.promote_types(torch.uint64, torch.int64))
failure("promote_int", lambda: torch.promote_types(1, torch.uint8), cut="must be")
s = torch.scalar_tensor(3)
print(
    "scalar_tensor",
    s.tolist(),
    s.shape == (),
    str(s.dtype).split(".")[-1],
    torch.scalar_tensor(True).tolist(),
)
s = torch.scalar_tensor(2.5, dtype=torch.float64, requires_grad=True)
print("scalar_tensor", s.item(), str(s.dtype).split(".")[-1], s.requires_grad, s.is_leaf)
failure("scalar_tensor_t", lambda: torch.scalar_tensor(torch.ones(2)))
x = torch.tensor([[1.0, -2.0], [3.0, 4.0]], requires_grad=True)
f = torch.fill(x, 2.5)
f.sum().backward()
print("fill", f.tolist(), f.requires_grad, x.grad.tolist(), x.tolist())
value = torch.tensor(1.5, requires_grad=True)
f = torch.fill(x.detach(), value)
(f * torch.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
print("fill_tensor", f.tolist(), value.grad.item())
failure("fill_1d", lambda: torch.fill(x, torch.ones(2)))
z = torch.ones(2, 2)
print("zero_", torch.zero_(z) is z, z.tolist())
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    r = torch.range(0, 1, 0.3)
print(
    "range",
    rounded(r.tolist()),
    str(r.dtype).split(".")[-1],
    str(caught[0].message),
    caught[0].category.__name__,
)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    print(
        "range",
        torch.range(1, 4, dtype=torch.int64).tolist(),
        torch.range(5, 2, -1).tolist(),
        torch.range(0.5, 2.5).tolist(),
    )
    print("range", rounded(torch.range(-1, 1, 0.1, dtype=torch.float64).tolist(), 12))
    failure("range0", lambda: torch.range(0, 1, 0))
    failure("range_sign", lambda: torch.range(0, 1, -1))
e = torch.empty_strided((2, 3), (1, 2))
print(
    "empty_strided",
    list(e.shape),
    e.stride(),
    e.is_leaf,
    torch.empty_strided((2, 2), (2, 1), requires_grad=True).requires_grad,
)
failure("empty_strided", lambda: torch.empty_strided((2, 3), (1,)))

# typename, is_storage, warn-always
print(
    "typename",
    torch.typename(torch.ones(2)),
    torch.typename(torch.ones(2, dtype=torch.int64)),
    torch.typename(3),
    torch.typename(warnings.warn),
)
print(
    "is_storage",
    torch.is_storage(torch.ones(2).untyped_storage()),
    torch.is_storage(torch.ones(2)),
    torch.is_storage([1]),
)
print("warn_always", torch.is_warn_always_enabled())
torch.set_warn_always(True)
print("warn_always", torch.is_warn_always_enabled())
torch.set_warn_always(False)

# index_reduce
base = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [2.0, 1.0]])
source = torch.tensor([[2.0, -1.0], [4.0, 3.0], [0.5, 8.0]])
index = torch.tensor([0, 2, 0])
for reduce in ["prod", "mean", "amax", "amin"]:
    for include_self in [True, False]:
        check(
            f"index_reduce {reduce} {include_self}",
            lambda b, s, r=reduce, i=include_self: torch.index_reduce(
                b, 0, index, s, r, include_self=i
            ),
            base,
            source,
        )
check(
    "index_reduce_dim1",
    lambda b, s: b.index_reduce(1, torch.tensor([1, 1]), s, "amax"),
    base[:3],
    source.t()[:, :3].t(),
)
z = base.clone()
print("index_reduce_", z.index_reduce_(0, index, source, "mean") is z, rounded(z.tolist()))
print(
    "int_mean",
    torch.tensor([[1, 2], [3, 4]])
    .index_reduce(0, torch.tensor([0, 0]), torch.tensor([[2, 5], [4, 4]]), "mean")
    .tolist(),
)
failure("index_reduce_sum", lambda: torch.index_reduce(base, 0, index, source, "sum"))
b64, s64 = base.double().requires_grad_(), source.double().requires_grad_()
print(
    "index_reduce_grads",
    gradcheck(lambda b, s: torch.index_reduce(b, 0, index, s, "prod"), [b64, s64]),
    gradgradcheck(
        lambda b, s: torch.index_reduce(b, 0, index, s, "mean", include_self=False), [b64, s64]
    ),
)

# complex views
c = torch.tensor([1.0 + 2.0j, -0.5 + 0.25j, 3.0 - 1.0j])
r = torch.view_as_real(c)
print("view_as_real", r.tolist(), str(r.dtype).split(".")[-1], list(r.shape))
back = torch.view_as_complex(r)
print("view_as_complex", back.tolist(), str(back.dtype).split(".")[-1])
print("view_as_complex64", str(torch.view_as_complex(r.double()).dtype).split(".")[-1])
leaf = c.clone().requires_grad_()
(torch.view_as_real(leaf) * torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])).sum().backward()
print("view_as_real_grad", leaf.grad.tolist())
leaf = r.clone().requires_grad_()
(torch.view_as_complex(leaf) * torch.tensor([1.0 + 1.0j, 2.0, -1.0j])).real.sum().backward()
print("view_as_complex_grad", rounded(leaf.grad.tolist()))
failure("view_as_real_f", lambda: torch.view_as_real(r))
failure("view_as_complex_3", lambda: torch.view_as_complex(torch.ones(2, 3)))
failure("view_as_complex_t", lambda: torch.view_as_complex(torch.ones(2, 2).t()))
failure("view_as_complex_long", lambda: torch.view_as_complex(torch.ones(2, 2, dtype=torch.int64)))
failure("view_as_complex_0", lambda: torch.view_as_complex(torch.tensor(1.0)))
# gradients of real inputs with complex results, in float64 (pluggrad's gradcheck perturbs real
# inputs; the complex input's gradient is compared with PyTorch's above)
r64 = torch.tensor([[1.0, 2.0], [-0.5, 0.25]], dtype=torch.float64, requires_grad=True)
print("view_grads", gradcheck(lambda a: torch.view_as_real(torch.view_as_complex(a) * 2j), [r64]))

# top-level in-place functions
for name, args in [
    ("exp_", ()),
    ("sigmoid_", ()),
    ("sqrt_", ()),
    ("abs_", ()),
    ("neg_", ()),
    ("clamp_", (0.2, 0.8)),
    ("clamp_min_", (0.5,)),
    ("round_", ()),
    ("square_", ()),
    ("logit_", ()),
    ("nan_to_num_", ()),
    ("fill_", (7.0,)),
    ("xlogy_", (2.0,)),
    ("frac_", ()),
    ("sinc_", ()),
]:
    z = torch.tensor([0.25, 0.5, 0.75, 1.5])
    out = getattr(torch, name)(z, *args)
    print(name, out is z, rounded(z.tolist()))
leaf = torch.tensor([0.25, 0.5, 0.75], requires_grad=True)
y = leaf * 2
torch.exp_(y)
y.sum().backward()
print("exp_grad", type(y.grad_fn).__name__, rounded(leaf.grad.tolist()))
z = torch.ones(3)
print(
    "index_put_", torch.index_put_(z, (torch.tensor([0, 2]),), torch.tensor(5.0)) is z, z.tolist()
)
failure("exp_leaf", lambda: torch.exp_(torch.ones(2, requires_grad=True)))

# Tensor attributes and legacy methods
m = torch.tensor([[1.0 + 1.0j, 2.0], [3.0j, 4.0 - 2.0j], [0.5, 1.0]])
print(
    "mH", m.mH.tolist(), m.mT.tolist() == m.transpose(0, 1).tolist(), m.H.tolist() == m.mH.tolist()
)
print("mH_real", torch.ones(2, 1, 3).mH.shape == (2, 3, 1), x.T.shape == (2, 2))
failure("mH_1d", lambda: torch.ones(3).mH)
leaf = m.clone().requires_grad_()
(leaf.mH * torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])).real.sum().backward()
print("mH_grad", leaf.grad.tolist())
t = torch.ones(2, dtype=torch.float64)
print(
    "new",
    t.new().tolist(),
    list(t.new(2, 3).shape),
    t.new([1, 2]).tolist(),
    str(t.new([1, 2]).dtype).split(".")[-1],
    list(t.new(torch.Size([3, 1])).shape),
    t.new((2, 3)).tolist(),
    t.new(torch.arange(3.0, dtype=torch.float64)).tolist(),
)
failure("new_float", lambda: t.new(2.5))
failure("pin_memory", lambda: t.pin_memory())
print(
    "is_pinned",
    t.is_pinned(),
    t.is_shared(),
    t.share_memory_() is t,
    t.is_shared(),
    torch.ones(1).is_shared(),
)
print(
    "flags",
    t.is_sparse,
    t.is_quantized,
    t.is_meta,
    t.is_mps,
    t.is_xpu,
    str(t.layout).split(".")[-1],
    t.layout == torch.strided,
)
a = torch.arange(6.0)
print("resize_", a.resize_(2, 2) is a, a.tolist(), list(a.resize_(5).shape), a[:4].tolist())
a = torch.arange(6.0)
print(
    "resize_as_",
    a.resize_as_(torch.ones(3, 2)).tolist(),
    torch.resize_as_(torch.arange(4.0), torch.ones(2, 2)).tolist(),
)
failure("resize_grad", lambda: torch.ones(2, requires_grad=True).resize_(3))
a = torch.arange(4.0)
print(
    "apply_",
    a.apply_(lambda v: v * v + 1) is a,
    a.tolist(),
    torch.tensor([1, 2]).apply_(lambda v: v * 3).tolist(),
)
print("map_", torch.ones(2, 3).map_(torch.arange(3.0), lambda p, q: p + q * 10).tolist())
failure("apply_grad", lambda: torch.ones(2, requires_grad=True).apply_(abs))
failure("map_grad", lambda: torch.ones(2, requires_grad=True).map_(torch.ones(2), max))
print(
    "map2_",
    torch.ones(3)
    .map2_(torch.arange(3.0), torch.full((3,), 2.0), lambda s, p, q: s + p * q)
    .tolist(),
)
failure(
    "map2_grad", lambda: torch.ones(2, requires_grad=True).map2_(torch.ones(2), torch.ones(2), max)
)
e = t.new_empty_strided((2, 3), (1, 2))
print(
    "new_empty_strided",
    list(e.shape),
    e.stride(),
    str(e.dtype).split(".")[-1],
    str(t.new_empty_strided((1,), (1,), dtype=torch.int32).dtype).split(".")[-1],
)
nz = torch.tensor([[0, 1.0], [2.0, 0]])
print(
    "nonzero_static",
    nz.nonzero_static(size=3).tolist(),
    nz.nonzero_static(size=1, fill_value=7).tolist(),
)
print(
    "more_flags",
    [
        getattr(t, f)
        for f in [
            "is_nested",
            "is_sparse_csr",
            "is_mkldnn",
            "is_xla",
            "is_ipu",
            "is_mtia",
            "is_maia",
            "is_vulkan",
        ]
    ],
)


def index_reduce_warnings():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(2):
            base.index_reduce(0, index, source, "amax")
    return len(caught)


# index_reduce warned above already: once per process, unless warn_always
print("warn_once", index_reduce_warnings())
torch.set_warn_always(True)
print("warn_always", index_reduce_warnings())
torch.set_warn_always(False)
