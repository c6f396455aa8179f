"""How a scan asks Python's cyclic garbage collector to stay out of its way.

Loading allocates millions of small containers (parsed YAML and HCL nodes, targets) that live until the report
is written and form almost no reference cycles. CPython starts a collection every few hundred net allocations
and, as the heap grows, keeps walking it all again: on the 10,000-file benchmark tree the collector took about a
quarter of the scan. So loading runs with the collector paused, and what it built is then frozen (moved out of
the generations the collector walks) for the rest of the scan, and unfrozen at its end so that a process running
many scans (a test suite, an editor integration) still frees them.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator

from .timings import phase


@contextmanager
def long_lived() -> Iterator[None]:
    """Pause the collector while the block allocates objects that live until the scan ends, then freeze them."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            # Once, the cycles loading left behind (about a fifth of the heap on the benchmark tree): only the
            # young generation, which is what loading allocated, not the whole process. Then the survivors are
            # frozen.
            with phase("garbage collection"):
                gc.collect(0)
            gc.enable()
            gc.freeze()


def release() -> None:
    """The scan is over: what long_lived froze may be collected again."""
    gc.unfreeze()
