"""CI runs hypothesis derandomized: the same examples on every run, so no submission fails on an unseen one."""

from __future__ import annotations

import os

from hypothesis import settings


def test_ci_runs_a_derandomized_profile():
    chosen = os.environ.get("SOFTMAXLAB_HYPOTHESIS_PROFILE")
    if chosen:
        assert settings.default == settings.get_profile(chosen)
    elif os.environ.get("CI"):
        assert settings.default.derandomize and settings.default.database is None
    else:
        assert not settings.default.derandomize
