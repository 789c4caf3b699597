"""Writes grouped into one batch, so data derived from them is brought up to date once.

A receiver that keeps derived data (goals' stored rollups) notes what each save or
delete changed. Outside a batch it brings the derived data up to date at once, in the
transaction of the change. Inside `batch()` it asks, with `at_batch_end`, to be called
once when the outermost batch ends: still inside the batch's transaction, so a bulk
import's rows and the data derived from them commit together, or not at all.
"""

import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager

from django.db import transaction

_state = threading.local()


def in_batch() -> bool:
    """Whether the current code runs inside `batch()`."""
    return getattr(_state, "callbacks", None) is not None


def at_batch_end(key: Hashable, callback: Callable[[], None]) -> None:
    """Call `callback` when the outermost batch ends; once per `key` and batch."""
    if not in_batch():
        raise RuntimeError("at_batch_end() is only called inside batch().")
    _state.callbacks.setdefault(key, callback)


@contextmanager
def batch() -> Iterator[None]:
    """Run the block in one transaction, then the callbacks `at_batch_end` collected.

    Nested batches join the outermost one. If the block raises, nothing is called and
    the transaction rolls back.
    """
    if in_batch():
        yield
        return
    _state.callbacks = {}
    try:
        with transaction.atomic():
            yield
            # A callback's own writes may ask for more: run until none is left.
            while _state.callbacks:
                key = next(iter(_state.callbacks))
                _state.callbacks.pop(key)()
    finally:
        _state.callbacks = None
