"""``pluggrad.utils.data``: PyTorch's datasets, samplers and ``DataLoader``.

A training loop written for ``torch.utils.data`` runs unchanged: ``TensorDataset``,
``Subset``, ``ConcatDataset``, ``random_split``, the samplers, and a ``DataLoader`` that batches
with PyTorch's ``default_collate`` and shuffles with pluggrad's generators.
"""

from __future__ import annotations

from .dataloader import DataLoader, default_collate
from .dataset import ConcatDataset, Dataset, IterableDataset, Subset, TensorDataset, random_split
from .sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)

__all__ = [
    "Dataset", "IterableDataset", "TensorDataset", "Subset", "ConcatDataset", "random_split",
    "Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler",
    "BatchSampler",
    "DataLoader", "default_collate",
]  # fmt: skip
