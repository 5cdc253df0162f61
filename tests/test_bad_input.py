"""Issue 9's bad-input matrix: every edge where input comes in, with values that are out of
range, of the wrong type, NaN/inf, empty, huge or malformed, files of the wrong kind, and
files that try to run code. Each case must end in one clear sentence (exit code 2 on the
command line, ``st.error`` on a page), never a traceback, and the user's run must go on.

The matrix complements, and does not repeat, the single-surface cases in test_cli.py,
test_config.py, test_data.py, test_latent*.py and test_playground_app.py.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import streamlit as st
import torch
from PIL import Image
from streamlit.testing.v1 import AppTest

from ganlab.cli.main import main
from ganlab.config.links import save_points
from ganlab.config.run_config import RunConfig, make_config
from ganlab.data.files import MAX_FILE_BYTES, MAX_ROWS
from ganlab.errors import GanlabError
from ganlab.labs.latent import pretrained
from ganlab.labs.latent.inversion import read_digit_file
from ganlab.training.checkpoint import FORMAT, load_trainer, seal
from ganlab.training.trainer import Trainer

ROOT = Path(__file__).resolve().parents[1]
TINY = ["--hidden", "8", "--depth", "1", "--batch-size", "16", "--steps", "2"]


def one_sentence(message: str) -> None:
    assert message and "Traceback" not in message and "\n" not in message.strip(), message
    assert message.rstrip().endswith((".", ")")), message


class Payload:
    """Unpickling this creates ``path``: the sentinel that proves a payload ran."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


def npy_bytes(arr: np.ndarray, allow_pickle: bool = False) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=allow_pickle)
    return buf.getvalue()


def npy_claiming(shape: tuple[int, ...]) -> bytes:
    """A 100-byte .npy whose header claims ``shape`` (np.load would allocate it first)."""
    buf = io.BytesIO()
    header = {"descr": "<f8", "fortran_order": False, "shape": shape}
    np.lib.format.write_array_header_1_0(buf, header)
    return buf.getvalue() + bytes(100)


def png_bytes(width: int, height: int, mode: str = "L") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, (width, height)).save(buf, "PNG")
    return buf.getvalue()


# ----- the command line: exit code 2 and one line on stderr -------------------------------------
def _write(name: str, text: str) -> Callable[[Path], str]:
    def make(tmp: Path) -> str:
        (tmp / name).write_text(text)
        return str(tmp / name)

    return make


CLI_CASES = {
    "config nested 100k deep": (["train", "--config", _write("deep.json", "[" * 100_000)], "deep"),
    "config variant is a list": (
        ["train", "--config", _write("v.json", '{"variant": ["nsgan"]}')],
        "variant is ['nsgan'] (list)",
    ),
    "config data is an object": (
        ["train", "--config", _write("d.json", '{"data": {"path": "x.csv"}}')],
        "data is {'path': 'x.csv'} (dict)",
    ),
    "config 5000-digit k": (
        ["train", "--config", _write("k.json", '{"k": ' + "9" * 5000 + "}")],
        "a number too long",
    ),
    "seed negative": (["train", "--seed", "-1"], "seed is -1"),
    "hidden above the cap": (["train", "--hidden", "4096"], "at most 1024"),
    "minibatch disc batch above the pairwise cap": (
        ["train", "--minibatch-disc", "--batch-size", "4096", "--hidden", "8"],
        "at most 1024 to fit in memory",
    ),
    "image batch x width above the cap": (
        ["train", "--variant", "dcgan", "--batch-size", "4096", "--hidden", "64"],
        "batch_size x hidden is 4096 x 64",
    ),
    "out cannot be written": (["train", "--out", "/proc/ganlab-nowhere/run"], "cannot write"),
    "npy header claims 10^12 rows": (
        ["train", "--data", lambda tmp: _save(tmp / "huge.npy", npy_claiming((10**12, 2)))],
        "claims shape",
    ),
    "sample label out of range": (
        ["sample", "pretrained:cgan-mnist", "--label", "12", "--n", "4"],
        "label is 12",
    ),
    "sample code not a number": (
        ["sample", "pretrained:infogan-mnist", "--code", "c1=lots", "--n", "4"],
        "is not a number",
    ),
    "sample unknown model": (["sample", "pretrained:biggan", "--n", "4"], "Unknown pretrained"),
    "bench zero seconds": (["bench", "--cases", "toy-ring8", "--seconds", "0"], "--seconds is 0"),
}


def _save(path: Path, data: bytes) -> str:
    path.write_bytes(data)
    return str(path)


