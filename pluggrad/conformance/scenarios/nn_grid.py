"""Spatial transformers: F.affine_grid (2-D and 3-D, align_corners both ways) and F.grid_sample
(bilinear and nearest; zeros, border and reflection padding; points outside the image and on
its edges), with the gradients with respect to the image and to the grid; PyTorch's errors."""

import pluggrad as torch
from pluggrad.conformance.scenarios._common import failure
from pluggrad.nn import functional as F


def show(label, t):  # (+ 0.0: the sign of a zero gradient at a point off the image is not kept)
    print(label, [round(v, 6) + 0.0 for v in t.detach().reshape(-1).tolist()])


theta = torch.tensor([[[0.9, -0.3, 0.1], [0.2, 1.1, -0.2]],
                      [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]], dtype=torch.float64)  # fmt: skip
for align in (False, True):
    show(f"affine_grid align={align}", F.affine_grid(theta, (2, 1, 2, 3), align_corners=align))
theta3 = torch.linspace(-1, 1, 12, dtype=torch.float64).reshape(1, 3, 4)
show("affine_grid 3d", F.affine_grid(theta3, (1, 1, 2, 2, 2), align_corners=False))

image = torch.linspace(-2, 3, 2 * 2 * 4 * 5, dtype=torch.float64).reshape(2, 2, 4, 5).cos()
points = torch.linspace(-1.3, 1.3, 2 * 3 * 4 * 2, dtype=torch.float64).reshape(2, 3, 4, 2)
points = points * torch.tensor([1.0, -0.8], dtype=torch.float64)
edges = torch.tensor([[-1.0, -1.0], [1.0, 1.0], [0.0, 0.0], [1.0, -1.0]], dtype=torch.float64)
points = torch.cat([points, edges.reshape(1, 1, 4, 2).expand(2, 1, 4, 2)], dim=1)
weights = torch.linspace(0.5, 1.5, 2 * 2 * 4 * 4, dtype=torch.float64).reshape(2, 2, 4, 4)
for mode in ("bilinear", "nearest"):
    for padding in ("zeros", "border", "reflection"):
        for align in (False, True):
            x = image.clone().requires_grad_()
            g = points.clone().requires_grad_()
            out = F.grid_sample(x, g, mode, padding, align)
            (out * weights).sum().backward()
            label = f"{mode} {padding} align={align}"
            show(label, out)
            show(label + " d/dinput", x.grad)
            show(label + " d/dgrid", g.grad if g.grad is not None else torch.zeros_like(g))

sampled = F.grid_sample(image, F.affine_grid(theta, (2, 2, 3, 3), align_corners=False),
                        align_corners=False)  # fmt: skip
show("spatial transformer", sampled)
failure("theta shape", lambda: F.affine_grid(theta, (2, 1, 2, 2, 2), align_corners=False), " Got")
failure("integer theta", lambda: F.affine_grid(theta.long(), (2, 1, 2, 3), align_corners=False),
        " but got")  # fmt: skip
failure("mode", lambda: F.grid_sample(image, points, mode="area", align_corners=False))
failure("padding", lambda: F.grid_sample(image, points, padding_mode="wrap", align_corners=False))
