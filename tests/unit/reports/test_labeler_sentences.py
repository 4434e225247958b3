"""The rule-based labeler on a hand-written sentence suite: every observation (at least 3 sentences each),
negation and uncertainty with their scope, and the No Finding rule. Expected codes follow the CheXpert
labeler's verified outputs where one exists."""
from __future__ import annotations

import numpy as np
import pytest

from gazebench.labels import CHEXPERT_LABELS
from gazebench.reports import LABELERS

P, N, U = 1.0, 0.0, -1.0

SUITE: list[tuple[str, dict[str, float]]] = [
    # Enlarged Cardiomediastinum
    ("mildly enlarged cardiomediastinal silhouette .", {"Enlarged Cardiomediastinum": P}),
    ("normal cardiomediastinal silhouette .", {"Enlarged Cardiomediastinum": N, "No Finding": P}),
    ("The mediastinum is widened.", {"Enlarged Cardiomediastinum": P}),
    ("The cardiomediastinal silhouette is stable.", {"Enlarged Cardiomediastinum": U}),
    # Cardiomegaly
    ("moderate cardiomegaly .", {"Cardiomegaly": P}),
    ("Heart size is within normal limits.", {"Cardiomegaly": N, "No Finding": P}),
    ("The heart is not enlarged.", {"Cardiomegaly": N, "No Finding": P}),
    ("The heart may be enlarged.", {"Cardiomegaly": U}),
    ("Density projecting over the cardiac silhouette.", {}),  # positional unmention; "density" blocks NF
    # Lung Opacity
    ("patchy opacity in the left lower lobe.", {"Lung Opacity": P}),
    ("No focal airspace disease.", {"Lung Opacity": N, "No Finding": P}),
    ("Possible right basilar infiltrate.", {"Lung Opacity": U}),
    # Lung Lesion
    ("nodular opacities are present in the right upper lobe .", {"Lung Lesion": P, "Lung Opacity": P}),
    ("no consolidation or mass in the left lung .", {"Lung Lesion": N, "Consolidation": N, "No Finding": P}),
    ("Questionable 8 mm nodule in the right upper lobe.", {"Lung Lesion": U}),
    ("Massive cardiomegaly.", {"Cardiomegaly": P}),  # "massive" is no mass
    # Edema
    ("Mild pulmonary edema.", {"Edema": P}),
    ("no definite pulmonary edema .", {"Edema": N, "No Finding": P}),
    ("Mild pulmonary vascular congestion.", {"Edema": U}),
    ("Findings consistent with CHF.", {"Edema": P, "Cardiomegaly": U}),
    # Consolidation
    ("right lung consolidation and likely atelectasis noted .", {"Consolidation": P, "Atelectasis": P}),
    ("No new consolidation.", {"Consolidation": U}),
    ("No focal consolidation.", {"Consolidation": N, "No Finding": P}),
    # Pneumonia
    ("Right lower lobe pneumonia.", {"Pneumonia": P}),
    ("Cannot exclude pneumonia.", {"Pneumonia": U}),
    ("Findings suspicious for pneumonia.", {"Pneumonia": U}),
    ("No evidence of pneumonia.", {"Pneumonia": N, "No Finding": P}),
    # Atelectasis
    ("Bibasilar atelectasis.", {"Atelectasis": P}),
    ("Plate-like atelectasis at the left base.", {"Atelectasis": P}),  # "plate" is no device here
    ("Atelectasis is not excluded.", {"Atelectasis": U}),
    ("No atelectasis.", {"Atelectasis": N, "No Finding": P}),
    # Pneumothorax
    ("a small right apical pneumothorax is present .", {"Pneumothorax": P}),
    ("right hydropneumothorax .", {"Pneumothorax": P}),
    ("no pneumothorax .", {"Pneumothorax": N, "No Finding": P}),
    ("Pneumothorax has resolved.", {"Pneumothorax": N, "No Finding": P}),
    # Pleural Effusion
    ("probable small left pleural effusion .", {"Pleural Effusion": U}),
    ("Small bilateral pleural effusions.", {"Pleural Effusion": P}),
    ("no pleural effusion or pneumothorax .", {"Pleural Effusion": N, "Pneumothorax": N, "No Finding": P}),
    ("Small pericardial effusion.", {"No Finding": P}),  # no pleural effusion, and outside the CheXpert lists
    # Pleural Other
    ("right calcified fibrothorax is present .", {"Pleural Other": P}),
    ("Left apical pleural thickening.", {"Pleural Other": P}),
    ("Possible pleural thickening on the right.", {"Pleural Other": U}),
    # Fracture
    ("old healed left rib fractures .", {"Fracture": P}),
    ("No acute fracture.", {"Fracture": N, "No Finding": P}),
    ("Possible fracture of the right clavicle.", {"Fracture": U}),
    # Support Devices
    ("right internal jugular central venous catheter with tip in the svc .", {"Support Devices": P, "No Finding": P}),
    ("The endotracheal tube has been removed.", {"Support Devices": N, "No Finding": P}),
    ("Pacemaker leads in the right atrium and ventricle.", {"Support Devices": P, "No Finding": P}),
    # scope: sentence and clause boundaries, coordination, pre- and post-negation
    ("no acute osseous abnormality although chronic fracture noted", {"Fracture": P}),
    ("No pneumothorax. Small left effusion.", {"Pneumothorax": N, "Pleural Effusion": P}),
    ("No pneumothorax, but there is a small left effusion.", {"Pneumothorax": N, "Pleural Effusion": P}),
    ("No effusion; mild cardiomegaly.", {"Pleural Effusion": N, "Cardiomegaly": P}),
    ("no consolidation, effusion or pneumothorax", {"Consolidation": N, "Pleural Effusion": N, "Pneumothorax": N,
                                                    "No Finding": P}),
    ("Cardiomegaly without overt edema.", {"Cardiomegaly": P, "Edema": N}),
    ("Lungs are free of consolidation.", {"Consolidation": N, "No Finding": P}),
    ("Pneumothorax is not seen.", {"Pneumothorax": N, "No Finding": P}),
    ("Effusion is ruled out.", {"Pleural Effusion": N, "No Finding": P}),
    ("The heart and mediastinum are normal.", {"Cardiomegaly": N, "Enlarged Cardiomediastinum": N, "No Finding": P}),
    ("No change in the large left pleural effusion.", {"Pleural Effusion": P}),
    # uncertainty and its scope
    ("retrocardiac opacity may represent consolidation or atelectasis .", {"Lung Opacity": P, "Consolidation": U,
                                                                          "Atelectasis": U}),
    ("pulmonary edema versus pneumonia .", {"Edema": U, "Pneumonia": U}),
    ("Edema may be present; the effusion has resolved.", {"Edema": U, "Pleural Effusion": N}),
    ("Opacities in the right lung, concerning for pneumonia.", {"Lung Opacity": P, "Pneumonia": U}),
    ("Heart size normal and lungs are clear. No edema or pneumonia. No effusion",
     {"Cardiomegaly": N, "Edema": N, "Pneumonia": N, "Pleural Effusion": N, "No Finding": P}),
    ("1. Stable mild cardiomegaly. 2. Hyperexpanded but clear lungs.", {"Cardiomegaly": P}),
    ("", {"No Finding": P}),
]


def _expected(codes: dict[str, float]) -> list[float]:
    return [codes.get(name, np.nan) for name in CHEXPERT_LABELS]


@pytest.mark.parametrize(("text", "codes"), SUITE, ids=[t[:40] or "empty" for t, _ in SUITE])
def test_sentence(text: str, codes: dict[str, float]) -> None:
    got = LABELERS.create("rules").label([text])[0]
    assert got.tolist() == pytest.approx(_expected(codes), nan_ok=True)


def test_every_observation_has_three_sentences() -> None:
    for name in CHEXPERT_LABELS[1:]:
        assert sum(name in codes for _, codes in SUITE) >= 3, name


def test_broad_hedges_make_likely_uncertain() -> None:
    text = ["right lung consolidation and likely atelectasis noted .", "Opacity suggestive of pneumonia."]
    rules, broad = LABELERS.create("rules").label(text), LABELERS.create("rules-broad").label(text)
    atel, pna = CHEXPERT_LABELS.index("Atelectasis"), CHEXPERT_LABELS.index("Pneumonia")
    assert (rules[0, atel], rules[1, pna]) == (P, P) and (broad[0, atel], broad[1, pna]) == (U, U)
