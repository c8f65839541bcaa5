"""Mixture-of-experts gating: a softmax that routes each input to a few experts.

A gating network scores ``E`` experts for every input; the softmax of the
scores weighs the experts' outputs. A *sparse* gate keeps only the ``k``
largest scores and renormalises, so only ``k`` experts run for that input:

    G(x) = softmax(KeepTopK(scores, k)),

where ``KeepTopK`` sets every other score to ``-inf``. It is the same as taking
the softmax of all scores, zeroing all but the ``k`` largest weights and
dividing by their sum. A softmax gate left alone tends to send most inputs to
the few experts that are already favoured; the balance is measured by each
expert's *importance* (its total gate weight over a batch) and *load* (the
number of inputs routed to it), and penalised through their squared
coefficient of variation.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from softmaxlab._validation import as_real_array, check_axis, check_int, result_dtype, working_dtype
from softmaxlab.core import softmax

__all__ = ["cv_squared", "expert_importance", "expert_load", "top_k_gating"]


def _gates(gates: ArrayLike) -> np.ndarray:
    g = as_real_array(gates, "gates")
    if g.ndim != 2:
        raise ValueError(f"gates must be a 2-d array (inputs, experts), got shape {g.shape}")
    return g


def top_k_gating(scores: ArrayLike, k: int, axis: int = -1) -> np.ndarray:
    """Softmax over the ``k`` largest scores of each slice, 0 for the others (sparse gating).

    Parameters
    ----------
    scores : array_like
        Gate scores (logits) for the experts along ``axis``.
    k : int
        How many experts each input is routed to, ``1 <= k <= E``.
    axis : int, optional
        The experts' axis (default the last).

    Returns
    -------
    ndarray
        The gate weights, of the shape of ``scores``: along ``axis`` exactly
        ``k`` entries (the largest scores) hold the renormalised softmax and
        the rest are exactly 0. A tie at the ``k``-th place keeps the lower
        index, as a stable sort does. IEEE values follow :func:`softmaxlab.softmax`
        over the kept entries (a nan anywhere in a slice makes the slice nan;
        ``+inf`` entries share the mass; kept ``-inf`` entries get 0; a slice
        whose kept scores are all ``-inf`` is nan). Float dtypes are kept
        (float16 computed in float32), integers give float64.

    Raises
    ------
    TypeError
        If ``scores`` is not a real numeric array, or ``k`` or ``axis`` not an integer.
    ValueError
        If ``k`` is not between 1 and the number of experts.

    Examples
    --------
    >>> import numpy as np
    >>> scores = np.array([2.0, 1.0, 0.5, -1.0])
    >>> np.round(top_k_gating(scores, 2), 4)
    array([0.7311, 0.2689, 0.    , 0.    ])
    >>> np.round(top_k_gating(scores, 4), 4)         # k = E: the plain softmax
    array([0.6095, 0.2242, 0.136 , 0.0303])
    """
    x = as_real_array(scores, "scores")
    if x.ndim == 0:
        raise ValueError("scores must have at least 1 dimension (the experts' axis)")
    if axis is None:
        raise TypeError("axis must be an int (the experts' axis), got None")
    axis = check_axis(axis, x.ndim)
    n_experts = x.shape[axis]
    k = check_int(k, "k", minimum=1, maximum=max(n_experts, 1))
    work, rdtype = working_dtype(x.dtype), result_dtype(x.dtype)
    moved = np.moveaxis(x, axis, -1)
    order = np.argsort(-moved.astype(work), axis=-1, kind="stable")   # nan sorts last; handled by softmax below
    kept = np.zeros(moved.shape, dtype=bool)
    np.put_along_axis(kept, order[..., :k], True, axis=-1)
    del order
    masked = np.where(kept, moved.astype(work), -np.inf)
    nan_rows = np.isnan(moved).any(axis=-1)
    out = softmax(masked, axis=-1)
    out[nan_rows] = np.nan
    out = np.moveaxis(out, -1, axis)
    return out if out.dtype == rdtype else out.astype(rdtype)


def expert_importance(gates: ArrayLike) -> np.ndarray:
    """Each expert's importance: the sum of its gate weights over a batch of inputs.

    Parameters
    ----------
    gates : array_like, shape (inputs, experts)
        Gate weights, one row per input.

    Returns
    -------
    ndarray, shape (experts,)
        Column sums in float64 (a nan weight makes its expert's sum nan).

    Raises
    ------
    TypeError
        If ``gates`` is not a real numeric array.
    ValueError
        If ``gates`` is not 2-d.

    Examples
    --------
    >>> expert_importance([[0.7, 0.3, 0.0], [0.6, 0.0, 0.4]])
    array([1.3, 0.3, 0.4])
    """
    return np.sum(_gates(gates), axis=0, dtype=np.float64)


def expert_load(gates: ArrayLike) -> np.ndarray:
    """Each expert's load: how many inputs are routed to it (have a nonzero gate weight).

    Parameters
    ----------
    gates : array_like, shape (inputs, experts)
        Gate weights, one row per input; a nan weight counts as routed.

    Returns
    -------
    ndarray, shape (experts,)
        Counts, as float64.

    Raises
    ------
    TypeError
        If ``gates`` is not a real numeric array.
    ValueError
        If ``gates`` is not 2-d.

    Examples
    --------
    >>> expert_load([[0.7, 0.3, 0.0], [0.6, 0.0, 0.4]])
    array([2., 1., 1.])
    """
    return np.count_nonzero(_gates(gates), axis=0).astype(np.float64)


def cv_squared(values: ArrayLike) -> np.float64:
    """Squared coefficient of variation ``Var(v) / mean(v)^2`` (population variance): 0 when balanced.

    The balancing penalty of sparsely gated mixtures of experts, applied to
    :func:`expert_importance` or :func:`expert_load`.

    Parameters
    ----------
    values : array_like, shape (n,)
        Non-negative values, such as importances or loads.

    Returns
    -------
    numpy.float64
        ``Var / mean^2``; nan for an empty input, for all zeros (no load at
        all: the balance is undefined) and when an entry is nan or infinite.

    Raises
    ------
    TypeError
        If ``values`` is not a real numeric array.
    ValueError
        If ``values`` is not 1-d or has a negative entry.

    Examples
    --------
    >>> float(cv_squared([2.0, 2.0, 2.0]))
    0.0
    >>> round(float(cv_squared([6.0, 0.0, 0.0])), 12)      # everything on one of three experts: E - 1
    2.0
    """
    v = as_real_array(values, "values")
    if v.ndim != 1:
        raise ValueError(f"values must be 1-d, got shape {v.shape}")
    if np.any(v < 0):
        raise ValueError("values must be non-negative (importances or loads)")
    v = v.astype(np.float64)
    if v.size == 0 or not np.all(np.isfinite(v)):
        return np.float64(np.nan)
    peak = v.max()
    if peak == 0:
        return np.float64(np.nan)
    scaled = v / peak                                   # the ratio is scale-free; this keeps the squares finite
    mean = scaled.mean()
    return np.float64(np.mean((scaled - mean) ** 2) / mean**2)
