"""Every lesson, by name, in teaching order: the game and its theory, the losses, collapse,
balance, WGAN, then the digit lessons. The definitions live in catalogue_toy.py and
catalogue_images.py; this is the one list the CLI and the page read."""

from __future__ import annotations

from ganlab.labs.lessons.catalogue_images import IMAGE_LESSONS
from ganlab.labs.lessons.catalogue_toy import TOY_LESSONS
from ganlab.labs.lessons.lesson import Lesson

LESSONS: dict[str, Lesson] = {lesson.name: lesson for lesson in TOY_LESSONS + IMAGE_LESSONS}
