"""NumPy values in ``torch.tensor`` as data-loading code passes them: a NumPy scalar keeps its
dtype (``np.float64(2.5)`` makes a float64 tensor, not the default float32), and in a list
NumPy scalars and arrays count with their dtypes, Python numbers with PyTorch's defaults."""

import numpy as np

import pluggrad as torch

values = [
    np.float64(2.5),
    np.float32(2.5),
    np.int32(3),
    np.int64(3),
    np.bool_(True),
    np.uint8(3),
    [np.float64(1.5)],
    [np.float64(1.5), 2.0],
    [np.int32(1)],
    [np.int32(1), 2],
    [[np.float64(1.0)], [2.0]],
    [np.float32(1.5), np.float64(2.0)],
    [np.float32(1.5), 2],
    (np.float64(1.0), 2),
    [np.array([1.0, 2.0]), np.array([3.0, 4.0])],
    [np.array([1, 2], dtype=np.int32), [3, 4]],
    [1.5, 2.5],
    [1, 2],
]
for value in values:
    t = torch.tensor(value)
    print(str(t.dtype).split(".")[1], str(torch.as_tensor(value).dtype).split(".")[1], t.tolist())
print(str(torch.tensor(np.float64(2.0), dtype=torch.float32).dtype).split(".")[1])
x = torch.tensor([np.float64(0.5), np.float64(0.25)], requires_grad=True)
(x * x).sum().backward()
print(x.grad.tolist(), str(x.grad.dtype).split(".")[1])
