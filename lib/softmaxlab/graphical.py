r"""Softmax as the Gibbs distribution of an undirected graphical model: the Ising ring as a Markov random field.

An undirected graphical model (a Markov random field) over variables
``x_1, ..., x_n`` assigns each configuration the probability

.. math:: P(x) = \frac{1}{Z} \prod_{c} \psi_c(x_c) = \frac{e^{-E(x)}}{Z},
          \qquad E(x) = -\sum_c \log \psi_c(x_c),

a product of positive *potentials*, one per clique ``c`` of the graph: a
softmax over all configurations with logits ``-E(x)``. The Ising ring of
:mod:`softmaxlab.ising` is one: its graph is a cycle, its cliques are the
``n`` bonds (pair potentials ``exp(beta J s_i s_{i+1})``) and the ``n`` sites
(single potentials ``exp(beta h s_i)``).

Given its two neighbours, a spin is independent of the rest of the ring, and
its conditional distribution is a softmax over its own two states with logits
``+-beta (J (s_{i-1} + s_{i+1}) + h)``: a sigmoid,

.. math:: P(s_i = +1 \mid \text{rest}) = \sigma\big(2\beta (J (s_{i-1} + s_{i+1}) + h)\big).

Gibbs sampling draws each spin in turn from that conditional; its samples
follow the Boltzmann distribution of the whole ring without ``Z`` ever being
computed.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from softmaxlab._logistic import sigmoid
from softmaxlab._validation import (
    as_real_array,
    check_int,
    check_real,
    check_temperature,
    result_in_input_dtype,
)
from softmaxlab.core import softmax
from softmaxlab.gumbel import as_generator

__all__ = ["ising_spin_conditional", "ising_ring_gibbs"]


def _spins(spins: ArrayLike, name: str = "spins") -> np.ndarray:
    """``spins`` as a real array of +1/-1 entries with at least one axis of length >= 1."""
    arr = as_real_array(spins, name)
    if arr.ndim == 0:
        raise ValueError(f"{name} must have at least one dimension (the ring), got a scalar")
    if arr.shape[-1] == 0:
        raise ValueError(f"{name} must hold at least one spin along its last axis, got shape {arr.shape}")
    if not np.all(np.abs(arr) == 1):
        raise ValueError(f"{name} must contain only +1 and -1")
    return arr


def _local_field(state: np.ndarray, site: int, coupling: float, field: float) -> np.ndarray:
    """``J (s_{i-1} + s_{i+1}) + h`` along the last axis (a ring of one spin: only ``h``)."""
    n = state.shape[-1]
    if n == 1:  # the ring's only bond joins the spin to itself: s_1 s_1 = 1 whatever s_1 is
        return np.full(state.shape[:-1], field, dtype=np.float64)
    left = state[..., (site - 1) % n].astype(np.float64)
    right = state[..., (site + 1) % n].astype(np.float64)
    return coupling * (left + right) + field


def _p_up(local: np.ndarray, temperature: float) -> np.ndarray:
    """The two-class softmax over ``(s = +1, s = -1)`` with logits ``+-L / T``: its first entry."""
    with np.errstate(over="ignore"):  # L / T beyond the float range: softmax's +inf rule gives 1 or 0
        logit = np.asarray(local / temperature, dtype=np.float64)
    return softmax(np.stack([logit, -logit], axis=-1), axis=-1)[..., 0]


def ising_spin_conditional(
    spins: ArrayLike,
    site: int,
    temperature: float,
    coupling: float = 1.0,
    field: float = 0.0,
) -> np.ndarray | np.floating:
    r"""``P(s_site = +1 | all other spins)`` in a periodic Ising ring: a two-class softmax, i.e. a sigmoid.

    With the energy ``E(s) = -J sum_i s_i s_{i+1} - h sum_i s_i`` of
    :func:`softmaxlab.ising.ising_ring_energy`, the spin at ``site`` sees only
    its two neighbours, through the local field ``L = J (s_{i-1} + s_{i+1}) + h``,
    and

    .. math:: P(s_i = \pm 1 \mid \text{rest}) = \operatorname{softmax}(\beta L, -\beta L)
              = \sigma(\pm 2 \beta L).

    The value of ``spins[..., site]`` itself is ignored.

    Parameters
    ----------
    spins : array_like
        Ring configurations of ``+1``/``-1`` along the last axis (length
        ``n >= 1``); any leading shape gives one probability per configuration.
    site : int
        The spin to resample, ``-n <= site < n`` (negative counts from the end).
    temperature : float
        ``T > 0``.
    coupling, field : float, optional
        ``J`` and ``h``, finite. In a ring of one spin the only bond joins the
        spin to itself and is constant, so ``L = h``; in a ring of two both
        neighbours are the other spin.

    Returns
    -------
    ndarray or numpy scalar
        ``P(s_site = +1 | rest)`` with shape ``spins.shape[:-1]`` (a 0-d result
        is a numpy scalar), in the result dtype of ``spins``: float16, float32,
        float64 and long double keep their dtype, integers give float64.
        ``P(s_site = -1 | rest)`` is one minus it.

    Raises
    ------
    TypeError
        If ``spins`` is not a real numeric array, ``site`` not an integer, or
        ``temperature``, ``coupling`` or ``field`` not a real number.
    ValueError
        If ``spins`` holds anything but ``+1`` and ``-1`` or has no spin,
        ``site`` is out of range, ``temperature`` is not positive and finite,
        or ``coupling`` or ``field`` is not finite.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab.graphical import ising_spin_conditional
    >>> float(ising_spin_conditional([1, 1, 1], site=1, temperature=1.0))   # sigma(2 * 2 J)
    0.9820137900379085
    >>> float(ising_spin_conditional([1, -1, -1, 1], site=0, temperature=1.0))   # neighbours disagree: L = 0
    0.5
    >>> ising_spin_conditional([[1, 1, 1], [-1, 1, -1]], site=1, temperature=2.0, field=0.5)
    array([0.92414182, 0.18242552])
    """
    arr = _spins(spins)
    n = arr.shape[-1]
    site = check_int(site, "site", minimum=-n, maximum=n - 1) % n
    t = check_temperature(temperature)
    J = check_real(coupling, "coupling")
    h = check_real(field, "field")
    p_up = _p_up(_local_field(arr, site, J, h), t)
    return result_in_input_dtype(np.asarray(p_up, dtype=np.float64), arr.dtype)


def ising_ring_gibbs(
    n: int,
    temperature: float,
    coupling: float = 1.0,
    field: float = 0.0,
    *,
    n_sweeps: int = 1000,
    n_chains: int = 1,
    rng: np.random.Generator | int | None = None,
    initial: ArrayLike | None = None,
) -> np.ndarray:
    """Gibbs sampling of the periodic Ising ring: each spin in turn drawn from its conditional softmax.

    One *sweep* visits the sites ``0, 1, ..., n - 1`` in order and replaces
    spin ``i`` by ``+1`` with probability :func:`ising_spin_conditional` (the
    current values of its neighbours) and by ``-1`` otherwise, comparing one
    uniform number with that probability. Every update leaves the Boltzmann
    distribution ``softmax(-E(s) / T)`` over the ``2**n`` configurations
    invariant, and the chain reaches every configuration, so the sweeps'
    configurations follow it in the long run; ``Z`` is never computed. The
    chains are independent and updated together (vectorised over chains).

    Parameters
    ----------
    n : int
        Number of spins, ``n >= 1``.
    temperature : float
        ``T > 0``.
    coupling, field : float, optional
        ``J`` and ``h`` of :func:`softmaxlab.ising.ising_ring_energy`, finite.
    n_sweeps : int, optional
        Number of sweeps, ``>= 1``; the state after each one is returned
        (discard the first ones as burn-in).
    n_chains : int, optional
        Number of independent chains, ``>= 1``.
    rng : numpy.random.Generator or int or None, optional
        The random source, or a seed for a new one; ``None`` draws fresh entropy.
    initial : array_like, optional
        Starting configurations of ``+1``/``-1``, shape ``(n,)`` (every chain)
        or ``(n_chains, n)``; by default each spin starts at ``+1`` or ``-1``
        with probability 1/2, drawn from ``rng``.

    Returns
    -------
    ndarray of int8, shape ``(n_sweeps, n_chains, n)``
        The configuration of every chain after every sweep.

    Raises
    ------
    TypeError
        If ``n``, ``n_sweeps`` or ``n_chains`` is not an integer, ``temperature``,
        ``coupling`` or ``field`` not a real number, ``rng`` not a generator,
        seed or None, or ``initial`` not a real numeric array.
    ValueError
        If a size is below 1, ``temperature`` is not positive and finite,
        ``coupling`` or ``field`` is not finite, or ``initial`` holds anything
        but ``+1`` and ``-1`` or has the wrong shape.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab.graphical import ising_ring_gibbs
    >>> samples = ising_ring_gibbs(4, temperature=1.0, n_sweeps=3, n_chains=2, rng=0)
    >>> samples.shape, samples.dtype
    ((3, 2, 4), dtype('int8'))
    >>> cold = ising_ring_gibbs(6, temperature=0.05, field=1.0, n_sweeps=2, rng=1)
    >>> cold[-1].tolist()        # T -> 0 in a field: every spin follows h
    [[1, 1, 1, 1, 1, 1]]
    """
    n = check_int(n, "n", minimum=1)
    t = check_temperature(temperature)
    J = check_real(coupling, "coupling")
    h = check_real(field, "field")
    n_sweeps = check_int(n_sweeps, "n_sweeps", minimum=1)
    n_chains = check_int(n_chains, "n_chains", minimum=1)
    gen = as_generator(rng)
    if initial is None:
        state = np.where(gen.random((n_chains, n)) < 0.5, 1, -1).astype(np.int8)
    else:
        start = _spins(initial, "initial")
        if start.shape not in ((n,), (n_chains, n)):
            raise ValueError(f"initial must have shape ({n},) or ({n_chains}, {n}), got {start.shape}")
        state = np.array(np.broadcast_to(start, (n_chains, n)), dtype=np.int8)
    out = np.empty((n_sweeps, n_chains, n), dtype=np.int8)
    for sweep in range(n_sweeps):
        uniforms = gen.random((n, n_chains))
        for site in range(n):
            with np.errstate(over="ignore"):  # sigma(2 L / T) = softmax(L / T, -L / T)[0], cheaper per call
                p_up = sigmoid(2.0 * _local_field(state, site, J, h) / t)
            state[:, site] = np.where(uniforms[site] < p_up, 1, -1)
        out[sweep] = state
    return out
