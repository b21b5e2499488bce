"""pluggrad.backends._host_memory: glibc keeps a training step's freed arrays for the next."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from pluggrad.backends import _host_memory


def test_the_users_choice_and_other_platforms_are_left_alone():
    assert _host_memory.wanted({}, "linux")
    assert not _host_memory.wanted({"PLUGGRAD_KEEP_FREED_MEMORY": "0"}, "linux")
    assert not _host_memory.wanted({"MALLOC_TRIM_THRESHOLD_": "0"}, "linux")
    assert not _host_memory.wanted({"MALLOC_MMAP_THRESHOLD_": "65536"}, "linux")
    assert not _host_memory.wanted({}, "darwin")
    assert not _host_memory.wanted({}, "win32")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_freed_arrays_are_reused_without_page_faults():
    # a step that frees a 4 MiB array and allocates it again: with glibc's own thresholds
    # the pages go back to the system and are faulted in again (511 faults for 20 steps
    # here); with pluggrad's the heap keeps them
    program = textwrap.dedent(
        """
        import resource, sys
        import numpy as np
        from pluggrad.backends import _host_memory
        if not _host_memory.keep_freed_memory():
            sys.exit(3)
        a = np.ones(2**19)  # 4 MiB
        del a
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        for _ in range(20):
            a = np.ones(2**19)
            del a
        print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
        """
    )
    env = {k: v for k, v in os.environ.items() if k not in ("PLUGGRAD_KEEP_FREED_MEMORY",
           "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")}  # fmt: skip
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, env=env)
    if done.returncode == 3:
        pytest.skip("not glibc")
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) < 16  # 1024 pages were allocated 20 times
