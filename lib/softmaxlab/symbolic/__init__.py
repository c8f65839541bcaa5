"""SymPy versions of the book's definitions, and the derivations built on them.

Chapters call these to *show* a derivation; the tests call the same functions
to *prove* it (``sympy.simplify(lhs - rhs) == 0``), so each derivation lives
here exactly once. Each module is named after the numeric module whose results
it proves (``softmaxlab.symbolic.sparse`` for ``softmaxlab.sparse``, and so on),
including the derivations behind the exercises' solutions; everything is
re-exported here.
"""

import importlib

_MODULES = (
    "core",
    "derivatives",
    "losses",
    "thermo",
    "ising",
    "maxent",
    "glm",
    "smoothmax",
    "attention",
    "gumbel",
    "graphical",
    "generative",
    "regression",
    "importance",
    "ensembles",
    "hierarchical",
    "sparse",
    "online",
    "nce",
    "negative_sampling",
    "addressing",
    "mlp",
)

__all__: list[str] = []
for _name in _MODULES:
    _module = importlib.import_module(f"softmaxlab.symbolic.{_name}")
    globals().update({name: getattr(_module, name) for name in _module.__all__})
    __all__ += _module.__all__
del _name, _module