@pytest.mark.parametrize("case", CLI_CASES, ids=list(CLI_CASES))
def test_cli(case, tmp_path, capsys) -> None:
    template, words = CLI_CASES[case]
    args = [a(tmp_path) if callable(a) else a for a in template]
    if args[0] == "train":  # tiny nets unless the case sets the flag
        for flag, value in zip(TINY[::2], TINY[1::2]):
            args += [] if flag in args else [flag, value]
        args += [] if "--out" in args else ["--out", str(tmp_path / "run")]
    if args[0] == "sample":
        args += ["--out", str(tmp_path / "s.npy")]
    code = main(args)
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert words in err and len(err.splitlines()) == 1, err
    one_sentence(err)
    assert not (tmp_path / "run" / "checkpoint.pt").exists()


# ----- config JSON, as the pages' import reads it ------------------------------------------------
JSON_CASES = {
    "NaN literal": ('{"lr_d": NaN}', "lr_d is nan; it must be a finite number."),
    "overflowing float": ('{"lr_g": 1e999}', "lr_g is inf; it must be a finite number."),
    "bool for an int": ('{"k": true}', "k is True (bool); it must be a whole number."),
    "seed beyond 2^31": ('{"seed": 1180591620717411303424}', "seed is 1180591620717411303424"),
    "over 100k characters": (
        json.dumps({"data": "ring8", "pad": "x" * 100_000}),
        "at most 100,000",
    ),
    "string where a number goes": ('{"batch_size": "256"}', "batch_size is '256' (str)"),
}


@pytest.mark.parametrize("case", JSON_CASES, ids=list(JSON_CASES))
def test_config_json(case) -> None:
    text, words = JSON_CASES[case]
    with pytest.raises(GanlabError) as err:
        RunConfig.from_json(text)
    assert words in str(err.value)
    one_sentence(str(err.value))


# ----- uploads: points for the playground, digits for the latent page's inversion ---------------
def _pickled_points(tmp: Path) -> bytes:
    return npy_bytes(np.array([Payload(tmp / "ran")], dtype=object), allow_pickle=True)


UPLOAD_CASES = {
    "points: 21 MB upload": (
        lambda tmp: save_points(b"1" * (MAX_FILE_BYTES + 1_000_000), "big.csv"),
        "is 21.0 MB; the limit is 20 MB",
    ),
    "points: npy with 200,001 rows": (
        lambda tmp: save_points(npy_bytes(np.zeros((MAX_ROWS + 1, 1), np.float32)), "n.npy"),
        "the limit is 200,000",
    ),
    "points: npy header claims 10^12 rows": (
        lambda tmp: save_points(npy_claiming((10**12, 2)), "huge.npy"),
        "truncated or not a real .npy file",
    ),
    "points: npy of booleans": (
        lambda tmp: save_points(npy_bytes(np.ones((5, 2), bool)), "b.npy"),
        "holds bool values",
    ),
    "points: 3-D npy": (
        lambda tmp: save_points(npy_bytes(np.zeros((4, 2, 2))), "cube.npy"),
        "has shape (4, 2, 2)",
    ),
    "points: CSV of only a header": (lambda tmp: save_points(b"x,y\n", "h.csv"), "has 0 rows"),
    "points: pickled npy (never run)": (
        lambda tmp: save_points(_pickled_points(tmp), "evil.npy"),
        "not a valid .npy array",
    ),
    "digit: 27x28 PNG": (
        lambda tmp: read_digit_file("d.png", png_bytes(27, 28)),
        "is 27x28 pixels; inversion needs one 28x28 digit",
    ),
    "digit: PNG bomb of 400 million pixels": (
        lambda tmp: read_digit_file("bomb.png", png_bytes(20_000, 20_000, "1")),
        "not a readable PNG or NPY image",
    ),
    "digit: over 1 MB": (
        lambda tmp: read_digit_file("big.png", bytes(2 << 20)),
        "a 28x28 digit needs under 1 MB",
    ),
    "digit: npy header claims 10^12 pixels": (
        lambda tmp: read_digit_file("d.npy", npy_claiming((10**6, 10**6))),
        "claims shape",
    ),
    "digit: NaN pixels": (
        lambda tmp: read_digit_file("d.npy", npy_bytes(np.full((28, 28), np.nan))),
        "NaN or infinite pixels",
    ),
    "digit: pickled npy (never run)": (
        lambda tmp: read_digit_file("d.npy", _pickled_points(tmp)),
        "not a valid .npy array",
    ),
}


@pytest.mark.parametrize("case", UPLOAD_CASES, ids=list(UPLOAD_CASES))
def test_upload(case, tmp_path) -> None:
    fn, words = UPLOAD_CASES[case]
    with pytest.raises(GanlabError) as err:
        fn(tmp_path)
    assert words in str(err.value), str(err.value)
    one_sentence(str(err.value))
    assert not (tmp_path / "ran").exists()


