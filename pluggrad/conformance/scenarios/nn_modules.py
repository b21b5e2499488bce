"""torch.nn's Module machinery as PyTorch programs use it: registration by attribute,
iteration, state_dict round trips (NumPy values too), load errors, train/eval, requires_grad_,
zero_grad, to(dtype), forward hooks, containers, the layers' repr, init bounds and gradient
clipping."""

# the scenario passes wrong arguments on purpose, and reads .grad after backward()
# mypy: disable-error-code="arg-type, union-attr, var-annotated, has-type, func-returns-value"

import copy
import pickle
import warnings
from collections import OrderedDict

import numpy as np

import pluggrad as torch
from pluggrad import nn
from pluggrad.nn import functional as F


def show(label, *values):
    print(label, *values)


def error(label, fn):
    try:
        fn()
    except Exception as exc:
        print(label, type(exc).__name__, str(exc).splitlines()[0][:160])
    else:
        print(label, "no error")


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 4)
        self.scale = nn.Parameter(torch.ones(4, dtype=torch.float64))
        self.register_buffer("steps", torch.zeros(1))
        self.register_buffer("cache", torch.zeros(2), persistent=False)
        self.act = nn.Tanh()

    def forward(self, x):
        return self.act(self.fc(x)) * self.scale


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(Block(), nn.Linear(4, 2, bias=False))
        self.heads = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2), nn.Linear(2, 1)])
        self.extra = nn.ModuleDict({"norm": nn.LayerNorm(2), "drop": nn.Dropout(0.25)})

    def forward(self, x):
        h = self.extra["drop"](self.extra["norm"](self.body(x)))
        return sum(head(h).sum() for head in self.heads)


net = Net()
print(net)
show("parameters", [(n, list(p.shape)) for n, p in net.named_parameters()])
show("buffers", [n for n, _ in net.named_buffers()])
show("children", [n for n, _ in net.named_children()])
show("modules", [n for n, _ in net.named_modules()])
show("state_dict", list(net.state_dict().keys()))
show("types", type(net.body[0].scale).__name__, type(net.state_dict()["body.0.scale"]).__name__)
show("requires_grad", [p.requires_grad for p in net.parameters()][:3])
show("training", net.training, net.eval().training, net.body[0].act.training)
show("train again", net.train().extra["drop"].training)
show("get_submodule", net.get_submodule("body.0.fc"))
show("get_parameter", list(net.get_parameter("body.0.fc.bias").shape))
show("len", len(net.body), len(net.heads), len(net.extra), "norm" in net.extra)
show("slice", net.heads[1:])
show("dir", [n for n in dir(net.body[0]) if n in ("fc", "scale", "steps", "act")])

# a state_dict round trip with NumPy values, and the errors of a bad one
other = Net()
with torch.no_grad():
    for p in other.parameters():
        p.fill_(0.5)
# (PyTorch takes tensors made from NumPy arrays; pluggrad takes the arrays too: test_nn_modules)
result = net.load_state_dict(
    {k: torch.from_numpy(v.numpy()) for k, v in other.state_dict().items()}
)
show("load from numpy", result, net.body[1].weight.tolist())
bad = net.state_dict()
bad["body.1.weight"] = torch.zeros(3, 3)
bad["unknown"] = torch.zeros(1)
del bad["heads.0.bias"]
before = net.heads[1].weight.clone()
error("load strict", lambda: net.load_state_dict(bad))
show("unchanged", bool((net.heads[1].weight == before).all()))
del bad["body.1.weight"]
show("load non-strict", net.load_state_dict(bad, strict=False))
error("load list", lambda: net.load_state_dict([1, 2]))

# registration rules and their errors
block = Block()
error("assign tensor to parameter", lambda: setattr(block, "scale", torch.ones(4)))
block.scale = None
show("parameter set to None", block.scale, [n for n, _ in block.named_parameters()])
error("register dotted", lambda: block.register_parameter("a.b", None))
error("register existing", lambda: block.register_buffer("fc", torch.zeros(1)))
error("non-leaf parameter", lambda: block.register_parameter("w", nn.Parameter(torch.ones(2)) * 2))
error("module before init", lambda: nn.Module.__new__(nn.Module).__setattr__("m", nn.ReLU()))
error("missing attribute", lambda: block.missing)
error("no forward", lambda: nn.Module()(torch.ones(1)))
block.extra_buffer = nn.Buffer(torch.ones(3), persistent=False)
show("Buffer", [n for n, _ in block.named_buffers()], list(block.state_dict().keys()))
del block.fc
show("after del", [n for n, _ in block.named_children()])
error("unexpected kwarg", lambda: nn.Module(foo=1))

