"""Kernels for report runs: one fresh kernel per report, started before the notebook needs it.

Every report runs in a kernel started for it alone and killed after its last cell. Starting a kernel
takes about 0.3 s of the kernel process's own CPU (Python, IPython and ipykernel imports) and a few
round trips; :class:`RunKernel` starts it without waiting for it, so that the build can do something
else meanwhile: import the rest of the build and check the parameters (the first kernels of a
build), or run other notebooks (the next ones; :mod:`rhoresearch.build.batch`). papermill then runs
the notebook on that kernel (its ``km`` argument) exactly as on a kernel it started itself: the same
kernel spec, command line and history setting as nbclient's, the working directory of the notebook,
and the environment of the build plus the report's run folder (``$RHORESEARCH_RUN_DIR``) and id.

This module imports only jupyter_client (no papermill, nbconvert or pandas), so a build can start
its first kernels within about 0.2 s of starting.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from pathlib import Path
from queue import Empty
from typing import Any

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from traitlets import DottedObjectName, Type

from rhoresearch.provenance import RUN_DIR_ENV

__all__ = ["KERNEL_NAME", "REPORT_ID_ENV", "RunKernel", "kill_all", "run_folder"]

logger = logging.getLogger(__name__)

#: The Jupyter kernel reports run on (``make env`` installs it).
KERNEL_NAME = "rhoresearch"
#: The environment variable giving the kernel the id of the report it runs.
REPORT_ID_ENV = "RHORESEARCH_REPORT_ID"
# what nbclient adds to the command line of the kernels it starts (its ``ipython_hist_file``):
# no history database on disk, so that kernels running at once never share one
_HISTORY_ARGUMENT = "--HistoryManager.hist_file=:memory:"


class _RunKernelClient(AsyncKernelClient):
    """jupyter_client's kernel client, ready as soon as the kernel answers.

    ``wait_for_ready`` is jupyter_client's (``KernelClient._async_wait_for_ready``: kernel_info
    until it is answered and IOPub is connected) except for its last step, which drains IOPub
    until nothing arrives for 0.2 s: a fixed 0.2 s per report. Here the messages already there are
    drained without waiting for more; a late start-up message is harmless, because nbclient only
    reads the IOPub messages whose parent is the request it sent.
    """

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                msg = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                pass
            else:
                if msg["msg_type"] == "kernel_info_reply":
                    try:  # IOPub connected? (the reply's busy/idle status comes on it)
                        await self.iopub_channel.get_msg(timeout=0.2)
                    except Empty:
                        pass
                    else:
                        self._handle_kernel_info_reply(msg)
                        break
            if not await self.is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")
        while True:
            try:
                await self.iopub_channel.get_msg(timeout=0)
            except Empty:
                break


class _RunKernelManager(AsyncKernelManager):
    """A kernel manager that sends the kernel's own stderr to ``kernel.log`` in the run folder.

    Notebook output is captured by the kernel either way; this keeps the kernel's start-up and
    shut-down chatter out of the build's log lines. Its clients are :class:`_RunKernelClient`
    (remembered, so that :meth:`RunKernel.stop` can close them), and after killing the kernel it
    checks every 10 ms, not every 100 ms, whether the process has ended.
    """

    client_class = DottedObjectName("rhoresearch.build.kernel._RunKernelClient")
    client_factory = Type(_RunKernelClient, klass=AsyncKernelClient)

    def __init__(self, *args: Any, log_path: str | os.PathLike | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._rho_log_path = log_path
        self._rho_log: Any = None
        self._rho_clients: list[AsyncKernelClient] = []

    def client(self, **kwargs: Any) -> AsyncKernelClient:  # type: ignore[override]
        kc = super().client(**kwargs)
        self._rho_clients.append(kc)
        return kc

    async def _async_wait(self, pollinterval: float = 0.1) -> None:
        await super()._async_wait(pollinterval=min(pollinterval, 0.01))

    async def _async_pre_start_kernel(self, **kw: Any) -> tuple[list[str], dict[str, Any]]:
        cmd, kw = await super()._async_pre_start_kernel(**kw)
        if self._rho_log_path and "stderr" not in kw:
            self._rho_log = open(self._rho_log_path, "ab")  # closed in _async_cleanup_resources
            kw["stderr"] = self._rho_log
        return cmd, kw

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if self._rho_log is not None:
            self._rho_log.close()
            self._rho_log = None


def run_folder(reports_dir: str | os.PathLike, report_id: str, *, verify: bool = False) -> Path:
    """The folder a run of ``report_id`` by this process writes into, before it is swapped in.

    ``reports/.tmp-<id>-<pid>/`` (``.vtmp-`` for a verify rerun): the process id lets a later
    build tell a folder left by a build that was killed (its process is gone) from one in use.
    """
    prefix = ".vtmp-" if verify else ".tmp-"
    return Path(reports_dir) / f"{prefix}{report_id}-{os.getpid()}"


_live: set[RunKernel] = set()
_live_lock = threading.Lock()


class RunKernel:
    """A kernel started for one report run (the run folder must exist).

    Parameters
    ----------
    report_id : str
        The report the kernel is for (``$RHORESEARCH_REPORT_ID`` in the kernel).
    run_dir : path
        The run folder (``$RHORESEARCH_RUN_DIR``); the kernel's stderr goes to ``kernel.log`` there.
    cwd : path
        The kernel's working directory (the notebook's folder, as papermill's ``cwd``).
    kernel_name : str
        The kernel spec.

    Notes
    -----
    Construction launches the kernel process and returns without waiting for it to be ready
    (papermill waits, through nbclient, when it connects). The kernel is used from the thread that
    started it (its asyncio loop: ``jupyter_core.utils.run_sync``). :meth:`stop` kills it; any
    thread may call :func:`kill_all`.
    """

    def __init__(
        self,
        report_id: str,
        run_dir: str | os.PathLike,
        *,
        cwd: str | os.PathLike,
        kernel_name: str = KERNEL_NAME,
    ) -> None:
        self.report_id = report_id
        self.run_dir = Path(run_dir)
        self.km = _RunKernelManager(
            kernel_name=kernel_name, log_path=str(self.run_dir / "kernel.log")
        )
        self._stopped = False
        #: Set when :func:`kill_all` killed the kernel (an interrupted build).
        self.killed = False
        env = dict(os.environ)
        env[RUN_DIR_ENV] = str(self.run_dir)
        env[REPORT_ID_ENV] = report_id
        with _live_lock:
            _live.add(self)
        try:
            run_sync(self.km.start_kernel)(
                extra_arguments=[_HISTORY_ARGUMENT], cwd=str(cwd), env=env
            )
        except BaseException:
            self.stop()
            raise
        logger.debug("%s: kernel started", report_id)

    def stop(self) -> None:
        """Kill the kernel (papermill's ``shutdown_kernel="immediate"``) and close its clients."""
        if self._stopped:
            return
        self._stopped = True
        try:
            run_sync(self._stop)()
        finally:
            with _live_lock:
                _live.discard(self)

    async def _stop(self) -> None:
        km = self.km
        try:
            if km.has_kernel and await km.is_alive():
                await km.shutdown_kernel(now=True)
        except RuntimeError as exc:  # as nbclient: a kernel already gone is not an error
            if "No kernel is running!" not in str(exc):
                raise
        finally:
            await km.cleanup_resources()
            for kc in km._rho_clients:
                kc.stop_channels()
            km._rho_clients.clear()


def kill_all() -> None:
    """Kill every kernel this process started and has not stopped (on an interrupt; any thread)."""
    with _live_lock:
        kernels = list(_live)
    for kernel in kernels:
        kernel.killed = True
        provisioner = kernel.km.provisioner
        process = getattr(provisioner, "process", None)
        if process is None or process.poll() is not None:
            continue
        pgid = getattr(provisioner, "pgid", None)
        try:
            if pgid:
                os.killpg(pgid, signal.SIGKILL)
            else:
                process.kill()
        except OSError:
            pass
