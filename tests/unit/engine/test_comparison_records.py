"""The typed records of `gazebench compare` and `gazebench probe`: their JSON keeps the layout written before them
(a findings file of that layout reads back and writes out identically), a malformed file is a one-line error, the
probe reading follows the paired AUROC difference, and the compare table shows a kind's own tests and the
randomization p-value only where they ran."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from rich.console import Console

from fixtures.comparisons import paired, run_comparison
from gazebench.cli.compare_cmd import comparison_table
from gazebench.comparison import PairedMetric, PairedTest, Randomization, TaskComparison
from gazebench.engine.probes import CHECKS, ProbeFindings, probe_markdown, read_findings, reading
from gazebench.engine.transforms import TRANSFORMS
from gazebench.errors import ConfigError
from gazebench.metrics.power import CANNOT_TELL
from gazebench.metrics.vocabulary import AUROC, metric

ZERO = {"a": 1.0, "b": 1.0, "diff": 0.0, "ci": [0.0, 0.0], "p_value": 1.0, "sd": 0.0, "mdd": 0.0,
        "verdict": "\u26a0 zero-width CI"}
OLD_FINDINGS = {
    "run": "runs/oracle__all__seed0__81d628a28d", "model": "oracle",
    "checks": {
        "blank": {"applicable": True, "description": TRANSFORMS["blank"], "run": "probes/oracle__all__seed0__1c12",
                  "n_boot": 30,
                  "tasks": {"mimic-eye-report": {"n": 9, "metrics": {"bleu1": ZERO | {"ar_p_value": 1.0},
                                                                     "bleu2": ZERO | {"ar_p_value": None}},
                                                 "reading": "AUROC not evaluable on this task"},
                            "rsna": {"n": 20, "metrics": {"auroc": ZERO},
                                     "reading": "AUROC holds on blank images: the model is answering from "
                                                "something other than the image"}}},
        "shuffle-gaze": {"applicable": False, "description": TRANSFORMS["shuffle-gaze"],
                         "reason": "the model takes no gaze at test time"}}}
"""A findings file as `gazebench probe` wrote it before the typed records (trimmed to a few metrics)."""


def test_a_findings_file_of_the_old_layout_reads_back_and_writes_out_byte_for_byte(tmp_path: Path) -> None:
    path = tmp_path / "run.probes.json"
    text = json.dumps(OLD_FINDINGS, indent=2) + "\n"
    path.write_text(text)
    findings = read_findings(path)
    assert json.dumps(findings.to_json(), indent=2) + "\n" == text
    assert list(findings.checks) == ["blank", "shuffle-gaze"] and not findings.checks["shuffle-gaze"].applicable
    bleu = findings.checks["blank"].tasks["mimic-eye-report"].metrics
    assert bleu["bleu1"].randomized and bleu["bleu1"].ar_p_value == 1.0
    assert bleu["bleu2"].randomized and bleu["bleu2"].ar_p_value is None  # not computed, but the test ran
    assert not findings.checks["blank"].tasks["rsna"].metrics[AUROC.name].randomized


@pytest.mark.parametrize(("edit", "message"), [
    (lambda f: f["checks"]["blank"]["tasks"]["rsna"]["metrics"]["auroc"].update(ci=[0.0]), "is not a [low, high]"),
    (lambda f: f["checks"]["blank"]["tasks"]["rsna"]["metrics"]["auroc"].update(mdd="big"), "'mdd' is not a number"),
    (lambda f: f["checks"]["blank"].pop("n_boot"), "integer \"n_boot\""),
    (lambda f: f.update(checks=[]), "checks: expected a dict"),
])
def test_a_malformed_findings_file_is_one_line_naming_the_file_and_field(tmp_path: Path, edit, message: str) -> None:
    raw = json.loads(json.dumps(OLD_FINDINGS))
    edit(raw)
    path = tmp_path / "bad.probes.json"
    path.write_text(json.dumps(raw))
    with pytest.raises(ConfigError, match="bad.probes.json") as info:
        read_findings(path)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_every_transform_has_a_probe_reading() -> None:
    assert set(CHECKS) == set(TRANSFORMS)
    assert [name for name, c in CHECKS.items() if c.gaze_input] == ["shuffle-gaze"]


def test_the_reading_follows_the_paired_auroc_difference() -> None:
    falls = PairedMetric.of(0.9, 0.6, -0.3, (-0.4, -0.2), 0.001, 0.05, 0.14)
    small = PairedMetric.of(0.9, 0.89, -0.01, (-0.05, 0.03), 0.6, 0.02, 0.056)
    holds = PairedMetric.of(0.9, 0.91, 0.01, (-0.001, 0.02), 0.08, 0.002, 0.0056)  # CI holds 0, |Δ| ≥ MDD
    assert reading("blank", falls) == "AUROC falls by 30.0 points: the answer depends on the image"
    assert small.verdict == CANNOT_TELL and reading("flip", small).startswith(f"{CANNOT_TELL}: ")
    assert reading("flip", holds) == "AUROC holds on flipped images: no reliance on left-right layout detected"
    assert reading("blank", None) == reading("blank", paired(None, (None, None), None)) == \
        "AUROC not evaluable on this task"


def test_the_probe_table_shows_auroc_tasks_and_says_what_did_not_apply() -> None:
    md = probe_markdown(ProbeFindings.from_json(OLD_FINDINGS, "findings"))
    assert "| blank | rsna | 100.0 | 100.0 | +0.0 [+0.0, +0.0] | 0.0 | AUROC holds on blank images" in md
    assert "mimic-eye-report" not in md  # no AUROC: its paired metrics are in the JSON only
    assert "| shuffle-gaze | all | – | – | – | – | not applicable: the model takes no gaze at test time |" in md


def test_task_comparison_json_keeps_its_keys_and_order() -> None:
    m = PairedMetric.of(0.5, 0.75, 0.25, [0.1, 0.4], 0.002, 0.07, 0.2)
    assert m.verdict == "B > A"
    assert list(m.to_json()) == ["a", "b", "diff", "ci", "p_value", "sd", "mdd", "verdict"]
    ar = dataclasses.replace(m, randomized=True, ar_p_value=0.01)
    assert list(ar.to_json())[-1] == "ar_p_value" and PairedMetric.from_json(ar.to_json(), "m") == ar
    delong = PairedTest("DeLong, per label, Holm-adjusted", 0.003, ("Pneumonia",),
                        {"per_label": {"Pneumonia": {"p_holm": 0.003}}, "labels_excluded": [], "alpha": 0.05})
    task = TaskComparison(20, {AUROC.name: m}, {AUROC.name: delong})
    assert list(task.to_json()) == ["n", "metrics", "tests"]
    assert list(task.to_json()["tests"][AUROC.name]) == ["per_label", "labels_excluded", "alpha", "holm_significant",
                                                         "p_holm_min", "test"]
    report = TaskComparison(9, {"bleu4": ar}, randomization=Randomization("paired approximate randomization", 50, 0))
    assert report.to_json()["randomization"]["signature"] == "ar:50|seed:0"
    with pytest.raises(dataclasses.FrozenInstanceError):
        task.n = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        task.metrics["acc"] = m  # type: ignore[index]


def test_the_compare_table_shows_tests_and_ar_p_only_where_they_ran() -> None:
    delong = PairedTest("DeLong, per label, Holm-adjusted", 0.0004, ("Pneumonia",))
    ar = dataclasses.replace(PairedMetric.of(0.2, 0.3, 0.1, (0.05, 0.15), 0.01, 0.03, 0.08), randomized=True,
                             ar_p_value=0.0123)
    cmp = run_comparison({"rsna": {AUROC.name: PairedMetric.of(0.5, 0.9, 0.4, (0.2, 0.6), 0.0001, 0.1, 0.28)},
                          "mimic-eye-report": {"bleu4": ar}}, model_b="oracle")
    cmp = dataclasses.replace(cmp, tasks={
        "rsna": dataclasses.replace(cmp.tasks["rsna"], tests={AUROC.name: delong}),
        "mimic-eye-report": dataclasses.replace(cmp.tasks["mimic-eye-report"],
                                                randomization=Randomization("paired AR", 50, 0))})
    console = Console(width=250, record=True)
    console.print(comparison_table(cmp))
    text = console.export_text()
    rsna = next(line for line in text.splitlines() if "rsna" in line)
    bleu = next(line for line in text.splitlines() if metric("bleu4").display in line)  # type: ignore[union-attr]
    assert "<0.001" in rsna and "Pneumonia" in rsna and "0.012" not in rsna
    assert "0.012" in bleu and "Pneumonia" not in bleu
    assert "mimic-eye-report: AR p = paired approximate randomization (ar:50|seed:0)" in text
    assert "rsna: AR p" not in text