# gradients, zero_grad, requires_grad_
model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1)).double()
with torch.no_grad():
    for i, p in enumerate(model.parameters()):
        p.copy_(torch.linspace(-1, 1, p.numel(), dtype=torch.float64).reshape(p.shape) * (i + 1))
x = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]], dtype=torch.float64)
model(x).sum().backward()
show("grads", [[round(v, 6) for v in p.grad.reshape(-1).tolist()] for p in model.parameters()])
model.zero_grad(set_to_none=False)
show("zeroed", [p.grad.abs().sum().item() for p in model.parameters()])
model.zero_grad()
show("none", [p.grad for p in model.parameters()])
model.requires_grad_(False)
show("frozen", [p.requires_grad for p in model.parameters()])
dtypes = [model[0].weight.dtype, model.float()[0].weight.dtype]
show("dtype", [str(d).split(".")[1] for d in dtypes], type(model[0].weight).__name__)
try:
    model.to(torch.int64)
except TypeError as exc:  # the message ends with the dtype, which each library names
    print("to int", str(exc).split("dtype=")[0])

# hooks
calls = []
layer = nn.Linear(2, 2)
h1 = layer.register_forward_pre_hook(lambda m, args: calls.append("pre") or (args[0] * 0,))
h2 = layer.register_forward_hook(lambda m, args, out: calls.append("post") or out + 1)
out = layer(torch.ones(1, 2))
show("hooks", calls, bool(((out - layer.bias) - 1).abs().max() < 1e-6))
h1.remove()
h2.remove()
show("removed", (layer(torch.zeros(1, 2)) == layer.bias).all().item())
seen = []
handle = layer.register_forward_hook(
    lambda m, args, kwargs, out: seen.append(sorted(kwargs)), with_kwargs=True
)
layer(input=torch.ones(2))
handle.remove()
show("kwargs hook", seen)

# copies and pickles keep the parameters' values and types
clone = copy.deepcopy(layer)
show("deepcopy", type(clone.weight).__name__, clone.weight is not layer.weight,
     bool((clone.weight == layer.weight).all()))  # fmt: skip
restored = pickle.loads(pickle.dumps(layer))
show("pickle", type(restored.bias).__name__, bool((restored.bias == layer.bias).all()))
show("parameter repr", nn.Parameter(torch.tensor([1.0, 2.0])))
show("parameter frozen", nn.Parameter(torch.tensor([1, 2]), requires_grad=False))
error("parameter int", lambda: nn.Parameter(torch.tensor([1, 2])))
shared = torch.zeros(2)
p = nn.Parameter(shared)
with torch.no_grad():
    p.add_(1)
show("parameter shares", shared.tolist(), p.is_leaf, (p * 2).__class__.__name__)

# containers
seq = nn.Sequential(OrderedDict([("first", nn.Linear(2, 3)), ("act", nn.GELU())]))
seq.append(nn.Linear(3, 1))
print(seq)
ml = nn.ModuleList([nn.ReLU(), nn.ReLU(), nn.Tanh()])
ml.insert(1, nn.Sigmoid())
print(ml)
del ml[0]
show("renumbered", [n for n, _ in ml.named_children()])
error("index", lambda: ml[7])
plist = nn.ParameterList([torch.ones(2), nn.Parameter(torch.zeros(3))])
show("ParameterList", [type(p).__name__ for p in plist], [n for n, _ in plist.named_parameters()])
pdict = nn.ParameterDict({"a": torch.ones(1)})
show("ParameterDict", [n for n, _ in pdict.named_parameters()])

