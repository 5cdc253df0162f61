"""The lessons on digits: conditional codes, memorisation, and samples as training data.

Training an image GAN well takes minutes to an hour on a CPU, so these lessons start from
the shipped models (ganlab/assets/pretrained, trained on the first 8,000 bundled digits;
the last 2,000 are held out) and measure them; only the untrained InfoGAN arm is built
fresh. The digit classifier (scores/digits.py) reads what G drew. Numbers in comments were
measured with run.py at one thread.
"""

from __future__ import annotations

from typing import Any

import torch

from ganlab.data.mnist import split_bundled
from ganlab.labs.augment.common import AugmentSettings, Ticker, accuracy, split_digits
from ganlab.labs.augment.experiment import train_classifier
from ganlab.labs.lessons.lesson import Lesson, Results, Verdict, verdict
from ganlab.scores.digits import nearest_training_images
from ganlab.scores.images import cgan_report, infogan_report

PER_CODE = 200  # samples per label or code value
CGAN, INFOGAN = "pretrained:cgan-mnist", "pretrained:infogan-mnist"
NEIGHBOUR_SAMPLES = 500
# The augmentation lesson: 100 labels, 2,000 DCGAN digits, 200 classifier steps, 1,000 test
# digits. Seed 0 measured: none 82.4 %, k+1 83.6 %, argmax 77.1 %, uniform 86.3 %.
AUGMENT = AugmentSettings(
    labelled=100,
    generated=2000,
    classifier_steps=200,
    seeds=1,
    test_digits=1000,
    schemes=("none", "k+1", "argmax", "uniform"),
)
# What the augment page shows of it (its link's parameters); test_digits is not on the page.
AUGMENT_LINK = ("labelled", "generated", "schemes", "seeds", "gan_steps", "classifier_steps")


def code_numbers(trainer: Any) -> dict[str, float]:
    """Label accuracy of a CGAN, or the categorical code's purity of an InfoGAN (the
    reports take anything with ``sample`` and ``device``, as the trainer has)."""
    if trainer.cfg.variant == "cgan":
        return {"label_accuracy": cgan_report(trainer, PER_CODE)["label_accuracy"]}
    report = infogan_report(trainer, PER_CODE)
    return {"cat_purity": report["cat_purity"], "cat_distinct": float(report["cat_distinct"])}


def neighbour_numbers(trainer: Any) -> dict[str, float]:
    """Pixel distance from G's digits, and from held-out real digits, to the nearest of the
    8,000 training digits (CS231n's memorisation check)."""
    split = split_bundled()
    fake = trainer.sample(NEIGHBOUR_SAMPLES, torch.Generator().manual_seed(0)).cpu()
    _, d_fake = nearest_training_images(fake, k=1, reference=split[0])
    _, d_real = nearest_training_images(split[2][:NEIGHBOUR_SAMPLES], k=1, reference=split[0])
    return {
        "nn_fake_median": float(d_fake.median()),
        "nn_fake_min": float(d_fake.min()),
        "nn_heldout_median": float(d_real.median()),
        "nn_heldout_min": float(d_real.min()),
    }


def augment_numbers(trainer: Any) -> dict[str, float]:
    """Held-out accuracy of a small classifier on 100 labelled digits, alone and with G's
    digits under each labelling scheme (the augmentation lab's own training)."""
    s = AUGMENT
    fakes = trainer.sample(s.generated, torch.Generator().manual_seed(0)).unsqueeze(1).cpu()
    split = split_digits(s.labelled, 0, 0, s.test_digits)
    tick = Ticker(1, None)
    out = {}
    for scheme in s.schemes:
        model = train_classifier(scheme, split, fakes, s, 0, tick)
        out[f"acc_{scheme}"] = accuracy(model, split.test_x, split.test_y)
    return out


def check_codes(r: Results) -> Verdict:
    cgan, info, blank = r["cgan"].last, r["infogan"].last, r["infogan untrained"].last
    ok = cgan["label_accuracy"] > 0.85 and info["cat_purity"] > 0.8
    ok = ok and info["cat_distinct"] >= 9 and blank["cat_distinct"] <= 5
    return verdict(
        ok,
        f"asked for a digit, the CGAN drew it {100 * cgan['label_accuracy']:.0f}% of the time; "
        f"InfoGAN's 10 code values drew {info['cat_distinct']:.0f} different digits, "
        f"{100 * info['cat_purity']:.0f}% pure; untrained, they drew "
        f"{blank['cat_distinct']:.0f}",
        "InfoGAN never saw a label: its codes came to mean the digit because it must make "
        "them recoverable from the image (maximising I(c; G(z, c))).",
        "the CGAN right over 85% of the time, InfoGAN's codes over 80% pure over at least 9 "
        "digits, and at most 5 digits untrained",
    )


