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
  eigenvalues: exact, and ``O(1)`` in ``n``, including ``n = inf``, where only
  ``lambda_+`` survives.

Derivatives of ``log Z`` (mean energy, heat capacity, magnetisation) come from
the eigenvalues' derivatives (Hellmann-Feynman: ``lambda' = v^T M' v`` and
``lambda'' = v^T M'' v + 2 (w^T M' v)^2 / (lambda - mu)`` for an eigenpair
``(lambda, v)`` and the other pair ``(mu, w)``), so both methods deliver the same
four numbers and the book compares them.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from softmaxlab._validation import as_real_array
from softmaxlab.core import logsumexp, softmax

__all__ = [
    "IsingThermodynamics",
    "ising_ring_configurations",
    "ising_ring_energy",
    "ising_ring_log_partition",
    "ising_ring_thermodynamics",
]

#: Largest ring that ``method="enumerate"`` accepts (2**20 configurations).
MAX_ENUMERATED_SPINS = 20


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
    if allow_inf and isinstance(n, float) and math.isinf(n) and n > 0:
        return math.inf
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or n < 1:
        extra = " (or math.inf for the infinite chain)" if allow_inf else ""
        raise ValueError(f"n must be a positive integer{extra}, got {n!r}")
    return int(n)


def _check_real(value, name: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return value


def _temperatures(temperature: ArrayLike) -> np.ndarray:
    t = as_real_array(temperature, "temperature").astype(np.float64)
    if not np.all(np.isfinite(t) & (t > 0)):
        raise ValueError(f"temperature must be positive and finite everywhere, got {temperature!r}")
    return t


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

    Examples
    --------
    >>> from softmaxlab.ising import ising_ring_configurations
    >>> ising_ring_configurations(2)
    array([[ 1,  1],
           [ 1, -1],
           [-1,  1],
           [-1, -1]], dtype=int8)
    """
    n = _check_n(n, allow_inf=False)
    if n > MAX_ENUMERATED_SPINS:
        raise ValueError(f"n must be at most {MAX_ENUMERATED_SPINS} to enumerate 2**n states, got {n}")
    bits = (np.arange(2**n)[:, None] >> np.arange(n - 1, -1, -1)) & 1
    return (1 - 2 * bits).astype(np.int8)


def ising_ring_energy(spins: ArrayLike, coupling: float = 1.0, field: float = 0.0) -> np.ndarray:
    """Energy ``-J sum_i s_i s_{i+1} - h sum_i s_i`` of ring configurations (periodic, along the last axis).

    Parameters
    ----------
    spins : array_like
        Configurations of ``+1``/``-1`` spins along the last axis; any leading shape.
    coupling : float, optional
        ``J``; positive is ferromagnetic.
    field : float, optional
        ``h``, the external field.

    Returns
    -------
    ndarray
        One energy per configuration (float64).

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
    s = as_real_array(spins, "spins").astype(np.float64)
    if s.ndim == 0:
        raise ValueError("spins must have at least one dimension (the ring)")
    if not np.all(np.abs(s) == 1):
        raise ValueError("spins must contain only +1 and -1")
    J = _check_real(coupling, "coupling")
    h = _check_real(field, "field")
    bonds = np.sum(s * np.roll(s, -1, axis=-1), axis=-1)
    return -J * bonds - h * np.sum(s, axis=-1)


def _check_method(method: str) -> str:
    if method not in ("enumerate", "transfer"):
        raise ValueError(f"method must be 'enumerate' or 'transfer', got {method!r}")
    return method


def _enumerated(n: int, t: np.ndarray, J: float, h: float):
    """log Z and per-spin averages from all 2**n states, for each temperature in ``t``."""
    spins = ising_ring_configurations(n)
    energy = ising_ring_energy(spins, J, h)
    total_spin = spins.sum(axis=1).astype(np.float64)
    scaled = -energy / t[..., None]  # logits of the 2**n states: -beta E
    log_z = logsumexp(scaled, axis=-1)
    p = softmax(scaled, axis=-1)
    mean_e = p @ energy
    var_e = np.sum(p * (energy - mean_e[..., None]) ** 2, axis=-1)
    return log_z, mean_e / n, var_e / (n * t**2), (p @ total_spin) / n


def _transfer(n: int | float, t: np.ndarray, J: float, h: float):
    """log Z (per spin if n is inf) and per-spin averages from the transfer matrix."""
    beta = 1.0 / t
    s = np.array([1.0, -1.0])
    a_beta = J * np.outer(s, s) + h * (s[:, None] + s[None, :]) / 2  # d exponent / d beta
    b_field = (s[:, None] + s[None, :]) / 2  # d exponent / d (beta h)
    exponent = beta[..., None, None] * a_beta
    shift = exponent.max(axis=(-2, -1))
    m = np.exp(exponent - shift[..., None, None])  # M e^-shift: same eigenvectors, eigenvalues scaled
    a, d, b = m[..., 0, 0], m[..., 1, 1], m[..., 0, 1]
    gap = 2 * np.hypot((a - d) / 2, b)  # lambda_+ - lambda_-, free of cancellation
    lam_p = (a + d + gap) / 2
    log_lam_p = shift + np.log(lam_p)
    if math.isinf(n):
        # Only lambda_+ survives. Its derivatives by Hellmann-Feynman (eigenvector v, other one w):
        # lambda' = v^T M' v, lambda'' = v^T M'' v + 2 (w^T M' v)^2 / (lambda_+ - lambda_-).
        _, vectors = np.linalg.eigh(m)
        v, w = vectors[..., :, 1], vectors[..., :, 0]

        def form(x, mat, y):
            return np.einsum("...i,...ij,...j->...", x, mat, y)

        d1 = form(v, m * a_beta, v) / lam_p
        # Second derivative with the exponent centred at its mean (A - d1): the same curvature,
        # computed without the cancellation of lambda''/lambda - d1^2.
        centred = a_beta - d1[..., None, None]
        curvature = (form(v, m * centred**2, v) + 2 * form(w, m * centred, v) ** 2 / gap) / lam_p
        magnet = form(v, m * b_field, v) / lam_p
        return log_lam_p, -d1, beta**2 * curvature, magnet
    # Closed form Z = lambda_+^n + lambda_-^n = lambda_+^n (1 + r^n), r = lambda_- / lambda_+ in (-1, 1).
    # 1 - r = gap / lambda_+ and 1 + r = trace / lambda_+ are both free of cancellation, so
    # 1 + r^n stays accurate even when it is tiny (odd rings with J < 0: frustration).
    r = (a + d - gap) / (a + d + gap)
    odd_negative = (r < 0) & (n % 2 == 1)
    with np.errstate(divide="ignore", invalid="ignore"):  # each branch is evaluated where it is valid
        log_abs_r = np.where(r >= 0, np.log1p(-gap / lam_p), np.log1p(-(a + d) / lam_p))
        one_plus_rn = np.where(odd_negative, -np.expm1(n * log_abs_r), 1 + np.exp(n * log_abs_r))
        log_z = n * log_lam_p + np.where(odd_negative, np.log(one_plus_rn), np.log1p(np.exp(n * log_abs_r)))
    # A frustrated ring (J < 0, n odd) far below T = |J| / 300: Z / lambda_+^n ~ e^(-2 beta |J|)
    # underflows. Return nan there rather than a wrong number.
    log_z = np.where(one_plus_rn == 0, np.nan, log_z)
    # Derivatives of log Z from powers of block matrices (truncated Taylor arithmetic):
    # [[M, M', M''/2], [0, M, M'], [0, 0, M]]^n = [[M^n, (M^n)', (M^n)''/2], ...], all divided by
    # lambda_+ so that nothing overflows. Traces of products of positive matrices: no cancellation in Z.
    scaled = m / lam_p[..., None, None]
    zero = np.zeros_like(scaled)

    def trace(mat, i, j):
        return np.trace(mat[..., 2 * i : 2 * i + 2, 2 * j : 2 * j + 2], axis1=-2, axis2=-1)

    def moments(bond):
        """(Z, dZ/dbeta / Z, d^2Z/dbeta^2 / Z) for the exponent derivative ``bond`` of one bond."""
        m1, m2 = scaled * bond, scaled * bond**2
        taylor = np.block([[scaled, m1, m2 / 2], [zero, scaled, m1], [zero, zero, scaled]])
        power = np.linalg.matrix_power(taylor, n)
        z0 = np.where(one_plus_rn == 0, np.nan, trace(power, 0, 0))
        return z0, trace(power, 0, 1) / z0, 2 * trace(power, 0, 2) / z0

    with np.errstate(invalid="ignore"):
        z0, z1, _ = moments(np.broadcast_to(a_beta, scaled.shape))  # z1 = -<E>
        energy = -z1 / n
        # Second pass with each bond's term centred at the mean energy per bond, so that the
        # second moment is the variance itself rather than <E^2> - <E>^2 (which cancels).
        _, c1, c2 = moments(a_beta + energy[..., None, None])
        heat = beta**2 * (c2 - c1**2) / n
        power_h = np.linalg.matrix_power(np.block([[scaled, scaled * b_field], [zero, scaled]]), n)
        magnet = trace(power_h, 0, 1) / (n * z0)
    return log_z, energy, heat, magnet


def ising_ring_log_partition(
    n: int,
    temperature: ArrayLike,
    coupling: float = 1.0,
    field: float = 0.0,
    *,
    method: str = "transfer",
) -> np.ndarray | float:
    """``log Z`` of a periodic Ising ring of ``n`` spins, by enumeration or by the transfer matrix.

    Parameters
    ----------
    n : int
        Number of spins (``<= 20`` for ``method="enumerate"``).
    temperature : float or array_like
        ``T > 0``; an array gives one ``log Z`` per temperature.
    coupling, field : float, optional
        ``J`` and ``h`` of the energy (see :func:`ising_ring_energy`).
    method : {"transfer", "enumerate"}, optional
        ``"enumerate"``: logsumexp of ``-E(s)/T`` over all ``2**n`` states.
        ``"transfer"``: ``log(lambda_+**n + lambda_-**n)``, computed as
        ``n log lambda_+ + log1p((lambda_- / lambda_+)**n)`` from a scaled
        matrix, so nothing overflows.

    Notes
    -----
    In a frustrated ring (``J < 0`` and ``n`` odd) ``Z`` is much smaller than
    ``lambda_+**n``, by a factor of about ``e^(-2 |J| / T)``; below
    ``T = |J| / 300`` or so that factor underflows and the transfer method
    returns nan (enumeration still works there).

    Returns
    -------
    float or ndarray
        ``log Z``, shaped like ``temperature``.

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
    """
    n = _check_n(n, allow_inf=False)
    t = _temperatures(temperature)
    J, h = _check_real(coupling, "coupling"), _check_real(field, "field")
    if _check_method(method) == "enumerate":
        log_z = _enumerated(n, t, J, h)[0]
    else:
        log_z = _transfer(n, t, J, h)[0]
    return float(log_z) if log_z.ndim == 0 else log_z


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
        Number of spins; ``math.inf`` gives the thermodynamic limit
        (transfer matrix only).
    temperature : float or array_like
        ``T > 0``; an array gives one value per temperature.
    coupling, field : float, optional
        ``J`` and ``h`` of the energy (see :func:`ising_ring_energy`).
    method : {"transfer", "enumerate"}, optional
        ``"enumerate"`` averages over all ``2**n`` Boltzmann-weighted states;
        ``"transfer"`` differentiates ``log(lambda_+**n + lambda_-**n)``
        through the eigenvalues' derivatives. Both are exact; they agree to
        rounding.

    Returns
    -------
    IsingThermodynamics
        Named tuple ``(free_energy, energy, heat_capacity, magnetization)``,
        each per spin and shaped like ``temperature``.

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
    """
    n = _check_n(n, allow_inf=True)
    t = _temperatures(temperature)
    J, h = _check_real(coupling, "coupling"), _check_real(field, "field")
    if _check_method(method) == "enumerate":
        if math.isinf(n):
            raise ValueError("method='enumerate' needs a finite n; use method='transfer' for n = inf")
        log_z, energy, heat, magnet = _enumerated(n, t, J, h)
        f = -t * log_z / n
    else:
        log_z, energy, heat, magnet = _transfer(n, t, J, h)
        f = -t * log_z if math.isinf(n) else -t * log_z / n

    def out(x):
        x = np.asarray(x, dtype=np.float64)
        return float(x) if x.ndim == 0 else x

    return IsingThermodynamics(out(f), out(energy), out(heat), out(magnet))
