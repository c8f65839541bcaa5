r"""SymPy derivations for the probabilistic readings of softmax (chapter 4's sections).

Softmax as the conditional of one variable in an undirected graphical model
(the Ising ring: a spin given its neighbours is a two-class softmax, a
sigmoid); conditional maximum entropy, whose Lagrangian stationarity gives
softmax of linear scores, i.e. multinomial logistic regression, and the shift
that leaves its weights undetermined; Bayes' rule with Gaussian
class-conditionals of a shared covariance (linear discriminant analysis) and
with naive Bayes, both a softmax of linear scores; and the multinomial GLM,
whose canonical link is the baseline-category logit and whose inverse link is
softmax. Each function returns the derived expressions and differences that
simplify to 0, so the chapter shows them and the tests prove them.

Sizes are checked before any SymPy work, as in
:mod:`softmaxlab.symbolic.definition`: an integer (not a bool or a float)
within the documented range, beyond which the derivation would take minutes.
"""

from __future__ import annotations

import itertools

import sympy as sp

from softmaxlab.symbolic.definition import _size, _softmax_of, sigmoid_sym

__all__ = [
    "ising_spin_conditional_sym",
    "conditional_maxent_lagrange",
    "softmax_regression_shift_identity",
    "lda_posterior_sym",
    "naive_bayes_posterior_sym",
    "multinomial_canonical_link_sym",
]

#: Inverse temperature (positive), and the Ising coupling and field (real).
beta = sp.Symbol("beta", positive=True)
J, h = sp.symbols("J h", real=True)


def _vector(stem: str, n: int, **assumptions) -> list[sp.Symbol]:
    return list(sp.symbols(f"{stem}_1:{n + 1}", **assumptions))


def _matrix(stem: str, rows: int, cols: int, **assumptions) -> sp.Matrix:
    return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"{stem}_{i + 1}{j + 1}", **assumptions))


def ising_spin_conditional_sym(n: int = 4) -> dict[str, object]:
    r"""The conditional of one spin of an Ising ring given the others: a two-class softmax, a sigmoid.

    The ring ``s_1, ..., s_n`` has the Gibbs distribution
    ``P(s) = exp(-beta E(s)) / Z`` with ``E(s) = -J sum_i s_i s_{i+1} - h sum_i s_i``
    (``s_{n+1} = s_1``). Dividing the joint weight with ``s_1 = +1`` by the
    sum of the weights with ``s_1 = +1`` and ``s_1 = -1`` cancels ``Z`` and
    every factor that does not touch ``s_1``, leaving

    .. math:: P(s_1 = +1 \mid s_2, \dots, s_n)
              = \operatorname{softmax}(\beta L, -\beta L)_1 = \sigma(2 \beta L),
              \qquad L = J (s_n + s_2) + h,

    which depends on the two neighbours only (the Markov property).

    Parameters
    ----------
    n : int
        The ring's length, ``3 <= n <= 12`` (shorter rings have a spin bonded
        to itself or twice to the same neighbour).

    Returns
    -------
    dict
        ``"energy"`` (``E`` in the symbols ``s_1, ..., s_n``, ``J``, ``h``),
        ``"conditional"`` (the ratio of joint weights),
        ``"local_field"`` (``L``), ``"softmax"`` (``softmax(beta L, -beta L)_1``),
        ``"sigmoid"`` (``sigma(2 beta L)``) and ``"difference"``: the
        conditional minus the softmax and minus the sigmoid, simplified (both 0).

    Examples
    --------
    >>> out = ising_spin_conditional_sym(3)
    >>> out["difference"]
    [0, 0]
    >>> out["local_field"]
    J*(s_2 + s_3) + h
    """
    n = _size(n, "n", 12, minimum=3)
    s = _vector("s", n, real=True)
    energy = -J * sum(s[i] * s[(i + 1) % n] for i in range(n)) - h * sum(s)

    def weight(first):
        return sp.exp(-beta * energy.subs(s[0], first))

    conditional = weight(1) / (weight(1) + weight(-1))
    local = J * (s[1] + s[-1]) + h
    two_class = _softmax_of([beta * local, -beta * local], "beta * L")[0]
    logistic = sigmoid_sym(2 * beta * local)
    difference = [sp.simplify(sp.powsimp(sp.expand(conditional - target))) for target in (two_class, logistic)]
    return {
        "energy": energy,
        "conditional": conditional,
        "local_field": local,
        "softmax": two_class,
        "sigmoid": logistic,
        "difference": difference,
    }


