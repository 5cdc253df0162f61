"""The settings table: every setting is one row, and the config, its checks, the CLI flags,
the widgets, links and the trainers' refusals are read off the rows."""

import argparse
import dataclasses
import io
import re
import tokenize
from pathlib import Path

import pytest
import torch

from ganlab.cli.main import main
from ganlab.cli.train import add_arguments
from ganlab.config import controls
from ganlab.config.fields import NOISES, ROW, ROWS, TOY_DATA, Field, Widget
from ganlab.config.links import config_from_params, config_to_params
from ganlab.config.presets import VARIANTS
from ganlab.config.run_config import RunConfig, config_class, make_config
from ganlab.data.toy import TOY_SETS
from ganlab.errors import ConfigError
from ganlab.losses import LOSSES
from ganlab.nets.mlp import ACTIVATIONS
from ganlab.training.batched import check_batchable, unbatchable_fields
from ganlab.training.cuda_graph import graph_unsupported

LIBRARY = Path(__file__).resolve().parents[1] / "ganlab"


def test_every_field_of_run_config_is_a_row_with_its_type_and_default() -> None:
    fields = dataclasses.fields(RunConfig)
    assert [f.name for f in fields] == [row.name for row in ROWS]
    assert [f.type for f in fields] == [row.type for row in ROWS]
    assert RunConfig().to_dict() == {row.name: row.default for row in ROWS}


def test_name_lists_come_from_their_homes() -> None:
    assert ROW["loss"].choices == tuple(LOSSES)
    assert ROW["activation"].choices == tuple(ACTIVATIONS)
    assert ROW["variant"].choices == tuple(VARIANTS)
    assert ROW["noise"].choices == NOISES
    assert TOY_DATA == tuple(TOY_SETS)


def _mentions(name: str) -> set[str]:
    """The library files that name the setting in code: a bare name (a parameter, a keyword),
    an attribute of a config (``cfg.name``, ``self.cfg.name``) or the exact string. Comments
    and docstrings are prose; other objects' attributes of the same name (the trainer's own
    ``lookahead`` helper) are not the setting."""
    files = set()
    for path in LIBRARY.rglob("*.py"):
        tokens = list(tokenize.generate_tokens(io.StringIO(path.read_text()).readline))
        for i, tok in enumerate(tokens):
            if tok.type == tokenize.NAME and tok.string == name:
                attribute = i > 0 and tokens[i - 1].string == "."
                if not attribute or tokens[i - 2].string in ("cfg", "config"):
                    files.add(path.relative_to(LIBRARY).as_posix())
            elif tok.type == tokenize.STRING and tok.string.strip("'\"") == name:
                files.add(path.relative_to(LIBRARY).as_posix())
    return files


@pytest.mark.parametrize(
    "name, most",
    [
        ("instance_noise", 3),
        ("lookahead", 3),  # the row, the trainer, grid25's preset
        ("instance_noise_steps", 2),
        ("lookahead_alpha", 2),
        ("g_ema", 3),
        # also: the pairwise memory cap, the net, the toy game, theory's and a lesson's recipe
        ("minibatch_disc", 6),
    ],
)
def test_a_setting_is_named_in_few_library_files(name, most) -> None:
    files = _mentions(name)
    assert "config/fields.py" in files
    assert len(files) <= most, sorted(files)


def test_the_scan_finds_a_setting_named_by_hand(tmp_path, monkeypatch) -> None:
    """The scan above would catch a new hand-written list or ``cfg.`` use."""
    (tmp_path / "extra.py").write_text('NAMES = ("lookahead",)\nx = cfg.instance_noise  # no\n')
    monkeypatch.setattr(f"{__name__}.LIBRARY", tmp_path)
    assert _mentions("lookahead") == _mentions("instance_noise") == {"extra.py"}
    assert _mentions("g_ema") == set()


WARMUP = Field("warmup", int, 0, "G-only steps first", 0, 50, toy_only=True)
DRY = Field("dry_run", bool, False, "stop before the first step")


def test_a_new_row_becomes_a_train_flag_with_its_type_and_help() -> None:
    p = argparse.ArgumentParser()
    add_arguments(p, (*ROWS, WARMUP, DRY))
    args = p.parse_args(["--out", "x", "--warmup", "7", "--dry-run"])
    assert (args.warmup, args.dry_run) == (7, True)
    unset = p.parse_args(["--out", "x"])
    assert unset.warmup is None and unset.dry_run is None  # not given: the preset decides
    assert "--warmup WARMUP" in p.format_help() and "G-only steps first" in p.format_help()


def test_a_new_row_becomes_a_validated_field() -> None:
    cls = config_class((*ROWS, WARMUP))
    assert cls().warmup == 0 and cls(warmup=50).warmup == 50
    with pytest.raises(ConfigError) as err:
        cls(warmup=51)
    assert str(err.value) == "warmup is 51; it must be at least 0 and at most 50."
    with pytest.raises(ConfigError) as err:
        cls(variant="dcgan", data="mnist", warmup=5)
    assert str(err.value).startswith("pack, unrolled, minibatch_disc, g_batchnorm, maxout, g_ema, ")
    assert "instance_noise and warmup apply to toy variants only" in str(err.value)
    with pytest.raises(ConfigError, match="Unknown config field 'warmup'"):
        RunConfig.from_dict({"warmup": 1})  # the project's own config has no such row


def test_train_flags_are_the_rows(capsys) -> None:
    assert main(["train", "--help"]) == 0
    flags = set(re.findall(r"(?<![\w-])--[a-z0-9-]+", capsys.readouterr().out))
    # besides the settings: where to write, a config file or a run to resume, and how many threads
    extra = {"--help", "--out", "--config", "--resume", "--threads"}
    assert flags == {row.flag for row in ROWS} | extra
    assert ROW["lr_d"].flag == "--lr-d" and ROW["optimizer"].cli_help == "adam, sgd or rmsprop"


