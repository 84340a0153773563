"""Calling compiled kernels with named bundles of arrays, at no extra cost per call.

Kernels take a few named tuples of arrays (the aid links, the needs, a phase's
state rows) so their signatures say what they work on. numba's dispatcher works
out the types of a named tuple in Python on every call: 1-3 microseconds for a
bundle of 7-27 arrays (numba 0.68, measured), more than a whole positional call
(0.5 microseconds), which would make a step of England 10-20 % slower.
``compiled`` resolves a kernel once, for the types of the arguments a phase will
pass at every step, and returns the compiled entry point, which unboxes the
arguments without typing them again (0.4-0.5 microseconds per call).

The price is a promise: the entry point trusts its arguments' types, so a phase
must pass arguments of exactly the types it was resolved for. Phases resolve
their kernels at every reset, from the very bundles they then pass.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from numba import typeof


def compiled(kernel: Any, *args: Any) -> Callable[..., Any]:
    """The compiled code of the numba ``kernel`` for the types of ``args`` (loaded from
    numba's cache or compiled now), callable without the dispatcher's per-call typing."""
    return kernel.compile(tuple(typeof(a) for a in args))