def conditional_maxent_lagrange(n_inputs: int = 2, n_classes: int = 3, n_features: int = 2) -> dict[str, object]:
    r"""Conditional maximum entropy with feature constraints gives softmax of linear scores.

    Inputs ``x = 1, ..., n_inputs`` occur with empirical frequencies ``q_x``;
    the model is a conditional distribution ``p(y | x)`` over ``n_classes``
    classes; features ``f_j(x, y)`` (symbols ``f_{j,x,y}``) have empirical
    expectations ``c_j``. Maximise the conditional entropy
    ``H = -sum_x q_x sum_y p(y|x) log p(y|x)`` subject to matching every
    feature expectation, ``sum_x q_x sum_y p(y|x) f_j(x, y) = c_j``, and to
    normalisation, ``sum_y p(y|x) = 1`` for each ``x``. With multipliers
    ``lambda_j`` and ``alpha_x`` the Lagrangian's stationarity,

    .. math:: -q_x (\log p(y|x) + 1) + q_x \sum_j \lambda_j f_j(x, y) + \alpha_x = 0,

    gives ``p(y|x) proportional to exp(sum_j lambda_j f_j(x, y))``, and the
    normalisation turns it into ``softmax_y(lambda . f(x, y))``: with the
    features ``f(x, y) = x e_y`` (the input copied into class ``y``'s block)
    this is multinomial logistic regression, the weights being the multipliers.

    Parameters
    ----------
    n_inputs : int, optional
        Number of distinct inputs, ``1 <= n_inputs <= 3``.
    n_classes : int, optional
        Number of classes, ``2 <= n_classes <= 4``.
    n_features : int, optional
        Number of feature functions, ``1 <= n_features <= 3`` (larger sizes
        take SymPy minutes).

    Returns
    -------
    dict
        ``"lagrangian"``, ``"stationarity"`` (the equations ``dL/dp(y|x) = 0``,
        row by row), ``"p"`` (each ``p(y|x)`` solved from its equation),
        ``"alpha"`` (each ``alpha_x`` from the normalisation), ``"solution"``
        (``p(y|x)`` with ``alpha`` substituted), ``"difference"`` (solution minus
        ``softmax_y(sum_j lambda_j f_{j,x,y})``, simplified: all 0, one list per
        input) and ``"hessian_diagonal"`` (``d^2 H / d p(y|x)^2 = -q_x / p(y|x)``,
        negative: ``H`` is strictly concave and the only mixed second
        derivatives are 0, so the stationary point is the maximum).

    Examples
    --------
    >>> out = conditional_maxent_lagrange(1, 2, 1)
    >>> out["difference"]
    [[0, 0]]
    >>> out["solution"][0][0]
    exp(f_1_1_1*lambda_1)/(exp(f_1_1_1*lambda_1) + exp(f_1_1_2*lambda_1))
    """
    n_inputs = _size(n_inputs, "n_inputs", 3)
    n_classes = _size(n_classes, "n_classes", 4, minimum=2)
    n_features = _size(n_features, "n_features", 3)
    X, Y, D = range(n_inputs), range(n_classes), range(n_features)
    q = _vector("q", n_inputs, positive=True)
    p = [[sp.Symbol(f"p_{y + 1}|{x + 1}", positive=True) for y in Y] for x in X]
    f = [[[sp.Symbol(f"f_{j + 1}_{x + 1}_{y + 1}", real=True) for y in Y] for x in X] for j in D]
    lam = _vector("lambda", n_features, real=True)
    alpha = _vector("alpha", n_inputs, real=True)
    c = _vector("c", n_features, real=True)
    H = -sum(q[x] * p[x][y] * sp.log(p[x][y]) for x in X for y in Y)
    L = (
        H
        + sum(lam[j] * (sum(q[x] * p[x][y] * f[j][x][y] for x in X for y in Y) - c[j]) for j in D)
        + sum(alpha[x] * (sum(p[x]) - 1) for x in X)
    )
    stationarity = [[sp.Eq(sp.diff(L, p[x][y]), 0) for y in Y] for x in X]
    solved = [[sp.solve(stationarity[x][y], p[x][y])[0] for y in Y] for x in X]
    alpha_values = [sp.solve(sp.Eq(sum(solved[x]), 1), alpha[x])[0] for x in X]
    solution = [[sp.simplify(solved[x][y].subs(alpha[x], alpha_values[x])) for y in Y] for x in X]
    scores = [[sum(lam[j] * f[j][x][y] for j in D) for y in Y] for x in X]
    difference = [
        [sp.simplify(s - t) for s, t in zip(solution[x], _softmax_of(scores[x], "scores"))] for x in X
    ]
    hessian_diagonal = [[sp.simplify(sp.diff(H, p[x][y], 2)) for y in Y] for x in X]
    return {
        "lagrangian": L,
        "stationarity": stationarity,
        "p": solved,
        "alpha": alpha_values,
        "solution": solution,
        "difference": difference,
        "hessian_diagonal": hessian_diagonal,
    }


