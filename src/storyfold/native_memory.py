"""Keep native memory to what the work needs, not to how many threads ran or what a pass freed.

Measured with bench/bench_load.py (20 readers and a writer): the server's RSS kept climbing
round after round while the analysis cache stayed at its bound (the same climb with a
64-article cache). The climb follows threads, not data: the request thread pool grows to
40 threads, and glibc gives each busy thread its own malloc arena (up to 8 per core), whose
freed pages numpy, torch and SQLite leave fragmented and never hand back. So the server
caps the number of arenas (`serve.malloc_arenas`) and returns freed heap pages to the system
after each background analysis pass. Capping the threads themselves (`serve.threads`) was
measured too and rejected as the default: at 8, quick reads queued behind slow ones (page p50
23 -> 216 ms) for no memory gained over the arena cap.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
from functools import lru_cache

log = logging.getLogger(__name__)

_M_ARENA_MAX = -8  # mallopt parameter number, from glibc's malloc.h


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


def give_back() -> bool:
    """Return the heap's free pages to the system (glibc's malloc_trim); False where the C
    library has no such call or had nothing to return."""
    lib = _libc()
    return bool(lib.malloc_trim(ctypes.c_size_t(0))) if lib is not None else False