# the layers' repr
for module in [
    nn.Linear(4, 3, bias=False), nn.Bilinear(2, 3, 4), nn.Embedding(10, 3, padding_idx=0),
    nn.LayerNorm((4, 5)), nn.Dropout(0.1), nn.Conv1d(2, 4, 3, padding=1),
    nn.Conv2d(3, 6, (3, 5), stride=2, dilation=(1, 2), groups=3, bias=False),
    nn.Conv2d(2, 2, 3, padding="same", padding_mode="reflect"), nn.MaxPool2d(2),
    nn.MaxPool2d(3, stride=1, padding=1), nn.AvgPool2d(2, padding=1), nn.Flatten(),
    nn.Unflatten(1, (2, 2)), nn.ReLU(inplace=True), nn.LeakyReLU(0.2), nn.ELU(alpha=0.5),
    nn.GELU(approximate="tanh"), nn.Softmax(dim=1), nn.LogSoftmax(-1), nn.Softplus(2.0),
    nn.Hardtanh(-2.0, 2.0), nn.ReLU6(), nn.SiLU(), nn.Identity(), nn.MSELoss(),
    nn.CrossEntropyLoss(label_smoothing=0.1),
]:  # fmt: skip
    print(module)

# layer outputs through the functional forms, parameter shapes
emb = nn.Embedding(5, 2, padding_idx=1)
show("embedding pad row", emb.weight[1].tolist(), list(emb(torch.tensor([[1, 2]])).shape))
show("layernorm", [list(p.shape) for p in nn.LayerNorm(3).parameters()])
show("conv shapes", [list(p.shape) for p in nn.Conv2d(4, 6, 3, groups=2).parameters()])
show("flatten", list(nn.Flatten()(torch.zeros(2, 3, 4)).shape))
show("unflatten", list(nn.Unflatten(1, (2, 3))(torch.zeros(4, 6)).shape))
loss = nn.CrossEntropyLoss(reduction="sum")(torch.zeros(2, 3), torch.tensor([0, 2]))
show("cross entropy", round(loss.item(), 6))
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    legacy = nn.MSELoss(size_average=False)
show("legacy reduction", legacy.reduction, str(caught[0].message))

# init bounds (the values are random; their ranges are not)
torch.manual_seed(0)
w = torch.empty(200, 50)
nn.init.kaiming_uniform_(w, a=5**0.5)
show("kaiming bound", bool(w.abs().max() <= 1 / 50**0.5), bool(w.abs().max() > 0.9 / 50**0.5))
nn.init.xavier_uniform_(w, gain=nn.init.calculate_gain("tanh"))
show("gain", round(nn.init.calculate_gain("leaky_relu", 0.2), 6), nn.init.calculate_gain("relu"))
nn.init.trunc_normal_(w, std=0.5, a=-0.4, b=0.4)
show("trunc", bool(w.abs().max() <= 0.4))
q = nn.init.orthogonal_(torch.empty(3, 5))
show("orthogonal", np.allclose((q @ q.T).numpy(), np.eye(3), atol=1e-5))
show("eye", nn.init.eye_(torch.empty(2, 3)).tolist())
show("constant", nn.init.constant_(torch.empty(2), 0.5).tolist())
error("fan", lambda: nn.init.xavier_uniform_(torch.empty(3)))
error("gain", lambda: nn.init.calculate_gain("cubic"))

# gradient clipping
params = [torch.tensor([3.0, 4.0], requires_grad=True), torch.tensor([12.0], requires_grad=True)]
(params[0].sum() * 1 + (params[1] ** 2).sum() / 2).backward()
params[0].grad = torch.tensor([3.0, 4.0])
total = nn.utils.clip_grad_norm_(params, max_norm=6.5)
show("clip norm", round(total.item(), 5), [round(v, 5) for v in params[0].grad.tolist()])
total = nn.utils.clip_grad_norm_(params, max_norm=1.0, norm_type=float("inf"))
show("clip inf", round(total.item(), 5), [round(v, 5) for v in params[1].grad.tolist()])
nn.utils.clip_grad_value_(params, 0.1)
show("clip value", [round(v, 5) for v in params[0].grad.tolist()])
vec = nn.utils.parameters_to_vector(params)
show("to vector", vec.tolist())
nn.utils.vector_to_parameters(vec * 0 + 1, params)
show("from vector", [p.tolist() for p in params])
show("F", round(F.relu(torch.tensor(-1.0)).item(), 3))
