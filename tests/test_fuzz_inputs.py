"""Seeded fuzz of every file a user can hand ganlab: checkpoints, point files, config JSON.

Each input is derived from a fixed seed, so a failure names a case that reproduces. The rule
under test is the same everywhere: whatever the bytes, the reader returns something valid or
raises one GanlabError sentence (one line, short), never another exception, and pickled code
in a file never runs. For checkpoints it is stricter: any change to the content of a saved
file is refused (by the zip's CRCs or the digest), so a file read back is exactly the one
written. Cases are grouped by kind, one test per kind, each listing every case that broke.
"""

from __future__ import annotations

import io
import json
import pickle
import random
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from ganlab.cli.main import main
from ganlab.config.run_config import RunConfig, make_config
from ganlab.data.files import read_points
from ganlab.errors import CheckpointError, ConfigError, DataError, GanlabError
from ganlab.training.checkpoint import FORMAT, digest, load_trainer, read_checkpoint, seal
from ganlab.training.trainer import Trainer

SEED = 1234
CPU = torch.device("cpu")


def one_line(message: str) -> bool:
    return bool(message) and "\n" not in message and len(message) < 300


class Payload:
    """Unpickling this creates ``path``: the marker that proves a payload ran."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


# ----- checkpoints ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> dict[str, Any]:
    """A small toy run after two steps (so Adam's moments exist), saved the ganlab way."""
    torch.manual_seed(0)
    trainer = Trainer(make_config(hidden=8, depth=1, batch_size=16, seed=0), CPU)
    trainer.train_steps(2)
    from ganlab.training.checkpoint import save_run

    folder = tmp_path_factory.mktemp("run")
    path = save_run(trainer, folder)
    state = read_checkpoint(path)
    return {"raw": path.read_bytes(), "state": state, "digest": state["digest"]}


def verdict(path: Path) -> str:
    """'ok' if the file loads, else the CheckpointError's message; anything else propagates."""
    try:
        load_trainer(path, CPU)
    except CheckpointError as err:
        return str(err)
    return "ok"


def run_cases(tmp: Path, cases: list[tuple[str, bytes]], saved: dict, may_load: bool) -> int:
    """Write each case as a run folder and load it; every case must be refused with one line,
    or (where ``may_load``) read back with the digest it was saved with. Returns how many
    loaded. Collects every broken case before failing, so one run shows them all."""
    broken, loaded = [], 0
    for i, (name, data) in enumerate(cases):
        folder = tmp / f"case{i}"
        folder.mkdir()
        (folder / "checkpoint.pt").write_bytes(data)
        try:
            message = verdict(folder)
        except Exception as err:  # the thing under test: nothing but CheckpointError leaks
            broken.append(f"{name}: {type(err).__name__}: {str(err)[:200]}")
            continue
        if message == "ok":
            same = may_load and digest(read_checkpoint(folder)) == saved["digest"]
            loaded += 1
            if not same:
                broken.append(f"{name}: loaded, but is not the checkpoint that was saved")
        elif not (one_line(message) and str(folder) in message):
            broken.append(f"{name}: message is not one line naming the file: {message!r}")
    assert broken == [], f"{len(broken)} of {len(cases)} broken:\n" + "\n".join(broken)
    assert not (tmp / "ran").exists()
    return loaded


def rezip(raw: bytes, change: Callable[[str, bytes], bytes]) -> bytes:
    """The torch zip with each member's bytes passed through ``change`` and fresh CRCs: the
    damage a zip's CRCs cannot see, which only the digest can."""
    src, out = zipfile.ZipFile(io.BytesIO(raw)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, change(info.filename, src.read(info)))
    return out.getvalue()


def flip(data: bytes, rng: random.Random, n: int, lo: int = 0, hi: int | None = None) -> bytes:
    out = bytearray(data)
    for _ in range(n):
        at = rng.randrange(lo, len(out) if hi is None else hi)
        out[at] ^= rng.randrange(1, 256)
    return bytes(out)


def saved_bytes(state: Any, **kw: Any) -> bytes:
    buf = io.BytesIO()
    torch.save(state, buf, **kw)
    return buf.getvalue()


def test_random_bytes_and_truncations_are_refused(saved, tmp_path):
    rng = random.Random(SEED)
    raw = saved["raw"]
    cases = [("empty file", b"")]
    for i in range(60):
        size = int(2 ** rng.uniform(0, 15))
        head = rng.choice([b"", b"PK\x03\x04", b"\x80\x02", raw[:64], raw[:600]])
        cases.append((f"random {i} ({size} B)", head + rng.randbytes(size)))
    for _ in range(50):
        cut = rng.randrange(1, len(raw))
        cases.append((f"truncated at {cut}", raw[:cut]))
    cases.append(("real file plus junk", raw + rng.randbytes(100)))
    # Junk after the zip's end record is the one change zip readers may skip; then the file
    # must read back as the one saved.
    loaded = run_cases(tmp_path, cases, saved, may_load=True)
    assert loaded <= 1


def test_flipped_bytes_never_load_as_other_weights(saved, tmp_path):
    rng = random.Random(SEED + 1)
    raw = saved["raw"]
    members = zipfile.ZipFile(io.BytesIO(raw)).infolist()
    cases = []
    for i in range(60):  # anywhere: headers and padding may be harmless, content never is
        cases.append((f"flips anywhere {i}", flip(raw, rng, rng.randint(1, 8))))
    inside = []
    for i in range(40):  # inside a member's bytes (pickle, tensors): the CRCs must refuse it
        info = rng.choice(members)
        # the local header's own name and extra (padding) lengths, not the central record's
        name_len, extra_len = struct.unpack(
            "<HH", raw[info.header_offset + 26 : info.header_offset + 30]
        )
        start = info.header_offset + 30 + name_len + extra_len
        if info.file_size:
            data = flip(raw, rng, rng.randint(1, 8), start, start + info.file_size)
            inside.append((f"flips in {info.filename} {i}", data))
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    loaded = run_cases(tmp_path / "a", cases, saved, may_load=True)
    assert run_cases(tmp_path / "b", inside, saved, may_load=False) == 0
    assert loaded < len(cases) // 2  # most flips land in content, and all those are refused


def test_damage_behind_fresh_crcs_is_caught_by_the_digest(saved, tmp_path):
    rng = random.Random(SEED + 2)
    raw = saved["raw"]

    def in_tensor(name: str, data: bytes) -> bytes:
        return flip(data, rng, rng.randint(1, 8)) if "/data/" in name and data else data

    cases = [(f"tensor bytes, fresh CRCs {i}", rezip(raw, in_tensor)) for i in range(30)]
    state = saved["state"]
    for i in range(20):  # re-saved by torch with one value edited and the old digest kept
        key = rng.choice(["g", "d"])
        name = rng.choice(list(state[key]))
        weights = {**state[key], name: state[key][name].clone()}
        weights[name].view(-1)[rng.randrange(weights[name].numel())] += rng.choice([1e-6, 1.0])
        cases.append((f"edited {key}.{name} {i}", saved_bytes({**state, key: weights})))
    cases.append(("edited step", saved_bytes({**state, "step": state["step"] + 1})))
    cases.append(("edited seconds", saved_bytes({**state, "seconds": state["seconds"] + 1.0})))
    cases.append(("edited lr", saved_bytes({**state, "config": {**state["config"], "lr_g": 0.1}})))
    cases.append(("no digest", saved_bytes({k: v for k, v in state.items() if k != "digest"})))
    cases.append(("digest of junk", saved_bytes({**state, "digest": "0" * 64})))
    (tmp_path / "c").mkdir()
    assert run_cases(tmp_path / "c", cases, saved, may_load=False) == 0
    for _, data in cases[:30]:
        assert "is corrupt: its weights do not match the digest" in verdict_bytes(tmp_path, data)


def verdict_bytes(tmp: Path, data: bytes) -> str:
    path = tmp / "one.pt"
    path.write_bytes(data)
    return verdict(path)


# Values that are never right for a key, whatever the config; a callable builds its value from
# the real state. A matching digest is written for each, so the structure and fit checks (not
# the digest) are what refuse them.
def _cfg(**change: Any) -> Callable[[dict], dict]:
    return lambda state: {**state["config"], **change}


def _opt(moments: dict) -> Callable[[dict], dict]:
    return lambda state: {"state": moments, "param_groups": state["opt_g"]["param_groups"]}


WRONG: dict[str, list[Any]] = {
    "g": [None, 3, "x", torch.zeros(3), {"a": 1}, {}, [torch.zeros(1)]],
    "d": [None, 2.5, {}, {"x": torch.ones(1, 1)}, {"trunk.0.weight": "w"}],
    "opt_g": [None, 3, {}, {"state": {}, "param_groups": None}, {"state": [], "param_groups": []}]
    + [{"state": {}, "param_groups": []}, {"state": {}, "param_groups": [{"params": ["a"]}]}]
    + [_opt({0: {"exp_avg": torch.zeros(99)}}), _opt({0: "moments"})],
    "opt_d": [None, "x", {"state": {}, "param_groups": [{"params": None}]}],
    "step": [-1, 1.5, "3", None, True, [1]],
    "seconds": [-1.0, float("inf"), float("nan"), "3", None, [1.0]],
    "config": [None, 3, "x", {}, {"variant": 3}, _cfg(lr_g=-1), _cfg(hidden=999_999_999)]
    + [_cfg(hidden="8"), _cfg(nope=1), _cfg(variant="dcgan"), _cfg(hidden=16)],
    "format": ["ganlab-checkpoint-3", None, 2],
    "slow": [3, "x", [None], {"a": torch.zeros(1)}],
}


def test_valid_torch_files_with_wrong_types_or_shapes_are_refused(saved, tmp_path):
    state = {k: v for k, v in saved["state"].items() if k not in ("format", "digest")}
    cases = []
    for key, values in WRONG.items():
        for j, value in enumerate(values):
            value = value(state) if callable(value) else value
            if key == "format":  # seal() stamps the format, so a wrong one goes in after it
                sealed = {**seal(state), "format": value}
            else:
                sealed = seal({**state, key: value})
            cases.append((f"{key} #{j}", saved_bytes(sealed)))
    for key in ("g", "d", "opt_g", "opt_d", "step", "seconds", "config"):
        cases.append((f"no {key}", saved_bytes(seal({k: v for k, v in state.items() if k != key}))))
    for dtype in (torch.complex64, torch.float64):
        weights = {
            k: v.to(dtype) * 1e300 if dtype == torch.float64 else v.to(dtype)
            for k, v in state["g"].items()
        }
        cases.append((f"g as {dtype}", saved_bytes(seal({**state, "g": weights}))))
    cases.append(("not a dict", saved_bytes([1, 2, 3])))
    cases.append(("a bare tensor", saved_bytes(torch.zeros(4))))
    (tmp_path / "w").mkdir()
    assert run_cases(tmp_path / "w", cases, saved, may_load=False) == 0


def test_pickled_code_never_runs(saved, tmp_path):
    marker = tmp_path / "ran"
    state = saved["state"]
    cases = [
        ("zip pickle", saved_bytes({"format": Payload(marker)})),
        ("legacy pickle", saved_bytes(Payload(marker), _use_new_zipfile_serialization=False)),
        ("plain pickle", pickle.dumps(Payload(marker))),
        ("plain pickle, protocol 0", pickle.dumps(Payload(marker), protocol=0)),
        ("inside a real state", saved_bytes({**state, "step": Payload(marker)})),
        ("inside the weights", saved_bytes({**state, "g": {"w": Payload(marker)}})),
    ]
    (tmp_path / "p").mkdir()
    assert run_cases(tmp_path / "p", cases, saved, may_load=False) == 0
    assert not marker.exists()


def test_cli_sample_exits_2_with_one_line_on_each_kind(saved, tmp_path, capsys):
    rng = random.Random(SEED + 3)
    raw = saved["raw"]
    kinds = {
        "random": rng.randbytes(3000),
        "truncated": raw[: len(raw) // 2],
        "flipped": flip(raw, rng, 4, 700, len(raw) - 1000),
        "fresh CRCs": rezip(raw, lambda n, d: flip(d, rng, 2) if "/data/" in n and d else d),
        "wrong type": saved_bytes(seal({**saved["state"], "step": "3"})),
        "code": saved_bytes({"format": Payload(tmp_path / "ran")}),
        "plain pickle": pickle.dumps(Payload(tmp_path / "ran")),
        "empty": b"",
    }
    for kind, data in kinds.items():
        folder = tmp_path / kind
        folder.mkdir()
        (folder / "checkpoint.pt").write_bytes(data)
        out = folder / "x.npy"
        code = main(["sample", str(folder), "--n", "5", "--out", str(out)])
        err = capsys.readouterr().err
        assert code == 2, (kind, err)
        assert err.count("\n") == 1 and err.startswith("ganlab: "), (kind, err)
        assert not out.exists()
    assert not (tmp_path / "ran").exists()


def test_a_saved_run_reads_back_bit_for_bit(saved, tmp_path):
    (tmp_path / "checkpoint.pt").write_bytes(saved["raw"])
    state = read_checkpoint(tmp_path)
    assert state["format"] == FORMAT and digest(state) == state["digest"] == saved["digest"]
    assert load_trainer(tmp_path, CPU).step == 2


def test_format_1_files_without_a_digest_still_load(saved, tmp_path):
    old = {k: v for k, v in saved["state"].items() if k != "digest"}
    (tmp_path / "checkpoint.pt").write_bytes(saved_bytes({**old, "format": "ganlab-checkpoint-1"}))
    assert load_trainer(tmp_path, CPU).step == 2


# ----- point files ------------------------------------------------------------------------------
def check_points(data: bytes, name: str) -> str | None:
    """None if read_points behaved (valid points or one GanlabError line), else what broke."""
    try:
        arr = read_points(data, name)
    except GanlabError as err:
        if not isinstance(err, (DataError, ConfigError)) or not one_line(str(err)):
            return f"{type(err).__name__}: {str(err)[:200]!r}"
        return None
    except Exception as err:
        return f"{type(err).__name__}: {str(err)[:200]}"
    ok = (
        arr.dtype == np.float32
        and arr.ndim == 2
        and arr.shape[1] in (1, 2)
        and len(arr) >= 2
        and bool(np.isfinite(arr).all())
    )
    return None if ok else f"returned a bad array {arr.dtype} {arr.shape}"


def mutate_text(text: str, rng: random.Random) -> str:
    pieces = [",", ";", "\n", "-", "e", ".", " ", "nan", "inf", "1e999", "\x00", "é", "#", "0x1"]
    chars = list(text)
    for _ in range(rng.randint(1, 6)):
        at = rng.randrange(len(chars) + 1)
        op = rng.random()
        if op < 0.4:
            chars.insert(at, rng.choice(pieces + list("0123456789")))
        elif op < 0.7 and chars:
            del chars[min(at, len(chars) - 1)]
        elif chars:
            chars[min(at, len(chars) - 1)] = rng.choice(pieces)
    return "".join(chars)


def npy(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr)
    return buf.getvalue()


def test_point_files_fuzz(tmp_path):
    rng = random.Random(SEED + 4)
    points = np.random.default_rng(0).normal(size=(20, 2)).round(3)
    csv = "x,y\n" + "\n".join(f"{a},{b}" for a, b in points) + "\n"
    valid_npy = [npy(points.astype(t)) for t in (np.float32, np.float64, np.int16, np.float16)] + [
        npy(points[:, 0]),
        npy(np.timedelta64(1, "s") * np.arange(6).reshape(3, 2)),
    ]
    cases = []
    for i in range(60):
        data = rng.randbytes(int(2 ** rng.uniform(0, 12)))
        cases.append((f"random {i}.csv", data, "a.csv"))
        cases.append((f"random {i}.npy", b"\x93NUMPY" + data if i % 2 else data, "a.npy"))
    for i in range(100):
        cases.append((f"csv mutation {i}", mutate_text(csv, rng).encode(), "p.csv"))
    for i in range(100):
        base = rng.choice(valid_npy)
        if rng.random() < 0.3:
            data = base[: rng.randrange(len(base))]
        else:
            hi = 128 if rng.random() < 0.6 else len(base)  # the header, or anywhere
            data = flip(base, rng, rng.randint(1, 6), 0, min(hi, len(base)))
        cases.append((f"npy mutation {i}", data, "p.npy"))
    for t in ("<M8[s]", "<m8[s]", "|b1", "<c8", "|O", "<U3", "[('a', '<f4')]"):
        header = f"{{'descr': {t!r}, 'fortran_order': False, 'shape': (3, 2), }}"
        if t.startswith("["):
            header = f"{{'descr': {t}, 'fortran_order': False, 'shape': (3, 2), }}"
        body = header.encode().ljust(118) + b"\n"
        cases.append(
            (
                f"npy of {t}",
                b"\x93NUMPY\x01\x00" + bytes([len(body), 0]) + body + bytes(96),
                "p.npy",
            )
        )
    broken = [f"{name}: {why}" for name, data, file in cases if (why := check_points(data, file))]
    path = tmp_path / "p.csv"
    path.write_bytes(mutate_text(csv, rng).encode())
    try:
        read_points(path)
    except GanlabError as err:
        assert one_line(str(err))
    assert broken == [], f"{len(broken)} of {len(cases)} broken:\n" + "\n".join(broken)


# ----- config JSON ------------------------------------------------------------------------------
ODD_VALUES = [
    None,
    True,
    -1,
    0,
    10**400,
    1e308,
    -1e308,
    1.5,
    "x",
    "",
    "\n",
    [],
    [1],
    {},
    {"a": 1},
    [[[[]]]],
    "nan",
    2**63,
    -(2**63) - 1,
    "ring8\u0000",
    1e-320,
]


def test_config_json_fuzz():
    rng = random.Random(SEED + 5)
    cfg = make_config(hidden=8, depth=1, batch_size=16).to_dict()
    text = json.dumps(cfg, indent=2)
    cases = []
    for i in range(150):
        cases.append((f"text mutation {i}", mutate_text(text, rng)))
    for i in range(150):
        values = dict(cfg)
        for _ in range(rng.randint(1, 3)):
            values[rng.choice(list(cfg))] = rng.choice(ODD_VALUES)
        dumped = json.dumps(values)
        if i % 10 == 0:
            dumped = dumped.replace('"nan"', "NaN").replace("1e+308", "Infinity")
        cases.append((f"value mutation {i}", dumped))
    cases += [("deep", "[" * 100_000), ("long number", "1" * 5000), ("top-level list", "[1]")]
    broken = []
    for name, data in cases:
        try:
            RunConfig.from_json(data)
        except ConfigError as err:
            if "\n" in str(err):
                broken.append(f"{name}: message not one line: {str(err)[:200]!r}")
        except Exception as err:
            broken.append(f"{name}: {type(err).__name__}: {str(err)[:200]}")
    assert broken == [], f"{len(broken)} of {len(cases)} broken:\n" + "\n".join(broken)
