"""Model-based report metrics against their libraries on the same inputs: CheXbert F1 against f1chexbert's own
`F1CheXbert` labeler (its transformers-4 `encode_plus` call restored by a shim) and its forward's classification
reports, BERTScore against bert-score's `BERTScorer`; tiny random checkpoints built from config."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

EXTRA = "needs the report-metrics extra: pip install -e '.[report-metrics]'"
pytest.importorskip("f1chexbert", reason=EXTRA)
pytest.importorskip("bert_score", reason=EXTRA)

from fixtures.pickles import Payload  # noqa: E402
from fixtures.report_metrics import bertscore_folder, chexbert_folder, library_chexbert, library_reports  # noqa: E402
from gazebench.errors import ConfigError  # noqa: E402
from gazebench.metrics.model_based import MetricOptions, resolve_setup  # noqa: E402
from gazebench.metrics.model_based.bertscore import BERTScoreMetric, baseline_file  # noqa: E402
from gazebench.metrics.model_based.chexbert import TARGET_NAMES, CheXbertF1  # noqa: E402

LONG = "the lungs are clear and there is no pleural effusion. " * 80  # > 512 WordPiece tokens: truncated
REFS = ["The lungs are clear. No pleural effusion or pneumothorax.", "Heart size is enlarged.\nMild edema.",
        "There is a small pneumothorax and the tube has been removed.", "Right base atelectasis.", LONG,
        "Moderate cardiomegaly,   unchanged lines and support devices.", "Left opacity; consolidation.",
        "No acute cardiopulmonary process."]
HYPS = ["No acute cardiopulmonary process.", "Heart size is normal.", "", "  Right base consolidation. ",
        "The lungs are clear.", LONG, "Mild edema and a small effusion.", "Pneumothorax."]


@pytest.fixture(scope="module")
def chexbert(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return chexbert_folder(tmp_path_factory.mktemp("chexbert"))


@pytest.fixture(scope="module")
def encoder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bertscore_folder(tmp_path_factory.mktemp("encoder"))


def test_chexbert_f1_equals_f1chexbert(chexbert: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import torch

    lib = library_chexbert(chexbert, monkeypatch, tmp_path)
    saved = torch.load(chexbert / "chexbert.pth", weights_only=True)["model_state_dict"]
    assert set(lib.model.state_dict()) == {k.removeprefix("module.") for k in saved}  # same layout, every key
    metric = CheXbertF1()
    ours = metric.labels(chexbert, HYPS + REFS)
    theirs = np.array([lib.get_label(r.strip()) for r in HYPS + REFS])
    np.testing.assert_array_equal(ours, theirs)
    assert 0 < ours.sum() < ours.size and len({tuple(r) for r in ours}) > 2  # the tiny labeler is not constant
    cr, cr5 = library_reports(lib, HYPS, REFS)
    got = metric.evidence(chexbert, MetricOptions(), HYPS, REFS).statistic(np.ones(len(HYPS)))
    for n, report in ((14, cr), (5, cr5)):
        for avg in ("micro", "macro"):
            assert got[f"chexbert{n}_{avg}_f1"] == pytest.approx(report[f"{avg} avg"]["f1-score"], abs=1e-12)
    assert len(TARGET_NAMES) == len(lib.target_names) and list(TARGET_NAMES) == lib.target_names


def test_chexbert_weights_are_never_unpickled(tmp_path: Path) -> None:
    folder = chexbert_folder(tmp_path / "chexbert")
    marker = tmp_path / "ran"
    import torch

    torch.save({"model_state_dict": Payload(str(marker))}, folder / "chexbert.pth")
    with pytest.raises(ConfigError, match=r"chexbert: the CheXbert labeler could not be loaded \(UnpicklingError"):
        CheXbertF1().labels(folder, ["The lungs are clear."])
    assert not marker.exists()



def test_bertscore_equals_bert_score(encoder: Path) -> None:
    from bert_score import BERTScorer

    options = MetricOptions(bertscore_model="bert-base-uncased", bertscore_layers=2)
    scorer = BERTScorer(model_type=str(encoder), num_layers=2, lang="en", rescale_with_baseline=True,
                        baseline_path=str(baseline_file(options)))
    keep = [i for i, h in enumerate(HYPS) if h.strip()]
    _, _, f = scorer.score([HYPS[i] for i in keep], [REFS[i] for i in keep])
    evidence = BERTScoreMetric().evidence(encoder, options, HYPS, REFS)
    np.testing.assert_allclose(evidence.columns[keep, 0], f.numpy(), rtol=0, atol=1e-6)
    b = float(scorer.baseline_vals[2])
    empty = [i for i in range(len(HYPS)) if i not in keep]
    np.testing.assert_allclose(evidence.columns[empty, 0], -b / (1 - b))  # bert-score's raw 0, rescaled
    assert evidence.statistic(np.ones(len(HYPS)))["bertscore_f1"] == pytest.approx(evidence.columns[:, 0].mean())
    raw = BERTScoreMetric().evidence(encoder, MetricOptions(bertscore_model="bert-base-uncased", bertscore_layers=2,
                                                            bertscore_rescale=False), HYPS, REFS)
    assert raw.columns[empty, 0].tolist() == [0.0] * len(empty) and not np.allclose(raw.columns, evidence.columns)


def test_setup_records_weights_by_content(chexbert: Path, encoder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from gazebench.data.digest import directory_digest

    setup = resolve_setup((("chexbert", str(chexbert)),))
    record = setup.record()
    assert record["chexbert"]["computed"] and record["chexbert"]["weights_sha256"] == directory_digest(chexbert)
    assert record["bertscore"] == {"computed": False, "metrics": ["bertscore_f1"], "reason": setup.status[
        "bertscore"].reason}  # type: ignore[union-attr]
    assert "--metric-arg bertscore=DIR" in record["bertscore"]["reason"] and "\n" not in record["bertscore"]["reason"]
    assert f"chexbert:rrg,w:{directory_digest(chexbert)[:12]}" in setup.signature_parts()
    monkeypatch.setenv("GAZEBENCH_BERTSCORE", str(encoder))
    both = resolve_setup((("chexbert", str(chexbert)), ("bertscore_model", "bert-base-uncased"),
                          ("bertscore_layers", 2)))
    assert both.record()["bertscore"]["computed"] and both.identity != setup.identity
    assert f"bertscore:{directory_digest(encoder)}:bert-base-uncased,L2,rescaled,noidf" in both.identity
    assert BERTScoreMetric().settings(MetricOptions()) == "distilroberta-base,L5,rescaled,noidf"  # ReXrank's


@pytest.mark.parametrize(("pairs", "message"), [
    ((("chexbrt", "/x"),), r"--metric-arg chexbrt=/x: unknown option for report metrics; did you mean chexbert\?"),
    ((("bertscore_layers", 0),), r"--metric-arg bertscore_layers=0: expected an integer >= 1 or none"),
    ((("chexbert", "/no/such/dir"),), r"--metric-arg chexbert=/no/such/dir: not a directory \(expected chexbert.pth"),
])
def test_bad_metric_args_are_one_line(pairs: tuple[tuple[str, Any], ...], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        resolve_setup(pairs)


def test_incomplete_weights_folder_names_the_file(chexbert: Path, tmp_path: Path) -> None:
    partial = tmp_path / "partial"
    shutil.copytree(chexbert, partial)
    (partial / "chexbert.pth").unlink()
    with pytest.raises(ConfigError, match=r"partial: no chexbert.pth for CheXbert F1"):
        resolve_setup((("chexbert", str(partial)),))
    with pytest.raises(ConfigError, match=r"BERTScore loads safetensors weights only"):
        resolve_setup((("bertscore", str(chexbert)),))
