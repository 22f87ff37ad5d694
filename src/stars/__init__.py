"""STARS: outcomes-based children's services programmes."""

import os

#: Polars' allocator (jemalloc) gives memory it no longer uses back to the system after
#: 100 ms instead of its default 10 s. A sufficiency page at national size reads eleven
#: returns one after another, and each file's passing copies stayed resident while the next
#: was read: about 70 MiB off the forecast page's peak, for little CPU (see
#: benchmarks/sufficiency/README.md). jemalloc reads it when polars is first loaded, so it is
#: set here, before any of the project's modules imports polars; a value given is kept.
ALLOCATOR_SETTING = "dirty_decay_ms:100,muzzy_decay_ms:0"
os.environ.setdefault("_RJEM_MALLOC_CONF", ALLOCATOR_SETTING)
