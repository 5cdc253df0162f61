"""The command line contract: outputs, exit codes, and one-sentence errors."""

import json
import subprocess
import sys

import numpy as np
import pytest
import torch

from ganlab.cli.main import main

FAST = ["--hidden", "16", "--depth", "1", "--batch-size", "32", "--snapshot-every", "10"]


def run_cli(args: list[str], capsys) -> tuple[int, str]:
    code = main(args)
    return code, capsys.readouterr().err


def test_train_then_sample(tmp_path, capsys) -> None:
    out = tmp_path / "ring"
    code, err = run_cli(
        ["train", "--data", "ring8", "--steps", "30", "--out", str(out)] + FAST, capsys
    )
    assert code == 0, err
    metrics = json.loads((out / "metrics.json").read_text())
    for key in (
        "steps",
        "seconds",
        "steps_per_s",
        "modes_covered",
        "modes_total",
        "high_quality_frac",
        "js_grid",
        "w1",
    ):
        assert key in metrics
    assert metrics["steps"] == 30 and metrics["status"] == "ok"
    assert len(metrics["history"]) == 3
    assert json.loads((out / "config.json").read_text())["hidden"] == 16
    code, err = run_cli(
        ["sample", str(out), "--n", "500", "--out", str(tmp_path / "s.npy")], capsys
    )
    assert code == 0, err
    x = np.load(tmp_path / "s.npy")
    assert x.shape == (500, 2) and x.dtype == np.float32
    # The same seed gives the same samples; another seed does not.
    run_cli(["sample", str(out), "--n", "500", "--out", str(tmp_path / "t.npy")], capsys)
    run_cli(
        ["sample", str(out), "--n", "500", "--seed", "9", "--out", str(tmp_path / "u.npy")], capsys
    )
    assert np.array_equal(x, np.load(tmp_path / "t.npy"))
    assert not np.array_equal(x, np.load(tmp_path / "u.npy"))


def test_flags_override_the_config_file(tmp_path, capsys) -> None:
    cfg = tmp_path / "run.json"
    cfg.write_text(json.dumps({"data": "gauss1d", "variant": "lsgan", "k": 3, "steps": 10}))
    out = tmp_path / "r"
    flags = ["--k", "2", "--g-ema", "0.99", "--lookahead", "5", "--instance-noise", "0.2"]
    flags += ["--instance-noise-steps", "8"]
    code, err = run_cli(["train", "--config", str(cfg), *flags, "--out", str(out)] + FAST, capsys)
    assert code == 0, err
    saved = json.loads((out / "config.json").read_text())
    fields = ("data", "loss", "k", "noise", "g_ema", "lookahead", "instance_noise")
    got = [saved[f] for f in (*fields, "instance_noise_steps")]
    assert got == ["gauss1d", "lsgan", 2, "uniform", 0.99, 5, 0.2, 8]


