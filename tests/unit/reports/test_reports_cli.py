"""`gazebench reports label`: ids and 14 codes out, report text never copied; one-line errors; a labeler
plugged in with --include."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from gazebench.cli.main import cli
from gazebench.labels import CHEXPERT_LABELS

PLUGIN = '''
import numpy as np
from gazebench.reports import LABELERS, ReportLabeler

class AllUncertain(ReportLabeler):
    def label(self, reports):
        return np.full((len(reports), 14), -1.0)

LABELERS.add("test-uncertain", AllUncertain)
'''


def _write(tmp_path: Path) -> Path:
    path = tmp_path / "reports.csv"
    pd.DataFrame({"study_id": ["s1", "s2"], "report": ["No pneumothorax. SECRET small left effusion.", ""],
                  "notes": ["SECRET", "x"]}).to_csv(path, index=False)
    return path


def test_label_writes_ids_and_codes_only(tmp_path: Path) -> None:
    out = tmp_path / "labels.csv"
    result = CliRunner().invoke(cli, ["reports", "label", str(_write(tmp_path)), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "columns not copied: report, notes" in result.output and "(1 empty)" in result.output
    text = out.read_text()
    assert "SECRET" not in text and "no pneumothorax" not in text.lower()
    frame = pd.read_csv(out)
    assert list(frame.columns) == ["study_id", *CHEXPERT_LABELS]
    assert frame.loc[0, "Pneumothorax"] == 0 and frame.loc[0, "Pleural Effusion"] == 1
    assert pd.isna(frame.loc[0, "No Finding"]) and frame.loc[1, "No Finding"] == 1


def test_one_line_errors(tmp_path: Path) -> None:
    src = _write(tmp_path)
    cases = [
        (["reports", "label", str(tmp_path / "missing.csv"), "--out", str(tmp_path / "o.csv")], "file not found"),
        (["reports", "label", str(src), "--out", str(tmp_path / "o.csv"), "--column", "text"], "no column 'text'"),
        (["reports", "label", str(src), "--out", str(src / "o.csv")], "which is a file, not a folder"),
        (["reports", "label", str(src), "--out", str(tmp_path / "o.csv"), "--labeler", "rule"], "did you mean rules"),
    ]
    for args, message in cases:
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.output
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], result.output


def test_include_plugs_in_a_labeler(tmp_path: Path) -> None:
    plugin = tmp_path / "my_labeler.py"
    plugin.write_text(PLUGIN)
    out = tmp_path / "labels.csv"
    args = ["reports", "label", str(_write(tmp_path)), "--out", str(out), "--include", str(plugin),
            "--labeler", "test-uncertain"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert (pd.read_csv(out)[list(CHEXPERT_LABELS)] == -1).all().all()
