"""Every finding is drawn where it belongs (its pixels change inside its region) and labels are consistent."""
from __future__ import annotations

import math

import numpy as np
import pytest

from gazebench.labels import CHEXPERT_LABELS
from gazebench.synthetic.anatomy import Grid, sample_anatomy
from gazebench.synthetic.findings import sample_specs
from gazebench.synthetic.labels import FINDINGS, PARENCHYMAL, consensus_labels, report_labels, sample_findings
from gazebench.synthetic.render import film_density
from gazebench.synthetic.rng import stream
from gazebench.synthetic.sites import SITES

GRID = Grid(height=194, width=160)
BACKGROUND = {"Support Devices": 0.9, "Fracture": 0.6}


def _in_region(boxes: tuple, pad: float) -> np.ndarray:
    inside = np.zeros((GRID.height, GRID.width), dtype=bool)
    for x0, y0, x1, y1 in boxes:
        inside |= (GRID.x >= x0 - pad) & (GRID.x <= x1 + pad) & (GRID.y >= y0 - pad) & (GRID.y <= y1 + pad)
    return inside


@pytest.mark.parametrize("name", FINDINGS)
@pytest.mark.parametrize("conspicuity", [0.15, 0.9])
@pytest.mark.parametrize("case", range(3))
def test_finding_changes_pixels_in_its_region(name: str, conspicuity: float, case: int) -> None:
    anatomy = sample_anatomy(stream(case, "anatomy"), GRID.width / GRID.height, "AP" if case == 2 else "PA")
    others = {k: v for k, v in BACKGROUND.items() if k != name} if case == 1 else {}
    findings = {**others, name: conspicuity}
    specs = sample_specs(anatomy, findings, case, "t")
    spec = next(s for s in specs if s.name == name)
    without = tuple(s for s in specs if s.name != name)
    diff = film_density(anatomy, specs, GRID) - film_density(anatomy, without, GRID)
    change = np.abs(diff)
    assert change.max() > 0.04, "a subtle finding is still visible to an oracle"
    inside = _in_region(spec.regions, pad=4 * GRID.px)
    assert change[inside].sum() >= 0.9 * change.sum(), f"{name} drew outside its region"


def test_effusion_brightens_and_pneumothorax_darkens() -> None:
    anatomy = sample_anatomy(stream(5, "anatomy"), GRID.width / GRID.height, "PA")
    for name, sign in (("Pleural Effusion", 1.0), ("Pneumothorax", -1.0)):
        (spec,) = sample_specs(anatomy, {name: 0.8}, 5, "t")
        diff = film_density(anatomy, (spec,), GRID) - film_density(anatomy, (), GRID)
        assert sign * diff[_in_region(spec.regions, 0.0)].mean() > 0.0


def test_cardiomegaly_widens_the_heart() -> None:
    anatomy = sample_anatomy(stream(6, "anatomy"), GRID.width / GRID.height, "PA")
    (spec,) = sample_specs(anatomy, {"Cardiomegaly": 0.3}, 6, "t")
    x0, _, x1, _ = spec.region
    assert (x1 - x0 - 0.02) / (2 * anatomy.half_width) > 0.55 > anatomy.ctr


@pytest.mark.parametrize("seed", range(200))
def test_label_hierarchy(seed: int) -> None:
    rng = stream(seed, "labels")
    findings = sample_findings(rng, SITES["mimic"].syndrome_rates)
    codes = dict(zip(CHEXPERT_LABELS, report_labels(findings, rng), strict=True))
    if set(findings) & set(PARENCHYMAL):
        assert "Lung Opacity" in findings and codes["Lung Opacity"] in (1.0, -1.0)
    for name in FINDINGS:
        if name in findings:
            assert codes[name] in (1.0, -1.0)
        else:
            assert math.isnan(codes[name]) or codes[name] in (0.0, -1.0)
    pathology = set(findings) - {"Support Devices"}
    hedged = any(codes[n] == -1.0 for n in FINDINGS if n != "Support Devices")
    assert math.isnan(codes["No Finding"]) if pathology or hedged else codes["No Finding"] == 1.0
    panel = dict(zip(CHEXPERT_LABELS, consensus_labels(findings), strict=True))
    assert set(panel.values()) <= {0.0, 1.0} and panel["No Finding"] == float(not pathology)


def test_prevalence_is_plausible() -> None:
    counts = dict.fromkeys(FINDINGS, 0)
    n = 2000
    for i in range(n):
        for name in sample_findings(stream(i, "prev"), SITES["mimic"].syndrome_rates):
            counts[name] += 1
    assert all(0.02 < counts[k] / n < 0.6 for k in FINDINGS), counts
    assert counts["Pleural Effusion"] > counts["Pneumothorax"] and counts["Support Devices"] > counts["Pleural Other"]
