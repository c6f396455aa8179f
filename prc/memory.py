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

# Whether long_lived froze the heap and no release() has followed. Not every load ends in scan(), which releases:
# `prc services` loads through scan.model_services alone.
_frozen = False


@contextmanager
def long_lived() -> Iterator[None]:
    """Pause the collector while the block allocates objects that live until the scan ends, then freeze them."""
    global _frozen
    if _frozen:
        # An earlier load was never released. Its objects are garbage now, but the cycles among them sit in the
        # permanent generation, which no collection walks: without this, each such load in a long-running process
        # (a test suite, an editor integration calling `services`) would keep its cycles for good. Only then, so a
        # one-shot scan never pays for a full collection.
        release()
        gc.collect()
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
            _frozen = True


def release() -> None:
    """The scan is over: what long_lived froze may be collected again."""
    global _frozen
    _frozen = False
    gc.unfreeze()
