"""The augmentation lab: the split, the three pseudo-labels, SSGAN's loss, the CLI, the page."""

from __future__ import annotations

import csv
import json
import math
from dataclasses import fields
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from streamlit.testing.v1 import AppTest

from ganlab.cli.main import build_parser, main
from ganlab.errors import ConfigError
from ganlab.labs.augment import experiment as augment
from ganlab.labs.augment import report
from ganlab.labs.augment.labels import generated_loss, pseudo_targets
from ganlab.labs.augment.report import reading
from ganlab.labs.augment.ssgan import ssgan_d_loss

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "pages" / "augment.py")


def test_labelled_unlabelled_and_test_digits_are_disjoint():
    split = augment.split_digits(500, seed=1, unlabelled=300)
    lab, unl, test = (set(t.tolist()) for t in split[:3])
    assert len(lab) == 500 and len(unl) == 300 and len(test) == 2000
    assert not lab & unl and not lab & test and not unl & test
    assert max(lab | unl) < 8000 and min(test) == 8000
    assert len(split.labelled_x) == 500 and len(split.test_y) == 2000
    other = augment.split_digits(500, seed=2)
    assert set(other.labelled_idx.tolist()) != lab  # the seed draws the labelled digits
    assert torch.equal(augment.split_digits(500, seed=1).labelled_idx, split.labelled_idx)


def test_k_plus_1_targets_class_k():
    logits = torch.tensor([[1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0]]).repeat(2, 1)
    assert pseudo_targets("k+1", logits).argmax(dim=1).tolist() == [10, 10]
    expected = -F.log_softmax(logits, dim=1)[:, 10].mean()
    assert generated_loss("k+1", logits).item() == pytest.approx(expected.item())
    assert generated_loss("k+1", logits).item() == pytest.approx(
        math.log(math.exp(1) + 9 + math.exp(2)) - 2, rel=1e-5
    )


def test_uniform_loss_is_the_mean_over_classes_of_minus_log_p():
    logits = torch.tensor([[2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]])
    p = torch.softmax(logits, dim=1)
    assert generated_loss("uniform", logits).item() == pytest.approx(-p.log().mean().item())
    # By hand: log Z - mean logit, with Z = e^2 + 9 and mean logit 0.2.
    assert generated_loss("uniform", logits).item() == pytest.approx(
        math.log(math.exp(2) + 9) - 0.2, rel=1e-5
    )
    assert torch.allclose(pseudo_targets("uniform", logits), torch.full((1, 10), 0.1))


def test_argmax_labels_each_digit_with_the_models_own_top_class():
    logits = torch.tensor([[0.1, 3.0, 0.2] + [0.0] * 7, [0.0] * 9 + [5.0]], requires_grad=True)
    assert pseudo_targets("argmax", logits).argmax(dim=1).tolist() == [1, 9]
    loss = generated_loss("argmax", logits)
    assert loss.item() == pytest.approx(F.cross_entropy(logits, torch.tensor([1, 9])).item())
    loss.backward()  # the target is a constant: the gradient is softmax - onehot
    assert torch.allclose(
        logits.grad, (logits.softmax(1) - F.one_hot(torch.tensor([1, 9]), 10)) / 2
    )


def test_ssgan_loss_is_supervised_ce_plus_gan_loss_on_logsumexp():
    zeros = torch.zeros(1, 10)  # Z = 10, D(x) = 10/11
    loss = ssgan_d_loss(zeros, torch.tensor([3]), zeros, zeros)
    assert loss.item() == pytest.approx(math.log(10) - math.log(10 / 11) - math.log(1 / 11))


def test_settings_refuse_bad_values_in_one_sentence():
    for bad, words in [
        ({"labelled": 20000}, "labelled is 20000; it must be a whole number from 10 to 8000"),
        ({"generated": 0}, "generated is 0; it must be a whole number from 1 to 100000"),
        ({"schemes": "none,foo"}, "Unknown scheme 'foo'; choose from: none, k+1, argmax"),
        ({"schemes": ()}, "No scheme was chosen"),
        ({"labelled": 7900, "unlabelled": 200}, "unlabelled is 200; it must be a whole"),
    ]:
        with pytest.raises(ConfigError) as err:
            augment.AugmentSettings(**bad)
        assert str(err.value).startswith(words) and str(err.value).count(". ") == 0


def test_reading_reports_what_was_measured():
    rows = [
        {"scheme": "none", "mean": 0.90, "std": 0.01, "seeds": 3, "accuracies": []},
        {"scheme": "uniform", "mean": 0.93, "std": 0.01, "seeds": 3, "accuracies": []},
        {"scheme": "k+1", "mean": 0.895, "std": 0.01, "seeds": 3, "accuracies": []},
    ]
    assert reading(rows) == (
        "Highest here: uniform (93.0% ± 1.0). uniform vs none: +3.0 points (more than the "
        "spread between seeds). k+1 vs none: -0.5 points (within the spread between seeds)."
    )


def _cli(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str]:
    """Run ``python -m ganlab augment ARGS`` in this process: (exit code, stderr)."""
    code = main(["augment", *args])
    return code, capsys.readouterr().err


