"""Start JupyterLab on a folder of notebooks: ``make lab``, and the browser test of the lab.

    .venv/bin/python tools/lab.py FOLDER [--port 8888] [--state DIR]

JupyterLab serves FOLDER (``workspace/`` for ``make lab``) on 127.0.0.1 only, with a random token
(or ``$JUPYTER_TOKEN`` if set), opens no browser, and runs notebooks on the ``python3`` kernel of the
Python that runs this script: the book's ``.venv``, where ``softmaxlab`` is installed. The first
free port from ``--port`` on is used (``--port 0``: any free port). Once the server answers, the URL
with its token is printed in a box of its own, and the script waits for the server to stop (Ctrl+C).

Nothing reaches the network at run time: ``tools/jupyter/jupyter_server_config.json`` turns off the
update check, the news feed and the extension manager's PyPI listing, and
``tools/jupyter/lab-overrides.json`` (copied into JupyterLab's settings folder in the environment)
makes the front end never ask for them.

JupyterLab's own state (user settings, saved layouts, runtime files) and IPython's (history) live
in ``--state`` (default: ``jupyter-state`` inside the environment, so ``.venv/jupyter-state``), not
in the home directory; kernels installed for the user elsewhere are not seen.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
CONFIG_DIR = HERE / "jupyter"
OVERRIDES = CONFIG_DIR / "lab-overrides.json"
HOST = "127.0.0.1"


def free_port(start: int, attempts: int = 100) -> int:
    """The first port from ``start`` on that 127.0.0.1 can listen on (``start == 0``: any)."""
    for port in [0] if start == 0 else range(start, start + attempts):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((HOST, port))
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    continue
                raise
            return sock.getsockname()[1]
    raise SystemExit(f"no free port on {HOST} from {start} to {start + attempts - 1}")


def lab_environment(state: Path, token: str) -> dict[str, str]:
    """The environment JupyterLab runs in: its config, its state folders under ``state``, the token."""
    env = dict(os.environ)
    for name in ("JUPYTER_PATH", "JUPYTER_PLATFORM_DIRS", "JUPYTERLAB_SETTINGS_DIR", "JUPYTERLAB_WORKSPACES_DIR"):
        env.pop(name, None)
    env.update(
        JUPYTER_CONFIG_PATH=str(CONFIG_DIR),
        JUPYTER_CONFIG_DIR=str(state / "config"),
        JUPYTER_DATA_DIR=str(state / "data"),
        JUPYTER_RUNTIME_DIR=str(state / "runtime"),
        IPYTHONDIR=str(state / "ipython"),
        JUPYTER_PREFER_ENV_PATH="1",
        JUPYTER_TOKEN=token,
    )
    return env


def install_overrides() -> None:
    """Copy the front end's setting overrides into JupyterLab's settings folder (in the venv)."""
    from jupyterlab.commands import get_app_dir

    target = Path(get_app_dir()) / "settings" / "overrides.d" / "softmaxlab.json"
    if not target.is_file() or target.read_bytes() != OVERRIDES.read_bytes():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(OVERRIDES, target)


def server_is_up(port: int, token: str) -> bool:
    """Whether the Jupyter server on ``port`` answers an authenticated API request."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never a proxy for loopback
    request = urllib.request.Request(f"http://{HOST}:{port}/api/status", headers={"Authorization": f"token {token}"})
    try:
        with opener.open(request, timeout=2) as response:
            return response.status == 200 and "started" in json.load(response)
    except (OSError, ValueError):
        return False


def banner(root: Path, url: str) -> str:
    rule = "=" * max(72, len(url) + 8)
    return "\n".join(
        [
            "",
            rule,
            f"JupyterLab is running on {root} (kernel: {sys.executable}).",
            "Open this URL in a browser (it holds the access token):",
            "",
            f"    {url}",
            "",
            "Stop it with Ctrl+C (twice).",
            rule,
            "",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", type=Path, help="the folder JupyterLab serves")
    parser.add_argument("--port", type=int, default=8888, help="first port to try (0: any free port)")
    parser.add_argument("--state", type=Path, default=Path(sys.prefix) / "jupyter-state", help="JupyterLab's state")
    args = parser.parse_args(argv)

    root = args.root.resolve()
    if not root.is_dir():
        parser.error(f"{args.root} is not a folder")
    state = args.state.resolve()
    for sub in ("config", "data", "runtime", "ipython"):
        (state / sub).mkdir(parents=True, exist_ok=True)
    install_overrides()
    token = os.environ.get("JUPYTER_TOKEN") or secrets.token_hex(24)
    port = free_port(args.port)
    url = f"http://{HOST}:{port}/lab?token={token}"
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={root}",
        f"--ServerApp.ip={HOST}",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        "--no-browser",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers and CI machines run as root
        command.append("--allow-root")
    server = subprocess.Popen(command, env=lab_environment(state, token), cwd=root)
    # Ctrl+C reaches the server too (same process group) and it decides what to do; a TERM or HUP
    # sent to this script alone is passed on. Either way this script ends when the server does.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda signum, frame: server.send_signal(signum))
    deadline = time.monotonic() + 120
    while server.poll() is None and time.monotonic() < deadline:
        if server_is_up(port, token):
            print(banner(root, url), flush=True)
            break
        time.sleep(0.25)
    else:
        if server.poll() is None:
            print(f"JupyterLab did not answer on port {port} within 120 s; it may still start: {url}", flush=True)
    return server.wait()


if __name__ == "__main__":
    sys.exit(main())
