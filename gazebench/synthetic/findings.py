"""The 13 finding renderers and the two steps every film goes through: sample each present finding's
geometry (from its own random stream), then reshape the anatomy and add each finding's overlay."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gazebench.synthetic import devices, mediastinum, parenchyma, pleura, skeleton
from gazebench.synthetic.anatomy import Anatomy, Grid, Layers, anatomy_layers
from gazebench.synthetic.finding_types import FindingSpec, Overlay
from gazebench.synthetic.labels import FINDINGS, standalone_opacity
from gazebench.synthetic.rng import stream


@dataclass(frozen=True)
class Renderer:
    """How one finding is sampled and drawn; `reshape` changes the anatomy itself (heart, mediastinum, diaphragm)."""

    sample: Callable[[Anatomy, float, np.random.Generator], FindingSpec]
    draw: Callable[[FindingSpec, Anatomy, Grid, Layers], Overlay] | None = None
    reshape: Callable[[Anatomy, FindingSpec], Anatomy] | None = None
    location: str = ""
    """Where it appears, for docs and the contact sheet."""


RENDERERS: dict[str, Renderer] = {
    "Enlarged Cardiomediastinum": Renderer(mediastinum.sample_enlarged_cardiomediastinum,
                                           reshape=mediastinum.widen_mediastinum,
                                           location="upper mediastinum widened ×1.45-2.05"),
    "Cardiomegaly": Renderer(mediastinum.sample_cardiomegaly, reshape=mediastinum.enlarge_heart,
                             location="heart, cardiothoracic ratio 0.54-0.70"),
    "Lung Opacity": Renderer(parenchyma.sample_opacity, parenchyma.draw_opacity,
                             location="hazy patch, mid/lower lung"),
    "Lung Lesion": Renderer(parenchyma.sample_lesion, parenchyma.draw_lesion,
                            location="round nodule/mass anywhere in a lung"),
    "Edema": Renderer(parenchyma.sample_edema, parenchyma.draw_edema,
                      location="bilateral perihilar haze + Kerley B lines"),
    "Consolidation": Renderer(parenchyma.sample_consolidation, parenchyma.draw_consolidation,
                              location="lobar opacity with air bronchograms"),
    "Pneumonia": Renderer(parenchyma.sample_pneumonia, parenchyma.draw_pneumonia,
                          location="multifocal patchy opacities, mid/lower zones"),
    "Atelectasis": Renderer(parenchyma.sample_atelectasis, parenchyma.draw_atelectasis,
                            reshape=parenchyma.lift_diaphragm,
                            location="plate-like band at a base + raised hemidiaphragm"),
    "Pneumothorax": Renderer(pleura.sample_pneumothorax, pleura.draw_pneumothorax,
                             location="apicolateral pleural line, no markings beyond"),
    "Pleural Effusion": Renderer(pleura.sample_effusion, pleura.draw_effusion,
                                 location="costophrenic angle, meniscus"),
    "Pleural Other": Renderer(pleura.sample_pleural_other, pleura.draw_pleural_other,
                              location="pleural thickening along the lateral wall"),
    "Fracture": Renderer(skeleton.sample_fracture, skeleton.draw_fracture,
                         location="lateral rib or clavicle, lucent line + callus"),
    "Support Devices": Renderer(devices.sample_devices, devices.draw_devices,
                                location="ETT, NG tube, central line, pacemaker, ECG leads"),
}
assert tuple(RENDERERS) == FINDINGS


def sample_specs(anatomy: Anatomy, findings: dict[str, float], seed: int, *keys: str | int) -> tuple[FindingSpec, ...]:
    """Geometry of each present finding, each from its own stream so removing one leaves the rest unchanged.

    "Lung Opacity" is drawn by itself only when no parenchymal finding already accounts for it.
    """
    specs = []
    for name, c in findings.items():
        if name == "Lung Opacity" and not standalone_opacity(findings):
            continue
        specs.append(RENDERERS[name].sample(anatomy, c, stream(seed, *keys, "finding", name)))
    return tuple(specs)


def reshaped(anatomy: Anatomy, specs: tuple[FindingSpec, ...]) -> Anatomy:
    """The anatomy after the findings that change its shape (heart size, mediastinum, diaphragm)."""
    for spec in specs:
        reshape = RENDERERS[spec.name].reshape
        if reshape is not None:
            anatomy = reshape(anatomy, spec)
    return anatomy


def attenuation(anatomy: Anatomy, specs: tuple[FindingSpec, ...], grid: Grid) -> np.ndarray:
    """Total attenuation of the film: normal anatomy, reshaped by and overlaid with `specs`."""
    a = reshaped(anatomy, specs)
    layers = anatomy_layers(a, grid)
    delta: np.ndarray | float = 0.0
    suppress: np.ndarray | float = 1.0
    for spec in specs:
        draw = RENDERERS[spec.name].draw
        if draw is not None:
            overlay = draw(spec, a, grid, layers)
            delta = delta + overlay.delta
            suppress = suppress * overlay.suppress
    return layers.soft + layers.bone - layers.air + layers.markings * suppress + delta
