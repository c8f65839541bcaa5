"""Automatic checks for the book's exercises.

Each exercise notebook hands the reader's answer to one ``check_*`` function
here; it returns a :class:`CheckResult` whose ``passed`` attribute says whether
the answer is right and which renders in the notebook as a short message
naming the input it failed on and what was expected. An untouched scaffold
(``None``, or a function that raises ``NotImplementedError``) gives "not
attempted yet" and never raises.

=================================  ========================================  ===========
notebook (exercises/, solutions/)  checker                                   module
=================================  ========================================  ===========
01_sigmoid_sum                     :func:`check_sigmoid_sum`                 layers
02_monotonicity                    :func:`check_monotonicity`                derivatives
03_non_locality                    :func:`check_non_locality`                layers
04_inversion                       :func:`check_inversion`                   layers
05_stable_log_softmax              :func:`check_stable_log_softmax`          numerics
06_cross_entropy_gradient          :func:`check_cross_entropy_gradient`      derivatives
07_energy_variance                 :func:`check_energy_variance`             thermo
10_argmax_limit                    :func:`check_argmax_limit`                limits
11_gumbel_max                      :func:`check_gumbel_max`                  sampling
12_hierarchical_sum                :func:`check_hierarchical_sum`            variants
13_sparsemax_threshold             :func:`check_sparsemax_threshold`         variants
=================================  ========================================  ===========

The exercises are numbered in the order of the chapters they belong to.

Writing a new checker: decorate a function with :func:`checker`, call the
reader's answer through :func:`call_answer`, report a wrong answer with
:func:`fail` (name the input), and return a success message. See
``softmaxlab/exercises/_result.py``.
"""

from softmaxlab.exercises._result import (
    RESULT_MIME_TYPE,
    CheckFailed,
    CheckResult,
    NotAttempted,
    adopt_symbols,
    as_expressions,
    as_float_array,
    as_number,
    call_answer,
    checker,
    fail,
    distinguishing_digits,
    exact_rational,
    first_mismatch,
    fmt,
    proves_equal,
    require_answer,
    tolerance_text,
    undefined_value,
)
from softmaxlab.exercises.derivatives import check_cross_entropy_gradient, check_monotonicity
from softmaxlab.exercises.layers import (
    block_softmax_layer,
    check_inversion,
    check_non_locality,
    check_sigmoid_sum,
    reversed_sigmoid_layer,
    running_sum_sigmoid_layer,
    sigmoid_layer,
    softmax_layer,
)
from softmaxlab.exercises.limits import check_argmax_limit
from softmaxlab.exercises.numerics import check_stable_log_softmax
from softmaxlab.exercises.sampling import check_gumbel_max, chi_square_test
from softmaxlab.exercises.thermo import check_energy_variance
from softmaxlab.exercises.variants import check_hierarchical_sum, check_sparsemax_threshold, children_table, nested_tree

__all__ = [
    # the result object, its machine-readable MIME type, and the helpers for writing checkers
    "CheckResult",
    "RESULT_MIME_TYPE",
    "CheckFailed",
    "NotAttempted",
    "checker",
    "fail",
    "call_answer",
    "require_answer",
    "as_float_array",
    "as_number",
    "as_expressions",
    "adopt_symbols",
    "undefined_value",
    "proves_equal",
    "exact_rational",
    "first_mismatch",
    "distinguishing_digits",
    "tolerance_text",
    "fmt",
    # the checkers, one per exercise
    "check_sigmoid_sum",
    "check_monotonicity",
    "check_non_locality",
    "check_inversion",
    "check_cross_entropy_gradient",
    "check_stable_log_softmax",
    "check_argmax_limit",
    "check_energy_variance",
    "check_gumbel_max",
    "check_hierarchical_sum",
    "check_sparsemax_threshold",
    # helpers of the Gumbel-max and hierarchical-sum exercises: the goodness-of-fit test, trees as tables and nested pairs
    "chi_square_test",
    "children_table",
    "nested_tree",
    # the test layers of the non-locality exercise
    "sigmoid_layer",
    "softmax_layer",
    "block_softmax_layer",
    "running_sum_sigmoid_layer",
    "reversed_sigmoid_layer",
]
