"""The engine: numpy arrays and one phase class per step phase (no Mesa, Hydra or pandas).

Import what you need from its modules (``collabsim.core.engine.Engine``,
``collabsim.core.phases.PHASES`` and ``ROW``, ``collabsim.core.state.KINDS``): this
package imports nothing itself, so reading a constant does not load numba.
"""
