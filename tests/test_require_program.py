"""tools/require-program: how the Makefile gets the system programs its targets need.

Run against stand-ins for ``id``, ``sudo`` and ``apt-get`` (first on PATH) that record their
arguments, so nothing is installed: a program already there is left alone; a missing one is
installed as root directly, or through ``sudo -n`` when sudo needs no password; otherwise the
script stops with the exact command to run.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT

SCRIPT = ROOT / "tools" / "require-program"
PROGRAM = "softmaxlab-test-program"  # on no real PATH


def _write(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(0o755)


@pytest.fixture
def fake_system(tmp_path):
    """A folder of stand-ins; ``run(uid, sudo_ok, apt_ok, *args)`` runs the script with them."""
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    log = tmp_path / "calls.log"
    _write(bin_ / "id", '#!/bin/sh\necho "$FAKE_UID"\n')
    _write(
        bin_ / "sudo",
        '#!/bin/sh\necho "sudo $*" >> "$FAKE_LOG"\n[ "$FAKE_SUDO_OK" = 1 ] || exit 1\nshift\nexec "$@"\n',
    )
    _write(
        bin_ / "apt-get",
        "#!/bin/sh\n"
        'echo "apt-get $* (DEBIAN_FRONTEND=$DEBIAN_FRONTEND)" >> "$FAKE_LOG"\n'
        '[ "$FAKE_APT_OK" = 1 ] || exit 100\n'
        f'if [ "$1" = install ]; then printf "#!/bin/sh\\n" > "{bin_}/{PROGRAM}"; chmod +x "{bin_}/{PROGRAM}"; fi\n',
    )

    def run(uid: int, sudo_ok: bool, apt_ok: bool, *args: str):
        env = {
            "PATH": f"{bin_}{os.pathsep}/usr/bin{os.pathsep}/bin",
            "FAKE_UID": str(uid),
            "FAKE_SUDO_OK": "1" if sudo_ok else "0",
            "FAKE_APT_OK": "1" if apt_ok else "0",
            "FAKE_LOG": str(log),
        }
        result = subprocess.run(["sh", str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=30)
        calls = log.read_text().splitlines() if log.exists() else []
        return result, calls

    run.bin = bin_
    return run


def test_a_program_already_there_is_left_alone(fake_system):
    result, calls = fake_system(1000, False, False, "some-package", "no-such-program-either", "sh")
    assert result.returncode == 0, result.stderr
    assert calls == [] and result.stdout == "" and result.stderr == ""


def test_root_installs_with_apt_get(fake_system):
    result, calls = fake_system(0, False, True, "--for", "make test", "the-package", PROGRAM)
    assert result.returncode == 0, result.stderr
    assert calls == [
        "apt-get update -qq (DEBIAN_FRONTEND=noninteractive)",
        "apt-get install -y -qq the-package (DEBIAN_FRONTEND=noninteractive)",
    ]
    assert (fake_system.bin / PROGRAM).exists()


def test_passwordless_sudo_installs_with_apt_get(fake_system):
    result, calls = fake_system(1000, True, True, "the-package", PROGRAM)
    assert result.returncode == 0, result.stderr
    assert calls == [
        "sudo -n true",
        "sudo -n env DEBIAN_FRONTEND=noninteractive apt-get update -qq",
        "apt-get update -qq (DEBIAN_FRONTEND=noninteractive)",
        "sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq the-package",
        "apt-get install -y -qq the-package (DEBIAN_FRONTEND=noninteractive)",
    ]


def test_without_root_it_stops_with_the_command_to_run(fake_system):
    result, calls = fake_system(
        1000, False, True, "--for", "the browser layer", "--hint", "Or skip it.", "the-package", PROGRAM
    )
    assert result.returncode == 1
    assert calls == ["sudo -n true"]  # asked, no password prompt, nothing installed
    assert f"{PROGRAM} is not installed (needed by the browser layer)" in result.stderr
    assert "    sudo apt-get update && sudo apt-get install -y the-package\n" in result.stderr
    assert result.stderr.rstrip().endswith("Or skip it.")


def test_a_failed_install_stops_with_the_command_to_run(fake_system):
    result, calls = fake_system(0, False, False, "the-package", PROGRAM)
    assert result.returncode == 1
    assert calls == ["apt-get update -qq (DEBIAN_FRONTEND=noninteractive)"]
    assert "apt-get update failed" in result.stderr
    assert "    apt-get update && apt-get install -y the-package\n" in result.stderr


def test_usage(fake_system):
    result, _ = fake_system(0, False, False, "only-a-package")
    assert result.returncode == 2 and "usage:" in result.stderr
