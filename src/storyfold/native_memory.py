"""Keep native memory to what the work needs, not to how many threads ran or what a pass freed.

Measured with bench/bench_load.py (20 readers and a writer): the server's RSS kept climbing
round after round while the analysis cache stayed at its bound (the same climb with a
64-article cache). The climb follows threads, not data: the request thread pool grows to
40 threads, and glibc gives each busy thread its own malloc arena (up to 8 per core), whose
freed pages numpy, torch and SQLite leave fragmented and never hand back. So the server
caps the number of arenas (`memory.malloc_arenas`) and returns freed heap pages to the system
after each background analysis pass. Capping the threads themselves (`serve.threads`) was
measured too and rejected as the default: at 8, quick reads queued behind slow ones (page p50
23 -> 216 ms) for no memory gained over the arena cap.

A long `run` climbed too, by about 200 MB a thousand articles at first (one pipeline fed
generated news 1k at a time, provenance on), while the Python objects traced grew 12 MB: the
growth was native. Two more causes were found. glibc's mmap threshold moves up each time a
large block is freed, so the encoder's and the numpy work's large blocks land in the heap
afterwards and fragment it (fixed: `memory.mmap_threshold_kb`); and oneDNN keeps a compiled
kernel per input shape, up to 1024, where the encoder meets a new shape for nearly every
batch length (fixed: `memory.kernel_cache`; the encoder alone grew 75 MB over 12k sentences
with oneDNN's default and 35 MB with 16). Together with the arena cap: 743 -> 836 -> 884 ->
926 MB over four thousands, against 867 -> 1088 -> 1192 over three before.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
from functools import lru_cache

from storyfold.settings import MemorySettings

log = logging.getLogger(__name__)

_M_ARENA_MAX = -8  # mallopt parameter numbers, from glibc's malloc.h
_M_MMAP_THRESHOLD = -3
KERNEL_CACHE_ENV = "ONEDNN_PRIMITIVE_CACHE_CAPACITY"  # read by oneDNN when it starts


@lru_cache(maxsize=1)
def _libc() -> ctypes.CDLL | None:
    """glibc, or None where the C library is another (musl, macOS, Windows). Looked up once:
    `find_library` runs `ldconfig` in a subprocess, and this is called after every pass."""
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return None
    return lib if hasattr(lib, "mallopt") and hasattr(lib, "malloc_trim") else None


def limit_arenas(arenas: int) -> bool:
    """Cap glibc's malloc arenas for threads started from now on; False where not glibc
    (nothing to do there) or where the C library refused."""
    lib = _libc()
    if lib is None or arenas <= 0:
        return False
    ok = bool(lib.mallopt(_M_ARENA_MAX, ctypes.c_int(arenas)))
    if not ok:
        log.debug("mallopt(M_ARENA_MAX, %d) refused", arenas)
    return ok


def settle(memory: MemorySettings) -> None:
    """Apply the process's memory policy (`memory.*`) before its work starts: arenas, the
    mmap threshold, and the encoder's kernel cache (an environment variable oneDNN reads
    when it starts, so it counts only if set before the first encoding; one set from
    outside wins). Safe to call again: each call sets the same values."""
    limit_arenas(memory.malloc_arenas)
    lib = _libc()
    if lib is not None and memory.mmap_threshold_kb > 0:
        if not lib.mallopt(_M_MMAP_THRESHOLD, ctypes.c_int(memory.mmap_threshold_kb * 1024)):
            log.debug("mallopt(M_MMAP_THRESHOLD, %d KB) refused", memory.mmap_threshold_kb)
    size_kernel_cache(memory.kernel_cache)


def size_kernel_cache(kernels: int) -> None:
    """oneDNN's kernel cache, as an environment variable it reads when it starts: counts only
    before the first encoding; one set from outside (or by an earlier call) wins; 0 leaves
    oneDNN's own."""
    if kernels > 0:
        os.environ.setdefault(KERNEL_CACHE_ENV, str(kernels))


def give_back() -> bool:
    """Return the heap's free pages to the system (glibc's malloc_trim); False where the C
    library has no such call or had nothing to return."""
    lib = _libc()
    return bool(lib.malloc_trim(ctypes.c_size_t(0))) if lib is not None else False
