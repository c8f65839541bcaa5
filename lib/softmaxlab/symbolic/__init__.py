"""SymPy versions of the book's definitions, and the derivations built on them.

Chapters call these to *show* a derivation; the tests call the same functions
to *prove* it (``sympy.simplify(lhs - rhs) == 0``), so each derivation lives
here exactly once. One module per chapter topic; everything is re-exported here.
"""

from softmaxlab.symbolic.definition import *  # noqa: F401,F403
from softmaxlab.symbolic.definition import __all__ as _definition_all
from softmaxlab.symbolic.derivatives import *  # noqa: F401,F403
from softmaxlab.symbolic.derivatives import __all__ as _derivatives_all
from softmaxlab.symbolic.thermo import *  # noqa: F401,F403
from softmaxlab.symbolic.thermo import __all__ as _thermo_all
from softmaxlab.symbolic.argmax import *  # noqa: F401,F403
from softmaxlab.symbolic.argmax import __all__ as _argmax_all
from softmaxlab.symbolic.exercises import *  # noqa: F401,F403
from softmaxlab.symbolic.exercises import __all__ as _exercises_all
from softmaxlab.symbolic.variants import *  # noqa: F401,F403
from softmaxlab.symbolic.variants import __all__ as _variants_all
from softmaxlab.symbolic.graphical import *  # noqa: F401,F403
from softmaxlab.symbolic.graphical import __all__ as _graphical_all
from softmaxlab.symbolic.estimation import *  # noqa: F401,F403
from softmaxlab.symbolic.estimation import __all__ as _estimation_all
from softmaxlab.symbolic.ensembles import *  # noqa: F401,F403
from softmaxlab.symbolic.ensembles import __all__ as _ensembles_all

__all__ = [*_definition_all, *_derivatives_all, *_thermo_all, *_argmax_all, *_exercises_all, *_variants_all, *_graphical_all, *_estimation_all, *_ensembles_all]
