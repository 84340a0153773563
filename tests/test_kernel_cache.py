"""numba's compiled kernels live in a folder keyed by their source (collabsim.kernel_cache)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import collabsim
from collabsim.kernel_cache import kernel_source_digest

PACKAGE = Path(collabsim.__file__).resolve().parent


def test_a_change_to_any_kernel_module_moves_the_cache(tmp_path):
    """numba would reuse reciprocal's compiled code after only trust_gated's grant_offers
    (which it calls) changed; the digest, and so the cache folder, changes instead."""
    copy = tmp_path / "collabsim"
    for name in ("core", "policies"):
        shutil.copytree(PACKAGE / name, copy / name)
    before = kernel_source_digest(copy)
    assert before == kernel_source_digest(PACKAGE)
    callee = copy / "policies" / "trust_gated.py"
    callee.write_text(callee.read_text() + "\n# a changed rule\n")
    assert kernel_source_digest(copy) != before


def test_the_kernels_use_the_keyed_folder():
    import numba
    import pytest

    from collabsim import kernel_cache

    if kernel_cache.FOLDER is None:
        pytest.skip("NUMBA_CACHE_DIR was set by the user: their folder is kept")
    assert Path(kernel_cache.FOLDER).name == f"numba-{kernel_source_digest()}"
    assert Path(kernel_cache.FOLDER).is_dir()
    assert os.environ["NUMBA_CACHE_DIR"] == kernel_cache.FOLDER == numba.config.CACHE_DIR