def check_memorisation(r: Results) -> Verdict:
    m = r["dcgan"].last
    ratio = m["nn_fake_median"] / m["nn_heldout_median"]
    ok = ratio > 0.9 and m["nn_fake_min"] > 1.0
    return verdict(
        ok,
        f"G's digits lay a median {m['nn_fake_median']:.2f} (closest {m['nn_fake_min']:.2f}) "
        f"from their nearest training digit; held-out real digits lay "
        f"{m['nn_heldout_median']:.2f} from theirs",
        "G draws new digits, not copies of the ones it was trained on.",
        "G's median at least 0.9 times the held-out median and no digit within 1.0 of a "
        "training digit",
    )


def check_augment(r: Results) -> Verdict:
    m = {k[4:]: v for k, v in r["dcgan"].last.items() if k.startswith("acc_")}
    ok = m["uniform"] >= m["none"] and m["uniform"] - m["argmax"] > 0.03
    pct = ", ".join(f"{name} {100 * v:.1f}%" for name, v in m.items())
    return verdict(
        ok,
        f"held-out accuracy with 100 labels: {pct}",
        "Uniform labels (no digit in particular) regularise; argmax labels let the "
        "classifier confirm its own mistakes.",
        "uniform at least as good as none and over 3 points better than argmax",
    )


IMAGE_LESSONS = [
    Lesson(
        name="codes",
        title="Conditional generation and InfoGAN's codes",
        idea="A CGAN is told the digit; InfoGAN gets a 10-way code and must make it "
        "recoverable from the image, so the code comes to pick the digit without labels.",
        page="latent",
        arms={
            "cgan": {"start": CGAN},
            "infogan": {"start": INFOGAN},
            "infogan untrained": {"variant": "infogan", "data": "mnist", "steps": 1, "seed": 0},
        },
        question="Does InfoGAN's categorical code end up meaning the digit?",
        choices=(
            "no: only labels can give it meaning",
            "yes, mostly one digit per code value",
            "yes, and in label order (code 3 = digit 3)",
        ),
        answer=1,
        why="The mutual-information term rewards codes a Q head can read back; digit identity "
        "is the most readable discrete factor, but which value gets which digit is arbitrary.",
        watch="The latent page's code rows: one digit per row for InfoGAN, any order.",
        check=check_codes,
        measure=code_numbers,
        links={"cgan": {"model": CGAN}, "infogan": {"model": INFOGAN}},  # the latent page's
    ),
    Lesson(
        name="memorisation",
        title="The nearest-neighbour check for memorisation",
        idea="A G that copies its training set would score well on sample quality. Compare "
        "each sample's distance to its nearest training digit with a held-out real digit's.",
        page="images",
        arms={"dcgan": {"start": "pretrained:dcgan-mnist"}},
        question="Are G's digits closer to their nearest training digit than new real digits are?",
        choices=(
            "much closer: G memorised",
            "about as close or farther: G draws new digits",
            "identical: distance 0",
        ),
        answer=1,
        why="G never sees a training digit directly, only D's gradient; 8,000 digits are too "
        "many for this G to store.",
        watch="The images page's nearest-neighbour panel under any generated digit.",
        check=check_memorisation,
        measure=neighbour_numbers,
        links={"": {"variant": "dcgan"}},  # the images page trains the shipped model's variant
    ),
    Lesson(
        name="augment",
        title="GAN samples as training data: K+1, argmax, uniform labels",
        idea="With few labels, add G's digits to a classifier's training under one of three "
        "labels: an 11th class 'generated' (K+1), its own top class (argmax), or 1/10 each "
        "(uniform, LSRO).",
        page="augment",
        arms={"dcgan": {"start": "pretrained:dcgan-mnist"}},
        question="Which labelling helps a classifier with 100 labels most?",
        choices=("K+1", "argmax", "uniform"),
        answer=2,
        why="Uniform labels teach the classifier to stay unsure off the data; argmax "
        "reinforces its own mistakes (bench/AUGMENT.md: +2.3 and -2.0 points at 500 labels).",
        watch="The augment page's accuracy bars per scheme.",
        check=check_augment,
        measure=augment_numbers,
        links={"": {name: getattr(AUGMENT, name) for name in AUGMENT_LINK}},
    ),
]
