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
:func:`softmaxlab.softmax`, so a batch of systems is one array.

How they are computed. With ``m = min_i E_i``, the excess energies
``u_i = E_i - m >= 0`` and ``L = log sum_i exp(-u_i / T)`` (a logsumexp of
numbers ``<= 0``, the shifted algorithm of :mod:`softmaxlab.core`), every
quantity is a sum of terms of one sign: ``log Z = L - m / T``,
``F = m - T L``, ``log p_i = -u_i / T - L``, ``<E> = m + sum_i p_i u_i``,
``Var(E) = sum_i p_i (u_i - <u>)^2`` and ``S = -sum_i p_i log p_i``. ``Z``
itself is never formed (it over- or underflows for energies of a few hundred
``T``), and no difference of two large numbers is taken, so the variance of
energies near ``10^6`` and the entropy of a nearly frozen system keep their
relative accuracy. Where the probabilities that carry a sum are subnormal (a
result far below the scale of the energies), the sum is redone from ``log p_i``
in the log domain; where excess energies exceed the float range, energies and
temperature are halved first (the probabilities do not change).

Conventions shared by every function:

* ``+inf`` energies are forbidden states: probability 0, contributing
  nothing to any average. If every state is forbidden, or the axis is empty,
  ``Z = 0``: ``log Z = -inf``, ``F = +inf``, and the averages (mean energy,
  variance, heat capacity, entropy) are nan, being averages over no states.
* ``-inf`` energies take all the probability, shared equally (the limit as
  those energies fall, like ``+inf`` logits in :func:`softmaxlab.softmax`):
  ``log Z = +inf``, ``F = <E> = -inf``, ``Var(E) = C = 0`` and
  ``S = log(count)``, the limits of each quantity.
* nan makes its own system's results nan, and no other system's.
* Integer and boolean energies are computed in float64; float16, float32
  and float64 energies are computed in float64 and returned in their own
  dtype (native byte order); long double is computed in float64 and returned
  as long double. A result outside the range of the returned dtype is
  ``+-inf`` (or 0). A 0-d result is a numpy scalar, as from ``np.sum``.
* The work is done in blocks of whole systems (a system longer than a block,
  in chunks of it), so the memory used beyond the result is a few blocks of
  about 1 MiB, whatever the input's size. No input is modified.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from softmaxlab._validation import (
    as_real_array,
    check_axis,
    check_bool,
    check_real,
    result_dtype,
    result_in_input_dtype,
)
from softmaxlab.core import logsumexp, softmax

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

#: Elements in one block of work (1 MiB of float64).
_BLOCK = 1 << 17

#: A sum ``A = sum_i p_i g_i`` (``g_i >= 0``) is trusted when ``A >= n G _TRUST``,
#: ``G`` the largest ``g_i`` of a state with finite ``log p_i``: the terms whose
#: ``p_i`` is subnormal (below ``2**-1022``, absolute precision only) then add
#: at most ``n 2**-1022 G <= 2**-53 A``. Other sums are redone in the log domain.
_TRUST = 2.0**-969

#: Below this temperature, halving it could lose bits (it is subnormal-adjacent);
#: there the excess energies that overflow only meet probabilities that are 0.
_MIN_HALVING_T = 2.0**-1020


# ---------------------------------------------------------------------------- checks


def _temperature(temperature: float) -> float:
    """``temperature`` as a positive finite float (10**400 and the like named, not an OverflowError)."""
    return check_real(temperature, "temperature", positive=True)


def _finish(res: np.ndarray, dtype: np.dtype) -> np.ndarray | np.generic:
    """Cast a float64 result to the result dtype of ``dtype`` (overflow to +-inf silently); 0-d as a scalar."""
    with np.errstate(over="ignore", under="ignore"):
        return result_in_input_dtype(res, dtype)


# ---------------------------------------------------------------------------- layout


