"""Keep a long-running worker's resident memory near what one task needs.

Image work allocates large short-lived buffers (decoded pictures, OCR pages, model inputs,
ZIP parts). glibc serves a buffer above its mmap threshold with mmap and gives it back on
free, but each such free raises the threshold (up to 32 MiB), so later buffers of that size
come from the heap, whose freed pages stay resident. Over hundreds of images a prefork
child's RSS then creeps up by tens of MB (bench: 237 MiB idle → 304 MiB after a batch).

Fixing the threshold at 128 KiB keeps large buffers on mmap; trimming the heap after each
task returns what small allocations left free. No maintained library wraps mallopt, so this
is a few lines of ctypes; on a libc without these calls (musl, macOS) it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

log = logging.getLogger(__name__)

M_MMAP_THRESHOLD = -3  # glibc's <malloc.h>
MMAP_THRESHOLD_BYTES = 128 * 1024  # glibc's initial value, now kept fixed

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


def fix_mmap_threshold() -> bool:
    """Stop glibc from raising its mmap threshold; True when it took effect."""
    libc = _glibc()
    if libc is None:
        return False
    applied = bool(libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES))
    if not applied:
        log.warning("mallopt(M_MMAP_THRESHOLD) was refused; worker memory may creep")
    return applied


def trim_heap() -> bool:
    """Give free heap pages back to the system; True when some were released."""
    libc = _glibc()
    return bool(libc.malloc_trim(0)) if libc is not None else False
