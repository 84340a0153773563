"""Mutual-aid policies, one module each, registered by name.

Every module in this package is imported here, so adding a policy is adding a
module: no other file changes.
"""

import importlib
import pkgutil

from collabsim.policies.base import Policy, available, make_policy, register
from collabsim.policies.mandate import policy_for

for _module in pkgutil.iter_modules(__path__):
    if _module.name not in ("base", "mandate"):
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["Policy", "available", "make_policy", "policy_for", "register"]
