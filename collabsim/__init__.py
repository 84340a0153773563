"""collabsim: agent-based simulation of collaboration between NHS providers.

Python API::

    import collabsim
    cfg = collabsim.load_config(["network=england", "sim.days=730"])
    result = collabsim.simulate(cfg)
    result.summary["mean_wait_days"], result.series.head()

and ``collabsim.CollabModel(cfg)`` for step-by-step use; ``collabsim.run_sweep`` runs a
grid or a list of points in this process and returns DataFrames (``collabsim.batch``).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("collabsim")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

from collabsim import kernel_cache  # noqa: F401  (before any kernel module: numba's cache folder)
from collabsim.config import Config, from_dict
from collabsim.errors import CollabsimError, ConfigError, NetworkError
from collabsim.settings import load_config

if TYPE_CHECKING:
    from collabsim.model import CollabModel, SimulationResult


def simulate(config: Config) -> SimulationResult:
    """Run one simulation from a config to the end; return its summary and series."""
    from collabsim.model import CollabModel, SimulationResult

    model = CollabModel(config)
    model.run()
    return SimulationResult(summary=model.summary, series=model.series, model=model)


def __getattr__(name: str) -> Any:
    if name == "CollabModel":  # imported lazily: Mesa is slow to import
        from collabsim.model import CollabModel

        return CollabModel
    if name == "run_sweep":
        from collabsim.batch import run_sweep

        return run_sweep
    raise AttributeError(name)


__all__ = [
    "CollabModel",
    "CollabsimError",
    "Config",
    "ConfigError",
    "NetworkError",
    "__version__",
    "from_dict",
    "load_config",
    "run_sweep",
    "simulate",
]
