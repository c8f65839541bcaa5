r"""The partition function over energy levels: degeneracy and the density of states.

Many states share an energy. Grouping the sum over states by level,

.. math:: Z = \sum_{\text{states } s} e^{-E_s / T} = \sum_{\text{levels } E} g(E)\, e^{-E / T}
          = \sum_E e^{-(E - T \log g(E)) / T},

where the **degeneracy** ``g(E)`` counts the states of energy ``E`` (as a
function of ``E``, the *density of states*). Each level acts like a single
state whose energy is lowered by ``T log g(E)``, its entropy times the
temperature: the probability of a level is
``softmax(log g(E) - E / T)``, a competition between energy and entropy.
Grouping by several observables at once (energy and magnetisation, say)
gives a joint density of states from which ``Z`` follows at every
temperature and every value of the conjugate fields.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from softmaxlab._validation import as_real_array, check_axis, check_bool, check_real, result_dtype
from softmaxlab.core import logsumexp

__all__ = ["density_of_states", "log_partition_from_levels"]


def density_of_states(values: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """The distinct levels of a list of states and how many states share each: ``(levels, degeneracies)``.

    Parameters
    ----------
    values : array_like, shape (n_states,) or (n_states, k)
        One value per state (its energy), or ``k`` values per state (energy,
        magnetisation, ...) for a joint density of states. Infinite values
        are levels like any other; nan is refused.

    Returns
    -------
    levels : ndarray, shape (n_levels,) or (n_levels, k)
        The distinct values (rows), sorted (lexicographically for rows), in
        the result dtype of ``values``; ``-0.0`` and ``0.0`` are one level,
        reported as ``0.0``.
    degeneracies : ndarray of int64, shape (n_levels,)
        The number of states at each level; they sum to ``n_states``.

    Raises
    ------
    TypeError
        If ``values`` is not a real numeric array.
    ValueError
        If ``values`` is not 1-d or 2-d, or holds nan.

    Examples
    --------
    >>> from softmaxlab.ensembles import density_of_states
    >>> density_of_states([1.0, 0.0, 1.0, 1.0])
    (array([0., 1.]), array([1, 3]))
    >>> levels, g = density_of_states([[0, 1], [0, 1], [2, -1]])   # (energy, magnetisation) per state
    >>> levels.tolist(), g.tolist()
    ([[0.0, 1.0], [2.0, -1.0]], [2, 1])
    """
    arr = as_real_array(values, "values")
    if arr.ndim not in (1, 2):
        raise ValueError(f"values must be 1-d (one value per state) or 2-d (one row per state), got shape {arr.shape}")
    out = arr.astype(result_dtype(arr.dtype))
    if np.any(np.isnan(out)):
        raise ValueError("values must not hold nan (every state needs a known value)")
    levels, counts = np.unique(out, axis=0, return_counts=True)
    return levels + levels.dtype.type(0), counts.astype(np.int64)   # + 0 reports a level -0.0 as 0.0


def log_partition_from_levels(
    levels: ArrayLike,
    degeneracies: ArrayLike,
    temperature: float = 1.0,
    axis: int | None = -1,
    *,
    keepdims: bool = False,
) -> np.ndarray | np.floating:
    r"""``log Z = log sum_E g(E) exp(-E / T)`` from energy levels and their degeneracies.

    Computed as ``logsumexp(log g - E / T)``: each level's logit is its
    entropy ``log g`` minus its energy over ``T``, so nothing overflows.

    Parameters
    ----------
    levels : array_like
        Energies of the levels along ``axis``.
    degeneracies : array_like
        ``g(E) >= 0``, broadcastable against ``levels``; counts, or any
        non-negative weights (a continuous density of states times a bin
        width). A level of degeneracy 0 contributes nothing, whatever its
        energy.
    temperature : float, optional
        ``T > 0``.
    axis : int or None, optional
        The axis of the levels (default: the last); ``None`` for all of them.
    keepdims : bool, optional
        Keep the reduced axis with length 1.

    Returns
    -------
    ndarray or numpy scalar
        ``log Z``, computed in float64 and returned in the result dtype of
        ``levels`` and ``degeneracies`` combined. No level with ``g > 0`` (or
        an empty axis): ``-inf``; a ``-inf`` energy with ``g > 0``: ``+inf``;
        nan where a level with ``g > 0`` has a nan energy or a degeneracy is nan.

    Raises
    ------
    TypeError
        If ``levels`` or ``degeneracies`` is not a real numeric array,
        ``temperature`` not a real number, ``axis`` not an int or None, or
        ``keepdims`` not a bool.
    ValueError
        If a degeneracy is negative or infinite, the shapes do not broadcast,
        or ``temperature`` is not positive and finite.
    numpy.exceptions.AxisError
        If ``axis`` is out of range.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import log_partition
    >>> from softmaxlab.ensembles import density_of_states, log_partition_from_levels
    >>> energies = np.array([0.0, 1.0, 1.0, 1.0, 2.0])
    >>> levels, g = density_of_states(energies)
    >>> bool(np.isclose(log_partition_from_levels(levels, g, 0.7), log_partition(energies, 0.7)))
    True
    >>> float(log_partition_from_levels([0.0, 5.0], [1, 0]))      # an empty level drops out
    0.0
    """
    e_in = as_real_array(levels, "levels")
    g_in = as_real_array(degeneracies, "degeneracies")
    try:
        shape = np.broadcast_shapes(e_in.shape, g_in.shape)
    except ValueError:
        raise ValueError(
            f"levels of shape {e_in.shape} and degeneracies of shape {g_in.shape} do not broadcast"
        ) from None
    t = check_real(temperature, "temperature", positive=True)
    ax = check_axis(axis, len(shape))
    keepdims = check_bool(keepdims, "keepdims")
    g = g_in.astype(np.float64)
    if np.any(g < 0) or np.any(np.isinf(g)):
        raise ValueError("degeneracies must be non-negative and finite")
    e = np.broadcast_to(e_in.astype(np.float64), shape)
    g = np.broadcast_to(g, shape)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        logits = np.where(g > 0, np.log(g) - e / t, -np.inf)   # an empty level is absent, even at E = -inf or nan
        logits = np.where(np.isnan(g), np.nan, logits)
    out = np.asarray(logsumexp(logits, axis=ax, keepdims=keepdims), dtype=np.float64)
    dtype = np.result_type(result_dtype(e_in.dtype), result_dtype(g_in.dtype))
    with np.errstate(over="ignore"):
        out = out.astype(dtype)
    return out[()] if out.ndim == 0 else out
