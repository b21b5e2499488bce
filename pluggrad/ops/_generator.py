"""``pluggrad.Generator`` and the default generator (``manual_seed``, ``seed``,
``initial_seed``, ``get_rng_state``, ``set_rng_state``), exported by :mod:`pluggrad.ops.random`:
a generator holds a seed and, for each backend it has drawn on, that backend's stream; the
NumPy-fed backends share one :class:`~pluggrad.backends._random.CPUGenerator` (PyTorch's CPU
generator).  See :mod:`pluggrad.ops.random`."""

from __future__ import annotations

import os
import pickle

import numpy as np

from .. import _dtypes
from .._core.tensor import Tensor
from ..backends import Backend
from ..backends._random import CPUGenerator, RandomSource, check_seeding
from ._leaf import resolve_backend as _backend
from ._leaf import tensor

__all__ = [
    "DEFAULT_SEED", "Generator", "default_generator", "manual_seed", "seed", "initial_seed",
    "get_rng_state", "set_rng_state", "draw_seed", "stream",
]  # fmt: skip


#: PyTorch's seed of a new ``torch.Generator()``
DEFAULT_SEED = 67280421310721


class Generator:
    """A source of random numbers, as ``torch.Generator``: ``generator=`` of every sampler.

    Parameters
    ----------
    device : str or device, optional
        Accepted for PyTorch compatibility: a generator serves every backend (each from its own
        stream, made from the generator's seed when it is first used there).

    Examples
    --------
    >>> g = pluggrad.Generator().manual_seed(0)
    >>> a = pluggrad.rand(3, generator=g)
    >>> b = pluggrad.rand(3, generator=g.manual_seed(0))
    >>> bool((a == b).all())
    True
    """

    def __init__(self, device=None) -> None:
        self.device = device if device is not None else "cpu"
        self._seed = DEFAULT_SEED
        self._sources: dict[Backend, RandomSource] = {}
        self._cpu = CPUGenerator(DEFAULT_SEED)

    def manual_seed(self, seed) -> Generator:
        """Seed the generator (every backend's stream starts again from `seed`); returns it."""
        seed = int(seed)
        if not -(2**63) <= seed < 2**64:
            raise RuntimeError(f"Overflow when unpacking long: {seed}")
        check_seeding("manual_seed()")
        self._seed = seed % 2**64
        self._sources.clear()
        self._cpu.manual_seed(self._seed)
        return self

    def seed(self) -> int:
        """Seed the generator from the operating system's entropy; returns the seed."""
        check_seeding("seed()")
        self.manual_seed(int.from_bytes(os.urandom(8), "little") >> 1)
        return self._seed

    def initial_seed(self) -> int:
        """The seed the generator's streams started from."""
        return self._seed

    def get_state(self) -> Tensor:
        """The generator's state as a uint8 tensor (for :meth:`set_state`): PyTorch's 5056
        bytes of the CPU generator, followed by the pickled streams of backends with their own
        generators (JAX's keys) when it has drawn on one."""
        blob = self._cpu.get_state()
        own = {b.name: s.get_state() for b, s in self._sources.items() if not shares_cpu(s)}
        if own:
            extra = np.frombuffer(pickle.dumps(own), dtype=np.uint8)
            blob = np.concatenate([blob, extra])
        return tensor(blob.copy(), dtype=_dtypes.uint8)

    def set_state(self, new_state: Tensor) -> Generator:
        """Restore a state returned by :meth:`get_state` (or PyTorch's
        ``torch.get_rng_state()``, saved); returns the generator."""
        if not isinstance(new_state, Tensor) or new_state.dtype is not _dtypes.uint8:
            raise TypeError("expected a torch.ByteTensor, as returned by get_state()")
        blob = new_state.numpy()
        size = CPUGenerator.STATE_BYTES
        if blob.size < size:
            raise RuntimeError("RNG state is wrong size")
        check_seeding("set_state()")
        cpu = CPUGenerator(0)
        cpu.set_state(blob[:size])
        self.manual_seed(cpu.seed)
        self._cpu.set_state(blob[:size])
        if blob.size > size:
            for backend_name, state in pickle.loads(blob[size:].tobytes()).items():
                self.source(_backend(backend_name)).set_state(state)
        return self

    def source(self, backend: Backend):
        """This generator's stream on `backend` (made from the seed on first use; the
        NumPy-fed backends share the generator's one CPU stream)."""
        source = self._sources.get(backend)
        if source is None:
            source = self._sources[backend] = backend.random_source(self._seed)
            source.generator = self  # (what pluggrad.compile threads the source's key through)
            if shares_cpu(source):
                source.engine = self._cpu
        return source

    def __repr__(self) -> str:
        return f"<pluggrad.Generator object at {hex(id(self))}>"


def shares_cpu(source: RandomSource) -> bool:
    return isinstance(getattr(source, "engine", None), CPUGenerator)


# PyTorch seeds its default generator from the operating system at start-up
default_generator = Generator()
default_generator.seed()


def manual_seed(seed) -> Generator:
    """Seed the default generator (every backend's stream); returns it."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the default generator non-deterministically; returns the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """The default generator's seed."""
    return default_generator.initial_seed()


def get_rng_state() -> Tensor:
    """The default generator's state (a uint8 tensor)."""
    return default_generator.get_state()


def set_rng_state(new_state: Tensor) -> None:
    """Restore the default generator's state from :func:`get_rng_state`."""
    check_seeding("set_rng_state()")
    default_generator.set_state(new_state)


def draw_seed(generator: Generator | None = None) -> int:
    """A seed drawn from `generator` (the default one when None), as PyTorch's
    ``torch.empty((), dtype=torch.int64).random_(generator=generator).item()`` draws the seeds
    of ``RandomSampler``'s generator and of a ``DataLoader``'s workers."""
    backend = _backend(None)
    source = stream(generator, backend)
    # random_() on int64 is random64() % 2**63; JAX's randint takes int64 bounds only
    high = 2**63 if shares_cpu(source) else 2**63 - 1
    draw = source.integers(0, high, (), backend.to_native[_dtypes.int64])
    return int(backend.to_numpy(draw))


def stream(generator: Generator | None, backend: Backend):
    if generator is None:
        generator = default_generator
    elif not isinstance(generator, Generator):
        raise TypeError(f"generator must be a pluggrad.Generator, got {type(generator).__name__}")
    return generator.source(backend)
