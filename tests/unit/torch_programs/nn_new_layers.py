# Layers and losses: MaxUnpool2d after MaxPool2d(return_indices=True), LPPool2d, CTCLoss on a
# tiny problem (with its gradient), MultiMarginLoss, LazyBatchNorm1d materialising.
import torch
import torch.nn as nn

torch.manual_seed(0)
pool = nn.MaxPool2d(2, stride=2, return_indices=True)
unpool = nn.MaxUnpool2d(2, stride=2)
inp = torch.tensor([[[[1.0, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]]]])
output, indices = pool(inp)
print(indices)
print(unpool(output, indices))
print(unpool(output, indices, output_size=torch.Size([1, 1, 5, 5])))
print(unpool)

lp = nn.LPPool2d(2, 3, stride=2)
x = torch.randn(1, 2, 6, 6)
print(lp, lp(x).shape, lp(x).round(decimals=3))
lp1 = nn.LPPool1d(1, 2)
print(lp1(torch.tensor([[[1.0, -2.0, 3.0, 4.0]]])))

T, C, N, S = 6, 4, 2, 3
torch.manual_seed(1)
log_probs = torch.randn(T, N, C).log_softmax(2).detach().requires_grad_()
targets = torch.randint(1, C, (N, S), dtype=torch.long)
input_lengths = torch.full((N,), T, dtype=torch.long)
target_lengths = torch.tensor([3, 2])
ctc = nn.CTCLoss()
loss = ctc(log_probs, targets, input_lengths, target_lengths)
loss.backward()
print(ctc, round(loss.item(), 4))
print(log_probs.grad.abs().sum().round(decimals=3), log_probs.grad.shape)
none = nn.CTCLoss(reduction="none", zero_infinity=True)(
    log_probs, targets, input_lengths, target_lengths
)
print(none.round(decimals=4))
short = nn.CTCLoss(reduction="sum", zero_infinity=True)(
    log_probs[:1], targets, torch.tensor([1, 1]), target_lengths
)
print(short)

mm = nn.MultiMarginLoss()
x = torch.tensor([[0.1, 0.2, 0.4, 0.8]])
y = torch.tensor([3])
print(mm(x, y))
xs = torch.randn(4, 5, requires_grad=True)
ys = torch.tensor([0, 2, 4, 1])
l2 = nn.MultiMarginLoss(p=2, margin=0.5, weight=torch.tensor([1.0, 2.0, 1.0, 0.5, 1.0]))
out = l2(xs, ys)
out.backward()
print(l2, round(out.item(), 4), xs.grad.round(decimals=4))
print(nn.MultiMarginLoss(reduction="none")(xs, ys).detach().round(decimals=4))

bn = nn.LazyBatchNorm1d()
print(bn, bn.weight)
data = torch.randn(8, 3) * 2 + 1
out = bn(data)
print(bn, type(bn).__name__, bn.weight.shape, bn.num_batches_tracked)
print(bn.running_mean.round(decimals=4), out.mean(0).abs().max() < 1e-5)
lin = nn.LazyLinear(2)
net = nn.Sequential(lin, nn.LazyBatchNorm1d())
print(net(data).shape, net)
