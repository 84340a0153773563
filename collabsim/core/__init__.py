"""The engine: numpy arrays and one function per step phase (no Mesa, Hydra or pandas)."""

from collabsim.core.engine import PHASES, Engine
from collabsim.core.state import KINDS, ROWS, Links, Providers, State

__all__ = ["KINDS", "PHASES", "ROWS", "Engine", "Links", "Providers", "State"]
