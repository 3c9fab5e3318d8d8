"""The prefork children's glibc settings (worker/memory.py): large buffers stay on mmap, so
freeing them gives the memory back instead of leaving it resident in the heap."""

from __future__ import annotations

import subprocess
import sys

import pytest

from core.config import PROJECT_ROOT

# Allocates and frees a 1 MiB block (glibc serves it with mmap and, by default, raises its
# threshold on the free), then allocates 1 MiB again and says whether it came from the heap.
PROBE = """
import ctypes, sys
from worker import memory
if sys.argv[1] == "fixed":
    assert memory.fix_mmap_threshold()
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]
libc.free(libc.malloc(1 << 20))
block = libc.malloc(1 << 20)
heap = next(line for line in open("/proc/self/maps") if line.rstrip().endswith("[heap]"))
start, end = (int(part, 16) for part in heap.split()[0].split("-"))
print("heap" if start <= block < end else "mmap")
"""


def _where(mode: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, mode], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")
def test_large_buffers_stay_on_mmap_once_the_threshold_is_fixed() -> None:
    assert _where("default") == "heap"  # glibc's dynamic threshold: what the fix is for
    assert _where("fixed") == "mmap"


# Fills 128 MiB of heap with 64 KiB blocks, pins the heap's top with one small block, frees
# the rest: glibc's own trimming only releases the top, so the freed pages stay resident
# until malloc_trim walks the heap.
TRIM_PROBE = """
import ctypes
from worker import memory
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]
libc.memset.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t]
def rss():
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS")) // 1024
memory.fix_mmap_threshold()
blocks = [libc.malloc(64 << 10) for _ in range(2048)]
for block in blocks:
    libc.memset(block, 1, 64 << 10)
pin = libc.malloc(64)
for block in blocks:
    libc.free(block)
before = rss()
released = memory.trim_heap()
print(released, before - rss())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")
def test_trimming_gives_freed_heap_pages_back() -> None:
    result = subprocess.run(
        [sys.executable, "-c", TRIM_PROBE], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    )
    released, freed_mib = result.stdout.split()
    assert released == "True"
    assert int(freed_mib) >= 100  # of the 128 MiB freed but still resident