def softmax_regression_shift_identity(n_classes: int = 3, n_features: int = 2) -> dict[str, list[sp.Expr]]:
    r"""Adding one vector to every class's weights (and one number to every bias) changes no probability.

    For ``p(k | x) = softmax_k(w_k . x + b_k)`` and any ``v``, ``c``:
    ``softmax_k((w_k + v) . x + b_k + c) = softmax_k(w_k . x + b_k)``, because
    every score moves by the same ``v . x + c``. So the weights of
    multinomial logistic regression are determined only up to such a shift,
    and the log-likelihood is flat along it: the derivatives of
    ``log p(y | x)`` with respect to ``w_{k,j}`` sum to 0 over ``k``, for every
    label ``y`` and feature ``j``.

    Parameters
    ----------
    n_classes : int, optional
        ``2 <= n_classes <= 6``.
    n_features : int, optional
        ``1 <= n_features <= 4``.

    Returns
    -------
    dict
        ``"difference"``: shifted minus unshifted probabilities (all 0), and
        ``"gradient_sum"``: for each label ``y`` (outer list) and feature
        ``j``, ``sum_k d log p(y|x) / d w_{k,j}`` (all 0).

    Examples
    --------
    >>> out = softmax_regression_shift_identity(3, 2)
    >>> out["difference"], out["gradient_sum"][0]
    ([0, 0, 0], [0, 0])
    """
    n_classes = _size(n_classes, "n_classes", 6, minimum=2)
    n_features = _size(n_features, "n_features", 4)
    W = _matrix("w", n_classes, n_features, real=True)
    b = _vector("b", n_classes, real=True)
    x = _vector("x", n_features, real=True)
    v = _vector("v", n_features, real=True)
    c = sp.Symbol("c", real=True)
    scores = [sum(W[k, j] * x[j] for j in range(n_features)) + b[k] for k in range(n_classes)]
    shifted = [s + sum(vj * xj for vj, xj in zip(v, x)) + c for s in scores]
    p, p_shifted = _softmax_of(scores, "scores"), _softmax_of(shifted, "scores")
    difference = [sp.simplify(a - b_) for a, b_ in zip(p_shifted, p)]
    gradient_sum = []
    for y in range(n_classes):
        log_p = scores[y] - sp.log(sum(sp.exp(s) for s in scores))
        gradient_sum.append(
            [sp.simplify(sum(sp.diff(log_p, W[k, j]) for k in range(n_classes))) for j in range(n_features)]
        )
    return {"difference": difference, "gradient_sum": gradient_sum}


