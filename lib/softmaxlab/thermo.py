r"""Softmax read as statistical mechanics: the Boltzmann distribution and its partition function.

A system with states of energy ``E_i`` in equilibrium at temperature ``T``
(Boltzmann's constant set to 1, inverse temperature ``beta = 1 / T``) occupies
state ``i`` with probability

.. math:: p_i = \frac{e^{-\beta E_i}}{Z}, \qquad Z = \sum_j e^{-\beta E_j},

which is ``softmax(-E / T)``: logits are negative energies. Everything else is
read off ``log Z``, the generating function of the energy:

* free energy ``F = -T log Z`` (this is ``-logsumexp(-E, temperature=T)``);
* mean energy ``<E> = -d log Z / d beta``;
* energy variance ``Var(E) = d^2 log Z / d beta^2`` and heat capacity
  ``C = Var(E) / T^2``;
* entropy ``S = (<E> - F) / T = -sum_i p_i log p_i``.

Every function reduces along ``axis`` and takes the same arguments as
:func:`softmaxlab.softmax`, so a batch of systems is one array. Energies may be
``+inf`` (forbidden states: probability 0, contributing nothing to any
average). All results are computed from ``logsumexp`` and ``log_softmax``
(the shifted algorithm of :mod:`softmaxlab.core`), never from ``Z`` itself,
which over- or underflows for energies of a few hundred ``T``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from softmaxlab._validation import as_real_array, check_axis, check_temperature, result_dtype
from softmaxlab.core import log_softmax, logsumexp, softmax
from softmaxlab.losses import entropy

__all__ = [
    "boltzmann",
    "log_partition",
    "free_energy",
    "mean_energy",
    "energy_variance",
    "heat_capacity",
    "thermo_entropy",
    "variational_free_energy",
]


def _energies(energies: ArrayLike, temperature: float, axis: int | None):
    """Validate; return the energies as a float array (flattened for axis=None), the axis and T."""
    arr = as_real_array(energies, "energies")
    temperature = check_temperature(temperature)
    if arr.dtype.kind != "f":  # -E must not wrap around for unsigned or boolean input
        arr = arr.astype(np.float64)
    if axis is None:
        return arr.reshape(-1), 0, temperature
    return arr, check_axis(axis, arr.ndim), temperature


def _average(p: np.ndarray, values: np.ndarray, axis: int, keepdims: bool):
    """``sum_i p_i values_i`` where states with ``p_i = 0`` contribute exactly 0 (even if values are inf)."""
    with np.errstate(invalid="ignore"):
        terms = np.where(p > 0, p * values, 0.0)
    terms = np.where(np.isnan(p), np.nan, terms)
    out = np.sum(terms, axis=axis, keepdims=keepdims)
    return out[()] if out.ndim == 0 else out


def boltzmann(energies: ArrayLike, temperature: float = 1.0, axis: int | None = -1) -> np.ndarray:
    r"""The Boltzmann distribution ``exp(-E_i / T) / Z``, i.e. ``softmax(-E / T)``.

    Parameters
    ----------
    energies : array_like
        Real energies ``E_i`` of the states. ``+inf`` marks a forbidden state.
    temperature : float, optional
        ``T > 0`` (Boltzmann's constant is 1, so ``beta = 1 / T``).
    axis : int or None, optional
        The axis that indexes the states (default: the last); ``None`` treats
        the whole array as one system.

    Returns
    -------
    ndarray
        Probabilities of the states, same shape as ``energies``, summing to 1
        along ``axis``. Lower energy means higher probability.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import boltzmann, softmax
    >>> E = np.array([0.0, 1.0, 2.0])
    >>> np.round(boltzmann(E, temperature=1.0), 4)
    array([0.6652, 0.2447, 0.09  ])
    >>> bool(np.allclose(boltzmann(E, 0.5), softmax(-E / 0.5)))
    True
    >>> boltzmann([0.0, np.inf])           # a forbidden state gets probability 0
    array([1., 0.])
    """
    arr, ax, temperature = _energies(energies, temperature, axis)
    out = softmax(-arr, axis=ax, temperature=temperature)
    return out.reshape(np.shape(energies))


def log_partition(
    energies: ArrayLike,
    temperature: float = 1.0,
    axis: int | None = -1,
    *,
    keepdims: bool = False,
) -> np.ndarray | np.floating:
    r"""``log Z = log sum_i exp(-E_i / T)``, the log-partition function.

    Parameters
    ----------
    energies : array_like
        Real energies of the states.
    temperature : float, optional
        ``T > 0``.
    axis : int or None, optional
        The axis of the states (default: the last); ``None`` for all of ``energies``.
    keepdims : bool, optional
        Keep the reduced axis with length 1.

    Returns
    -------
    ndarray or numpy scalar
        ``log Z``; equal to ``-F / T`` (see :func:`free_energy`).

    Notes
    -----
    Computed as ``logsumexp(-E, temperature=T) / T``: ``Z`` itself is never
    formed, so energies of thousands of ``T`` are fine.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import log_partition
    >>> bool(np.isclose(log_partition([0.0, 0.0, 0.0]), np.log(3)))   # three equal states
    True
    >>> float(log_partition([1000.0, 1001.0], temperature=0.5))   # Z = e^-2000 (1 + e^-2)
    -1999.873071988957
    """
    arr, ax, temperature = _energies(energies, temperature, axis)
    return logsumexp(-arr, axis=ax, keepdims=keepdims, temperature=temperature) / temperature


def free_energy(
    energies: ArrayLike,
    temperature: float = 1.0,
    axis: int | None = -1,
    *,
    keepdims: bool = False,
) -> np.ndarray | np.floating:
    r"""Helmholtz free energy ``F = -T log Z``: a smooth minimum of the energies.

    Parameters
    ----------
    energies : array_like
        Real energies of the states.
    temperature : float, optional
        ``T > 0``.
    axis : int or None, optional
        The axis of the states (default: the last); ``None`` for all of ``energies``.
    keepdims : bool, optional
        Keep the reduced axis with length 1.

    Returns
    -------
    ndarray or numpy scalar
        ``F``, which lies in ``[min E - T log n, min E]`` and tends to the
        ground-state energy ``min E`` as ``T -> 0``.

    Notes
    -----
    ``F = -logsumexp(-E, temperature=T)``; it satisfies ``dF/dT = -S`` and
    ``F = <E> - T S`` (see :func:`thermo_entropy`).

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import free_energy
    >>> float(free_energy([0.0, 0.0]))          # two degenerate ground states: -T log 2
    -0.6931471805599453
    >>> float(free_energy([1.0, 5.0], temperature=1e-3))    # T -> 0: the ground state
    1.0
    """
    arr, ax, temperature = _energies(energies, temperature, axis)
    return -logsumexp(-arr, axis=ax, keepdims=keepdims, temperature=temperature)


def mean_energy(
    energies: ArrayLike,
    temperature: float = 1.0,
    axis: int | None = -1,
    *,
    keepdims: bool = False,
) -> np.ndarray | np.floating:
    r"""Mean energy ``<E> = sum_i p_i E_i`` under the Boltzmann distribution; equals ``-d log Z / d beta``.

    Parameters
    ----------
    energies : array_like
        Real energies of the states; ``+inf`` states contribute 0.
    temperature : float, optional
        ``T > 0``.
    axis : int or None, optional
        The axis of the states (default: the last); ``None`` for all of ``energies``.
    keepdims : bool, optional
        Keep the reduced axis with length 1.

    Returns
    -------
    ndarray or numpy scalar
        ``<E>``, between ``min E`` (as ``T -> 0``) and the plain average of the
        energies (as ``T -> inf``).

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import mean_energy
    >>> float(mean_energy([0.0, 1.0], temperature=1.0))     # 1 / (1 + e)
    0.2689414213699951
    >>> float(mean_energy([0.0, 1.0, np.inf], temperature=1e6))
    0.49999975
    """
    arr, ax, temperature = _energies(energies, temperature, axis)
    p = softmax(-arr, axis=ax, temperature=temperature)
    return _average(p, arr, ax, keepdims)


def energy_variance(
    energies: ArrayLike,
    temperature: float = 1.0,
    axis: int | None = -1,
    *,
    keepdims: bool = False,
) -> np.ndarray | np.floating:
    r"""Energy variance ``<(E - <E>)^2>``; equals ``d^2 log Z / d beta^2``.

    Parameters
    ----------
    energies : array_like
        Real energies of the states; ``+inf`` states contribute 0.
    temperature : float, optional
        ``T > 0``.
    axis : int or None, optional
        The axis of the states (default: the last); ``None`` for all of ``energies``.
    keepdims : bool, optional
        Keep the reduced axis with length 1.

    Returns
    -------
    ndarray or numpy scalar
        The variance, computed in two passes (mean first, then the mean
        squared deviation), so it never comes out negative.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import energy_variance
    >>> float(energy_variance([0.0, 2.0], temperature=1e9))   # a fair coin between 0 and 2
    1.0
    >>> float(energy_variance([5.0, 5.0, 5.0]))               # one energy level: no spread
    0.0
    """
    arr, ax, temperature = _energies(energies, temperature, axis)
    p = softmax(-arr, axis=ax, temperature=temperature)
    mean = _average(p, arr, ax, keepdims=True)
    with np.errstate(invalid="ignore"):
        return _average(p, (arr - mean) ** 2, ax, keepdims)


def heat_capacity(
    energies: ArrayLike,
    temperature: float = 1.0,
    axis: int | None = -1,
    *,
    keepdims: bool = False,
) -> np.ndarray | np.floating:
    r"""Heat capacity ``C = d<E>/dT = Var(E) / T^2`` (Boltzmann's constant 1).

    Parameters
    ----------
    energies : array_like
        Real energies of the states.
    temperature : float, optional
        ``T > 0``.
    axis : int or None, optional
        The axis of the states (default: the last); ``None`` for all of ``energies``.
    keepdims : bool, optional
        Keep the reduced axis with length 1.

    Returns
    -------
    ndarray or numpy scalar
        ``C >= 0``: energy fluctuations measure how fast the mean energy
        responds to heating.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import heat_capacity
    >>> T = 0.5
    >>> c = heat_capacity([0.0, 1.0], temperature=T)   # two-level (Schottky) system
    >>> x = 1 / T
    >>> bool(np.isclose(c, x**2 * np.exp(x) / (1 + np.exp(x)) ** 2))
    True
    """
    variance = energy_variance(energies, temperature, axis, keepdims=keepdims)
    return variance / check_temperature(temperature) ** 2


def thermo_entropy(
    energies: ArrayLike,
    temperature: float = 1.0,
    axis: int | None = -1,
    *,
    keepdims: bool = False,
) -> np.ndarray | np.floating:
    r"""Entropy ``S = -sum_i p_i log p_i`` of the Boltzmann distribution (in nats); equals ``(<E> - F) / T``.

    Parameters
    ----------
    energies : array_like
        Real energies of the states; ``+inf`` states contribute 0.
    temperature : float, optional
        ``T > 0``.
    axis : int or None, optional
        The axis of the states (default: the last); ``None`` for all of ``energies``.
    keepdims : bool, optional
        Keep the reduced axis with length 1.

    Returns
    -------
    ndarray or numpy scalar
        ``S`` in ``[0, log n]``: ``log g`` for ``g`` degenerate ground states as
        ``T -> 0``, ``log n`` for ``n`` finite states as ``T -> inf``.

    Notes
    -----
    Takes ``log p_i`` from :func:`softmaxlab.log_softmax` rather than the log
    of the probabilities, and never uses ``(<E> - F) / T``, which cancels
    catastrophically at low temperature.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import thermo_entropy
    >>> float(thermo_entropy([0.0, 0.0, 0.0, 0.0]))       # four equal states: log 4
    1.3862943611198906
    >>> float(thermo_entropy([0.0, 0.0, 7.0], temperature=0.01))   # two ground states: log 2
    0.6931471805599453
    >>> float(thermo_entropy([1000.0, 1050.0]))   # about 51 e^-50; (<E> - F)/T gives 0.0
    9.83662422461598e-21
    """
    arr, ax, temperature = _energies(energies, temperature, axis)
    logp = log_softmax(-arr, axis=ax, temperature=temperature)
    p = np.exp(logp)
    return -_average(p, logp, ax, keepdims)


def variational_free_energy(
    p: ArrayLike,
    energies: ArrayLike,
    temperature: float = 1.0,
    axis: int = -1,
) -> np.ndarray | np.floating:
    r"""Gibbs' functional ``G(p) = sum_i p_i E_i - T H(p)`` for any distribution ``p`` over the states.

    Its minimum over the probability simplex is the free energy ``F``,
    attained only at the Boltzmann distribution (Gibbs' variational
    principle): ``G(p) - F = T KL(p || boltzmann(E, T)) >= 0``. With logits
    ``z = -E`` and ``T = 1`` this is the variational form of logsumexp,
    ``logsumexp(z) = max_p [p . z + H(p)]``.

    Parameters
    ----------
    p : array_like
        A probability distribution over the states along ``axis``: entries
        ``>= 0`` summing to 1 (up to rounding). Zero entries contribute 0 to
        the entropy, which is :func:`softmaxlab.entropy`.
    energies : array_like
        Real energies, broadcastable against ``p``.
    temperature : float, optional
        ``T > 0``.
    axis : int, optional
        The axis of the states (default: the last).

    Returns
    -------
    ndarray or numpy scalar
        ``G(p) >= F``.

    Raises
    ------
    ValueError
        If ``p`` has negative or nan entries or does not sum to 1.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import boltzmann, free_energy, variational_free_energy
    >>> E = np.array([0.0, 1.0, 3.0])
    >>> bool(np.isclose(variational_free_energy(boltzmann(E), E), free_energy(E)))
    True
    >>> float(variational_free_energy([1.0, 0.0, 0.0], E)) > float(free_energy(E))
    True
    >>> variational_free_energy([0.5, 0.6, 0.0], E)   # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    ValueError: p must sum to 1 ...
    """
    p_arr = as_real_array(p, "p")
    e_arr = as_real_array(energies, "energies")
    temperature = check_temperature(temperature)
    try:
        p_arr, e_arr = np.broadcast_arrays(p_arr.astype(result_dtype(p_arr.dtype)), e_arr)
    except ValueError:
        raise ValueError(f"p of shape {p_arr.shape} and energies of shape {e_arr.shape} do not broadcast") from None
    ax = check_axis(axis, p_arr.ndim)
    h = entropy(p_arr, axis=axis)  # also checks that p is a distribution along axis
    return _average(p_arr, e_arr, ax, keepdims=False) - temperature * h