@pytest.mark.parametrize(
    "changes, sentence",
    [
        ({"lr_d": 0.0}, "lr_d is 0.0; it must be greater than 0 and at most 10."),
        ({"beta1": 1.0}, "beta1 is 1.0; it must be at least 0 and less than 1."),
        ({"seed": -1}, "seed is -1; it must be at least 0 and at most 2147483647."),
        ({"batch_size": 100_000}, "batch_size is 100000; it must be at least 1 and at most 8192."),
        ({"lr_g": float("nan")}, "lr_g is nan; it must be a finite number."),
        ({"k": "3"}, "k is '3' (str); it must be a whole number."),
        ({"g_batchnorm": 1}, "g_batchnorm is 1 (int); it must be true or false."),
        ({"optimizer": "adagrad"}, "optimizer is 'adagrad'; choose one of: adam, sgd, rmsprop."),
        ({"noise": "x"}, "noise is 'x'; choose one of: uniform, normal, stratified."),
    ],
)
def test_range_and_choice_errors_are_the_same_sentences(changes, sentence) -> None:
    with pytest.raises(ConfigError) as err:
        make_config("nsgan", "ring8", **changes)
    assert str(err.value) == sentence


def test_toy_only_sentence_lists_the_toy_only_rows() -> None:
    with pytest.raises(ConfigError) as err:
        make_config("dcgan", "mnist", maxout=3)
    assert str(err.value) == (
        "pack, unrolled, minibatch_disc, g_batchnorm, maxout, g_ema and instance_noise apply "
        "to toy variants only; turn them off for variant 'dcgan'."
    )


def test_widgets_and_panels_are_the_rows() -> None:
    assert controls.WIDGETS == {row.name: row.widget for row in ROWS if row.widget}
    assert controls.IMAGE_WIDGETS["noise_dim"] == Widget(
        "choice", "Noise dimension (z)", (2, 4, 8, 16, 32, 62, 100, 128)
    )
    assert controls.IMAGE_WIDGETS["k"] == controls.WIDGETS["k"]
    assert set(controls.LIVE) == {"loss", "k", "lr_d", "lr_g", "optimizer", "lr_decay",
                                  "lr_decay_every", "clip", "gp_weight"}  # fmt: skip
    assert controls.KNOBS == ("k", "lr_d", "lr_g", "batch_size", "optimizer", "lr_decay",
                              "lr_decay_every", "lookahead")  # fmt: skip
    assert controls.GAME == ("loss", "clip", "gp_weight")
    assert controls.IMAGE_KNOBS == ("k", "lr_d", "lr_g", "batch_size", "noise_dim")
    c = controls
    for name in (*c.GAME, *c.KNOBS, *c.NETS, *c.MODIFIERS, *c.IMAGE_KNOBS):
        assert ROW[name].widget is not None, name
    for row in ROWS:  # a select offers exactly the values the config accepts
        if row.widget and row.widget.kind == "select":
            assert tuple(row.widget.spec) == row.choices, row.name


def test_links_leave_out_the_rows_a_link_may_not_set() -> None:
    cfg = make_config("nsgan", "ring8", steps=77, mnist_dir="/data", lookahead=5)
    params = config_to_params(cfg)
    assert params == {"variant": "nsgan", "data": "ring8", "lookahead": "5"}
    back = config_from_params({**params, "steps": "9", "g_batchnorm": "true", "pack": "4"})
    assert (back.lookahead, back.steps, back.g_batchnorm, back.pack) == (5, 5000, True, 4)
    with pytest.raises(ConfigError, match="The link's k is 'lots', which is not a valid int."):
        config_from_params({"k": "lots"})


def _other(row: Field):
    """A valid value other than the row's default."""
    if row.type is bool:
        return not row.default
    if row.choices:
        return next(c for c in row.choices if c != row.default)
    if row.type is int:
        return row.default + 1
    return (row.default + row.high) / 2


FLAGGED = [r for r in ROWS if not r.batchable or r.graph or r.toy_only]


@pytest.mark.parametrize("row", FLAGGED, ids=[r.name for r in FLAGGED])
def test_batched_and_graph_refusals_follow_the_rows(row, monkeypatch) -> None:
    monkeypatch.delenv("GANLAB_CUDA_GRAPHS", raising=False)
    cfg = make_config("nsgan", "ring8", **{row.name: _other(row)})
    assert unbatchable_fields(cfg) == ([] if row.batchable else [row.name])
    if not row.batchable:
        with pytest.raises(ConfigError) as err:
            check_batchable(cfg)
        assert str(err.value) == (
            f"{row.name} is {_other(row)!r}, which the batched sweep trainer does not support; "
            f"leave it at {row.default!r} or use the sequential backend."
        )
    reason = graph_unsupported(cfg, torch.device("cuda"))  # only the device's type is read
    expected = row.graph.format(value=_other(row), default=row.default) if row.graph else None
    assert reason == expected
    assert graph_unsupported(make_config("nsgan", "ring8"), torch.device("cuda")) is None


def test_graph_reasons_read_as_phrases(monkeypatch) -> None:
    monkeypatch.delenv("GANLAB_CUDA_GRAPHS", raising=False)
    cuda = torch.device("cuda")
    assert graph_unsupported(make_config(optimizer="sgd"), cuda) == (
        "sgd keeps its lr on the host; graphs need adam"
    )
    assert graph_unsupported(make_config(instance_noise=0.1), cuda) == (
        "instance noise changes its size every step"
    )
    assert graph_unsupported(make_config(unrolled=2), torch.device("cpu")) == (
        "CUDA graphs need a CUDA device, this run is on cpu"
    )
