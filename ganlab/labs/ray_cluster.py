"""Ray for sweeps: start a local Ray or join a cluster, run tasks on it, say where they ran.

``session(address)`` starts a private local Ray when ``address`` is None and joins the
cluster whose head listens at ``host:port`` otherwise (``ray start --head`` prints it; 6379
by default). Before joining it checks the address in bounded time, because ``ray.init`` on
a wrong address retries for many minutes and logs from C++ instead of raising: a malformed
address, a host that does not resolve, a port nobody listens on, or a listener that is not
a Ray head all become one ConfigError sentence. Joined workers get this process's ganlab
through ``runtime_env`` so every node trains with the same code as the driver.
``run_on_nodes`` runs a function once per argument tuple as Ray tasks spread over the nodes
and yields each result, with the id of the node that computed it, as it finishes.

This module knows nothing of sweeps or configs (labs/sweep.py does); it does not import
Ray until a session starts, so the rest of ganlab works without it.
"""

from __future__ import annotations

import contextlib
import re
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import ganlab
from ganlab.errors import ConfigError, GanlabError

INSTALL_HINT = "the ray backend needs Ray: pip install 'ganlab[ray]'."
CONNECT_TIMEOUT_S = 60.0  # a real join takes 2-5 s; a loaded laptop may need more
TCP_TIMEOUT_S = 5.0
# Left out of what joined workers receive: pretrained weights and bundled digits, which
# sweeps (toy data only) never read; they would make every join upload ~9 MB.
SHIP_EXCLUDES = ["assets/", "data/mnist_bundled/", "__pycache__/", "*.pyc"]
_ADDRESS = re.compile(r"^(?P<host>[A-Za-z0-9_.\-]+|\[[0-9A-Fa-f:]+\]):(?P<port>\d{1,5})$")
# Run in a child process so a join that hangs can be killed at the deadline.
_PROBE = (
    "import sys, ray\n"
    "ray.init(address=sys.argv[1], logging_level='ERROR', log_to_driver=False)\n"
    "ray.shutdown()\n"
)


def require_ray() -> Any:
    """The ray module, or ConfigError saying how to install it."""
    try:
        import ray
    except ImportError:
        raise ConfigError(INSTALL_HINT)
    return ray


def parse_address(address: str) -> tuple[str, int]:
    """``"10.0.0.5:6379"`` -> ("10.0.0.5", 6379); ConfigError for anything else."""
    match = _ADDRESS.match(str(address).strip())
    port = int(match["port"]) if match else 0
    if not match or not 1 <= port <= 65535:
        raise ConfigError(
            f"--ray-address is {address!r}; give the Ray head's host:port "
            "(port 1-65535, e.g. 10.0.0.5:6379), as `ray start --head` prints it."
        )
    return match["host"].strip("[]"), port


def check_address(address: str, timeout: float = CONNECT_TIMEOUT_S) -> None:
    """Raise ConfigError, one sentence, unless a Ray head answers at ``address`` in time."""
    host, port = parse_address(address)
    try:
        with socket.create_connection((host, port), timeout=min(TCP_TIMEOUT_S, timeout)):
            pass
    except socket.gaierror:
        raise ConfigError(f"--ray-address {address!r}: the host {host!r} does not resolve.")
    except ConnectionRefusedError:
        raise ConfigError(
            f"--ray-address {address!r}: nothing listens on port {port} of {host}; "
            "start the cluster with `ray start --head` there, or drop the flag for a local Ray."
        )
    except OSError as err:  # no route, or no answer before the timeout
        raise ConfigError(f"--ray-address {address!r}: {host} is unreachable ({err}).")
    try:
        probe = subprocess.run(
            [sys.executable, "-c", _PROBE, address],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        raise ConfigError(
            f"--ray-address {address!r}: something listens there but no Ray head answered "
            f"within {timeout:.0f} s; check the port `ray start --head` printed."
        )
    if probe.returncode != 0:
        raise ConfigError(
            f"--ray-address {address!r}: Ray could not join the cluster ({_last_error(probe)})."
        )


def _last_error(probe: subprocess.CompletedProcess) -> str:
    """The final exception line of a failed probe, e.g. a Ray or Python version mismatch."""
    lines = [
        ln.strip() for ln in probe.stderr.splitlines() if re.match(r"^[\w.]+(Error|Exception):", ln)
    ]
    text = lines[-1] if lines else f"exit code {probe.returncode}"
    return text[:200].rstrip(".")


@contextlib.contextmanager
def session(address: str | None = None, timeout: float = CONNECT_TIMEOUT_S) -> Iterator[Any]:
    """Ray, ready for tasks: an existing ``ray.init`` of the caller is used as it is;
    otherwise a local Ray is started (address None) or the cluster joined, and shut down
    on leaving."""
    ray = require_ray()
    if ray.is_initialized():
        yield ray
        return
    if address is not None:
        check_address(address, timeout)
    quiet = {"logging_level": "ERROR", "log_to_driver": False}
    try:
        if address is None:  # "local" ignores RAY_ADDRESS: no flag means a local Ray
            ray.init(address="local", include_dashboard=False, **quiet)
        else:
            code = {"py_modules": [str(Path(ganlab.__file__).parent)], "excludes": SHIP_EXCLUDES}
            ray.init(address=address, runtime_env=code, **quiet)
    except (ConnectionError, RuntimeError, ValueError) as err:
        first = str(err).strip().splitlines()[0][:200] if str(err).strip() else type(err).__name__
        where = "start a local Ray" if address is None else f"join {address!r}"
        raise ConfigError(f"Ray could not {where}: {first.rstrip('.')}.")
    try:
        yield ray
    finally:
        ray.shutdown()


def _node_and(fn: Callable[..., Any], args: tuple[Any, ...]) -> tuple[str, Any]:
    import ray

    return ray.get_runtime_context().get_node_id(), fn(*args)


def run_on_nodes(
    ray: Any, fn: Callable[..., Any], arg_tuples: Sequence[tuple[Any, ...]]
) -> Iterator[tuple[int, str, Any]]:
    """``fn(*args)`` for each tuple as one-CPU Ray tasks, spread over the nodes (a sweep's
    groups take similar time, so spreading beats packing). Yields (index, node id, result)
    in the order tasks finish; a task's ganlab error is raised as itself."""
    task = ray.remote(num_cpus=1, scheduling_strategy="SPREAD")(_node_and)
    pending = {task.remote(fn, args): i for i, args in enumerate(arg_tuples)}
    while pending:
        ready, _ = ray.wait(list(pending), num_returns=1)
        i = pending.pop(ready[0])
        try:
            node, result = ray.get(ready[0])
        except ray.exceptions.RayTaskError as err:  # e.g. a --data file missing on a node
            if isinstance(err.cause, GanlabError):
                raise err.cause from None
            raise
        yield i, node, result
