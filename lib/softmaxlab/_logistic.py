"""The logistic sigmoid and its logarithm, stable for every finite input (private helpers).

``log sigmoid(t) = -log(1 + exp(-t)) = -logaddexp(0, -t)`` never overflows and
keeps full relative accuracy for large negative ``t`` (where it is about ``t``)
and for large positive ``t`` (where it is about ``-exp(-t)``).
"""

from __future__ import annotations

import numpy as np


def log_sigmoid(t: np.ndarray) -> np.ndarray:
    """``log(1 / (1 + exp(-t)))``, elementwise, without overflow.

    Examples
    --------
    >>> import numpy as np
    >>> log_sigmoid(np.array([0.0, -800.0])).tolist()
    [-0.6931471805599453, -800.0]
    """
    return -np.logaddexp(0, -t)


def sigmoid(t: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(-t))``, elementwise, without overflow warnings.

    Examples
    --------
    >>> import numpy as np
    >>> sigmoid(np.array([0.0, 800.0, -800.0]))
    array([0.5, 1. , 0. ])
    """
    return np.exp(log_sigmoid(t))
