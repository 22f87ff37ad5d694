"""STARS: outcomes-based children's services programmes."""

import ctypes
import os

#: Polars' allocator (jemalloc) gives memory it no longer uses back to the system after
#: 100 ms instead of its default 10 s. A sufficiency page at national size reads eleven
#: returns one after another, and each file's passing copies stayed resident while the next
#: was read: about 70 MiB off the forecast page's peak, for little CPU (see
#: benchmarks/sufficiency/README.md). jemalloc reads it when polars is first loaded, so it is
#: set here, before any of the project's modules imports polars; a value given is kept.
ALLOCATOR_SETTING = "dirty_decay_ms:100,muzzy_decay_ms:0"
os.environ.setdefault("_RJEM_MALLOC_CONF", ALLOCATOR_SETTING)

#: The C allocator (glibc's malloc: Python's large objects, SQLite, a file's bytes and text)
#: can put a block of 1 MiB or more in a mapping of its own, given back to the system as
#: soon as it is freed. Its own threshold starts at 128 KiB but rises to the largest block
#: freed (up to 32 MiB), so after the first file of an import each file's bytes, its text,
#: its rows as stored and SQLite's copies of them came from the heap, and the heap kept what
#: they freed: 40-50 MiB resident at `stars sufficiency import`'s peak at national size.
#: Only the process that imports returns asks for it (``give_large_blocks_back``, called by
#: the import): the pages gain little from it and it cost the dashboard about 5% more CPU
#: at national size (see benchmarks/sufficiency/README.md). Only where the C library has
#: ``mallopt`` (glibc); ``MALLOC_MMAP_THRESHOLD_`` given in the environment is kept.
LARGE_BLOCK_BYTES = 1024 * 1024
M_MMAP_THRESHOLD = -3  # glibc's malloc.h


def give_large_blocks_back() -> None:
    """From now on this process gives a freed block of ``LARGE_BLOCK_BYTES`` or more back
    to the system at once (it cannot be undone: glibc's threshold no longer moves)."""
    if "MALLOC_MMAP_THRESHOLD_" in os.environ:
        return
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt(M_MMAP_THRESHOLD, LARGE_BLOCK_BYTES)
