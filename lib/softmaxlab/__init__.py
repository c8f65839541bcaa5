"""softmaxlab: the softmax function and its relatives, computed carefully.

The library behind the executable book on softmax. Numerics use numpy only;
``softmaxlab.symbolic`` holds the SymPy derivations the book shows and the
tests prove; ``softmaxlab.plotting`` is the one figure style of the book.
"""

from softmaxlab.core import log_softmax, logsumexp, softmax

__version__ = "0.1.0"

__all__ = ["softmax", "log_softmax", "logsumexp"]