def test_resume_continues_a_saved_run_with_the_flags_changes(tmp_path, capsys) -> None:
    first, later = tmp_path / "first", tmp_path / "later"
    base = ["train", "--data", "ring8", "--lr-g", "0.001"] + FAST
    code, err = run_cli([*base, "--steps", "20", "--out", str(first)], capsys)
    assert code == 0, err
    resume = ["train", "--resume", str(first), "--lr-g", "0.0003", "--out", str(later)]
    code, err = run_cli([*resume, "--steps", "50"], capsys)
    assert code == 0, err
    metrics = json.loads((later / "metrics.json").read_text())
    assert metrics["steps"] == 50 and metrics["resumed_from"] == {"run": str(first), "step": 20}
    assert [row["step"] for row in metrics["history"]] == [30, 40, 50]  # the new steps only
    saved = json.loads((later / "config.json").read_text())
    assert saved["lr_g"] == 0.0003 and saved["hidden"] == 16 and saved["data"] == "ring8"
    from ganlab.training.checkpoint import load_trainer

    before, after = load_trainer(first), load_trainer(later)
    assert after.step == 50 and after.opt_g.param_groups[0]["lr"] == 0.0003  # the new rate
    weights = [(a, b) for a, b in zip(before.g.parameters(), after.g.parameters(), strict=True)]
    assert not all(torch.equal(a, b) for a, b in weights)  # it trained on from there
    # A stop at or before the run's step, a missing --steps, a wrong shape or run: exit 2
    cases = [
        (["--steps", "20"], "--steps is 20; the run in"),
        ([], "--steps is not given"),
        (["--steps", "40", "--hidden", "32"], "do not fit its config"),
    ]
    for args, words in cases:
        code, err = run_cli([*resume, *args], capsys)
        assert code == 2 and words in err, err
        assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    missing = ["train", "--resume", str(tmp_path / "nowhere"), "--steps", "9", "--out", "x"]
    code, err = run_cli(missing, capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1, err


@pytest.mark.parametrize(
    "args, words",
    [
        (["--lr-d", "0"], "lr_d is 0"),
        (["--lr-g", "-1"], "lr_g is -1"),
        (["--k", "0"], "k is 0"),
        (["--batch-size", "0"], "batch_size is 0"),
        (["--batch-size", "99999"], "at most 8192"),
        (["--data", "nope"], "data is 'nope'"),
        (["--variant", "nope"], "Unknown variant 'nope'"),
        (["--data", "missing.csv"], "does not exist"),
        (["--k", "abc"], "invalid int value"),
        (["--pack", "3"], "multiple of pack"),
        (["--g-ema", "1.5"], "g_ema is 1.5"),
        (["--lookahead-alpha", "2"], "lookahead_alpha is 2"),
        (["--instance-noise", "-1"], "instance_noise is -1"),
        (["--device", "cuda" if not torch.cuda.is_available() else "tpu"], "device is"),
        (["--config", "nowhere.json"], "does not exist"),
    ],
)
def test_bad_input_is_one_sentence_and_exit_2(tmp_path, capsys, args, words) -> None:
    code, err = run_cli(["train", "--out", str(tmp_path / "x"), "--steps", "5"] + args, capsys)
    assert code == 2
    assert words in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_bad_csv_data_files(tmp_path, capsys) -> None:
    cases = {"nan.csv": "1,2\nnan,1\n", "cols.csv": "1,2,3\n4,5,6\n", "text.csv": "a,b\nc,d\n"}
    for name, text in cases.items():
        (tmp_path / name).write_text(text)
        code, err = run_cli(
            ["train", "--data", str(tmp_path / name), "--out", str(tmp_path / "o")], capsys
        )
        assert code == 2 and name in err and len(err.strip().splitlines()) == 1


def test_sample_errors(tmp_path, capsys) -> None:
    code, err = run_cli(
        ["sample", str(tmp_path / "none"), "--out", str(tmp_path / "s.npy")], capsys
    )
    assert code == 2 and "No checkpoint" in err
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "checkpoint.pt").write_bytes(b"\x80\x04garbage")
    code, err = run_cli(["sample", str(bad), "--out", str(tmp_path / "s.npy")], capsys)
    assert code == 2 and "not a readable ganlab checkpoint" in err
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    torch.save({"weights": torch.zeros(3)}, foreign / "checkpoint.pt")
    code, err = run_cli(["sample", str(foreign), "--out", str(tmp_path / "s.npy")], capsys)
    assert code == 2 and "not a ganlab checkpoint" in err


def test_truncated_checkpoint_and_code_execution_are_refused(tmp_path, capsys) -> None:
    out = tmp_path / "run"
    assert run_cli(["train", "--steps", "5", "--out", str(out)] + FAST, capsys)[0] == 0
    blob = (out / "checkpoint.pt").read_bytes()
    (out / "checkpoint.pt").write_bytes(blob[: len(blob) // 2])
    code, err = run_cli(["sample", str(out), "--out", str(tmp_path / "s.npy")], capsys)
    assert code == 2 and "not a readable" in err
    marker = tmp_path / "pwned"
    torch.save({"format": Evil(str(marker))}, out / "checkpoint.pt")
    code, err = run_cli(["sample", str(out), "--out", str(tmp_path / "s.npy")], capsys)
    assert code == 2 and not marker.exists()


class Evil:
    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_divergence_exits_3_and_keeps_a_finite_checkpoint(tmp_path, capsys) -> None:
    out = tmp_path / "boom"
    args = [
        "train",
        "--optimizer",
        "sgd",
        "--lr-d",
        "5",
        "--lr-g",
        "5",
        "--steps",
        "2000",
        "--out",
        str(out),
    ] + FAST
    code, err = run_cli(args, capsys)
    assert code == 3 and "diverged" in err
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["status"] == "diverged" and "message" in metrics
    state = torch.load(out / "checkpoint.pt", weights_only=True)
    assert all(torch.isfinite(t).all() for t in state["g"].values())


def test_module_entry_point_runs_as_a_subprocess(tmp_path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "ganlab", "train", "--lr-d", "nan", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == "ganlab: lr_d is nan; it must be a finite number."


def test_threads_flag_sets_the_runs_threads_and_is_checked(tmp_path, capsys) -> None:
    before = torch.get_num_threads()
    out = tmp_path / "img"
    args = ["train", "--data", "mnist", "--variant", "dcgan", "--steps", "2", "--batch-size", "8"]
    assert main([*args, "--hidden", "8", "--threads", "1", "--out", str(out)]) == 0
    assert json.loads((out / "metrics.json").read_text())["threads"] == 1
    assert torch.get_num_threads() == before  # the run's setting does not outlive it
    capsys.readouterr()
    for bad in ("0", "9999"):
        assert main([*args, "--threads", bad, "--out", str(tmp_path / "x")]) == 2
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and f"--threads is {bad}; it must be at least 1" in err
