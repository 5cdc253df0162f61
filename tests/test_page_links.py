"""Every page's address bar: a link (shared, or a lesson's) opens the page with its settings,
the page writes its own settings back, and a bad parameter is one sentence while the page
goes on with its defaults. The images page also shows seed, export and its link.

The pure parts (image links, LinkParam) are checked directly; the pages under AppTest, which
gives every instance the same session id: a test that needs a fresh images run clears the
session's cached runner first, as a closed tab would.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import streamlit as st
from PIL import Image
from streamlit.testing.v1 import AppTest

from ganlab.config.controls import IMAGE_LOSSES, loss_fields
from ganlab.config.links import (
    LinkParam,
    config_from_params,
    config_to_params,
    link_text,
    page_params,
    read_link,
)
from ganlab.config.presets import VARIANTS
from ganlab.config.run_config import make_config
from ganlab.errors import ConfigError
from ganlab.figures import animation
from ganlab.labs.lessons.catalogue import LESSONS

PAGES = Path(__file__).resolve().parents[1] / "pages"
IMAGE_VARIANTS = [name for name, v in VARIANTS.items() if v.kind == "image"]
RUNNER = "ganlab.runner.images"
PREFIX = {"theory": "th", "latent": "lat", "augment": "au", "images": "img"}


def page(name: str, timeout: float = 300, **params: str) -> AppTest:
    """A page under AppTest with ``params`` in its URL (not yet run)."""
    at = AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=timeout)
    at.query_params.update(params)
    return at


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, at.exception
    return at


def fresh_images(**params: str) -> AppTest:
    st.cache_resource.clear()  # no runner from an earlier test: a first visit
    return run(page("images", **params))


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


# ----- links as data ---------------------------------------------------------------------------
@pytest.mark.parametrize("variant", IMAGE_VARIANTS)
@pytest.mark.parametrize("loss", IMAGE_LOSSES)
def test_an_image_link_round_trips_every_variant_and_loss(variant, loss):
    cfg = make_config(variant, "mnist", seed=11, lr_g=5e-4, **loss_fields(loss, 5.0))
    params = config_to_params(cfg)
    assert params["variant"] == variant and params["data"] == "mnist" and params["seed"] == "11"
    assert config_from_params(params, kind="image") == cfg
    served = cfg.replace(mnist_dir="/srv/mnist")  # a server folder never goes into a link
    assert config_to_params(served) == params
    assert config_from_params({**params, "mnist_dir": "/etc"}, kind="image").mnist_dir == ""


def test_an_image_link_names_no_file_and_no_toy_run():
    with pytest.raises(ConfigError) as err:
        config_from_params({"variant": "dcgan", "data": "/etc/passwd"}, kind="image")
    assert str(err.value) == "The link's data is '/etc/passwd'; choose one of: mnist."
    with pytest.raises(ConfigError, match="The link's variant is 'nsgan'; choose one of: dcgan"):
        config_from_params({"variant": "nsgan"}, kind="image")
    with pytest.raises(ConfigError, match="The link's data is 'ring8'"):
        config_from_params({"data": "ring8"}, kind="image")
    with pytest.raises(ConfigError, match="The link's variant is 'dcgan'; choose one of: gan,"):
        config_from_params({"variant": "dcgan"})  # the playground draws points only
    assert config_from_params({}, kind="image") == make_config("dcgan", "mnist")


def test_a_page_link_parses_checks_and_leaves_out_what_it_cannot_carry():
    spec = (
        LinkParam("k", int, 5, choices=(1, 2, 5, 10)),
        LinkParam("steps", int, 300, low=20, high=600, key="n"),
        LinkParam("schemes", list, ["none"], choices=("none", "k+1", "uniform")),
    )
    values, bad = read_link({"k": "10", "steps": "40", "schemes": "none,k+1", "x": "1"}, spec)
    assert values == {"k": 10, "n": 40, "schemes": ["none", "k+1"]} and bad == []
    _, bad = read_link({"k": "3", "steps": "lots", "schemes": "none,none"}, spec)
    assert bad == [
        "The link's k is '3'; choose one of: 1, 2, 5, 10.",
        "The link's steps is 'lots', which is not a valid int.",
        "The link's schemes is 'none,none'; choose some of: none, k+1, uniform.",
    ]
    _, bad = read_link({"steps": "6000"}, spec)
    assert bad == ["The link's steps is '6000'; it must be from 20 to 600."]
    # Defaults and values no link can carry stay out of the address bar.
    assert page_params({"k": 5, "n": 40, "schemes": ["none", "uniform"]}, spec) == {
        "steps": "40",
        "schemes": "none,uniform",
    }
    assert page_params({"k": 7, "n": 300}, spec) == {}
    assert link_text(("none", "k+1")) == "none,k+1" and link_text(True) == "true"


# ----- the images page ---------------------------------------------------------------------------
def test_the_images_page_opens_its_link_and_shows_seed_export_and_its_own_link():
    at = fresh_images(variant="cgan", loss="wgan", gp_weight="5.0", seed="7")
    runner = at.session_state[RUNNER]
    cfg = runner.cfg
    assert (cfg.variant, cfg.loss, cfg.gp_weight, cfg.seed) == ("cgan", "wgan", 5.0, 7)
    assert at.number_input(key="img.seed").value == 7 and not errors(at)
    assert at.selectbox(key="img.loss").value == "wgan-gp"
    link = {"variant": "cgan", "data": "mnist", "loss": "wgan", "gp_weight": "5.0", "seed": "7"}
    assert dict(at.query_params) == link
    assert [b.label for b in at.get("download_button")] == [
        "⬇ Config JSON",
        "⬇ Checkpoint",
        "⬇ Training GIF",
    ]
    assert at.code[0].value.endswith("?variant=cgan&data=mnist&loss=wgan&gp_weight=5.0&seed=7")
    # The GIF: the grid from fixed noise at each picture, one frame per stored step.
    runner.step()
    runner.step()
    frames = runner.frames()[1]
    assert [step for step, _ in frames] == [0, 1, 2] and frames[0][1].shape == (10, 8, 28, 28)
    gif = Image.open(io.BytesIO(animation.grid_gif(frames)))
    assert gif.format == "GIF" and gif.n_frames == 3
    first = gif.convert("L").tobytes()
    gif.seek(2)
    assert gif.convert("L").tobytes() != first  # G moved between step 0 and step 2
    # The seed needs a fresh run, as in the playground; the link follows the run.
    at.number_input(key="img.seed").set_value(8)
    run(at)
    assert any("You changed seed" in w.value for w in at.warning) and runner.cfg.seed == 7
    next(b for b in at.button if b.label == "Reset and apply").click()
    run(at)
    assert runner.cfg.seed == 8 and at.query_params["seed"] == "8"
    st.cache_resource.clear()


def test_the_images_page_imports_digit_configs_and_refuses_toy_ones():
    at = fresh_images()
    runner = at.session_state[RUNNER]
    toy = make_config("nsgan", "ring8").to_json()
    at.text_area(key="img.import_text").set_value(toy)
    next(b for b in at.button if b.label == "Import").click()
    run(at)
    assert errors(at) == [
        "The config's variant 'nsgan' trains on points; import it on the playground."
    ]
    assert runner.cfg.variant == "dcgan"
    digits = json.loads(make_config("lapgan", "mnist", seed=3).to_json())
    at.text_area(key="img.import_text").set_value(json.dumps(digits))
    next(b for b in at.button if b.label == "Import").click()
    run(at)
    assert (runner.cfg.variant, runner.cfg.seed) == ("lapgan", 3) and not errors(at)
    assert at.selectbox(key="img.variant").value == "lapgan"
    assert dict(at.query_params) == {"variant": "lapgan", "data": "mnist", "seed": "3"}
    st.cache_resource.clear()


def test_a_bad_image_link_is_one_sentence_and_a_later_link_asks_before_a_reset():
    at = fresh_images(data="/etc/passwd", variant="cgan")
    runner = at.session_state[RUNNER]
    assert errors(at) == ["The link's data is '/etc/passwd'; choose one of: mnist."]
    assert runner.cfg.variant == "dcgan" and runner.cfg.data == "mnist"
    assert dict(at.query_params) == {"variant": "dcgan", "data": "mnist"}
    run(at)
    assert not errors(at)  # the address bar is the page's own again
    runner.step()
    at.query_params.clear()  # a lesson's link, followed later in the same session
    at.query_params.update(variant="infogan", seed="4")
    run(at)
    assert at.selectbox(key="img.variant").value == "infogan"
    assert any("You changed variant" in w.value for w in at.warning)
    assert runner.cfg.variant == "dcgan"  # a run past step 0 is not thrown away unasked
    st.cache_resource.clear()


# ----- the settings pages ------------------------------------------------------------------------
def test_the_theory_page_reads_its_link_writes_its_own_and_keeps_it_across_pages():
    at = run(page("theory", k="10", steps="40", seed="3"))
    assert (at.select_slider(key="th.k").value, at.slider(key="th.steps").value) == (10, 40)
    assert at.number_input(key="th.seed").value == 3 and not errors(at)
    assert dict(at.query_params) == {"k": "10", "steps": "40", "seed": "3"}
    at.select_slider(key="th.k").set_value(2)
    run(at)
    assert dict(at.query_params) == {"k": "2", "steps": "40", "seed": "3"}
    at.query_params.clear()  # back by the page menu, which drops the parameters
    run(at)
    assert at.select_slider(key="th.k").value == 2 and at.query_params["k"] == "2"
    at.query_params.clear()
    at.query_params.update(k="3", steps="20")  # a link followed later: the good parts apply
    run(at)
    assert errors(at) == ["The link's k is '3'; choose one of: 1, 2, 5, 10."]
    assert (at.select_slider(key="th.k").value, at.slider(key="th.steps").value) == (2, 20)


def test_the_latent_page_opens_the_linked_model_and_seed():
    at = run(page("latent", model="pretrained:cgan-mnist", seed="7"))
    assert at.selectbox(key="lat.source").value == "pretrained:cgan-mnist"
    assert at.number_input(key="lat.seed").value == 7 and not errors(at)
    assert "cgan-mnist (cgan)" in at.caption[0].value
    digit = at.session_state["lat.digit"].copy()
    at.number_input(key="lat.seed").set_value(8)
    run(at)
    assert at.query_params["seed"] == "8" and (at.session_state["lat.digit"] != digit).any()
    bad = run(page("latent", model="/tmp/evil.pt", seed="-1"))
    assert errors(bad) == [
        "The link's model is '/tmp/evil.pt'; choose one of: pretrained:infogan-mnist, "
        "pretrained:cgan-mnist, pretrained:dcgan-mnist.",
        "The link's seed is '-1'; it must be from 0 to 2,147,483,647.",
    ]
    assert bad.selectbox(key="lat.source").value == "pretrained:infogan-mnist"


def test_the_augment_page_opens_the_linked_experiment():
    at = run(page("augment", labelled="100", schemes="none,uniform", classifier_steps="200"))
    assert (at.number_input(key="au.n").value, at.slider(key="au.clf_steps").value) == (100, 200)
    assert at.multiselect(key="au.schemes").value == ["none", "uniform"] and not errors(at)
    assert dict(at.query_params) == {
        "labelled": "100",
        "schemes": "none,uniform",
        "classifier_steps": "200",
    }
    bad = run(page("augment", seeds="9", schemes="none,gan"))
    assert errors(bad) == [
        "The link's schemes is 'none,gan'; choose some of: none, k+1, argmax, uniform, ssgan.",
        "The link's seeds is '9'; it must be from 1 to 5.",
    ]
    assert bad.slider(key="au.seeds").value == 1 and bad.button(key="au.run")


def test_every_lesson_link_opens_its_page_with_its_settings():
    """Each lesson's link on the lessons page, opened: no error, and its values in place."""
    opened = 0
    for lesson in LESSONS.values():
        for values in lesson.links.values():
            st.cache_resource.clear()
            params = {name: link_text(value) for name, value in values.items()}
            at = run(page(lesson.page, **params))
            assert not errors(at), (lesson.name, errors(at))
            for name, text in params.items():
                assert at.query_params.get(name, text) == text, (lesson.name, name)
            opened += 1
    st.cache_resource.clear()
    assert opened == 8  # optimal-d 2, value-of-game 1, saturation 1, codes 2, memorisation 1, ...
