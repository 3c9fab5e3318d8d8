"""Keep a long-running worker's resident memory flat without paying for it on every image.

Image work allocates large short-lived buffers (decoded pictures, model inputs and
activations, OCR pages, ZIP parts). By default glibc serves a buffer above its mmap
threshold with mmap and gives it back on free, but each such free raises the threshold (up
to 32 MiB), so later buffers of that size come from the heap and stay resident. Over
hundreds of images a prefork child's RSS crept up by tens of MB (bench: 237 MiB idle →
304 MiB after a batch).

The threshold is therefore fixed, at 4 MiB: what one analysis allocates below that (the
reduced decode and its copies, the safety model's input, OpenCV's pyramids) is served from
the heap and reused by the next image as it is, and anything larger (a full PNG decode,
a 50 MP image's buffers, 8 MiB ZIP parts) goes back to the system when freed. The heap's
top is trimmed past 16 MiB only, not glibc's 128 KiB, which fixing the threshold would
otherwise keep: the top would shrink after every image and grow again in the next.

Not lower, and the heap is not trimmed after every task (what this module did first): each
page given back is a page fault when the next image touches it again, and faults are dear
in a VM (4.4 µs each measured on the dev box). A 128 KiB threshold plus a trim per task cost
about 3,900 faults per image, some 17 ms of a 45 ms analysis; at 4 MiB there are none in
steady state. What the heap keeps between images still adds to the next one's peak, so a
child trims after a task only once its RSS is past TRIM_ABOVE_BYTES: the peak per child
stays under 300 MiB (`make bench`) and most images start with their buffers in place.
Celery's worker_max_memory_per_child replaces a child past RENAMER_WORKER_MAX_MEMORY_MB
anyway (worker/app.py). No maintained library wraps mallopt, so this is a few lines of
ctypes; on a libc without it (musl, macOS) it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os

log = logging.getLogger(__name__)

# glibc's <malloc.h>
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3

MMAP_THRESHOLD_BYTES = 4 * 1024 * 1024
TRIM_THRESHOLD_BYTES = 16 * 1024 * 1024
# A child idles at ~230 MiB with its models loaded, and an image adds up to ~60 MiB at its peak.
TRIM_ABOVE_BYTES = 270 * 1024 * 1024

_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
_libc: ctypes.CDLL | None = None


def _glibc() -> ctypes.CDLL | None:
    global _libc
    if _libc is None:
        name = ctypes.util.find_library("c")
        try:
            libc = ctypes.CDLL(name) if name else None
        except OSError:
            libc = None
        if libc is None or not hasattr(libc, "mallopt") or not hasattr(libc, "malloc_trim"):
            return None
        _libc = libc
    return _libc


def tune_malloc() -> bool:
    """Fix glibc's mmap and trim thresholds (see above); True when both took effect."""
    libc = _glibc()
    if libc is None:
        return False
    applied = bool(libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)) and bool(
        libc.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES)
    )
    if not applied:
        log.warning("mallopt was refused; worker memory may creep")
    return applied


def resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * _PAGE_SIZE


def trim_heap_above(limit_bytes: int) -> bool:
    """Give free heap pages back when this process's RSS is past `limit_bytes`; True when
    some were released."""
    libc = _glibc()
    if libc is None or resident_bytes() <= limit_bytes:
        return False
    return bool(libc.malloc_trim(0))
