"""JupyterLab starts on the project's notebooks folder, offers the ``rhoresearch`` kernel, and stays
off the network.

Starts ``jupyter lab`` from the project venv on a free port with a random token, asks its REST API
for the notebooks folder (/api/contents), the kernel specs (/api/kernelspecs) and the settings of
the notification and extension manager plugins (/lab/api/settings/...: the overrides ``make env``
installs from ``jupyterlab/overrides.json`` turn off the news feed, update checks and the extension
manager), then stops it. The user's own settings are pointed at an empty folder, so only the
project's overrides and JupyterLab's defaults count.
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
OVERRIDES = ROOT / "jupyterlab" / "overrides.json"
INSTALLED = Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
NOTIFICATION = "@jupyterlab/apputils-extension:notification"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, token: str):
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read().decode("utf-8"))


def _effective(served: dict, key: str):
    """A setting's value as JupyterLab applies it: the user's, else the schema default (which the
    overrides replace)."""
    return served["settings"].get(key, served["schema"]["properties"][key]["default"])


def _shipped_default(plugin: str, key: str):
    """The default in the schema JupyterLab ships (before any override)."""
    package, name = plugin.split(":")
    schema = Path(sys.prefix) / "share" / "jupyter" / "lab" / "schemas" / package / f"{name}.json"
    return json.loads(schema.read_text())["properties"][key]["default"]


def test_the_installed_overrides_are_the_projects():
    """`make env` copies jupyterlab/overrides.json into the environment, unchanged."""
    if not INSTALLED.exists():
        pytest.fail(f"{INSTALLED} is missing: `make env` installs it from {OVERRIDES}")
    assert json.loads(INSTALLED.read_text()) == json.loads(OVERRIDES.read_text())


@pytest.mark.slow
def test_jupyterlab_serves_the_notebooks_and_the_rhoresearch_kernel(tmp_path):
    if not JUPYTER.exists():
        pytest.skip(f"{JUPYTER} not found: run `make env` first")
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(
        os.environ,
        JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "user-settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"),
    )
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
        # no news, no update check, no extension manager: the overrides reach the running server
        for plugin, expected in json.loads(OVERRIDES.read_text()).items():
            served = _get(f"{base}/lab/api/settings/{plugin}", token)
            for key, value in expected.items():
                assert _effective(served, key) == value, (plugin, key)
                # JupyterLab's own default differs, so this tests the overrides, not the defaults
                assert _shipped_default(plugin, key) != value, (plugin, key)
        notification = _get(f"{base}/lab/api/settings/{NOTIFICATION}", token)
        assert _effective(notification, "fetchNews") == "false"
        assert _effective(notification, "checkForUpdates") is False
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
