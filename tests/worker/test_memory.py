"""The prefork children's glibc settings (worker/memory.py): buffers below 4 MiB are reused
from the heap without new page faults, larger ones stay on mmap and go back when freed."""

from __future__ import annotations

import subprocess
import sys

import pytest

from core.config import PROJECT_ROOT

PROBE_HEAD = """
import ctypes, resource, sys
from worker import memory
if sys.argv[1] == "fixed":
    assert memory.tune_malloc()
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
libc.malloc.argtypes = [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
libc.memset.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t]
def in_heap(address):
    heap = next(line for line in open("/proc/self/maps") if line.rstrip().endswith("[heap]"))
    start, end = (int(part, 16) for part in heap.split()[0].split("-"))
    return start <= address < end
"""

# A buffer above the threshold, freed, then asked for again: by default glibc raises its
# threshold on the free and serves the second from the heap, where it would stay resident.
LARGE = (
    PROBE_HEAD
    + """
libc.free(libc.malloc(8 << 20))
print("heap" if in_heap(libc.malloc(8 << 20)) else "mmap")
"""
)

# What an image's analysis does with its working buffers: allocate and fill 2 MiB, free it,
# then again for the next image. Prints the page faults the second round cost.
REUSE = (
    PROBE_HEAD
    + """
pin = libc.malloc(64)  # something live below, as in a real heap
block = libc.malloc(2 << 20); libc.memset(block, 1, 2 << 20); libc.free(block)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
block = libc.malloc(2 << 20); libc.memset(block, 1, 2 << 20)
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""
)

# The first version of the module: a 128 KiB threshold (glibc's initial value, kept).
OLD_POLICY = "import ctypes; ctypes.CDLL(None).mallopt(-3, 128 * 1024)\n"


def _run(probe: str, mode: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", probe, mode], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")


def test_large_buffers_stay_on_mmap_once_the_threshold_is_fixed() -> None:
    assert _run(LARGE, "default") == "heap"  # glibc's dynamic threshold: the creep this prevents
    assert _run(LARGE, "fixed") == "mmap"


def test_the_next_image_reuses_the_last_ones_buffers_without_page_faults() -> None:
    """Each fault costs microseconds in a VM; thousands per image were 17 ms of a 45 ms analysis."""
    assert int(_run(REUSE, "fixed")) < 16
    # With the threshold fixed at 128 KiB the 2 MiB buffer is mapped afresh every time: one
    # fault per 4 KiB page. Proves the probe can tell the two apart.
    assert int(_run(OLD_POLICY + REUSE, "default")) >= 400


def test_celerys_memory_limit_per_child_comes_from_the_setting() -> None:
    # Celery's own mechanism replaces the child; what is ours is the wiring.
    from core.config import get_settings
    from worker.app import app

    assert app.conf.worker_max_memory_per_child == get_settings().worker_max_memory_mb * 1024


# Fills 128 MiB of heap with 64 KiB blocks, pins the heap's top with one small block and frees
# the rest: glibc's own trimming only releases the top, so the freed pages stay resident until
# malloc_trim walks the heap. Prints what trimming above a limit released, in MiB.
TRIM = (
    PROBE_HEAD
    + """
def rss():
    return memory.resident_bytes() >> 20
blocks = [libc.malloc(64 << 10) for _ in range(2048)]
for block in blocks:
    libc.memset(block, 1, 64 << 10)
pin = libc.malloc(64)
for block in blocks:
    libc.free(block)
before = rss()
assert not memory.trim_heap_above(memory.resident_bytes() + (1 << 30))  # under the limit: kept
kept = before - rss()
assert memory.trim_heap_above(0)
print(kept, before - rss())
"""
)


def test_the_heap_is_trimmed_only_past_the_limit() -> None:
    kept, released = (int(value) for value in _run(TRIM, "fixed").split())
    assert kept == 0
    assert released >= 100  # of the 128 MiB freed but still resident
