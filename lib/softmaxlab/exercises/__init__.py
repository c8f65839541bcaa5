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
01_sigmoid_sum                     :func:`check_sigmoid_sum`                 sigmoid_sum
02_monotonicity                    :func:`check_monotonicity`                monotonicity
03_non_locality                    :func:`check_non_locality`                non_locality
04_inversion                       :func:`check_inversion`                   inversion
05_stable_log_softmax              :func:`check_stable_log_softmax`          stable_log_softmax
06_cross_entropy_gradient          :func:`check_cross_entropy_gradient`      cross_entropy_gradient
07_energy_variance                 :func:`check_energy_variance`             energy_variance
08_spin_conditional                :func:`check_spin_conditional`            spin_conditional
09_log_partition_bias              :func:`check_log_partition_bias`          log_partition_bias
10_argmax_limit                    :func:`check_argmax_limit`                argmax_limit
11_gumbel_max                      :func:`check_gumbel_max`                  gumbel_max
12_hierarchical_sum                :func:`check_hierarchical_sum`            hierarchical_sum
13_sparsemax_threshold             :func:`check_sparsemax_threshold`         sparsemax_threshold
14_hard_addressing                 :func:`check_hard_addressing`             hard_addressing
15_masked_attention                :func:`check_masked_attention`            masked_attention
16_exp_overflow                    :func:`check_exp_overflow`                exp_overflow
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
    distinguishing_digits,
    exact_rational,
    fail,
    first_mismatch,
    fmt,
    proves_equal,
    require_answer,
    tolerance_text,
    undefined_value,
)
from softmaxlab.exercises.argmax_limit import check_argmax_limit
from softmaxlab.exercises.cross_entropy_gradient import check_cross_entropy_gradient
from softmaxlab.exercises.energy_variance import check_energy_variance
from softmaxlab.exercises.exp_overflow import check_exp_overflow
from softmaxlab.exercises.gumbel_max import check_gumbel_max, chi_square_test
from softmaxlab.exercises.hard_addressing import check_hard_addressing
from softmaxlab.exercises.hierarchical_sum import check_hierarchical_sum, children_table, nested_tree
from softmaxlab.exercises.inversion import check_inversion
from softmaxlab.exercises.log_partition_bias import check_log_partition_bias
from softmaxlab.exercises.masked_attention import check_masked_attention
from softmaxlab.exercises.monotonicity import check_monotonicity
from softmaxlab.exercises.non_locality import (
    block_softmax_layer,
    check_non_locality,
    reversed_sigmoid_layer,
    running_sum_sigmoid_layer,
    sigmoid_layer,
    softmax_layer,
)
from softmaxlab.exercises.sigmoid_sum import check_sigmoid_sum
from softmaxlab.exercises.sparsemax_threshold import check_sparsemax_threshold
from softmaxlab.exercises.spin_conditional import check_spin_conditional
from softmaxlab.exercises.stable_log_softmax import check_stable_log_softmax

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
    "check_spin_conditional",
    "check_log_partition_bias",
    "check_gumbel_max",
    "check_hierarchical_sum",
    "check_sparsemax_threshold",
    "check_hard_addressing",
    "check_masked_attention",
    "check_exp_overflow",
    # helpers of the Gumbel-max and hierarchical-sum exercises: the goodness-of-fit test, trees as tables and as
    # nested pairs
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
