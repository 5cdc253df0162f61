"""The ray sweep backend on a real two-node Ray cluster (head + one worker node, in-process).

Ray is a dev requirement, so nothing here skips: the cluster starts once for the module
(about 10 s on two cores), every test that joins it does so by address as a user's
``--ray-address`` would, and teardown stops every Ray process it started.
"""

from __future__ import annotations

import csv
import math
import socket
import threading

import pytest
import ray
from ray.cluster_utils import Cluster

from ganlab.cli.main import main
from ganlab.errors import ConfigError
from ganlab.labs import ray_cluster, sweep

# ring8, k 1,2 x lr_d 2 values x 2 seeds: 8 runs in 2 groups (k sets the group), one per node.
GRID = {"k": [1, 2], "lr_d": [5e-4, 2e-3], "seeds": 2, "hidden": 16, "batch_size": [64]}
STEPS = 60
NODE = {"num_cpus": 1, "object_store_memory": 80 * 2**20}
# Batched runs on one thread (a Ray worker) and on several (this process) differ only by
# float rounding, which 60 steps of Adam grow to ~1e-6 at most.
TOL = 1e-4


@pytest.fixture(scope="module")
def cluster():
    ray.shutdown()  # the cluster must be joined by address, not reuse a session
    head = Cluster(initialize_head=True, head_node_args={**NODE, "include_dashboard": False})
    try:
        head.add_node(**NODE)
        head.wait_for_nodes()
        yield head
    finally:
        ray.shutdown()
        head.shutdown()


@pytest.fixture(scope="module")
def cfgs():
    return sweep.make_grid("ring8", steps=STEPS, device="cpu", **GRID)


@pytest.fixture(scope="module")
def batched_rows(cfgs):
    return sweep.run_sweep(cfgs, "batched", "cpu")


def _assert_same_rows(got, want):
    assert len(got) == len(want)
    for a, b in zip(got, want):
        for name in ("run", "k", "lr_d", "seed", "steps", "status", "link"):
            assert str(a[name]) == str(b[name]), name
        for name in (*sweep.METRICS, "w1"):
            assert float(a[name]) == pytest.approx(float(b[name]), abs=TOL), name
    assert all(r["status"] == "ok" and math.isfinite(float(r["js_grid"])) for r in got)


def test_ray_backend_gives_the_batched_rows_on_both_nodes(cluster, cfgs, batched_rows):
    progress = []
    rows, nodes = sweep.run_ray(cfgs, "cpu", cluster.address, progress.append)
    _assert_same_rows(rows, batched_rows)
    alive = {node.node_id for node in cluster.list_all_nodes()}
    assert len(nodes) == 2 and set(nodes) == alive and len(alive) == 2  # SPREAD: one each
    assert progress == [0.5, 1.0]
    assert not ray.is_initialized()  # the session it joined is left again


def test_cli_sweep_on_the_cluster_writes_the_batched_rows(
    cluster, cfgs, batched_rows, tmp_path, capsys
):
    flags = ["--k", "1,2", "--lr-d", "5e-4,2e-3", "--seeds", "2", "--hidden", "16"]
    flags += ["--batch-size", "64", "--steps", str(STEPS), "--device", "cpu"]
    flags += ["--lr-g", str(cfgs[0].lr_g)]  # the grid's one G rate (the CLI's default has 3)
    argv = ["sweep", *flags, "--backend", "ray", "--ray-address", cluster.address]
    assert main([*argv, "--out", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert "on 2 Ray node(s) (2 group(s))" in err and "Traceback" not in err
    with open(tmp_path / "results.csv") as fh:
        _assert_same_rows(list(csv.DictReader(fh)), batched_rows)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize(
    "address, message",
    [
        ("nonsense", "--ray-address is 'nonsense'; give the Ray head's host:port"),
        ("10.0.0.5:99999", "port 1-65535"),
        (f"127.0.0.1:{_closed_port()}", "nothing listens on port"),
    ],
)
def test_cli_bad_ray_addresses_exit_2_with_one_line(tmp_path, capsys, address, message):
    argv = ["sweep", "--steps", "5", "--backend", "ray", "--ray-address", address]
    assert main([*argv, "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not (tmp_path / "x").exists()


def test_cli_ray_address_without_the_ray_backend_is_refused(tmp_path, capsys):
    assert main(["sweep", "--ray-address", "h:6379", "--out", str(tmp_path / "x")]) == 2
    assert "--ray-address needs --backend ray" in capsys.readouterr().err


def test_a_listener_that_is_not_ray_is_refused_at_the_deadline():
    server = socket.create_server(("127.0.0.1", 0))
    accepted = []
    thread = threading.Thread(target=lambda: accepted.append(server.accept()), daemon=True)
    thread.start()
    port = server.getsockname()[1]
    try:
        with pytest.raises(ConfigError, match="no Ray head answered within 4 s"):
            ray_cluster.check_address(f"127.0.0.1:{port}", timeout=4)
    finally:
        server.close()


def test_run_sweep_without_an_address_starts_and_stops_a_local_ray(cfgs, batched_rows):
    rows = sweep.run_sweep(cfgs[:4], "ray", "cpu")  # the k=1 group: one task
    _assert_same_rows(rows, batched_rows[:4])
    assert not ray.is_initialized()
