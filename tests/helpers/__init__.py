"""Helpers shared by the tests (fixtures stay in tests/conftest.py).

``systems``: small hand-built systems and configs for engine tests; ``files``: a
network of one's own as CSV files; ``cli``: the command line run in a subprocess;
``phases``: one phase of an engine's step run by itself.
"""

from tests.helpers.cli import run, run_dirs
from tests.helpers.files import LINKS, PROVIDERS, write
from tests.helpers.systems import (
    FLAT,
    NO_LINKS,
    asker_and_helper,
    config,
    engine,
    fill,
    link,
    links,
    providers,
)

__all__ = [
    "FLAT",
    "LINKS",
    "NO_LINKS",
    "PROVIDERS",
    "asker_and_helper",
    "config",
    "engine",
    "fill",
    "link",
    "links",
    "providers",
    "run",
    "run_dirs",
    "write",
]
