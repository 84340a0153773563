"""Calling compiled kernels with named bundles of arrays, at no extra cost per call.

Kernels take a few named bundles of arrays (the aid links, the needs, a phase's
state rows) so their signatures say what they work on. A bundle is defined as a
``NamedTuple`` (readable, usable from Python and tests) and handed to kernels
*packed*: ``packed`` turns each named tuple into a numba structure with the same
fields (``bundle.need[i]`` reads the same in a kernel either way) that points at the
very same arrays, so writes in a kernel are seen by the named tuple and vice versa.

Why not pass the named tuples themselves: numba unboxes every array of a named
tuple on every call (about 40 ns an array) and its dispatcher types the tuple in
Python first (1-3 us for 7-27 arrays, numba 0.68, measured), which made a step of
the small system 40 % slower than positional arrays. A packed bundle is one pointer,
whatever its size. ``compiled`` resolves a kernel once for the types a phase will
pass, and returns the compiled entry point, which skips the dispatcher's typing
(0.35 us a call). The price is a promise: the entry point trusts its arguments'
types, so a phase passes arguments of exactly the types it was resolved for (the
packed bundles it made at reset, and scalars of fixed type).

numba has no public way to build a structure from a named tuple, hence the small
intrinsic below: it allocates a structref exactly as ``numba.experimental.structref.new``
does, then stores (and increfs) each field of the tuple.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np
from numba import njit, typeof
from numba.core import cgutils, types
from numba.experimental import structref
from numba.extending import intrinsic


@structref.register
class BundleType(types.StructRef):
    """The numba type of a packed bundle: its fields are the named tuple's."""

    def preprocess_fields(self, fields: Any) -> tuple:
        return tuple((name, types.unliteral(typ)) for name, typ in fields)


class Bundle(structref.StructRefProxy):
    """A packed bundle seen from Python (kernels use it; Python keeps the named tuple)."""


structref.define_boxing(BundleType, Bundle)


@intrinsic
def _struct_of(typingctx, tup):  # noqa: ANN001, ANN202 - numba intrinsic
    from numba.experimental.jitclass.base import imp_dtor

    inst_type = BundleType(list(zip(tup.fields, tup.types, strict=True)))

    def codegen(context, builder, signature, args):  # noqa: ANN001, ANN202
        [value] = args
        model = context.data_model_manager[inst_type.get_data_type()]
        alloc_type = model.get_value_type()
        meminfo = context.nrt.meminfo_alloc_dtor(
            builder,
            context.get_constant(types.uintp, context.get_abi_sizeof(alloc_type)),
            imp_dtor(context, builder.module, inst_type),
        )
        data_pointer = builder.bitcast(
            context.nrt.meminfo_data(builder, meminfo), alloc_type.as_pointer()
        )
        builder.store(cgutils.get_null_value(alloc_type), data_pointer)
        inst = context.make_helper(builder, inst_type)
        inst.meminfo = meminfo
        data = structref._Utils(context, builder, inst_type).get_data_struct(inst._getvalue())
        for k, (name, typ) in enumerate(zip(tup.fields, tup.types, strict=True)):
            item = builder.extract_value(value, k)
            context.nrt.incref(builder, typ, item)  # the structure holds its arrays alive
            setattr(data, name, item)
        return inst._getvalue()

    return inst_type(tup), codegen


@njit(cache=True)
def _pack(bundle, names):  # noqa: ANN001, ANN202
    return _struct_of(bundle)


@functools.cache
def _names(kind: type) -> np.ndarray:
    """An empty array whose record fields are the bundle's field names. Numba's cache
    knows a named tuple's type by its class and field types only, so a bundle whose
    fields were renamed (same count and types) would load the old, wrong structure from
    the cache; this argument puts the names into ``_pack``'s signature."""
    return np.empty(0, dtype=[(name, np.int8) for name in kind._fields])  # type: ignore[attr-defined]


def is_bundle(value: Any) -> bool:
    """A named tuple (a bundle definition), as opposed to an array or a number."""
    return isinstance(value, tuple) and hasattr(value, "_fields")


def packed(*args: Any) -> tuple:
    """``args`` with every named tuple packed for kernels (arrays and numbers as they are)."""
    return tuple(_pack(a, _names(type(a))) if is_bundle(a) else a for a in args)


def compiled(kernel: Any, *args: Any) -> Callable[..., Any]:
    """The compiled code of the numba ``kernel`` for the types of ``args`` (loaded from
    numba's cache or compiled now), callable without the dispatcher's per-call typing."""
    from collabsim.kernel_cache import notice_compiling

    notice_compiling()
    return kernel.compile(tuple(typeof(a) for a in args))