# ----- checkpoints: uploads on the latent page (pretrained.from_bytes) and run folders ----------
@pytest.fixture(scope="module")
def toy_state() -> dict:
    trainer = Trainer(make_config(hidden=8, depth=1, batch_size=16))
    return {"config": trainer.cfg.to_dict(), **trainer.state_dict()}


def _saved(state: object, **kw) -> bytes:
    buf = io.BytesIO()
    torch.save(state, buf, **kw)
    return buf.getvalue()


def _cgan_weights_as_dcgan() -> bytes:
    state = torch.load(
        pretrained.path_of("pretrained:cgan-mnist") / "checkpoint.pt", weights_only=True
    )
    return _saved(seal({**state, "config": {**state["config"], "variant": "dcgan"}}))


def _flipped(state: dict, key: str) -> dict:
    """A sealed state whose first weight of net ``key`` changed after sealing."""
    sealed = seal(state)
    first = next(iter(sealed[key]))
    weights = {**sealed[key], first: sealed[key][first].clone()}
    weights[first].view(-1)[0] += 1.0
    return {**sealed, key: weights}


CHECKPOINT_CASES = {
    "latent: a toy run (another model)": (
        lambda tmp, toy: pretrained.from_bytes(_saved(seal(toy)), "ring.pt"),
        "'ring.pt' is a 'nsgan' run; the latent page takes one of",
    ),
    "latent: cgan weights under a dcgan config": (
        lambda tmp, toy: pretrained.from_bytes(_cgan_weights_as_dcgan(), "mixed.pt"),
        "The weights in 'mixed.pt' do not fit its config",
    ),
    "latent: truncated": (
        lambda tmp, toy: pretrained.from_bytes(
            (pretrained.path_of("pretrained:dcgan-mnist") / "checkpoint.pt").read_bytes()[:5000],
            "cut.pt",
        ),
        "'cut.pt' is not a readable ganlab checkpoint",
    ),
    "latent: zip pickle that runs code (never run)": (
        lambda tmp, toy: pretrained.from_bytes(_saved({"format": Payload(tmp / "ran")}), "x.pt"),
        "not weights-only",
    ),
    "latent: legacy pickle that runs code (never run)": (
        lambda tmp, toy: pretrained.from_bytes(
            _saved(Payload(tmp / "ran"), _use_new_zipfile_serialization=False), "old.pt"
        ),
        "'old.pt' is not a readable ganlab checkpoint",
    ),
    "latent: over 64 MB": (
        lambda tmp, toy: pretrained.from_bytes(bytes(65 << 20), "huge.pt"),
        "checkpoints over 64 MB are refused",
    ),
    "latent: a zip that is not a checkpoint": (
        lambda tmp, toy: pretrained.from_bytes(_zip_bytes(), "notes.pt"),
        "'notes.pt' is not a readable ganlab checkpoint",
    ),
    "run: NaN weights": (
        lambda tmp, toy: load_trainer(
            _to_file(tmp, {**toy, "g": {k: v * float("nan") for k, v in toy["g"].items()}})
        ),
        "hold NaN or infinite values",
    ),
    "run: G's weights are a tensor, not a dict": (
        lambda tmp, toy: load_trainer(_to_file(tmp, {**toy, "g": torch.zeros(3)})),
        "its 'g' is a Tensor, not a dict of named tensors",
    ),
    "run: G's weights of the wrong shape": (
        lambda tmp, toy: load_trainer(
            _to_file(tmp, {**toy, "g": {k: v[..., :1] for k, v in toy["g"].items()}})
        ),
        "do not fit its config (MLP: size mismatch for 0.weight: copying a param with shape",
    ),
    "run: a weight changed after saving": (
        lambda tmp, toy: load_trainer(_to_file(tmp, _flipped(toy, "d"), sealed=True)),
        "is corrupt: its weights do not match the digest it was saved with",
    ),
    "run: the config changed after saving": (
        lambda tmp, toy: load_trainer(
            _to_file(tmp, {**seal(toy), "config": {**toy["config"], "lr_g": 0.5}}, sealed=True)
        ),
        "is corrupt: its weights do not match the digest it was saved with",
    ),
    "run: a format-2 file without its digest": (
        lambda tmp, toy: load_trainer(_to_file(tmp, {**toy, "format": FORMAT}, sealed=True)),
        "is corrupt: its weights do not match the digest it was saved with",
    ),
    "run: no config": (
        lambda tmp, toy: load_trainer(
            _to_file(tmp, {k: v for k, v in toy.items() if k != "config"})
        ),
        "has no run config",
    ),
    "run: optimizer state is None": (
        lambda tmp, toy: load_trainer(_to_file(tmp, {**toy, "opt_g": None})),
        "its 'opt_g' is a NoneType, not an optimizer state",
    ),
}


