# A small GAN step with a spectral-normalised discriminator and a weight-normalised generator
# (torch.nn.utils.spectral_norm / weight_norm and their parametrizations versions).
import torch
import torch.nn as nn
from torch.nn.utils import parametrizations as P
from torch.nn.utils import spectral_norm, weight_norm

torch.manual_seed(0)
G = nn.Sequential(weight_norm(nn.Linear(4, 8)), nn.ReLU(), weight_norm(nn.Linear(8, 2), dim=None))
D = nn.Sequential(spectral_norm(nn.Linear(2, 8)), nn.LeakyReLU(0.2), spectral_norm(nn.Linear(8, 1)))
print(sorted(n for n, _ in G.named_parameters()))
print(sorted(n for n, _ in D.named_parameters()), sorted(n for n, _ in D.named_buffers()))
print(G[0].weight_g.shape, G[2].weight_g.shape, G[0].weight_v.shape)
optG = torch.optim.Adam(G.parameters(), lr=1e-2, betas=(0.5, 0.999))
optD = torch.optim.Adam(D.parameters(), lr=1e-2, betas=(0.5, 0.999))
crit = nn.BCEWithLogitsLoss()
real = torch.randn(16, 2) * 0.5 + 1.0
for step in range(3):
    z = torch.randn(16, 4)
    fake = G(z)
    optD.zero_grad()
    lossD = crit(D(real), torch.ones(16, 1)) + crit(D(fake.detach()), torch.zeros(16, 1))
    lossD.backward()
    optD.step()
    optG.zero_grad()
    lossG = crit(D(fake), torch.ones(16, 1))
    lossG.backward()
    optG.step()
    print(step, round(lossD.item(), 4), round(lossG.item(), 4))
sigma = torch.linalg.matrix_norm(D[0].weight.detach(), 2)
print(round(sigma.item(), 2))
D.eval()
with torch.no_grad():
    print(D(real[:3]).round(decimals=3))

torch.manual_seed(0)
lin = P.spectral_norm(nn.Linear(5, 3))
print(sorted(n for n, _ in lin.named_parameters()), sorted(n for n, _ in lin.named_buffers()))
lin.train()
for _ in range(10):
    w = lin.weight
print(round(torch.linalg.matrix_norm(w.detach(), 2).item(), 3))
lw = P.weight_norm(nn.Linear(5, 3))
print(sorted(n for n, _ in lw.named_parameters()), lw.parametrizations.weight.original0.shape)
print(torch.allclose(lw.weight, nn.Linear(5, 3).weight) is False)
