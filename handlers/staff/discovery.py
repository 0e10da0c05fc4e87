"""Finding every staff feature: the modules that register staff commands, buttons, questions
and the claims of invite kinds are imported once, before any of them is looked up.

Found by themselves: every module under `handlers/staff/` (subpackages too), and in any other
feature package `handlers/<feature>/` a module named `staff.py` or `claims.py`.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil

import handlers
import handlers.staff

FEATURE_MODULES = ("staff", "claims")
_discovered = False


def discover() -> None:
    global _discovered
    if _discovered:
        return
    _discovered = True
    prefix = handlers.staff.__name__ + "."
    for module in pkgutil.walk_packages(handlers.staff.__path__, prefix):
        importlib.import_module(module.name)
    for package in pkgutil.iter_modules(handlers.__path__):
        if not package.ispkg or package.name == "staff":
            continue
        for module_name in FEATURE_MODULES:
            name = f"{handlers.__name__}.{package.name}.{module_name}"
            if importlib.util.find_spec(name) is not None:
                importlib.import_module(name)