def lda_posterior_sym(n_classes: int = 2, dim: int = 2) -> dict[str, object]:
    r"""Gaussian classes with a shared covariance: the posterior is softmax of linear scores (LDA).

    With priors ``pi_k`` and class-conditional densities
    ``N(x | mu_k, Sigma)`` (one covariance for every class), Bayes' rule gives
    ``P(k | x) = softmax_k(a_k)`` with ``a_k = log pi_k + log N(x | mu_k, Sigma)``.
    Expanding the quadratic form,

    .. math:: a_k = \underbrace{x^\top \Sigma^{-1} \mu_k
              - \tfrac12 \mu_k^\top \Sigma^{-1} \mu_k + \log \pi_k}_{s_k}
              \; \underbrace{- \tfrac12 x^\top \Sigma^{-1} x - \tfrac12 \log\det(2\pi\Sigma)}_{r(x)},

    and ``r(x)`` is the same for every class, so ``softmax(a) = softmax(s)``:
    linear scores with weights ``w_k = Sigma^{-1} mu_k`` and biases
    ``b_k = -mu_k^T Sigma^{-1} mu_k / 2 + log pi_k``.

    Parameters
    ----------
    n_classes : int, optional
        ``2 <= n_classes <= 4``.
    dim : int, optional
        Dimension of ``x``, ``1 <= dim <= 2`` (a general symbolic covariance
        of dimension 3 takes SymPy minutes).

    Returns
    -------
    dict
        ``"weights"`` (``Sigma^{-1} mu_k``, one column matrix per class),
        ``"biases"``, ``"remainder"`` (``a_1 - s_1``, which depends on ``x`` and
        ``Sigma`` only) and ``"differences"`` (``(a_k - s_k) - (a_1 - s_1)``
        for every class, simplified: all 0).

    Examples
    --------
    >>> out = lda_posterior_sym(3, 1)
    >>> out["differences"]
    [0, 0, 0]
    >>> out["weights"][0]
    Matrix([[mu_1_1/Sigma_11]])
    """
    n_classes = _size(n_classes, "n_classes", 4, minimum=2)
    dim = _size(dim, "dim", 2)
    x = sp.Matrix(_vector("x", dim, real=True))
    entries = {(i, j): sp.Symbol(f"Sigma_{min(i, j) + 1}{max(i, j) + 1}", real=True) for i in range(dim) for j in range(dim)}
    if dim == 1:
        entries = {(0, 0): sp.Symbol("Sigma_11", positive=True)}
    Sigma = sp.Matrix(dim, dim, lambda i, j: entries[(i, j)])
    inverse = Sigma.inv()
    log_det = sp.log(Sigma.det())
    pis = _vector("pi", n_classes, positive=True)
    mus = [sp.Matrix(_vector(f"mu_{k + 1}", dim, real=True)) for k in range(n_classes)]

    def log_gaussian(mu):
        d = x - mu
        return -(d.T * inverse * d)[0] / 2 - dim * sp.log(2 * sp.pi) / 2 - log_det / 2

    weights = [sp.simplify(inverse * mu) for mu in mus]
    biases = [-(mu.T * inverse * mu)[0] / 2 + sp.log(pi) for mu, pi in zip(mus, pis)]
    remainders = [
        sp.log(pi) + log_gaussian(mu) - ((x.T * w)[0] + b) for pi, mu, w, b in zip(pis, mus, weights, biases)
    ]
    differences = [sp.simplify(sp.expand(r - remainders[0])) for r in remainders]
    return {
        "weights": weights,
        "biases": [sp.simplify(b) for b in biases],
        "remainder": sp.simplify(remainders[0]),
        "differences": differences,
    }


def naive_bayes_posterior_sym(n_classes: int = 2, n_features: int = 3) -> dict[str, object]:
    r"""Naive Bayes: the posterior is softmax of a sum of log-likelihoods; for binary features, of linear scores.

    With priors ``pi_k`` and features independent given the class,
    ``P(x | k) = prod_j P(x_j | k)``, Bayes' rule is
    ``P(k | x) = softmax_k(log pi_k + sum_j log P(x_j | k))``. For binary
    features, ``P(x_j | k) = theta_{kj}^{x_j} (1 - theta_{kj})^{1 - x_j}``, and
    the sum is linear in ``x``: weights ``w_{kj} = log(theta_{kj} / (1 - theta_{kj}))``
    (a log-odds) and biases ``b_k = log pi_k + sum_j log(1 - theta_{kj})``.
    Both identities are checked at each of the ``2**n_features`` binary inputs.

    Parameters
    ----------
    n_classes : int, optional
        ``2 <= n_classes <= 3``.
    n_features : int, optional
        ``1 <= n_features <= 3`` (each size up multiplies SymPy's work).

    Returns
    -------
    dict
        ``"log_joint"`` (``log pi_k + sum_j log P(x_j | k)`` per class, in the
        real symbols ``x_j``), ``"weights"`` (rows ``w_k``), ``"biases"``,
        ``"bayes_difference"`` (Bayes' rule ``pi_k P(x | k) / sum_l pi_l P(x | l)``
        minus ``softmax(log_joint)_k``) and ``"linear_difference"``
        (``log_joint`` minus ``w_k . x + b_k``), each a list over the binary
        inputs (in the order of ``itertools.product``) of per-class
        differences, simplified: all 0.

    Examples
    --------
    >>> out = naive_bayes_posterior_sym(2, 2)
    >>> out["bayes_difference"][0], out["linear_difference"][-1]
    ([0, 0], [0, 0])
    >>> out["weights"][0][0]
    log(theta_11/(1 - theta_11))
    """
    n_classes = _size(n_classes, "n_classes", 3, minimum=2)
    n_features = _size(n_features, "n_features", 3)
    K, D = range(n_classes), range(n_features)
    pis = _vector("pi", n_classes, positive=True)
    theta = [[sp.Symbol(f"theta_{k + 1}{j + 1}", positive=True) for j in D] for k in K]
    x = _vector("x", n_features, real=True)
    log_joint = [
        sp.log(pis[k]) + sum(x[j] * sp.log(theta[k][j]) + (1 - x[j]) * sp.log(1 - theta[k][j]) for j in D) for k in K
    ]
    weights = [[sp.log(theta[k][j] / (1 - theta[k][j])) for j in D] for k in K]
    biases = [sp.log(pis[k]) + sum(sp.log(1 - theta[k][j]) for j in D) for k in K]
    bayes_difference, linear_difference = [], []
    for bits in itertools.product((0, 1), repeat=n_features):
        at = dict(zip(x, bits))
        joint = [pis[k] * sp.Mul(*[theta[k][j] if bits[j] else 1 - theta[k][j] for j in D]) for k in K]
        posterior = [j_k / sum(joint) for j_k in joint]
        scores = [sp.expand(sp.expand_power_exp(sp.exp(a.subs(at)))) for a in log_joint]  # exp(log joint) = joint
        softmax_of_log_joint = [s / sum(scores) for s in scores]
        bayes_difference.append([sp.simplify(p - q) for p, q in zip(posterior, softmax_of_log_joint)])
        linear_difference.append([
            sp.simplify(sp.expand_log(log_joint[k].subs(at) - sum(weights[k][j] * bits[j] for j in D) - biases[k], force=True))
            for k in K
        ])
    return {
        "log_joint": log_joint,
        "weights": weights,
        "biases": biases,
        "bayes_difference": bayes_difference,
        "linear_difference": linear_difference,
    }


