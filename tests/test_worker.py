"""Live runs in worker processes (real processes, no mocks): commands across the process
boundary, a killed worker that becomes a message while others train on, a restart from its
last save, the cap on runs training at once, and no process left behind."""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from ganlab.config.run_config import make_config
from ganlab.errors import ConfigError
from ganlab.live.threads import Slots
from ganlab.live.worker import RemoteRunner, WorkerGone

ROOT = Path(__file__).resolve().parents[1]


def small():
    return make_config("nsgan", "ring8", hidden=16, batch_size=64, seed=0)


def wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def alive(pid: int) -> bool:
    """Whether a process runs (a zombie no longer does)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture
def make():
    made: list[RemoteRunner] = []

    def new(slots: Slots | None = None) -> RemoteRunner:
        made.append(RemoteRunner(small(), slots=slots or Slots(4)))
        return made[-1]

    yield new
    for runner in made:
        runner.stop()


def test_a_proxy_plays_pauses_and_steps_in_its_worker(make):
    runner = make()
    assert runner.pid != os.getpid() and alive(runner.pid)
    assert runner.status().step == 0 and runner.latest().view["fake"].shape == (1000, 2)
    runner.play()
    wait_for(lambda: runner.status().step >= 5)
    runner.pause()
    assert not runner.playing
    stopped = runner.status().step
    runner.step("both")
    assert runner.status().step == stopped + 1 == runner.latest().step
    assert runner.metric_history()["step"][-1] == stopped + 1
    real, frames, _ = runner.frames()
    assert real.shape[1] == 2 and frames[-1][0] == stopped + 1


def test_knobs_bad_knobs_and_reset_cross_the_process_boundary(make):
    runner = make()
    runner.play()
    runner.set_knobs(lr_d=2e-4, k=3)
    assert (runner.cfg.lr_d, runner.cfg.k) == (2e-4, 3) and runner.playing
    with pytest.raises(ConfigError) as here:
        small().replace(lr_g=50.0)
    with pytest.raises(ConfigError) as there:
        runner.set_knobs(lr_g=50.0)
    assert str(there.value) == str(here.value) and "lr_g" in str(there.value)
    assert runner.cfg.lr_g == small().lr_g and runner.playing
    runner.reset(small().replace(hidden=32))
    assert runner.cfg.hidden == 32 and runner.status().step == 0 and not runner.playing


def test_a_killed_worker_is_a_message_others_train_on_and_restart_goes_on(make):
    victim, other = make(), make()
    victim.play()
    other.play()
    wait_for(lambda: (victim.saved_step() or 0) > 0)  # it saves every few seconds
    shown = victim.latest()
    os.kill(victim.pid, signal.SIGKILL)
    wait_for(lambda: victim.crashed, timeout=10)
    message = victim.status().message
    assert message.startswith("The training process stopped (killed by signal SIGKILL)")
    saved = victim.saved_step()
    assert f"press Restart to go on from step {saved:,}" in message
    assert not victim.playing and victim.latest().step == shown.step  # the picture stays
    with pytest.raises(WorkerGone, match="press Restart"):
        victim.play()
    before = other.status().step
    wait_for(lambda: other.status().step > before + 10)  # the other session trains on
    assert other.status().message == ""
    victim.restart()
    assert not victim.crashed and victim.status().step == saved and victim.status().message == ""
    victim.play()
    wait_for(lambda: victim.status().step > saved)


def test_stop_ends_the_worker_and_reset_starts_a_new_one():
    runner = RemoteRunner(small(), slots=Slots(2))
    runner.play()
    wait_for(lambda: runner.status().step > 0)
    pid = runner.pid
    runner.stop()
    assert not alive(pid) and runner.pid is None and not runner.crashed
    assert runner.status().message == "This run was stopped; press Reset to start a new one."
    runner.reset()
    assert alive(runner.pid) and runner.pid != pid and runner.status().step == 0
    runner.stop()


def test_a_collected_proxy_ends_its_worker():
    runner = RemoteRunner(small(), slots=Slots(2))
    pid = runner.pid
    del runner
    gc.collect()
    wait_for(lambda: not alive(pid), timeout=15)


def test_a_worker_ends_when_the_server_process_dies():
    script = (
        "import os, sys\n"
        "from ganlab.config.run_config import make_config\n"
        "from ganlab.live.worker import RemoteRunner\n"
        "if __name__ == '__main__':\n"
        "    r = RemoteRunner(make_config('nsgan', 'ring8', hidden=16))\n"
        "    r.play()\n"
        "    print(r.pid, flush=True)\n"
        "    os.kill(os.getpid(), 9)\n"  # the server killed: no atexit, no finalizer
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    pid = int(done.stdout.split()[0])
    wait_for(lambda: not alive(pid), timeout=15)


def test_with_a_cap_of_one_the_second_run_takes_turns(make):
    slots = Slots(1, turn_s=0.5)
    first, second = make(slots), make(slots)
    first.play()
    wait_for(lambda: first.status().step > 0)
    second.play()
    wait_for(lambda: second.status().waiting)
    assert second.status().message.startswith("Taking turns: 2 runs want to train")
    assert "trains 1 at a time" in second.status().message
    wait_for(lambda: second.status().step > 0)  # its turn came
    first.pause()
    second.pause()
    assert slots.in_use == 0 and slots.waiting == 0  # both gave their slot back


def test_a_worker_parked_too_long_saves_and_ends_and_comes_back_on_unpark():
    runner = RemoteRunner(small(), slots=Slots(2), parked_exit_s=0.5)  # a closed tab
    try:
        runner.play()
        wait_for(lambda: runner.status().step > 0)
        pid = runner.pid
        runner.park()
        parked = runner.status().step  # it may finish a step after this
        wait_for(lambda: not alive(pid), timeout=15)
        saved = runner.saved_step()
        assert saved is not None and saved >= parked  # it saved on its way out
        runner.unpark()  # the session came back after all: on from the save, playing
        assert runner.pid != pid and runner.playing
        wait_for(lambda: runner.status().step > saved)
    finally:
        runner.stop()
