"""torch.utils.data as training scripts use it: TensorDataset, DataLoader batching (sizes,
drop_last, batch_size=None), default_collate of tuples, dicts, numbers, strings and NumPy
arrays, Subset, ConcatDataset, random_split's lengths, samplers, and their errors (the random
orders themselves differ between libraries: only their properties are printed)."""

import warnings
from collections import namedtuple

import numpy as np

import pluggrad as torch
from pluggrad.utils.data import (
    BatchSampler,
    ConcatDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    SequentialSampler,
    Subset,
    TensorDataset,
    default_collate,
    random_split,
)


def error(label, fn):
    try:
        fn()
    except Exception as exc:
        print(label, type(exc).__name__, str(exc).splitlines()[0][:120])
    else:
        print(label, "no error")


def describe(value):
    if isinstance(value, torch.Tensor):
        return f"tensor{list(value.shape)}:{str(value.dtype).split('.')[1]}:{value.tolist()}"
    if isinstance(value, dict):
        return {k: describe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return f"{type(value).__name__}" + str([describe(v) for v in value])
    return repr(value)


x = torch.arange(14, dtype=torch.float32).reshape(7, 2)
y = torch.arange(7)
ds = TensorDataset(x, y)
print("len", len(ds), describe(ds[3]))
for batch_size, drop_last in [(3, False), (3, True), (7, False), (10, False)]:
    loader = DataLoader(ds, batch_size=batch_size, drop_last=drop_last)
    print("loader", batch_size, drop_last, len(loader), [describe(b) for b in loader])
print("no batching", [describe(b) for b in DataLoader(ds, batch_size=None)][:2])
error("size mismatch", lambda: TensorDataset(x, torch.arange(3)))


class Samples(Dataset):
    Point = namedtuple("Point", ["x", "y"])

    def __len__(self):
        return 4

    def __getitem__(self, i):
        return {
            "image": np.full((2, 2), i, dtype=np.float32),
            "label": i,
            "weight": i / 2,
            "name": f"s{i}",
            "pair": (torch.tensor([i, -i]), i * 10),
            "point": self.Point(i, float(i)),
        }


for batch in DataLoader(Samples(), batch_size=3):
    print("collate", describe(batch))
print("numbers", describe(default_collate([1, 2, 3])), describe(default_collate([1.5, 2.0])))
print("numpy scalars", describe(default_collate([np.float32(1.0), np.float32(2.5)])))
error("collate object", lambda: default_collate([object(), object()]))
error("collate unequal", lambda: default_collate([[1, 2], [3]]))

sub = Subset(ds, [6, 0, 3])
print("subset", len(sub), [describe(b) for b in DataLoader(sub, batch_size=2)])
both = ConcatDataset([ds, sub])
print("concat", len(both), describe(both[7]), describe(both[-1]), len(ds + sub))
torch.manual_seed(0)
parts = random_split(ds, [4, 3])
print("split", [len(p) for p in parts], sorted(parts[0].indices + parts[1].indices))
parts = random_split(range(10), [0.5, 0.3, 0.2])
print("split fractions", [len(p) for p in parts])
error("split sum", lambda: random_split(ds, [3, 3]))

order = [int(b[1].item()) for b in DataLoader(ds, batch_size=1, shuffle=True)]
print("shuffled", sorted(order), len(order))
print("sequential", list(SequentialSampler(ds)))
print("batches", list(BatchSampler(SequentialSampler(range(5)), 2, drop_last=False)))
print("batches dropped", len(BatchSampler(range(5), 2, drop_last=True)))
print("random with replacement", len(list(RandomSampler(ds, replacement=True, num_samples=11))))
drawn = list(RandomSampler(range(3), num_samples=5))  # a permutation, then part of another
print("random more samples", len(drawn), sorted(set(drawn)))
error("shuffle and sampler", lambda: DataLoader(ds, shuffle=True, sampler=SequentialSampler(ds)))
error("batch_sampler", lambda: DataLoader(ds, batch_size=2, batch_sampler=[[0, 1]]))
error("batch_size None", lambda: DataLoader(ds, batch_size=None, drop_last=True))
error("bad batch size", lambda: BatchSampler(range(3), 0, False))
error("num_samples", lambda: RandomSampler(ds, num_samples=0))
print("batch_sampler", [describe(b) for b in DataLoader(ds, batch_sampler=[[0, 1], [5]])])


class Stream(IterableDataset):
    def __iter__(self):
        return iter(range(5))


print("iterable", [describe(b) for b in DataLoader(Stream(), batch_size=2)])
print(
    "iterable drop_last", [describe(b) for b in DataLoader(Stream(), batch_size=2, drop_last=True)]
)
error("iterable shuffle", lambda: DataLoader(Stream(), shuffle=True))

with warnings.catch_warnings(record=True) as caught:  # pinning needs an accelerator
    warnings.simplefilter("always")
    pinned = [describe(b) for b in DataLoader(ds, batch_size=4, pin_memory=True)]
NO_ACCELERATOR = (
    "'pin_memory' argument is set as true but no accelerator is found, then device pinned "
    "memory won't be used."
)
said = [str(w.message) for w in caught if "pin_memory" in str(w.message)]
print("pin_memory", pinned, said == ([] if torch.cuda.is_available() else [NO_ACCELERATOR]))