def multinomial_canonical_link_sym(n_classes: int = 3) -> dict[str, object]:
    r"""The multinomial GLM: canonical link = baseline-category logit, inverse link = softmax.

    A categorical outcome ``y`` (one-hot) with means ``mu_1, ..., mu_K``
    (positive, summing to 1) has the probability
    ``prod_k mu_k^{y_k} = exp(sum_{k<K} y_k eta_k - b(eta))``, an exponential
    family with natural parameters ``eta_k = log(mu_k / mu_K)`` (the canonical
    link: log-odds against the reference class ``K``) and cumulant function
    ``b(eta) = log(1 + sum_{k<K} exp(eta_k))``. Its inverse link maps
    ``(eta_1, ..., eta_{K-1}, 0)`` to ``softmax``, and ``db / d eta_k = mu_k``.
    A GLM with this link, ``eta_k = x . beta_k``, is softmax regression with
    the reference class's weights fixed at 0.

    Parameters
    ----------
    n_classes : int, optional
        ``2 <= n_classes <= 6``.

    Returns
    -------
    dict
        ``"link"`` (``eta_k`` in terms of ``mu``), ``"cumulant"`` (``b`` in terms
        of ``eta``), ``"inverse_link_difference"`` (``softmax(eta, 0)`` at
        ``eta = link(mu)`` minus ``mu``), ``"mean_difference"``
        (``db/d eta_k`` minus ``softmax(eta, 0)_k``) and
        ``"density_difference"`` (``sum_{k<K} y_k eta_k - b`` minus
        ``sum_k y_k log mu_k`` at each one-hot ``y``): all 0.

    Examples
    --------
    >>> out = multinomial_canonical_link_sym(3)
    >>> out["inverse_link_difference"], out["mean_difference"], out["density_difference"]
    ([0, 0, 0], [0, 0], [0, 0, 0])
    >>> out["link"]
    [log(mu_1/mu_3), log(mu_2/mu_3)]
    """
    n_classes = _size(n_classes, "n_classes", 6, minimum=2)
    mu = _vector("mu", n_classes, positive=True)
    total = sum(mu)  # the constraint sum_k mu_k = 1 is applied by replacing this sum with 1

    def on_simplex(expr):
        return sp.simplify(sp.expand_log(sp.factor_terms(sp.together(expr)), force=True).subs(total, 1))

    eta = _vector("eta", n_classes - 1, real=True)
    link = [sp.log(m / mu[-1]) for m in mu[:-1]]
    cumulant = sp.log(1 + sum(sp.exp(e) for e in eta))
    inverse = _softmax_of(eta + [sp.Integer(0)], "eta")
    inverse_link_difference = [on_simplex(sp.simplify(i.subs(dict(zip(eta, link)))) - m) for i, m in zip(inverse, mu)]
    mean_difference = [sp.simplify(sp.diff(cumulant, e) - i) for e, i in zip(eta, inverse)]
    density_difference = []
    for k in range(n_classes):
        y = [1 if m == k else 0 for m in range(n_classes)]
        canonical = sum(yk * lk for yk, lk in zip(y, link)) - sp.log(sp.together(cumulant.subs(dict(zip(eta, link))).args[0]))
        density_difference.append(on_simplex(canonical - sum(yk * sp.log(m) for yk, m in zip(y, mu))))
    return {
        "link": link,
        "cumulant": cumulant,
        "inverse_link_difference": inverse_link_difference,
        "mean_difference": mean_difference,
        "density_difference": density_difference,
    }
