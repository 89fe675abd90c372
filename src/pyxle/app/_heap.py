"""A server worker gives the memory of large freed buffers back to the system at once.

glibc raises its mmap threshold each time a block above it is freed (up to 32 MiB): after one large
request body, which granian hands over in chunks of up to ~400 KiB, the next bodies' chunks are
carved from the heap, which glibc does not give back. A worker that took three 300 MB uploads kept
~300 MB it no longer used, for good. A fixed threshold (glibc's initial one) keeps each large block
mapped on its own, and unmapped as it is freed.
"""

from __future__ import annotations

import ctypes

M_MMAP_THRESHOLD = -3  # mallopt's parameter (malloc.h); setting it turns the sliding threshold off
THRESHOLD = 128 * 1024  # glibc's own initial value


def keep_heap_small() -> None:
    """Fix glibc's mmap threshold for this process; nothing where the C library has no ``mallopt``."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    mallopt(M_MMAP_THRESHOLD, THRESHOLD)
