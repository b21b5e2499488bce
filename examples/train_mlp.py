"""Train an MLP on 8x8 digit images with pluggrad, written as a PyTorch program.

    python examples/train_mlp.py                          # NumPy, eager
    python examples/train_mlp.py --backend jax --compile  # each step one XLA program
    python examples/train_mlp.py --plot mlp-loss.png

The loop is PyTorch's: ``optimizer.zero_grad()``, ``loss.backward()``, ``optimizer.step()``,
``scheduler.step()``; ``import pluggrad as torch`` is the only change.
"""

from __future__ import annotations

from _common import images, parse_args, progress, report

import pluggrad as torch
from pluggrad import nn, optim
from pluggrad.utils.data import DataLoader, TensorDataset

args = parse_args(__doc__.splitlines()[0])
if args.backend:
    torch.set_backend(args.backend)
torch.manual_seed(0)

x, y = images(limit=args.limit)
split = int(0.8 * len(y))
train_x, test_x = (
    torch.tensor(x[:split].reshape(split, 64)),
    torch.tensor(x[split:].reshape(-1, 64)),
)
train_y, test_y = torch.tensor(y[:split]), torch.tensor(y[split:])
train_x, test_x = train_x.float(), test_x.float()

model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Dropout(0.1), nn.Linear(128, 10))
optimizer = optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-2)
loader = DataLoader(TensorDataset(train_x, train_y), batch_size=args.batch_size, shuffle=True)
steps_per_epoch = len(loader)
scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs * steps_per_epoch)
loss_fn = nn.CrossEntropyLoss()


def train_step(inputs, labels):
    optimizer.zero_grad()
    loss = loss_fn(model(inputs), labels)
    loss.backward()
    optimizer.step()
    return loss


step = torch.compile(train_step) if args.compile else train_step
losses = []
bar = progress(args.epochs * steps_per_epoch, "mlp")
for _ in range(args.epochs):
    model.train()
    for inputs, labels in loader:
        loss = step(inputs, labels)
        scheduler.step()
        losses.append(loss.item())
        bar.set_postfix(loss=losses[-1])
        bar.update()
bar.close()
report(model, test_x, test_y, losses, args.plot, "MLP")