class _Slices:
    """The slices of arrays of one shape along an axis, read in float64 blocks of ``(rows, columns)``.

    A block holds whole slices (about ``_BLOCK`` elements); a slice longer than
    a block is read in chunks of it. Arrays whose leading axes cannot be viewed
    as one (after moving ``axis`` last) are gathered block by block, so nothing
    of the input's size is ever copied, except for ``axis=None`` on an array
    that is neither C- nor Fortran-contiguous (one copy, as in
    :mod:`softmaxlab.core`).
    """

    def __init__(self, arrays: list[np.ndarray], ax: int | None):
        shape = arrays[0].shape
        if ax is None:
            self.lead: tuple[int, ...] = ()
            self.n = math.prod(shape)
            # one array: its memory order (no copy for C or Fortran order); several: the same order for all
            order = "A" if len(arrays) == 1 else "C"
            self._views = [a.reshape(1, -1, order=order) for a in arrays]
            self._flat = True
            return
        self.lead = shape[:ax] + shape[ax + 1 :]
        self.n = shape[ax]
        moved = [np.moveaxis(a, ax, -1) for a in arrays]
        try:
            self._views = [np.reshape(v, (math.prod(self.lead), self.n), copy=False) for v in moved]
            self._flat = True
        except ValueError:  # leading axes with strides that do not merge: gather blocks by index
            self._views = moved
            self._flat = False

    @property
    def count(self) -> int:
        """The number of slices."""
        return math.prod(self.lead)

    def groups(self):
        """``(rows, chunks)``: a range of slices and the column ranges covering them."""
        if self.n <= _BLOCK:
            step = max(1, _BLOCK // max(self.n, 1))
            for r0 in range(0, self.count, step):
                yield slice(r0, min(r0 + step, self.count)), [slice(None)]
        else:
            chunks = [slice(c0, c0 + _BLOCK) for c0 in range(0, self.n, _BLOCK)]
            for r in range(self.count):
                yield slice(r, r + 1), chunks

    def block(self, i: int, rows: slice, chunk: slice) -> np.ndarray:
        """Array ``i``'s block ``rows x chunk`` as a new float64 array."""
        view = self._views[i]
        if self._flat:
            part = view[rows, chunk]
        else:
            part = view[np.unravel_index(np.arange(rows.start, rows.stop), self.lead) + (chunk,)]
        return np.array(part, dtype=np.float64)

    def shaped(self, flat: np.ndarray, ax: int | None, ndim: int, keepdims: bool) -> np.ndarray:
        """A ``(count,)`` result reshaped to the reduced shape (with the axis kept if asked)."""
        if not keepdims:
            return flat.reshape(self.lead)
        if ax is None:
            return flat.reshape((1,) * ndim)
        return np.expand_dims(flat.reshape(self.lead), ax)


# ---------------------------------------------------------------------------- kernels


def _lse_rows(a: np.ndarray) -> np.ndarray:
    """``log sum_j exp(a_ij)`` along axis 1, keepdims (the core's logsumexp, warnings silenced)."""
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        return logsumexp(a, axis=1, keepdims=True)


class _System:
    """Per-slice statistics of one group of slices, accumulated over the chunks of its slices.

    Shapes: blocks ``(k, c)``; per-slice arrays ``(k, 1)``. ``scale`` is 1, or
    1/2 when an excess energy ``E_i - min E`` overflows (and ``T`` allows
    halving): energies and temperature are then used halved.
    """

    def __init__(self, read, chunks: list[slice], temperature: float, n: int):
        self.n = n
        self._chunks = chunks
        self._read = read
        self._cache = read(chunks[0]) if len(chunks) == 1 else None
        self.scale = 1.0
        self.t = temperature
        self._statistics()

    def blocks(self):
        if self._cache is not None:
            yield self._cache
        else:
            for c in self._chunks:
                x = self._read(c)
                if self.scale != 1.0:
                    x *= self.scale
                yield x

    def _statistics(self) -> None:
        """Pass 1: minimum ``m`` (nan if any nan), finite maximum, count of ``-inf``; pass 2: ``L``."""
        m = hi = None
        for x in self.blocks():
            mc = x.min(axis=1, keepdims=True)
            hc = x.max(axis=1, keepdims=True)
            forbidden = (hc == np.inf)[:, 0]
            if forbidden.any():  # the largest finite energy of those slices
                part = x[forbidden]
                hc[forbidden] = np.max(part, axis=1, keepdims=True, where=np.isfinite(part), initial=-np.inf)
            m = mc if m is None else np.minimum(m, mc)
            hi = hc if hi is None else np.maximum(hi, hc)
        with np.errstate(over="ignore", invalid="ignore"):
            overflow = np.isfinite(m) & np.isinf(hi - m)
        if overflow.any() and self.t >= _MIN_HALVING_T:
            self.scale = 0.5
            self.t *= 0.5
            m = m * 0.5
            if self._cache is not None:
                self._cache *= 0.5
        self.m = m
        self.nan = np.isnan(m)
        self.hot = m == -np.inf  # -inf energies share the probability
        self.empty = m == np.inf  # every state forbidden: Z = 0
        self.normal = np.isfinite(m)
        self.base = np.where(self.normal, m, 0.0)
        if self.hot.any():
            self.hot_count = sum(np.sum(x == -np.inf, axis=1, keepdims=True) for x in self.blocks())
        L = None
        self._d = None
        for x in self.blocks():
            d = self.shifted(x)
            lc = _lse_rows(d)
            L = lc if L is None else np.logaddexp(L, lc)
            if self._cache is not None:
                self._d = d
        self.L = L

    def shifted(self, x: np.ndarray) -> np.ndarray:
        """``-(x - m) / T`` (``<= 0`` on ordinary slices)."""
        with np.errstate(invalid="ignore", over="ignore"):
            d = np.subtract(x, self.base)
            d /= -self.t
        return d

    def excess(self, x: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore", over="ignore"):
            return np.subtract(x, self.base)

    def _terms(self):
        """``(x, d, log p, p)`` per chunk, ``d = -(x - m) / T``."""
        for x in self.blocks():
            d = self._d if self._d is not None else self.shifted(x)
            with np.errstate(invalid="ignore"):
                logp = d - self.L
            yield x, d, logp, np.exp(logp)

    def expectation(self, g, log_g) -> np.ndarray:
        """``A = sum_i p_i g_i`` for ``g_i = g(x, d, log p) >= 0``: summed directly, or redone in the log
        domain (``log_g``) where the direct sum cannot be trusted (see :data:`_TRUST`) or overflows."""
        total = top = None
        with np.errstate(invalid="ignore", over="ignore"):
            for x, d, logp, p in self._terms():
                gx = g(x, d, logp)
                tc = np.sum(np.where(p > 0, p * gx, 0.0), axis=1, keepdims=True)
                gc = np.max(gx, axis=1, keepdims=True, where=np.isfinite(logp), initial=0.0)
                total = tc if total is None else total + tc
                top = gc if top is None else np.maximum(top, gc)
            trusted = np.isfinite(top) & np.isfinite(total) & (total >= self.n * top * _TRUST)
        redo = self.normal & ~trusted
        if redo.any():
            acc = None
            with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
                for x, d, logp, _ in self._terms():
                    lc = _lse_rows(np.where(np.isfinite(logp), logp + log_g(x, d, logp), -np.inf))
                    acc = lc if acc is None else np.logaddexp(acc, lc)
                total = np.where(redo, np.exp(acc), total)
        return total

    def mean_excess(self) -> np.ndarray:
        """``<u> = sum_i p_i (E_i - m)`` (of the energies as used: halved if ``scale`` is 1/2)."""
        if not hasattr(self, "_mean"):
            self._mean = self.expectation(
                lambda x, d, logp: self.excess(x),
                lambda x, d, logp: np.log(self.excess(x)),
            )
        return self._mean

    def variance(self) -> np.ndarray:
        """``Var(E) = sum_i p_i (u_i - <u>)^2`` (of the energies as used)."""
        mean = np.where(self.normal, self.mean_excess(), 0.0)
        return self.expectation(
            lambda x, d, logp: (self.excess(x) - mean) ** 2,
            lambda x, d, logp: 2 * np.log(np.abs(self.excess(x) - mean)),
        )

    def heat(self) -> np.ndarray:
        """``C = Var(E / T) = sum_i p_i (e_i - <e>)^2`` with ``e_i = (E_i - m) / T = -d_i``: in units of
        ``T``, so neither ``T^2`` nor ``Var(E)`` needs to be representable (nor is a subnormal
        ``<E> - m`` divided by ``T``)."""
        mean = self.expectation(lambda x, d, logp: -d, lambda x, d, logp: np.log(-d))
        mean = np.where(self.normal, mean, 0.0)
        return self.expectation(
            lambda x, d, logp: (-d - mean) ** 2,
            lambda x, d, logp: 2 * np.log(np.abs(-d - mean)),
        )

    def entropy(self) -> np.ndarray:
        """``S = sum_i p_i (-log p_i)``."""
        return self.expectation(lambda x, d, logp: -logp, lambda x, d, logp: np.log(-logp))


def _reduce(energies, temperature, axis, keepdims, quantity: str):
    """The shared driver of the reductions: validate, visit the blocks, assemble the special slices."""
    arr = as_real_array(energies, "energies")
    t = _temperature(temperature)
    ax = check_axis(axis, arr.ndim)
    keepdims = check_bool(keepdims, "keepdims")
    sl = _Slices([arr], ax)
    out = np.empty(sl.count, dtype=np.float64)
    if sl.n == 0:  # no states: Z = 0
        out[...] = {"log_partition": -np.inf, "free_energy": np.inf}.get(quantity, np.nan)
    for rows, chunks in sl.groups() if sl.n else ():
        system = _System(lambda c, rows=rows: sl.block(0, rows, c), chunks, t, sl.n)
        out[rows] = _quantity(system, quantity)[:, 0]
    return _finish(sl.shaped(out, ax, arr.ndim, keepdims), arr.dtype)


def _quantity(s: _System, quantity: str) -> np.ndarray:
    """One quantity for every slice of a group, with the special slices set (module docstring)."""
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        if quantity == "log_partition":
            res, hot, empty = s.L - s.base / s.t, np.inf, -np.inf
        elif quantity == "free_energy":
            res = s.base - s.t * s.L
            res = np.where(np.isfinite(res), res, s.t * (s.base / s.t - s.L)) / s.scale
            hot, empty = -np.inf, np.inf
        elif quantity == "mean_energy":
            res, hot, empty = (s.base + s.mean_excess()) / s.scale, -np.inf, np.nan
        elif quantity == "energy_variance":
            res, hot, empty = s.variance() / s.scale**2, 0.0, np.nan
        elif quantity == "heat_capacity":  # the same for halved energies and temperature
            res, hot, empty = s.heat(), 0.0, np.nan
        else:  # thermo_entropy
            res, empty = s.entropy(), np.nan
            hot = np.log(s.hot_count) if s.hot.any() else 0.0
        res = np.where(s.hot, hot, res)
        res = np.where(s.empty, empty, res)
        return np.where(s.nan, np.nan, res) + 0.0  # + 0.0 turns -0.0 into 0.0


# ---------------------------------------------------------------------------- public functions


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
        along ``axis``. Lower energy means higher probability. The IEEE cases
        are those of :func:`softmaxlab.softmax` of ``-E``: a forbidden state
        gets 0; ``-inf`` energies share the probability equally; a system
        whose states are all forbidden gives nan; nan makes its own system
        nan. An empty input gives an empty result. dtypes as in
        :func:`softmaxlab.softmax`.

    Raises
    ------
    TypeError
        If ``energies`` is not a real numeric array, ``temperature`` not a real
        number, or ``axis`` not an int or None.
    ValueError
        If ``temperature`` is not positive and finite.
    numpy.exceptions.AxisError
        If ``axis`` is out of range.

    Notes
    -----
    Energies that differ by more than the float range (``-1e308`` and
    ``1e308``) are halved first, with the temperature: the probabilities do
    not change, and the differences no longer overflow.

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
    >>> boltzmann([-np.inf, 0.0, -np.inf])  # -inf energies share the probability
    array([0.5, 0. , 0.5])
    """
    arr = as_real_array(energies, "energies")
    t = _temperature(temperature)
    check_axis(axis, arr.ndim)
    neg = np.negative(arr, dtype=result_dtype(arr.dtype))
    if t >= _MIN_HALVING_T and neg.size and _spread_overflows(neg):
        neg *= 0.5
        t *= 0.5
    return softmax(neg, axis=axis, temperature=t)


def _spread_overflows(x: np.ndarray) -> bool:
    """True if the largest finite entry minus the smallest finite entry overflows."""
    with np.errstate(over="ignore", invalid="ignore"):
        lo, hi = x.min(), x.max()
        if not (np.isfinite(lo) and np.isfinite(hi)):
            finite = np.isfinite(x)
            if not finite.any():
                return False
            lo = np.min(x, where=finite, initial=np.inf)
            hi = np.max(x, where=finite, initial=-np.inf)
        return bool(np.isinf(np.float64(hi) - np.float64(lo)))


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
        Real energies of the states; ``+inf`` marks a forbidden state.
    temperature : float, optional
        ``T > 0``.
    axis : int or None, optional
        The axis of the states (default: the last); ``None`` for all of ``energies``.
    keepdims : bool, optional
        Keep the reduced axis with length 1 (with ``axis=None``, every axis).

    Returns
    -------
    ndarray or numpy scalar
        ``log Z``; equal to ``-F / T`` (see :func:`free_energy`). ``-inf``
        when there is no allowed state (an empty axis, or every energy
        ``+inf``), ``+inf`` when an energy is ``-inf``, nan for a system with a
        nan energy; ``+-inf`` when ``min E / T`` itself exceeds the float range.

    Raises
    ------
    TypeError, ValueError, numpy.exceptions.AxisError
        For bad arguments, as in :func:`boltzmann`; TypeError also if
        ``keepdims`` is not a bool.

    Notes
    -----
    Computed as ``L - min E / T`` with ``L = logsumexp(-(E - min E) / T)`` in
    ``[0, log n]``: ``Z`` itself is never formed, so energies of thousands of
    ``T`` are fine.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import log_partition
    >>> bool(np.isclose(log_partition([0.0, 0.0, 0.0]), np.log(3)))   # three equal states
    True
    >>> float(log_partition([1000.0, 1001.0], temperature=0.5))   # Z = e^-2000 (1 + e^-2)
    -1999.873071988957
    >>> float(log_partition([]))                                  # no states: Z = 0
    -inf
    """
    return _reduce(energies, temperature, axis, keepdims, "log_partition")


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
        Real energies of the states; ``+inf`` marks a forbidden state.
    temperature : float, optional
        ``T > 0``.
    axis : int or None, optional
        The axis of the states (default: the last); ``None`` for all of ``energies``.
    keepdims : bool, optional
        Keep the reduced axis with length 1 (with ``axis=None``, every axis).

    Returns
    -------
    ndarray or numpy scalar
        ``F``, which lies in ``[min E - T log n, min E]`` and tends to the
        ground-state energy ``min E`` as ``T -> 0``. ``+inf`` when there is no
        allowed state (an empty axis, or every energy ``+inf``), ``-inf`` when
        an energy is ``-inf``, nan for a system with a nan energy.

    Raises
    ------
    TypeError, ValueError, numpy.exceptions.AxisError
        For bad arguments, as in :func:`log_partition`.

    Notes
    -----
    ``F = min E - T L`` with ``L`` as in :func:`log_partition` (computed as
    ``T (min E / T - L)`` where ``T L`` alone overflows); it satisfies
    ``dF/dT = -S`` and ``F = <E> - T S`` (see :func:`thermo_entropy`). It is
    as accurate as ``-logsumexp(-E, temperature=T)``, including a result near
    0 only when ``min E`` and ``T L`` do not cancel.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import free_energy
    >>> float(free_energy([0.0, 0.0]))          # two degenerate ground states: -T log 2
    -0.6931471805599453
    >>> float(free_energy([1.0, 5.0], temperature=1e-3))    # T -> 0: the ground state
    1.0
    >>> float(free_energy([0.0] * 4, temperature=1e308)) / 1e308   # -T log 4: T log 4 alone overflows
    -1.3862943611198906
    """
    return _reduce(energies, temperature, axis, keepdims, "free_energy")


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
        Keep the reduced axis with length 1 (with ``axis=None``, every axis).

    Returns
    -------
    ndarray or numpy scalar
        ``<E>``, between ``min E`` (as ``T -> 0``) and the plain average of the
        energies (as ``T -> inf``). nan for a system with no allowed state (an
        empty axis, or every energy ``+inf``: an average over no states) or a
        nan energy; ``-inf`` when an energy is ``-inf``.

    Raises
    ------
    TypeError, ValueError, numpy.exceptions.AxisError
        For bad arguments, as in :func:`log_partition`.

    Notes
    -----
    ``<E> = min E + sum_i p_i (E_i - min E)``, a sum of non-negative terms:
    the excess over the ground state keeps its relative accuracy however
    small it is (a frozen system); ``<E>`` itself is accurate to a few ulp
    of the largest energy that carries probability.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import mean_energy
    >>> float(mean_energy([0.0, 1.0], temperature=1.0))     # 1 / (1 + e)
    0.2689414213699951
    >>> round(float(mean_energy([0.0, 1.0, np.inf], temperature=1e6)), 12)
    0.49999975
    >>> float(mean_energy([0.0, 1.0], temperature=1e-3))    # e^-1000: below the float range
    0.0
    >>> float(mean_energy([]))                              # an average over no states
    nan
    """
    return _reduce(energies, temperature, axis, keepdims, "mean_energy")


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
        Keep the reduced axis with length 1 (with ``axis=None``, every axis).

    Returns
    -------
    ndarray or numpy scalar
        The variance, ``>= 0``. nan for a system with no allowed state (an
        empty axis, or every energy ``+inf``) or a nan energy; 0 when an energy
        is ``-inf`` (all the probability on equal energies); ``+inf`` only
        when the variance exceeds the float range.

    Raises
    ------
    TypeError, ValueError, numpy.exceptions.AxisError
        For bad arguments, as in :func:`log_partition`.

    Notes
    -----
    Two passes over the excess energies ``u_i = E_i - min E``: the mean
    ``<u>`` first, then ``sum_i p_i (u_i - <u>)^2``, never
    ``<E^2> - <E>^2`` (which cancels): energies near ``10^6`` keep the full
    relative accuracy of their variance, as do nearly frozen systems, whose
    variance is far below the square of the energies.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import energy_variance
    >>> float(energy_variance([0.0, 2.0], temperature=1e9))   # a fair coin between 0 and 2
    1.0
    >>> float(energy_variance([5.0, 5.0, 5.0]))               # one energy level: no spread
    0.0
    >>> bool(np.isclose(energy_variance(1e6 + np.array([0.0, 1.0])), np.e / (1 + np.e) ** 2))
    True
    """
    return _reduce(energies, temperature, axis, keepdims, "energy_variance")


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
        Real energies of the states; ``+inf`` states contribute 0.
    temperature : float, optional
        ``T > 0``.
    axis : int or None, optional
        The axis of the states (default: the last); ``None`` for all of ``energies``.
    keepdims : bool, optional
        Keep the reduced axis with length 1 (with ``axis=None``, every axis).

    Returns
    -------
    ndarray or numpy scalar
        ``C >= 0``: energy fluctuations measure how fast the mean energy
        responds to heating. Special cases as in :func:`energy_variance`.

    Raises
    ------
    TypeError, ValueError, numpy.exceptions.AxisError
        For bad arguments, as in :func:`log_partition`.

    Notes
    -----
    Computed as the variance of ``(E - min E) / T``, the energies in units of
    ``T`` (two passes, as in :func:`energy_variance`): neither ``T^2`` nor
    ``Var(E)`` needs to be representable, only ``C``, so ``T = 1e-200``,
    ``T = 1e200`` and energies a subnormal number apart at a subnormal ``T``
    are fine.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import heat_capacity
    >>> T = 0.5
    >>> c = heat_capacity([0.0, 1.0], temperature=T)   # two-level (Schottky) system
    >>> x = 1 / T
    >>> bool(np.isclose(c, x**2 * np.exp(x) / (1 + np.exp(x)) ** 2))
    True
    >>> float(heat_capacity([0.0, 1.0], temperature=1e-200))   # frozen: C = 0 to double precision
    0.0
    >>> float(heat_capacity([0.0, 1.0], temperature=1e100))    # 1 / (4 T^2)
    2.5e-201
    """
    return _reduce(energies, temperature, axis, keepdims, "heat_capacity")


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
        Keep the reduced axis with length 1 (with ``axis=None``, every axis).

    Returns
    -------
    ndarray or numpy scalar
        ``S`` in ``[0, log n]``: ``log g`` for ``g`` degenerate ground states as
        ``T -> 0``, ``log n`` for ``n`` finite states as ``T -> inf``. nan for a
        system with no allowed state (an empty axis, or every energy ``+inf``)
        or a nan energy; ``log(count)`` when ``count`` energies are ``-inf``
        (they share the probability).

    Raises
    ------
    TypeError, ValueError, numpy.exceptions.AxisError
        For bad arguments, as in :func:`log_partition`.

    Notes
    -----
    Takes ``log p_i = -(E_i - min E) / T - L`` (see :func:`log_partition`),
    accurate where ``p_i`` underflows, rather than the log of the
    probabilities, and never uses ``(<E> - F) / T``, which cancels
    catastrophically at low temperature; every term ``-p_i log p_i`` is
    non-negative.

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
    return _reduce(energies, temperature, axis, keepdims, "thermo_entropy")


def variational_free_energy(
    p: ArrayLike,
    energies: ArrayLike,
    temperature: float = 1.0,
    axis: int | None = -1,
    *,
    keepdims: bool = False,
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
        ``>= 0`` summing to 1 (within ``max(sqrt(eps), 4 n eps)`` of the
        working dtype, as :func:`softmaxlab.entropy` accepts). Zero entries
        contribute 0, also where the energy is ``+-inf``; nan entries make
        their own slice nan.
    energies : array_like
        Real energies, broadcastable against ``p``.
    temperature : float, optional
        ``T > 0``.
    axis : int or None, optional
        The axis of the states (default: the last); ``None`` for the whole
        (broadcast) arrays.
    keepdims : bool, optional
        Keep the reduced axis with length 1 (with ``axis=None``, every axis).

    Returns
    -------
    ndarray or numpy scalar
        ``G(p) >= F``; ``+inf`` if ``p`` puts mass on a forbidden (``+inf``)
        state, ``-inf`` on a ``-inf`` one (nan on both), nan where ``p`` or
        an energy with mass is nan. dtype: that of ``p`` and ``energies``
        combined, by the rules of :func:`boltzmann`.

    Raises
    ------
    TypeError
        If ``p`` or ``energies`` is not a real numeric array, ``temperature`` not
        a real number, ``axis`` not an int or None, or ``keepdims`` not a bool.
    ValueError
        If ``p`` has negative entries or a slice that does not sum to 1 (an
        empty axis sums to 0), the shapes do not broadcast, or ``temperature``
        is not positive and finite.
    numpy.exceptions.AxisError
        If ``axis`` is out of range.

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
    t = _temperature(temperature)
    try:
        shape = np.broadcast_shapes(p_arr.shape, e_arr.shape)
    except ValueError:
        raise ValueError(f"p of shape {p_arr.shape} and energies of shape {e_arr.shape} do not broadcast") from None
    ax = check_axis(axis, len(shape))
    keepdims = check_bool(keepdims, "keepdims")
    dtype = np.result_type(result_dtype(p_arr.dtype), result_dtype(e_arr.dtype))
    # the tolerance of softmaxlab.entropy: rounding of n probabilities in p's working dtype
    eps = float(np.finfo(np.float32 if p_arr.dtype.kind == "f" and p_arr.dtype.itemsize <= 4 else np.float64).eps)
    sl = _Slices([np.broadcast_to(p_arr, shape), np.broadcast_to(e_arr, shape)], ax)
    tolerance = max(math.sqrt(eps), 4 * sl.n * eps)
    out = np.empty(sl.count, dtype=np.float64)
    for rows, chunks in sl.groups():
        energy = entropy = mass = 0.0
        for c in chunks:
            pb, eb = sl.block(0, rows, c), sl.block(1, rows, c)
            if np.any(pb < 0):
                raise ValueError(f"p must be non-negative probabilities; found {float(pb[pb < 0][0]):.6g}")
            with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
                live = pb > 0
                energy = energy + np.sum(np.where(live, pb * eb, 0.0), axis=1)
                entropy = entropy - np.sum(np.where(live, pb * np.log(pb), 0.0), axis=1)
                mass = mass + np.sum(pb, axis=1)
                lost = np.isnan(pb).any(axis=1)
            energy = np.where(lost, np.nan, energy)
        bad = np.abs(mass - 1) > tolerance
        if np.any(bad):
            raise ValueError(
                f"p must sum to 1 along axis {axis}; a slice sums to {float(mass[bad][0]):.6g} "
                f"(accepted: within {tolerance:.3g} of 1)"
            )
        with np.errstate(invalid="ignore", over="ignore"):
            g = energy - t * entropy
            g = np.where(np.isfinite(g) | ~np.isfinite(energy), g, t * (energy / t - entropy))
        out[rows] = g
    with np.errstate(over="ignore"):
        res = sl.shaped(out, ax, len(shape), keepdims).astype(dtype)
    return res[()] if res.ndim == 0 else res
