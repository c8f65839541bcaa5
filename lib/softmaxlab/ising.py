r"""The one-dimensional Ising ring: a partition function computed two exact ways.

``n`` spins ``s_i = +-1`` sit on a ring (``s_{n+1} = s_1``) with energy

.. math:: E(s) = -J \sum_{i=1}^{n} s_i s_{i+1} - h \sum_{i=1}^{n} s_i ,

coupling ``J`` (``J > 0`` favours aligned neighbours) and external field ``h``.
Its Boltzmann distribution over the ``2**n`` configurations is a softmax with
``2**n`` classes, and ``log Z`` is a logsumexp over them.

* **Enumeration** lists every configuration and applies
  :mod:`softmaxlab.thermo` to the ``2**n`` energies: exact, and ``O(2**n)``.
* **Transfer matrix**: ``Z = trace(M**n) = lambda_+**n + lambda_-**n`` with
  ``M[s, s'] = exp(beta (J s s' + h (s + s') / 2))`` and ``lambda_pm`` its two
  eigenvalues: exact, and ``O(log n)``, including ``n = inf``, where only
  ``lambda_+`` survives.

Derivatives of ``log Z`` (mean energy, heat capacity) come from powers of
block matrices holding ``M`` and its derivatives, or, for ``n = inf``, from
the eigenvalues' derivatives (Hellmann-Feynman: ``lambda' = v^T M' v`` and
``lambda'' = v^T M'' v + 2 (w^T M' v)^2 / (lambda - mu)`` for an eigenpair
``(lambda, v)`` and the other pair ``(mu, w)``); the magnetisation has a closed
form. So both methods deliver the same four numbers and the book compares
them. Where the transfer method cannot guarantee a heat capacity (a frustrated
ring far below ``T = |J|``), it returns nan rather than a wrong number.

Temperatures may be any positive finite numbers (``5e-324`` to ``1e308``),
couplings and fields any finite numbers: the matrix is scaled by its largest
entry and computed from ``(A - max A) / T``, never ``beta = 1 / T`` itself, so
the limits come out (the ground state at ``T = 1e-300``, ``F = -T log 2`` at
``T = 1e308``); only a quantity beyond the float range is ``+-inf``.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from softmaxlab._validation import as_real_array, check_int, check_real, result_dtype, result_in_input_dtype
from softmaxlab.core import log_softmax, logsumexp
from softmaxlab.thermo import free_energy, heat_capacity, log_partition, mean_energy

__all__ = [
    "IsingThermodynamics",
    "ising_ring_configurations",
    "ising_ring_energy",
    "ising_ring_log_partition",
    "ising_ring_thermodynamics",
]

#: Largest ring that ``method="enumerate"`` accepts (2**20 configurations).
MAX_ENUMERATED_SPINS = 20

#: Largest finite ring (every integer up to it is a float, so ``n`` enters the formulas exactly).
MAX_SPINS = 2**53

#: Relative accuracy the transfer method guarantees for the heat capacity it returns; where its
#: error bound is larger, it returns nan (see :func:`ising_ring_thermodynamics`).
HEAT_CAPACITY_RTOL = 1e-6

#: Temperatures handled at once: the transfer method holds a few dozen numbers per temperature,
#: so long temperature arrays are done in blocks of this many.
_T_BLOCK = 1 << 12

#: Couplings and fields up to this magnitude are used as given; larger ones are scaled down by a
#: power of two together with the temperature (every per-spin quantity scales exactly).
_MAX_SCALE = 2.0**1000

#: In a frustrated ring (J < 0, n odd) every configuration has a bond against the coupling, whose
#: Boltzmann factor relative to the others is ``max(a, d)`` below; where it is smaller than this the
#: ring's ground states alone carry the energy (to rounding), and it is raised to this value so that
#: no product of the transfer matrix's entries is subnormal.
_FRUSTRATED_FLOOR = 2.0**-200


class IsingThermodynamics(NamedTuple):
    """Per-spin equilibrium quantities of the Ising ring (Boltzmann's constant 1)."""

    free_energy: np.ndarray
    """``-T log Z / n``."""
    energy: np.ndarray
    """Mean energy per spin ``<E> / n = -(1/n) d log Z / d beta``."""
    heat_capacity: np.ndarray
    """``Var(E) / (n T^2) = (beta^2 / n) d^2 log Z / d beta^2``."""
    magnetization: np.ndarray
    """Mean spin ``<sum_i s_i> / n = (T / n) d log Z / d h``."""


def _check_n(n, *, allow_inf: bool) -> int | float:
    if allow_inf and isinstance(n, (float, np.floating)) and not isinstance(n, bool) and n == math.inf:
        return math.inf
    extra = " (or math.inf for the infinite chain)" if allow_inf else ""
    if isinstance(n, (float, np.floating)):
        raise TypeError(f"n must be an integer{extra}, got {n!r}")
    return check_int(n, "n", minimum=1, maximum=MAX_SPINS)


def _check_method(method: str) -> str:
    if not isinstance(method, str) or method not in ("enumerate", "transfer"):
        raise ValueError(f"method must be 'enumerate' or 'transfer', got {method!r}")
    return method


def _temperatures(temperature: ArrayLike) -> tuple[np.ndarray, np.dtype]:
    """The temperatures as float64 and the dtype of the results (that of ``temperature``, by the core's rules)."""
    if not isinstance(temperature, (np.ndarray, list, tuple)) and np.ndim(temperature) == 0:
        value = check_real(temperature, "temperature", positive=True)  # names 10**400, True, "hot"
        given = isinstance(temperature, (np.floating, np.integer))
        dtype = np.asarray(temperature).dtype if given else np.dtype(np.float64)
        return np.asarray(value), result_dtype(dtype)
    t = as_real_array(temperature, "temperature")
    if t.dtype.kind == "b":
        raise TypeError("temperature must hold real numbers, not booleans")
    out = result_dtype(t.dtype)
    t = t.astype(np.float64, copy=False)
    if not np.all(np.isfinite(t) & (t > 0)):
        bad = t[~(np.isfinite(t) & (t > 0))].reshape(-1)[0]
        raise ValueError(f"temperature must be positive and finite everywhere, got {bad!r}")
    return t, out


def _couplings(coupling: float, field: float, t: np.ndarray) -> tuple[float, float, np.ndarray, float]:
    """``(J, h, T, scale)``: couplings beyond :data:`_MAX_SCALE` are multiplied, with ``T``, by a power of
    two ``scale``, so that no bond energy overflows; energies per spin are then divided by ``scale``."""
    J = check_real(coupling, "coupling")
    h = check_real(field, "field")
    big = max(abs(J), abs(h))
    if big <= _MAX_SCALE:
        return J, h, t, 1.0
    scale = 2.0 ** -(math.frexp(big)[1] - math.frexp(_MAX_SCALE)[1])
    with np.errstate(under="ignore"):
        return J * scale, h * scale, np.maximum(t * scale, np.finfo(np.float64).smallest_subnormal), scale


def ising_ring_configurations(n: int) -> np.ndarray:
    """All ``2**n`` spin configurations of ``n`` spins, one per row, entries ``+1`` or ``-1``.

    Row ``k`` holds the binary digits of ``k`` (most significant first), with
    0 read as ``+1`` and 1 as ``-1``: row 0 is all ``+1``, the last row all ``-1``.

    Parameters
    ----------
    n : int
        Number of spins, ``1 <= n <= 20``.

    Returns
    -------
    ndarray of int8, shape ``(2**n, n)``

    Raises
    ------
    TypeError
        If ``n`` is not an integer.
    ValueError
        If ``n`` is not between 1 and 20.

    Examples
    --------
    >>> from softmaxlab.ising import ising_ring_configurations
    >>> ising_ring_configurations(2)
    array([[ 1,  1],
           [ 1, -1],
           [-1,  1],
           [-1, -1]], dtype=int8)
    """
    n = check_int(n, "n", minimum=1, maximum=MAX_ENUMERATED_SPINS)
    rows = np.arange(2**n, dtype=np.int32)
    out = np.empty((2**n, n), dtype=np.int8)
    for j in range(n):  # one column at a time: no temporary of the output's size in a wider type
        out[:, j] = 1 - 2 * ((rows >> (n - 1 - j)) & 1)
    return out


def ising_ring_energy(spins: ArrayLike, coupling: float = 1.0, field: float = 0.0) -> np.ndarray:
    """Energy ``-J sum_i s_i s_{i+1} - h sum_i s_i`` of ring configurations (periodic, along the last axis).

    Parameters
    ----------
    spins : array_like
        Configurations of ``+1``/``-1`` spins along the last axis; any leading shape.
    coupling : float, optional
        ``J``, finite; positive is ferromagnetic.
    field : float, optional
        ``h``, the external field, finite.

    Returns
    -------
    ndarray or numpy scalar
        One energy per configuration (float64), exact for integer ``J`` and
        ``h``; ``+-inf`` only where the energy exceeds the float range. A ring
        with no spins (last axis empty) has energy 0.

    Raises
    ------
    TypeError
        If ``spins`` is not a real numeric array, or ``coupling`` or ``field``
        not a real number.
    ValueError
        If ``spins`` is 0-d or holds anything but ``+1`` and ``-1``, or
        ``coupling`` or ``field`` is not finite.

    Examples
    --------
    >>> from softmaxlab.ising import ising_ring_energy
    >>> float(ising_ring_energy([1, 1, 1, 1]))          # all aligned: -J n
    -4.0
    >>> float(ising_ring_energy([1, -1, 1, -1]))        # all bonds broken: +J n
    4.0
    >>> float(ising_ring_energy([1, 1, 1, 1], field=0.5))
    -6.0
    """
    s = as_real_array(spins, "spins")
    if s.ndim == 0:
        raise ValueError("spins must have at least one dimension (the ring)")
    J = check_real(coupling, "coupling")
    h = check_real(field, "field")
    n = s.shape[-1]
    if n == 0 or s.size == 0:  # no spins: empty sums
        res = np.zeros(s.shape[:-1])
        return res[()] if res.ndim == 0 else res
    try:
        rows = np.reshape(s, (-1, n), copy=False)
    except ValueError:  # a layout whose leading axes do not merge: one copy of the (small) spins
        rows = np.ascontiguousarray(s).reshape(-1, n)
    out = np.empty(rows.shape[0], dtype=np.float64)
    step = max(1, (1 << 17) // max(n, 1))
    for r0 in range(0, rows.shape[0], step):
        block = rows[r0 : r0 + step].astype(np.float64)
        if not np.all(np.abs(block) == 1):
            raise ValueError("spins must contain only +1 and -1")
        bonds = np.sum(block * np.roll(block, -1, axis=1), axis=1)
        total = np.sum(block, axis=1)
        with np.errstate(over="ignore", invalid="ignore"):
            energy = -J * bonds - h * total
            # each term may overflow where their sum does not: -n (J bonds / n + h total / n), halved
            wide = ~np.isfinite(energy)
            if wide.any():
                half = (J / 2) * (bonds[wide] / n) + (h / 2) * (total[wide] / n)
                energy[wide] = -2 * n * half
        out[r0 : r0 + step] = energy
    res = out.reshape(s.shape[:-1])
    return res[()] if res.ndim == 0 else res


def _in_blocks(method, n, t: np.ndarray, J: float, h: float, keep: tuple[int, ...]) -> list[np.ndarray]:
    """The results ``keep`` of ``method(n, t, J, h)`` (``log Z``, free energy, energy, heat capacity,
    magnetisation, shaped like ``t``), computed a block of :data:`_T_BLOCK` temperatures at a time."""
    flat = t.reshape(-1)
    outs = [np.empty(flat.size) for _ in keep]
    for i0 in range(0, flat.size, _T_BLOCK):
        parts = method(n, flat[i0 : i0 + _T_BLOCK], J, h)
        for out, k in zip(outs, keep):
            out[i0 : i0 + _T_BLOCK] = parts[k]
    return [out.reshape(t.shape) for out in outs]


def _enumerated(n: int, t: np.ndarray, J: float, h: float):
    """log Z and per-spin averages from all 2**n states, for each temperature in ``t``, through
    :mod:`softmaxlab.thermo` (accurate for every temperature; see its module docstring)."""
    spins = ising_ring_configurations(n)
    energy = ising_ring_energy(spins, J, abs(h))
    total = spins.sum(axis=1).astype(np.float64)
    up = total > 0
    log_z, free, mean_e, heat, magnet = (np.empty(t.shape) for _ in range(5))
    for i in np.ndindex(t.shape):
        T = float(t[i])
        log_z[i] = log_partition(energy, T)
        free[i] = free_energy(energy, T) / n
        if not math.isfinite(free[i]) and math.isfinite(log_z[i]):  # -T log Z overflows, -T log Z / n not
            free[i] = -T * (log_z[i] / n)
        mean_e[i] = mean_energy(energy, T) / n
        heat[i] = heat_capacity(energy, T) / n
        # magnetisation with |h|: each state s with S(s) > 0 paired with -s, whose weight is
        # p(s) e^(-2 |h| S / T): sum_s S p(s) = sum_{S > 0} S p(s) (1 - e^(-2 |h| S / T)), all terms >= 0
        if h:
            with np.errstate(divide="ignore", over="ignore"):
                log_p = log_softmax(-energy, temperature=T)[up]
                terms = log_p + np.log(total[up]) + np.log(-np.expm1(-2 * abs(h) * total[up] / T))
            magnet[i] = math.copysign(float(np.exp(logsumexp(terms))), h) / n
        else:
            magnet[i] = 0.0
    return log_z, free, mean_e, heat, magnet


def _transfer(n: int | float, t: np.ndarray, J: float, h: float):
    """log Z (per spin if n is inf) and per-spin energy, heat capacity and magnetisation from the
    transfer matrix ``M[s, s'] = exp((J s s' + h (s + s') / 2) / T)``; see the module docstring."""
    finite = not math.isinf(n)
    shape = np.shape(t)
    t = np.asarray(t, dtype=np.float64).reshape(-1)  # one temperature per row; the shape is restored at the end
    # bond exponents A (an energy, minus): A++ = J + h, A-- = J - h, A+- = -J; c = A - max A <= 0
    a_pp, a_mm, a_pm = J + h, J - h, -J
    a_max = max(a_pp, a_mm, a_pm)
    c = np.array([[a_pp - a_max, a_pm - a_max], [a_pm - a_max, a_mm - a_max]])
    sigma = float(np.abs(c).max()) or 1.0  # c / sigma in [-1, 0]: its square cannot overflow
    with np.errstate(divide="ignore", over="ignore", under="ignore", invalid="ignore"):
        log_m = c / t[..., None, None]  # log of the scaled matrix M e^(-max A / T), entries <= 0
        m = np.exp(log_m)
        a, d, b = m[..., 0, 0], m[..., 1, 1], m[..., 0, 1]
        gap = 2 * np.hypot((a - d) / 2, b)  # lambda_+ - lambda_-, free of cancellation
        lam = (a + d + gap) / 2  # lambda_+ of the scaled matrix, >= 1
        # 1 - |r|, r = lambda_- / lambda_+, in the log domain (it may underflow where |r|^n does not):
        # gap / lambda_+ if J >= 0 (then r >= 0), (a + d) / lambda_+ if J < 0 (then r < 0)
        log_y = np.logaddexp(log_m[..., 0, 0], log_m[..., 1, 1]) - np.log(lam)
        log_z1 = np.log(gap) - np.log(lam) if J >= 0 else log_y
        # log|r|: log1p(-(1 - |r|)) where |r| > 1/2; elsewhere from det M / lambda_+^2, with
        # det M = ad - b^2 = e^(log a + log d) (1 - e^(-4J/T)) if J >= 0, -b^2 (1 - e^(4J/T)) if J < 0:
        # both sums of terms <= 0, accurate where |r| is not close to 1
        base = log_m[..., 0, 0] + log_m[..., 1, 1] if J >= 0 else 2 * log_m[..., 0, 1]
        log_det = base + np.log(-np.expm1(-4 * abs(J) / t)) - 2 * np.log(lam)
        log_r = np.minimum(np.where(log_z1 < -math.log(2.0), np.log1p(-np.exp(log_z1)), log_det), 0.0)
        frustrated = J < 0 and finite and n % 2 == 1
        # the frustrated ring far below |J|: 1 - |r| underflows, Z = lambda_+^(n-1) n (a + d) to rounding
        frozen = (log_y < -700) if frustrated else np.zeros(t.shape, dtype=bool)
        # log Z = (n max A + extra) / T + rest and F = -(n max A + extra + T rest), the parts in 1/T
        # (an energy) kept apart, so that neither overflows where the result does not
        extra = np.zeros(t.shape)
        if finite:
            x = -n * log_r  # |r|^n = e^-x
            if frustrated:  # Z = lambda_+^n (1 - |r|^n)
                rest = n * np.log(lam) + np.log(-np.expm1(-x))
                # frozen: Z = lambda_+^(n-1) n (a + d); log(a + d) = (max c++, c--)/T + log(1 + e^-spread)
                spread = abs(c[0, 0] - c[1, 1]) / t
                frozen_rest = (n - 1) * np.log(lam) + math.log(n) + np.log1p(np.exp(-spread))
                rest = np.where(frozen, frozen_rest, rest)
                extra = np.where(frozen, max(c[0, 0], c[1, 1]), 0.0)
            else:  # Z = lambda_+^n (1 + |r|^n)
                rest = n * np.log(lam) + np.log1p(np.exp(-x))
            numerator = n * a_max + extra
            log_z = np.where(np.isfinite(numerator), numerator / t, n * (a_max / t) + extra / t) + rest
            free = -(a_max + extra / n + t * (rest / n))  # per spin
        else:  # per spin
            rest = np.log(lam)
            log_z = a_max / t + rest
            free = -(a_max + t * rest)
        # magnetisation: m = m_inf (1 - r^n) / (1 + r^n), m_inf = sinh H / sqrt(sinh^2 H + e^(-4K)),
        # written as exp(log m) so that neither factor over- or underflows on its own
        if h == 0:
            magnet = np.zeros(t.shape)
        else:
            y_m = (-2 * J - abs(h)) / t + math.log(2.0) - np.log(-np.expm1(-2 * abs(h) / t))
            log_m_inf = -0.5 * np.logaddexp(0.0, 2 * y_m)
            log_magnet = log_m_inf
            if finite:
                half = np.where(x < 1e-8, np.log(x) - math.log(2.0), np.log(np.tanh(x / 2)))  # log tanh(x/2)
                log_magnet = log_magnet + (-half if frustrated else half)
            magnet = math.copysign(1.0, h) * np.exp(log_magnet)
            if frustrated:  # frozen: T d log Z / dh per spin, from the Z above
                frozen_m = math.copysign(1.0, h) * ((n - 1) * np.exp(log_m_inf) + np.tanh(abs(h) / t)) / n
                magnet = np.where(frozen, frozen_m, magnet)
    energy, var = _chain_moments(m, lam, gap, c / sigma)
    reliable = np.ones(t.shape, dtype=bool)
    if finite:
        # The ring's per-spin energy and heat capacity are the chain's plus the derivatives of
        # log(1 +- |r|^n) / n. With g = (lambda_+ - lambda_-) / lambda_+, Hellmann-Feynman bounds
        # |d log|r| / d beta| by sigma (1 + 1/|r|) and the second derivative by sigma^2 (1 + 1/|r|)^2
        # (2 + 2/g); where the corrections so bounded are below a tenth of an ulp of the chain's values
        # (of sigma for the energy, which is accurate to that), the chain's are the ring's. Elsewhere
        # (small rings, long correlations), block powers.
        eps = np.finfo(np.float64).eps
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            g = gap / lam
            log_inv = np.logaddexp(0.0, -log_r)  # log(1 + 1/|r|)
            e_bound = -x + log_inv + math.log(4.0)
            c_bound = 2 * (math.log(sigma) - np.log(t)) - x + 2 * log_inv + np.log(n + 2 + 2 / g) + math.log(4.0)
            c_target = np.log(eps / 10) + np.log(_per_temperature_squared(var, sigma, t))
            chain_ok = (e_bound <= math.log(eps / 10)) & (c_bound <= c_target)
        ring = ~chain_ok
        if ring.any():
            ring_energy, ring_var, ring_reliable = _transfer_moments(
                n, m[ring], lam[ring], log_m[ring], c, t[ring], sigma, frustrated
            )
            energy[ring], var[ring], reliable[ring] = ring_energy, ring_var, ring_reliable
    energy = -(a_max + sigma * energy)
    heat = _per_temperature_squared(var, sigma, t)
    heat = np.where(reliable, heat, np.nan)
    if frustrated and frozen.any():
        # frozen: the states of one bond against the coupling (++ or --, of net spin +-1) are all there
        # is, to far below rounding (the next states weigh (1 - |r|)^2 < e^-1400 as much); their energies
        # differ by 2h, so C n = (2h/T)^2 p (1 - p) with p = 1 / (1 + e^(-2|h|/T))
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            u = 2 * abs(h) / t
            manifold = np.exp(2 * np.log(u) - u - 2 * np.log1p(np.exp(-u)) - math.log(n))
            manifold = np.where((u == 0) | (u > 1e4), 0.0, manifold)
        heat = np.where(frozen, manifold, heat)
    return tuple(np.reshape(q, shape) for q in (log_z, free, energy, heat, magnet))


def _per_temperature_squared(v: np.ndarray, sigma: float, t: np.ndarray) -> np.ndarray:
    """``v (sigma / T)^2``, and 0 where ``v`` is 0, without ``(sigma / T)^2`` over- or underflowing alone."""
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        q = sigma / t
        direct = v * q * q
        logs = np.exp(np.log(v) + 2 * (math.log(sigma) - np.log(t)))
        good = np.isfinite(direct) & np.isfinite(q) & (q > 1e-150) & (q < 1e150)
        return np.where(v == 0, 0.0, np.where(good, direct, logs))


def _chain_moments(m: np.ndarray, lam: np.ndarray, gap: np.ndarray, c: np.ndarray):
    """Per-bond mean and variance of ``c`` (units of ``sigma``) in the infinite chain, by Hellmann-Feynman:
    ``lambda' = v^T M' v`` and ``lambda'' = v^T M'' v + 2 (w^T M' v)^2 / (lambda_+ - lambda_-)``.

    The eigenvectors are written down, ``v ~ (lambda_+ - d, b)`` (or ``(b, lambda_+ - a)``), from sums
    of terms >= 0, so a small component keeps its relative accuracy (a numerical eigensolver's has only
    an absolute one, which loses the heat capacity of a chain far below its couplings).
    """
    a, d, b = m[..., 0, 0], m[..., 1, 1], m[..., 0, 1]
    with np.errstate(invalid="ignore", divide="ignore", over="ignore", under="ignore"):
        first = a >= d
        big = np.where(first, (a - d + gap) / 2, (d - a + gap) / 2)  # lambda_+ minus the smaller diagonal
        norm = np.hypot(big, b)
        v0 = np.where(first, big, b) / norm
        v1 = np.where(first, b, big) / norm
        v = np.stack([v0, v1], axis=-1)  # >= 0: the Perron vector
        w = np.stack([-v1, v0], axis=-1)
        scaled = m / lam[..., None, None]

        def form(x, mat, y):
            return np.einsum("...i,...ij,...j->...", x, mat, y)

        mean = form(v, np.where(scaled > 0, scaled * c, 0.0), v)  # <= 0: v >= 0, c <= 0
        centred = c - mean[..., None, None]
        cross = form(w, np.where(scaled > 0, scaled * centred, 0.0), v)
        curvature = form(v, np.where(scaled > 0, scaled * centred**2, 0.0), v)
        crossing = np.where(cross == 0, 0.0, 2 * cross**2 / (gap / lam))
    return mean, curvature + crossing


def _transfer_moments(
    n: int, m: np.ndarray, lam: np.ndarray, log_m: np.ndarray, c_raw: np.ndarray, t: np.ndarray, sigma: float,
    frustrated: bool,
):
    """Per-bond mean of ``c`` (units of ``sigma``), variance of ``sum_bonds c`` per spin, and where that
    variance is known to :data:`HEAT_CAPACITY_RTOL`, from powers of block matrices (truncated Taylor
    arithmetic): ``[[M, M', M''/2], [0, M, M'], [0, 0, M]]^n = [[M^n, (M^n)', (M^n)''/2], ...]``, with
    ``M' = M o c`` and ``M'' = M o c^2``, all divided by ``lambda_+`` so that nothing overflows.

    Two variances: with ``c <= 0`` every product is of one sign (no cancellation inside the power),
    the variance ``<(sum c)^2> - <sum c>^2`` then cancelling where the spread is small against the
    mean; and with ``c`` centred at its mean per bond (``<(sum c')^2>``, no cancellation there, but
    products of both signs inside the power). Each has an error bound (``n`` ulps of the same power
    of absolute values); the better one is kept, and marked unreliable where its bound exceeds
    :data:`HEAT_CAPACITY_RTOL` of it.
    """
    rescaled = np.zeros(m.shape[:-2], dtype=bool)
    if frustrated:
        # every configuration of the odd antiferromagnetic ring has an odd number of bonds against
        # the coupling, whose factors a, d may be subnormal: raise them to _FRUSTRATED_FLOOR (keeping
        # a / d). The first moment is unchanged (the ground states carry a factor a or d each; the
        # next states a factor (a, d)^2 smaller, negligible before and after), the variance is not.
        top = np.maximum(log_m[..., 0, 0], log_m[..., 1, 1])
        rescaled = top < math.log(_FRUSTRATED_FLOOR)
        if rescaled.any():
            with np.errstate(over="ignore"):
                delta = (c_raw[0, 0] - c_raw[1, 1]) / t  # log(a / d), finite or +-inf
            floor = math.log(_FRUSTRATED_FLOOR)
            m = m.copy()
            m[..., 0, 0] = np.where(rescaled, np.exp(floor + np.minimum(0.0, delta)), m[..., 0, 0])
            m[..., 1, 1] = np.where(rescaled, np.exp(floor + np.minimum(0.0, -delta)), m[..., 1, 1])
            a, d, b = m[..., 0, 0], m[..., 1, 1], m[..., 0, 1]
            lam = np.where(rescaled, (a + d + 2 * np.hypot((a - d) / 2, b)) / 2, lam)
    scaled = m / lam[..., None, None]
    zero = np.zeros_like(scaled)
    c = np.broadcast_to(c_raw / sigma, scaled.shape)

    def trace(mat, i, j):
        return np.trace(mat[..., 2 * i : 2 * i + 2, 2 * j : 2 * j + 2], axis1=-2, axis2=-1)

    def moments(bond):
        """(Z, <sum c>, <(sum c)^2>) for the per-bond values ``bond``."""
        with np.errstate(invalid="ignore", under="ignore"):
            m1 = np.where(scaled > 0, scaled * bond, 0.0)
            m2 = np.where(scaled > 0, scaled * bond**2, 0.0)
        taylor = np.block([[scaled, m1, m2 / 2], [zero, scaled, m1], [zero, zero, scaled]])
        with np.errstate(under="ignore", over="ignore", invalid="ignore"):
            power = np.linalg.matrix_power(taylor, n)
            z0 = trace(power, 0, 0)
            return z0, trace(power, 0, 1) / z0, 2 * trace(power, 0, 2) / z0

    eps = np.finfo(np.float64).eps
    bound = 8 * n * eps  # relative error of an entry of the n-th power, per unit of its absolute value
    z0, first, second = moments(c)  # first <= 0, second >= 0: all products of one sign
    mean = first / n
    with np.errstate(invalid="ignore", over="ignore"):
        var_one = second - first**2
        err_one = bound * (second + first**2)
        centred = c - mean[..., None, None]
        _, first_c, second_c = moments(centred)
        _, abs_first, abs_second = moments(np.abs(centred))
        var_centred = second_c - first_c**2
        err_centred = bound * (abs_second + abs_first**2)
        use_one = err_one <= err_centred
        var = np.where(use_one, var_one, var_centred)
        err = np.where(use_one, err_one, err_centred)
        reliable = (err <= HEAT_CAPACITY_RTOL * var) & (var >= 0) & ~rescaled & (z0 > 0)
    return mean, var / n, reliable


def ising_ring_log_partition(
    n: int,
    temperature: ArrayLike,
    coupling: float = 1.0,
    field: float = 0.0,
    *,
    method: str = "transfer",
) -> np.ndarray | np.floating:
    """``log Z`` of a periodic Ising ring of ``n`` spins, by enumeration or by the transfer matrix.

    Parameters
    ----------
    n : int
        Number of spins, ``1 <= n <= 2**53`` (``<= 20`` for ``method="enumerate"``).
    temperature : float or array_like
        ``T > 0`` and finite; an array gives one ``log Z`` per temperature.
    coupling, field : float, optional
        ``J`` and ``h`` of the energy (see :func:`ising_ring_energy`), finite.
    method : {"transfer", "enumerate"}, optional
        ``"enumerate"``: :func:`softmaxlab.log_partition` of the ``2**n`` energies.
        ``"transfer"``: ``log(lambda_+**n + lambda_-**n)``, computed as
        ``n log lambda_+ + log(1 +- |r|**n)`` with ``r = lambda_- / lambda_+``,
        from a scaled matrix and ``1 - |r|`` (never ``r`` itself), so nothing
        overflows or cancels.

    Returns
    -------
    numpy scalar or ndarray
        ``log Z``, shaped like ``temperature``, in its dtype (float64 for
        Python numbers and integers; see :func:`softmaxlab.softmax`). ``+inf``
        only where ``log Z`` exceeds the float range (``n |J| / T`` beyond
        ``1.8e308``, e.g. at ``T = 5e-324``).

    Raises
    ------
    TypeError
        If ``n`` is not an integer, ``temperature`` not real numbers, or
        ``coupling`` or ``field`` not a real number.
    ValueError
        If ``n`` is out of range, a temperature is not positive and finite,
        ``coupling`` or ``field`` is not finite, or ``method`` is unknown.

    Notes
    -----
    In a frustrated ring (``J < 0`` and ``n`` odd) ``Z`` is smaller than
    ``lambda_+**n``, by a factor of about ``2n e^(-2 |J| / T)`` at low
    temperature: ``log(1 - |r|**n)`` is then computed from ``log(1 - |r|)``
    in the log domain, so it stays accurate at any temperature, however far
    below the float range that factor falls.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab.ising import ising_ring_log_partition
    >>> T = np.array([0.5, 1.0, 4.0])
    >>> exact = ising_ring_log_partition(10, T, field=0.3, method="enumerate")
    >>> closed = ising_ring_log_partition(10, T, field=0.3, method="transfer")
    >>> bool(np.allclose(exact, closed, rtol=1e-13))
    True
    >>> K = 1 / 2.0                       # zero field: Z = (2 cosh K)^n + (2 sinh K)^n
    >>> bool(np.isclose(ising_ring_log_partition(6, 2.0), np.log((2 * np.cosh(K))**6 + (2 * np.sinh(K))**6)))
    True
    >>> z = ising_ring_log_partition(3, 0.001, -1.0)    # frustrated: Z = 6 e^1000 (+ 2 e^-3000)
    >>> bool(z == 1000 + np.log(6))
    True
    """
    n = _check_n(n, allow_inf=False)
    t, dtype = _temperatures(temperature)
    J, h, t, _ = _couplings(coupling, field, t)
    if _check_method(method) == "enumerate":
        if n > MAX_ENUMERATED_SPINS:
            raise ValueError(f"n must be at most {MAX_ENUMERATED_SPINS} to enumerate 2**n states, got {n}")
        (log_z,) = _in_blocks(_enumerated, n, t, J, h, (0,))
    else:
        (log_z,) = _in_blocks(_transfer, n, t, J, h, (0,))
    with np.errstate(over="ignore"):
        return result_in_input_dtype(log_z, dtype)


def ising_ring_thermodynamics(
    n: int | float,
    temperature: ArrayLike,
    coupling: float = 1.0,
    field: float = 0.0,
    *,
    method: str = "transfer",
) -> IsingThermodynamics:
    """Free energy, mean energy, heat capacity and magnetisation per spin of the Ising ring.

    Parameters
    ----------
    n : int or math.inf
        Number of spins, ``1 <= n <= 2**53`` (``<= 20`` for
        ``method="enumerate"``); ``math.inf`` gives the thermodynamic limit
        (transfer matrix only).
    temperature : float or array_like
        ``T > 0`` and finite; an array gives one value per temperature.
    coupling, field : float, optional
        ``J`` and ``h`` of the energy (see :func:`ising_ring_energy`), finite.
    method : {"transfer", "enumerate"}, optional
        ``"enumerate"`` applies :mod:`softmaxlab.thermo` to all ``2**n``
        Boltzmann-weighted states; ``"transfer"`` differentiates
        ``log(lambda_+**n + lambda_-**n)`` (see Notes). Both are exact in
        exact arithmetic.

    Returns
    -------
    IsingThermodynamics
        Named tuple ``(free_energy, energy, heat_capacity, magnetization)``,
        each per spin, shaped like ``temperature`` and in its dtype (numpy
        scalars for a single temperature).

    Raises
    ------
    TypeError, ValueError
        As in :func:`ising_ring_log_partition`; ValueError also for
        ``n = math.inf`` with ``method="enumerate"``.

    Notes
    -----
    ``"transfer"`` computes the magnetisation in closed form,
    ``m = m_inf (1 - r**n) / (1 + r**n)`` with
    ``m_inf = sinh(h/T) / sqrt(sinh(h/T)**2 + e^(-4J/T))``, to full relative
    accuracy (exactly 0 at ``h = 0``); the energy and the heat capacity from
    the first and second derivatives of ``M**n``, by powers of block matrices
    (a product of matrices with one-signed entries for the energy, so its
    excess over the lowest bond energy keeps its relative accuracy).

    The heat capacity is computed two ways (the bond energies shifted to be
    one-signed, or centred at their mean), each with a bound on its rounding
    error; the better one is returned where its bound is within
    ``HEAT_CAPACITY_RTOL = 1e-6`` of it, and nan elsewhere. That
    happens in a frustrated ring (``J < 0``, ``n`` odd) at low temperature
    (below about ``T = (2|J| - |h|) / 10``), where the heat capacity is many
    orders of magnitude below its scale ``(|J| / T)**2`` and both formulas
    cancel; use ``method="enumerate"`` there (``n <= 20``). Further down,
    where ``1 - |r|`` underflows (``T`` below about ``(2|J| - |h|) / 700``),
    the ring is frozen into its states with one bond against the coupling and
    the heat capacity is theirs, computed exactly again. The energy and
    magnetisation stay accurate throughout.

    Accuracy: the free energy, and the magnetisation and heat capacity where
    returned, to about ``n`` ulps relative; the energy per spin to a few ulps
    of ``|J| + |h|`` (it is a sum of bond energies of both signs, so an
    energy near 0, as at ``T >> |J|``, is accurate only absolutely).

    ``"enumerate"`` is accurate at every temperature, coupling and field (see
    :mod:`softmaxlab.thermo`). Both methods give the limits at extreme
    parameters (``T = 1e-300``: the ground state, heat capacity 0;
    ``T = 1e308``: ``F = -T log 2``); only a free energy or energy beyond the
    float range is ``+-inf``.

    Examples
    --------
    >>> import math
    >>> import numpy as np
    >>> from softmaxlab.ising import ising_ring_thermodynamics
    >>> a = ising_ring_thermodynamics(8, [0.7, 2.0], field=0.2, method="enumerate")
    >>> b = ising_ring_thermodynamics(8, [0.7, 2.0], field=0.2, method="transfer")
    >>> all(np.allclose(x, y, rtol=1e-10) for x, y in zip(a, b))
    True
    >>> K = 1.0                             # infinite chain, zero field: c = K^2 / cosh(K)^2
    >>> c = ising_ring_thermodynamics(math.inf, 1.0).heat_capacity
    >>> bool(np.isclose(c, K**2 / np.cosh(K) ** 2))
    True
    >>> cold = ising_ring_thermodynamics(7, 0.05, -1.0)      # frustrated: C cancels, 8e-32 of its scale 400
    >>> round(float(cold.energy), 6), float(cold.heat_capacity)   # <E>/n = -(n - 2)|J| / n
    (-0.714286, nan)
    >>> frozen = ising_ring_thermodynamics(7, 0.0037, -1.37)   # frozen: one bond against J, anywhere
    >>> round(float(frozen.energy), 6), float(frozen.heat_capacity)
    (-0.978571, 0.0)
    """
    n = _check_n(n, allow_inf=True)
    t, dtype = _temperatures(temperature)
    J, h, t, scale = _couplings(coupling, field, t)
    if _check_method(method) == "enumerate":
        if math.isinf(n):
            raise ValueError("n must be finite for method='enumerate' (use method='transfer' for n = inf)")
        if n > MAX_ENUMERATED_SPINS:
            raise ValueError(f"n must be at most {MAX_ENUMERATED_SPINS} to enumerate 2**n states, got {n}")
        f, energy, heat, magnet = _in_blocks(_enumerated, n, t, J, h, (1, 2, 3, 4))
    else:
        f, energy, heat, magnet = _in_blocks(_transfer, n, t, J, h, (1, 2, 3, 4))
    if scale != 1.0:
        with np.errstate(over="ignore"):
            f /= scale
            energy /= scale

    def out(x):
        with np.errstate(over="ignore"):
            return result_in_input_dtype(x, dtype)

    return IsingThermodynamics(out(f), out(energy), out(heat), out(magnet))