def _to_file(tmp: Path, state: dict, sealed: bool = False) -> Path:
    """A run folder holding ``state``, sealed with a matching digest unless it already is
    (so a case tests the check it names, not the digest)."""
    torch.save(state if sealed else seal(state), tmp / "checkpoint.pt")
    return tmp


def _zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("notes.txt", "hello")
    return buf.getvalue()


@pytest.mark.parametrize("case", CHECKPOINT_CASES, ids=list(CHECKPOINT_CASES))
def test_checkpoint(case, tmp_path, toy_state) -> None:
    fn, words = CHECKPOINT_CASES[case]
    with pytest.raises(GanlabError) as err:
        fn(tmp_path, toy_state)
    assert words in str(err.value), str(err.value)
    one_sentence(str(err.value))
    assert not (tmp_path / "ran").exists()


# ----- page widgets: the playground under AppTest, one session for all cases -------------------
PAGE = str(ROOT / "pages" / "playground.py")
RUNNER = "ganlab.runner.playground"


@pytest.fixture(scope="module")
def page():
    st.cache_resource.clear()
    at = AppTest.from_file(PAGE, default_timeout=90)
    at.run()
    next(b for b in at.button if b.label == "Step both").click()
    at.run()
    assert not at.exception and at.session_state[RUNNER].status().step == 1
    yield at
    st.cache_resource.clear()


def _typed(text: str) -> Callable[[AppTest], None]:
    def act(at: AppTest) -> None:
        at.selectbox(key="pg.data").set_value("points")
        at.run()  # the text area appears once 'your points' is picked
        at.text_area(key="pg.typed").set_value(text)

    return act


def _imported(text: str) -> Callable[[AppTest], None]:
    def act(at: AppTest) -> None:
        at.text_area(key="pg.import_text").set_value(text)
        next(b for b in at.button if b.label == "Import").click()

    return act


def _mbd_big_batch(at: AppTest) -> None:
    at.select_slider(key="pg.batch_size").set_value(4096)
    at.toggle(key="pg.minibatch_disc").set_value(True)


WIDGET_CASES = {
    "typed one point": (_typed("1, 2"), "has 1 row; it needs at least 2."),
    "typed NaN": (_typed("nan, 1\n2, 3"), "row 1: NaN or infinite values are not allowed."),
    "typed three columns": (_typed("1,2,3\n4,5,6"), "it must have 1 or 2 columns."),
    "imported JSON nested 100k deep": (_imported("[" * 100_000), "nested too deeply"),
    "imported JSON with a list variant": (_imported('{"variant": ["x"]}'), "variant is ['x']"),
    "imported JSON with a 5000-digit k": (_imported('{"k": ' + "9" * 5000 + "}"), "too long"),
    "minibatch disc at batch 4096": (_mbd_big_batch, "at most 1024 to fit in memory."),
}


@pytest.mark.parametrize("case", WIDGET_CASES, ids=list(WIDGET_CASES))
def test_playground_widget(case, page) -> None:
    act, words = WIDGET_CASES[case]
    runner = page.session_state[RUNNER]
    before = runner.cfg
    act(page)
    page.run()
    assert not page.exception, page.exception
    errors = [e.value for e in page.error]
    assert any(words in e for e in errors), errors
    for e in errors:
        one_sentence(e.split(" The run goes on")[0])
    assert runner.cfg == before and runner.status().step == 1  # the user's run is kept
    # Put the widgets back for the next case.
    page.selectbox(key="pg.data").set_value("ring8")
    page.select_slider(key="pg.batch_size").set_value(before.batch_size)
    page.toggle(key="pg.minibatch_disc").set_value(False)
    page.run()
    assert not page.error, [e.value for e in page.error]


def test_playground_number_input_keeps_its_bounds(page) -> None:
    """A number typed beyond the widget's range never reaches the run."""
    runner = page.session_state[RUNNER]
    page.number_input(key="pg.seed").set_value(2**40)
    page.run()
    assert not page.exception and runner.cfg.seed == 0 and runner.status().step == 1


@pytest.mark.parametrize(
    "params, words",
    [
        ({"lr_d": "nan"}, "lr_d is nan; it must be a finite number."),
        ({"batch_size": "99999"}, "batch_size is 99999"),
        ({"variant": "dcgan"}, "variant is 'dcgan'; choose one of: gan, nsgan"),
    ],
    ids=["link lr NaN", "link batch huge", "link image variant on toy data"],
)
def test_playground_link(params, words) -> None:
    st.cache_resource.clear()
    at = AppTest.from_file(PAGE, default_timeout=90)
    at.query_params.update(params)
    at.run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any(e.startswith("The link's setup could not be used") and words in e for e in errors)
    assert at.session_state[RUNNER].cfg == RunConfig()  # the default run opens instead
    st.cache_resource.clear()