def test_cli_writes_mean_and_std_per_scheme(tmp_path, capsys):
    out = tmp_path / "aug"
    args = "--labelled 30 --generated 16 --scheme none,k+1,uniform,ssgan --seeds 2 "
    args += "--batch-size 8 --gan-steps 3 --classifier-steps 3 --ssgan-steps 3 --test-digits 200"
    code, err = _cli(capsys, *args.split(), "--out", str(out))
    assert code == 0, err
    data = json.loads((out / "results.json").read_text())
    assert [r["scheme"] for r in data["schemes"]] == ["none", "k+1", "uniform", "ssgan"]
    for r in data["schemes"]:
        assert len(r["accuracies"]) == 2 and 0 <= r["mean"] <= 1
        assert r["std"] == pytest.approx(torch.tensor(r["accuracies"]).std().item(), abs=1e-6)
    assert data["settings"]["labelled"] == 30 and data["settings"]["test_digits"] == 200
    rows = list(csv.DictReader((out / "results.csv").open()))
    assert [r["scheme"] for r in rows] == ["none", "k+1", "uniform", "ssgan"]
    assert set(rows[0]) == {"scheme", "mean", "std", "seeds", "seed_0", "seed_1"}
    assert float(rows[0]["mean"]) == pytest.approx(data["schemes"][0]["mean"], abs=1e-4)


@pytest.mark.parametrize(
    "flag, value, words",
    [
        ("--labelled", "20000", "labelled is 20000"),
        ("--generated", "0", "generated is 0"),
        ("--scheme", "foo", "Unknown scheme 'foo'"),
    ],
)
def test_cli_bad_values_exit_2_with_one_sentence(tmp_path, capsys, flag, value, words):
    code, err = _cli(capsys, flag, value, "--out", str(tmp_path / "x"))
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and words in lines[0] and "Traceback" not in err
    assert not (tmp_path / "x").exists()


def test_shipped_result_is_bench_augment_json_with_its_provenance():
    """One home: the page's shipped numbers are bench/augment.json's, copied by the script."""
    shipped = report.load_shipped()
    bench = json.loads((ROOT / "bench" / "augment.json").read_text())
    assert shipped == report.shipped_json(bench, "bench/augment.json", shipped["measured_on"])
    assert shipped["schemes"] == bench["schemes"] and len(shipped["schemes"]) == 5
    assert shipped["measured_on"] == "2026-11-27"  # the commit that added the bench's file
    assert "scripts/ship_results.py" in shipped["about"]


def test_command_is_what_the_cli_reads_back_into_the_same_settings():
    s = augment.AugmentSettings(labelled=300, schemes=("none", "ssgan"), unlabelled=100)
    line = report.command(s, out="runs/x")
    assert line == (
        "python -m ganlab augment --labelled 300 --generated 2000 --scheme none,ssgan "
        "--seeds 3 --unlabelled 100 --out runs/x"
    )
    args = build_parser().parse_args(line.split()[3:])
    names = [f.name for f in fields(augment.AugmentSettings)]
    assert augment.AugmentSettings(**{n: getattr(args, n) for n in names}) == s


def test_page_first_load_shows_the_shipped_result_without_training():
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    shipped = report.load_shipped()
    label = at.info[0].value
    assert label.startswith("**Shipped result.** Measured on 2026-11-27 with `python -m ganlab")
    assert shipped["command"] in label
    (chart,) = at.get("plotly_chart")  # the bars; no examples: none were shipped
    bars = json.loads(chart.proto.spec)["data"][0]
    assert bars["x"] == ["none", "k+1", "argmax", "uniform", "ssgan"]
    assert bars["y"] == pytest.approx([100 * r["mean"] for r in shipped["schemes"]])
    assert at.info[1].value == reading(shipped["schemes"])
    assert at.info[1].value.startswith("Highest here: uniform (95.2% ± 1.0).")
    assert at.subheader[0].value == "n = 500 labelled, 2000 generated, 3 seed(s)"
    assert "au.result" not in at.session_state
    assert not at.get("download_button")  # downloads are of a run trained here


def test_page_explains_bad_values_and_charts_a_tiny_run():
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    assert not at.error
    assert "Shipped result" in at.info[0].value
    at.number_input(key="au.n").set_value(20000).run()
    assert at.error[0].value.startswith("labelled is 20000; it must be a whole number")
    assert not at.button  # nothing to run
    at.number_input(key="au.n").set_value(30).run()
    at.number_input(key="au.m").set_value(0).run()
    assert at.error[0].value.startswith("generated is 0")
    at.number_input(key="au.m").set_value(16).run()
    for key in ("au.gan_steps", "au.clf_steps", "au.ssgan_steps"):
        at.slider(key=key).set_value(5).run()
    at.multiselect(key="au.schemes").set_value(["none", "argmax"]).run()
    assert not at.error
    at.button(key="au.run").click().run()
    assert not at.exception, at.exception
    charts = at.get("plotly_chart")
    assert len(charts) == 2  # accuracy bars and the labelled examples
    bars = json.loads(charts[0].proto.spec)["data"]
    assert bars[0]["x"] == ["none", "argmax"] and len(bars[0]["error_y"]["array"]) == 2
    result = at.session_state["au.result"]
    assert set(result.accuracies) == {"none", "argmax"} and len(result.examples) == 8
    assert [i.value for i in at.info] == [reading(result.summary())]  # no "shipped" label now
    assert at.subheader[0].value == "n = 30 labelled, 16 generated, 1 seed(s)"
