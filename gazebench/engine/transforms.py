"""Input transforms of a probe run (`RunConfig.input_transform`): the test images or test-time gaze altered
in one declared way, so a shortcut shows as a metric that does not move. The transform is part of the run's
hashed identity; the in-domain validate predictions (threshold tuning) and the fitted model are untouched.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from gazebench.adapter import InputSpec
from gazebench.errors import ConfigError
from gazebench.records import Fixations, GazeRecord, Sample

TRANSFORMS = {
    "blank": "every test image replaced by a constant mid-grey image",
    "flip": "every test image flipped left to right",
    "shuffle-gaze": "the fixations of every test-time gaze reading put in a random order (gaze-input models)",
    "swap-image": "every test image swapped with the image of another patient (labels, gaze and ids kept)",
}
"""Name → what it does (printed by `gazebench probe` and recorded with its results)."""
BLANK_LEVEL = 0.5
"""Grey level in [0, 1] of a blank image."""

PixelTransform = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class InputTransform:
    """One named alteration of the test inputs, seeded by the run's seed."""

    name: str
    seed: int

    def __post_init__(self) -> None:
        if self.name not in TRANSFORMS:
            raise ConfigError(f"input transform {self.name!r} is not one of {', '.join(TRANSFORMS)}")

    def pixels(self, grey: np.ndarray) -> np.ndarray:
        """(B, S, S) grey images in [0, 1] as the model will see them."""
        if self.name == "blank":
            return np.full_like(grey, BLANK_LEVEL)
        if self.name == "flip":
            return np.ascontiguousarray(grey[:, :, ::-1])
        return grey

    def samples(self, samples: Sequence[Sample]) -> tuple[Sample, ...]:
        """The samples with their image path or gaze altered (ids, patients and labels kept)."""
        if self.name == "swap-image":
            return swap_images(samples, self.seed)
        if self.name == "shuffle-gaze":
            return tuple(replace(s, gaze=tuple(shuffled_reading(g, self.seed) for g in s.gaze)) for s in samples)
        return tuple(samples)


def swap_images(samples: Sequence[Sample], seed: int) -> tuple[Sample, ...]:
    """Each sample with the image of another patient's sample: a seeded order, each taking the image of the
    next sample in that order that belongs to a different patient."""
    order = np.random.default_rng(seed).permutation(len(samples))
    out = list(samples)
    for pos, i in enumerate(order):
        for step in range(1, len(order)):
            j = order[(pos + step) % len(order)]
            if samples[j].patient_id != samples[i].patient_id:
                out[i] = replace(samples[i], image_path=samples[j].image_path)
                break
        else:
            raise ConfigError("swap-image needs test images of at least two patients")
    return tuple(out)


def shuffled_reading(reading: GazeRecord, seed: int) -> GazeRecord:
    """`reading` with its fixation positions permuted over its time slots (order destroyed, places kept),
    seeded by the run seed and the reading id."""
    fx = reading.fixations
    rng = np.random.default_rng([seed, *reading.reading_id.encode()])
    perm = rng.permutation(len(fx))
    return replace(reading, fixations=Fixations(fx.t_start, fx.t_end, fx.x[perm], fx.y[perm],
                                                fx.pixels_per_degree))


def input_transform(name: str | None, seed: int, spec: InputSpec) -> InputTransform | None:
    """The transform a run config names (None for none); shuffle-gaze on a model without test-time gaze is a
    one-line ConfigError (it would change nothing the model sees)."""
    if name is None:
        return None
    if name == "shuffle-gaze" and not spec.gaze_input:
        raise ConfigError("input transform shuffle-gaze: this model takes no gaze at test time")
    return InputTransform(name, seed)
