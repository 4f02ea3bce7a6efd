"""JupyterLab starts on the project's notebooks folder and offers the ``rhoresearch`` kernel.

Starts ``jupyter lab`` from the project venv on a free port with a random token, asks its REST API
for the notebooks folder (/api/contents) and the kernel specs (/api/kernelspecs), then stops it.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
JUPYTER = Path(sys.executable).with_name("jupyter")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, token: str):
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read().decode("utf-8"))


@pytest.mark.slow
def test_jupyterlab_serves_the_notebooks_and_the_rhoresearch_kernel(tmp_path):
    if not JUPYTER.exists():
        pytest.skip(f"{JUPYTER} not found: run `make env` first")
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    proc = subprocess.Popen(
        [
            str(JUPYTER),
            "lab",
            "--no-browser",
            f"--port={port}",
            "--ip=127.0.0.1",
            f"--ServerApp.token={token}",
            "--notebook-dir",
            str(ROOT / "notebooks"),
            *(["--allow-root"] if os.geteuid() == 0 else []),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "lab.log").open("wb"),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                _get(f"{base}/api/status", token)
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(
                        "jupyter lab did not start: " + (tmp_path / "lab.log").read_text()[-2000:]
                    )
                time.sleep(0.5)
        contents = _get(f"{base}/api/contents", token)
        assert contents["type"] == "directory"
        listed = {item["name"] for item in contents["content"]}
        on_disk = {p.name for p in (ROOT / "notebooks").iterdir() if not p.name.startswith(".")}
        assert listed == on_disk
        specs = _get(f"{base}/api/kernelspecs", token)
        assert "rhoresearch" in specs["kernelspecs"]
        assert specs["kernelspecs"]["rhoresearch"]["spec"]["language"] == "python"
        with pytest.raises(urllib.error.HTTPError):  # the token is required
            _get(f"{base}/api/contents", "wrong-token")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
