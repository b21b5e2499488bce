"""``DataLoader``: batches of a dataset's samples, in the order of a sampler, collated into
tensors as PyTorch's ``default_collate`` does."""

from __future__ import annotations

import collections.abc
import numbers
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from ... import _dtypes
from ..._core.tensor import Tensor
from ...backends import has_gpu
from ...ops._generator import draw_seed
from ...ops.creation import asarray, tensor
from ...ops.manipulation import stack
from .dataset import IterableDataset, TensorDataset
from .sampler import BatchSampler, RandomSampler, SequentialSampler

__all__ = ["DataLoader", "default_collate"]

_COLLATE_ERROR = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"
)


def default_collate(batch: Sequence) -> Any:
    """PyTorch's batching of a list of samples: tensors (and NumPy arrays) stacked along a new
    first dimension, numbers made a tensor (float64 for floats, int64 for ints), strings kept
    as they come (the batch's list, or a field's tuple), and dicts, named tuples and sequences
    collated field by field (a tuple of fields gives a list, as in PyTorch)."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        return stack(batch, 0)
    if isinstance(elem, np.ndarray) and elem.dtype.kind not in "SUO":
        return stack([asarray(b) for b in batch], 0)
    if isinstance(elem, np.generic):
        return asarray(np.array(batch))
    if isinstance(elem, bool) or isinstance(elem, numbers.Integral):
        return tensor(batch)
    if isinstance(elem, float):
        return tensor(batch, dtype=_dtypes.float64)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        return {key: default_collate([d[key] for d in batch]) for key in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # a named tuple
        return type(elem)(*(default_collate(s) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        if any(len(e) != len(elem) for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        # each field's samples as ``zip`` gives them, a tuple: strings stay one (PyTorch)
        return [default_collate(samples) for samples in zip(*batch)]
    raise TypeError(_COLLATE_ERROR.format(type(elem)))


def _convert(sample: Any) -> Any:
    """Without batching (``batch_size=None``): NumPy arrays become tensors, the rest stays."""
    if isinstance(sample, np.ndarray) and sample.dtype.kind not in "SUO":
        return asarray(sample)
    if isinstance(sample, collections.abc.Mapping):
        return {k: _convert(v) for k, v in sample.items()}
    if isinstance(sample, tuple) and hasattr(sample, "_fields"):  # a named tuple
        return type(sample)(*(_convert(s) for s in sample))
    if isinstance(sample, (list, tuple)):  # a list, as PyTorch's default_convert gives
        return [_convert(s) for s in sample]
    return sample


class DataLoader:
    """Iterate over `dataset` in batches, as ``torch.utils.data.DataLoader``.

    Parameters
    ----------
    dataset : Dataset
        Map-style (``__getitem__`` and ``__len__``) or an :class:`IterableDataset`.
    batch_size : int or None
        Samples per batch (default 1); None yields single samples, not collated.
    shuffle : bool
        A new random order each epoch (``RandomSampler`` with `generator`).
    sampler, batch_sampler
        Custom orders of indices, or of lists of indices (PyTorch's exclusions apply).
    collate_fn : callable
        Makes a batch from a list of samples (default :func:`default_collate`).
    drop_last : bool
        Drop the last, shorter batch.
    generator : Generator
        The generator shuffling draws from (pluggrad's default generator when None).
    num_workers, pin_memory, timeout, worker_init_fn, prefetch_factor, persistent_workers
        Accepted for PyTorch's signature: batches are made in the calling process, in the
        same order PyTorch's workers deliver them (``in_order=True``).
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Any = None,
        batch_sampler: Any = None,
        num_workers: int = 0,
        collate_fn: Callable | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable | None = None,
        multiprocessing_context: Any = None,
        generator: Any = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
    ) -> None:
        if num_workers < 0:
            raise ValueError(
                "num_workers option should be non-negative; use num_workers=0 to disable "
                "multiprocessing."
            )
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        self.dataset = dataset
        self.num_workers = num_workers
        self.pin_memory = pin_memory
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.generator = generator
        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            if shuffle not in (None, False):
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified shuffle option, "
                    f"but got shuffle={shuffle}"
                )
            if sampler is not None or batch_sampler is not None:
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified sampler option, "
                    f"but got sampler={sampler if sampler is not None else batch_sampler}"
                )
        elif sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "batch_sampler option is mutually exclusive with batch_size, shuffle, "
                    "sampler, and drop_last"
                )
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError(
                "batch_size=None option disables auto-batching and is mutually exclusive with "
                "drop_last"
            )
        if sampler is None and not self._iterable:
            sampler = (
                RandomSampler(dataset, generator=generator) if shuffle
                else SequentialSampler(dataset)
            )  # fmt: skip
        if batch_size is not None and batch_sampler is None and not self._iterable:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self._auto_collation = batch_sampler is not None or (
            self._iterable and batch_size is not None
        )
        self.collate_fn = collate_fn or (default_collate if self._auto_collation else _convert)

    def __len__(self) -> int:
        if self._iterable:
            n = len(self.dataset)
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        return len(self.batch_sampler if self._auto_collation else self.sampler)

    def __iter__(self) -> Iterator[Any]:
        # PyTorch's iterator draws its workers' base seed from `generator` when it starts (one
        # draw that moves the stream, workers or not)
        draw_seed(self.generator)
        if self.pin_memory and not has_gpu():  # PyTorch's iterator says so as it starts
            warnings.warn(
                "'pin_memory' argument is set as true but no accelerator is found, then device "
                "pinned memory won't be used.",
                UserWarning,
                stacklevel=2,
            )
        return self._iterate()

    def _iterate(self) -> Iterator[Any]:
        if self._iterable:
            yield from self._iterate_stream()
            return
        if not self._auto_collation:
            for index in self.sampler:
                yield self.collate_fn(self.dataset[index])
            return
        # a TensorDataset batched by default_collate: one gather per tensor gives the stacked
        # rows (what collating each sample would give), without a Python loop over samples
        fast = type(self.dataset) is TensorDataset and self.collate_fn is default_collate
        for indices in self.batch_sampler:
            if fast:
                index = tensor(list(indices))
                yield [t[index] for t in self.dataset.tensors]
            else:
                yield self.collate_fn([self.dataset[i] for i in indices])

    def _iterate_stream(self) -> Iterator[Any]:
        if self.batch_size is None:
            for sample in self.dataset:
                yield self.collate_fn(sample)
            return
        batch: list = []
        for sample in self.dataset:
            batch.append(sample)
            if len(batch) == self.batch_size:
                yield self.collate_fn(batch)
                batch = []
        if batch and not self.drop_last:
            yield self.collate_fn(batch)
