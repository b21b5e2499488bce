"""Train a small CNN on 8x8 digit images with pluggrad, written as a PyTorch program.

    python examples/train_cnn.py                          # NumPy, eager
    python examples/train_cnn.py --backend jax --compile  # each step one XLA program
    python examples/train_cnn.py --plot cnn-loss.png

Conv2d, MaxPool2d, Flatten and Linear layers, cross entropy, SGD with Nesterov momentum and a
step schedule, gradient clipping; ``import pluggrad as torch`` is the only change from PyTorch.
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
images_ = torch.tensor(x[:, None]).float()  # (n, 1, 8, 8)
train_x, test_x = images_[:split], images_[split:]
train_y, test_y = torch.tensor(y[:split]), torch.tensor(y[split:])


class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),  # 16 x 4 x 4
            nn.Conv2d(16, 32, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),  # 32 x 2 x 2
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(32 * 2 * 2, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


model = SmallCNN()
optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True)
loader = DataLoader(TensorDataset(train_x, train_y), batch_size=args.batch_size, shuffle=True)
steps_per_epoch = len(loader)
scheduler = optim.lr_scheduler.StepLR(
    optimizer, step_size=max(1, args.epochs // 3) * steps_per_epoch, gamma=0.3
)


def train_step(inputs, labels):
    optimizer.zero_grad()
    loss = nn.functional.cross_entropy(model(inputs), labels)
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
    optimizer.step()
    return loss


step = torch.compile(train_step) if args.compile else train_step
losses = []
bar = progress(args.epochs * steps_per_epoch, "cnn")
for _ in range(args.epochs):
    model.train()
    for inputs, labels in loader:
        loss = step(inputs, labels)
        scheduler.step()
        losses.append(loss.item())
        bar.set_postfix(loss=losses[-1])
        bar.update()
bar.close()
report(model, test_x, test_y, losses, args.plot, "CNN")
