"""Run verification on real engine runs (`random`, `oracle` and a saliency model on the small simulated
study): each kind of edit to a finished run is refused by the leaderboard, `compare` and `verify_run`
with one line naming the file; duplicates are reported; an untouched run passes."""
from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from gazebench.adapter import ImageBatch, InputSpec, register_model
from gazebench.cli.main import cli
from gazebench.engine.compare import compare_runs
from gazebench.engine.config import RunConfig
from gazebench.engine.evaluate import evaluate
from gazebench.engine.verify import OLDER, REDO, seal_results, verify_run
from gazebench.errors import ConfigError
from gazebench.leaderboard import render
from gazebench.models.random import RandomAdapter
from gazebench.outputs import Probabilities

TASKS = ("mimic-eye", "rsna")


class SaliencyModel(RandomAdapter):
    """`random` plus a centre-weighted saliency map on a 4×4 grid, so its chunks have `.saliency.npy` sidecars."""

    spec = InputSpec(image_size=16, patch_size=4)

    def classify(self, batch: ImageBatch) -> Probabilities:
        n = len(batch.ids)
        sal = np.tile(np.outer([1.0, 2, 2, 1], [1.0, 2, 2, 1]), (n, 1, 1))
        return Probabilities(probs=super().classify(batch).probs, saliency=sal)


register_model("test-verify-saliency")(SaliencyModel)


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory, small_root: Path) -> dict[str, Path]:
    """Finished runs of random, oracle and the saliency model (kept pristine: tests edit copies)."""
    out = tmp_path_factory.mktemp("runs")
    return {model: evaluate(RunConfig(model=model, tasks=TASKS, limit=6, n_boot=20), output_dir=out,
                            data_root=small_root).run_dir
            for model in ("random", "oracle", "test-verify-saliency")}


def copy(made: dict[str, Path], dest: Path, *models: str) -> dict[str, Path]:
    """Copies of the named runs under `dest` (same folder names)."""
    dest.mkdir(exist_ok=True)
    return {m: Path(shutil.copytree(made[m], dest / made[m].name)) for m in models}


def edit_json(path: Path, change: Callable[[dict], None], reseal: bool = False) -> None:
    obj = json.loads(path.read_text())
    change(obj)
    path.write_text(json.dumps(seal_results(obj) if reseal else obj, indent=2))


def metric(results: dict, task: str, name: str) -> dict:
    """The stored {"value", "ci"} of metric `name` of `task` in a results JSON (schema 2), to edit by hand."""
    return results["results"][task]["metrics"][name]


def refusal(run: Path) -> str:
    with pytest.raises(ConfigError) as info:
        verify_run(run)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_untouched_runs_verify_and_are_ranked(made: dict[str, Path], tmp_path: Path) -> None:
    for path in made.values():
        run = verify_run(path)
        digests = run.results.evidence["prediction_digests"]
        assert run.results.seal and set(digests) == {"predictions/mimic-eye", "predictions/rsna",
                                                        "validation/mimic-eye"}
    runs = copy(made, tmp_path / "runs", "random", "oracle")
    warnings: list[str] = []
    md = render(tmp_path / "runs", "md", warn=warnings.append)
    assert warnings == [] and "| random \\[limit 6\\] |" in md and "oracle" in md
    assert set(runs) == {"random", "oracle"}


def test_hand_edited_auroc_is_refused_and_the_rest_shown(made: dict[str, Path], tmp_path: Path) -> None:
    runs = copy(made, tmp_path / "runs", "random", "oracle")
    edit_json(runs["random"] / "results.json", lambda r: metric(r, "mimic-eye", "auroc").update(value=0.99))
    warnings: list[str] = []
    md = render(tmp_path / "runs", "md", warn=warnings.append)
    assert len(warnings) == 1 and str(runs["random"] / "results.json") in warnings[0]
    assert "edited after scoring" in warnings[0]
    assert "| random" not in md and "oracle" in md
    assert f"failed verification: {runs['random'].name.replace('_', chr(92) + '_')}" in md
    result = CliRunner().invoke(cli, ["leaderboard", str(tmp_path / "runs")])
    assert result.exit_code == 0 and "warning: refused" in result.output
    strict = CliRunner().invoke(cli, ["leaderboard", str(tmp_path / "runs"), "--strict"])
    assert strict.exit_code != 0
    assert strict.output.startswith("error: ") and "edited after scoring" in strict.output
    assert "--strict" in strict.output


def test_all_refused_is_an_error(made: dict[str, Path], tmp_path: Path) -> None:
    runs = copy(made, tmp_path / "runs", "random")
    edit_json(runs["random"] / "results.json", lambda r: metric(r, "rsna", "acc").update(value=0.0))
    result = CliRunner().invoke(cli, ["leaderboard", str(tmp_path / "runs")])
    assert result.exit_code != 0
    assert result.output.count("\n") == 1 and "no run left to show" in result.output


def test_point_moved_outside_its_ci_with_the_seal_recomputed(made: dict[str, Path], tmp_path: Path) -> None:
    runs = copy(made, tmp_path, "random")
    edit_json(runs["random"] / "results.json", lambda r: metric(r, "mimic-eye", "auroc").update(value=0.99),
              reseal=True)
    assert "mimic-eye auroc 0.9900 lies outside its CI" in refusal(runs["random"])


def test_hand_edited_calibration_ci_with_the_seal_recomputed(made: dict[str, Path], tmp_path: Path) -> None:
    runs = copy(made, tmp_path, "random")
    assert verify_run(runs["random"]).results.tasks["mimic-eye"].blocks["calibration"].metrics["ece"].ci[0] is not None

    def above(r: dict) -> None:  # the CI a plain percentile bootstrap of the biased ECE can print
        ece = r["results"]["mimic-eye"]["blocks"]["calibration"]["metrics"]["ece"]
        ece["ci"] = [ece["value"] + 0.01, ece["value"] + 0.05]

    edit_json(runs["random"] / "results.json", above, reseal=True)
    assert "mimic-eye/calibration ece" in refusal(runs["random"]) and "outside its CI" in refusal(runs["random"])


def test_point_moved_inside_its_ci_still_disagrees_with_its_labels(made: dict[str, Path], tmp_path: Path) -> None:
    runs = copy(made, tmp_path, "random")

    def nudge(r: dict) -> None:
        block = metric(r, "rsna", "acc")
        lo, hi = block["ci"]
        block["value"] = (block["value"] + hi) / 2 if block["value"] < hi else lo

    edit_json(runs["random"] / "results.json", nudge, reseal=True)
    assert "rsna acc" in refusal(runs["random"]) and "per-label" in refusal(runs["random"])


def test_results_config_differing_from_config_json(made: dict[str, Path], tmp_path: Path) -> None:
    runs = copy(made, tmp_path, "random")
    edit_json(runs["random"] / "results.json", lambda r: r["config"].update(seed=7), reseal=True)
    assert "its config differs from config.json (seed)" in refusal(runs["random"])


def _chunk(run: Path, folder: str = "predictions/mimic-eye") -> Path:
    return run / folder / "chunk-00000.csv"


def _edit(p: Path) -> None:
    p.write_text(p.read_text().replace("0.", "0.9", 1))


def _truncate(p: Path) -> None:
    p.write_text("\n".join(p.read_text().splitlines()[:-1]) + "\n")


DAMAGE: dict[str, Callable[[Path], Path]] = {
    "edited chunk": lambda run: (_edit(_chunk(run)), _chunk(run).parent)[1],
    "truncated chunk": lambda run: (_truncate(_chunk(run, "predictions/rsna")), _chunk(run).parent.parent / "rsna")[1],
    "deleted chunk": lambda run: (_chunk(run).unlink(), _chunk(run).parent)[1],
    "added chunk": lambda run: (shutil.copy(_chunk(run), _chunk(run).with_name("chunk-00001.csv")),
                                _chunk(run).parent)[1],
    "renamed chunk": lambda run: (_chunk(run).rename(_chunk(run).with_name("chunk-00009.csv")), _chunk(run).parent)[1],
    "edited validation chunk": lambda run: (_edit(_chunk(run, "validation/mimic-eye")),
                                            run / "validation" / "mimic-eye")[1],
    "added sidecar": lambda run: (np.save(_chunk(run).with_name("chunk-00000.saliency.npy"), np.ones((6, 4))),
                                  _chunk(run).parent)[1],
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damaged_predictions_are_refused(made: dict[str, Path], tmp_path: Path, damage: str) -> None:
    run = copy(made, tmp_path, "random")["random"]
    folder = DAMAGE[damage](run)
    message = refusal(run)  # names the very file (evidence holds a digest per prediction file)
    assert message.startswith(f"{folder}/chunk-") and REDO in message
    assert any(why in message for why in ("edited since scoring", "now missing", "not among the prediction files"))


@pytest.mark.parametrize("damage", ["edited", "truncated", "deleted"])
def test_damaged_saliency_sidecar_is_refused(made: dict[str, Path], tmp_path: Path, damage: str) -> None:
    run = copy(made, tmp_path, "test-verify-saliency")["test-verify-saliency"]
    (sidecar,) = (run / "predictions" / "mimic-eye").glob("*.saliency.npy")
    if damage == "edited":
        np.save(sidecar, np.zeros_like(np.load(sidecar)))
    elif damage == "truncated":
        sidecar.write_bytes(sidecar.read_bytes()[:-8])
    else:
        sidecar.unlink()
    assert refusal(run).startswith(f"{sidecar}: {'scored, but now missing' if damage == 'deleted' else 'edited'}")


def test_deleted_predictions_folder_is_refused(made: dict[str, Path], tmp_path: Path) -> None:
    run = copy(made, tmp_path, "random")["random"]
    shutil.rmtree(run / "predictions" / "rsna")
    assert refusal(run).startswith(f"{run / 'predictions' / 'rsna'}/chunk-00000.csv: scored, but now missing")


def test_edited_seed_in_config_json(made: dict[str, Path], tmp_path: Path) -> None:
    run = copy(made, tmp_path, "random")["random"]
    edit_json(run / "config.json", lambda c: c.update(seed=1))
    assert refusal(run).startswith(f"{run / 'config.json'}: edited after the run")


def test_edited_seed_with_its_hash_recomputed(made: dict[str, Path], tmp_path: Path) -> None:
    from gazebench.engine.config import config_hash

    run = copy(made, tmp_path, "random")["random"]

    def rehash(c: dict) -> None:
        c["seed"] = 1
        c["config_hash"] = config_hash({k: v for k, v in c.items() if k not in ("execution", "config_hash")})

    edit_json(run / "config.json", rehash)
    assert "directory name does not end in its config hash" in refusal(run)


def test_renamed_run_directory(made: dict[str, Path], tmp_path: Path) -> None:
    run = copy(made, tmp_path, "random")["random"]
    renamed = run.rename(run.with_name(run.name[:-10] + "0123456789"))
    assert refusal(renamed).startswith(f"{renamed}: directory name does not end in its config hash")
    plain = renamed.rename(tmp_path / "my-run")
    assert "directory name" in refusal(plain)


def test_run_without_seal_or_evidence_is_from_an_older_gazebench(made: dict[str, Path], tmp_path: Path) -> None:
    run = copy(made, tmp_path, "random")["random"]
    edit_json(run / "results.json", lambda r: [r.pop("seal"), r.pop("evidence")])
    assert refusal(run) == f"{run / 'results.json'}: {OLDER}"


def test_unknown_track_is_refused(made: dict[str, Path], tmp_path: Path) -> None:
    from gazebench.engine.config import config_hash

    run = copy(made, tmp_path, "random")["random"]

    def retrack(c: dict) -> None:
        c["adapter"]["track"] = "vip"
        c["config_hash"] = config_hash({k: v for k, v in c.items() if k not in ("execution", "config_hash")})

    edit_json(run / "config.json", retrack)
    new_hash = json.loads((run / "config.json").read_text())["config_hash"]
    fresh = run.rename(run.with_name(run.name[:-10] + new_hash[:10]))
    assert "unknown adapter track 'vip'" in refusal(fresh)


def test_duplicates_are_reported_and_the_first_used(made: dict[str, Path], tmp_path: Path) -> None:
    runs = copy(made, tmp_path / "runs", "random", "oracle")
    twin = shutil.copytree(runs["random"], tmp_path / "runs" / ("zz-copy-of-" + runs["random"].name))
    warnings: list[str] = []
    md = render(tmp_path / "runs", "md", warn=warnings.append)
    assert len(warnings) == 1 and runs["random"].name in warnings[0] and Path(twin).name in warnings[0]
    assert f"only {runs['random'].name} is used" in warnings[0]
    assert md.count("| random") == 1 and "Duplicate: " in md
    result = CliRunner().invoke(cli, ["leaderboard", str(tmp_path / "runs"), "--format", "csv"])
    assert result.exit_code == 0 and "warning: " in result.output and "same run" in result.output


def test_compare_verifies_both_runs_and_reports_the_mdd(made: dict[str, Path], tmp_path: Path,
                                                       small_root: Path) -> None:
    out = compare_runs(made["random"], made["oracle"], data_root=small_root, n_boot=50)
    auroc = out.tasks["mimic-eye"].metrics["auroc"]
    assert auroc.sd is not None and auroc.mdd == pytest.approx(2.8015852 * auroc.sd, rel=1e-6) and auroc.verdict
    assert out.track_a == "standard"
    runs = copy(made, tmp_path, "random")
    edit_json(runs["random"] / "results.json", lambda r: metric(r, "rsna", "auroc").update(value=0.123))
    with pytest.raises(ConfigError, match="edited after scoring"):
        compare_runs(runs["random"], made["oracle"], data_root=small_root, n_boot=20)
    cli_out = CliRunner().invoke(cli, ["compare", str(made["random"]), str(made["random"]), "--data-root",
                                       str(small_root), "--n-boot", "20"])
    assert cli_out.exit_code == 0, cli_out.output
    assert "MDD" in cli_out.output and "⚠" in cli_out.output  # identical runs: a zero-width CI of the difference


def test_out_paths_that_cannot_be_written(made: dict[str, Path], tmp_path: Path, small_root: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for args, needle in (
        (["leaderboard", str(made["random"]), "--out", str(tmp_path)], "is a folder, not a file"),
        (["leaderboard", str(made["random"]), "--out", str(blocker / "x.md")], "not a folder"),
        (["compare", str(made["random"]), str(made["oracle"]), "--out", str(blocker / "c.json")], "not a folder"),
        (["paper-table", "--methods", "random", "--results-dir", str(blocker / "r")], "not a folder"),
    ):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code != 0 and result.output.startswith("error: --") and needle in result.output
        assert result.output.count("\n") == 1, result.output


def _bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


HOSTILE_JSON: dict[str, tuple[bytes, str]] = {
    "not UTF-8": (b"\xff\xfe{}", "not UTF-8 text (byte 0)"),
    "nested past the stack": (b"[" * 200_000 + b"]" * 200_000, "not valid JSON (RecursionError"),
    "a number past the digit limit": (b'{"n": ' + b"9" * 5000 + b"}", "not valid JSON (ValueError"),
}


@pytest.mark.parametrize("name", ["results.json", "config.json", "provenance.json", "thresholds.json",
                                  "launches.json"])
@pytest.mark.parametrize("hostile", sorted(HOSTILE_JSON))
def test_run_json_that_is_not_utf8_json_is_one_line(made: dict[str, Path], tmp_path: Path, name: str,
                                                    hostile: str) -> None:
    run = copy(made, tmp_path, "random")["random"]
    data, why = HOSTILE_JSON[hostile]
    path = _bytes(run / name, data)
    assert refusal(run).startswith(f"{path}: {why}")


UNREADABLE = ["results.json", "provenance.json", "thresholds.json", "predictions/rsna/chunk-00000.csv",
              "validation/mimic-eye/chunk-00000.csv"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file of mode 000")
@pytest.mark.parametrize("name", UNREADABLE)
def test_an_unreadable_run_file_is_one_line(made: dict[str, Path], tmp_path: Path, name: str) -> None:
    run = copy(made, tmp_path, "random")["random"]
    (run / name).chmod(0)
    try:
        assert refusal(run) == f"{run / name}: cannot be read (Permission denied)"
    finally:
        (run / name).chmod(0o644)


@pytest.mark.parametrize("name", UNREADABLE)
def test_a_read_the_system_refuses_is_one_line(made: dict[str, Path], tmp_path: Path, name: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The same refusal where the test cannot make a file unreadable (as root): the read itself fails."""
    run = copy(made, tmp_path, "random")["random"]
    read_bytes = Path.read_bytes

    def refused(path: Path) -> bytes:
        if path == run / name:
            raise PermissionError(13, "Permission denied", str(path))
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", refused)
    assert refusal(run) == f"{run / name}: cannot be read (Permission denied)"


@pytest.mark.parametrize("name", ["results.json", "provenance.json", "thresholds.json", "predictions/rsna"])
def test_a_folder_or_file_where_the_other_is_written_is_refused(made: dict[str, Path], tmp_path: Path,
                                                                name: str) -> None:
    runs = copy(made, tmp_path / "runs", "random")
    path = runs["random"] / name
    shutil.rmtree(path) if path.is_dir() else path.unlink()
    path.mkdir() if path.suffix else path.write_text("")
    assert refusal(runs["random"]).startswith(f"{path}: {'a folder, where' if path.suffix else 'not a folder'}")
    warnings: list[str] = []
    with pytest.raises(ConfigError, match="no run left to show"):  # refused, not passed over as incomplete
        render(tmp_path / "runs", "md", warn=warnings.append)


@pytest.mark.parametrize("name", ["predictions/rsna/chunk-00000.csv", "config.json", "results.json",
                                  "predictions/rsna", "notes.txt", ".hidden-link"])
def test_a_symbolic_link_in_a_run_is_refused_even_to_the_same_bytes(made: dict[str, Path], tmp_path: Path,
                                                                    name: str) -> None:
    run = copy(made, tmp_path / "runs", "random")["random"]
    link, kept = run / name, tmp_path / "kept"
    if link.exists():
        shutil.move(link, kept)  # the very bytes (or folder) that were scored, now reached through a link
    else:
        kept.write_text("x\n")
    link.symlink_to(kept)
    assert refusal(run) == f"{link}: a symbolic link; a run directory holds its own files (runs are immutable " \
                           f"and self-contained); {REDO}"


@pytest.mark.parametrize("stray,named,why", [
    ("predictions/siim-acr/chunk-00000.csv", "predictions/siim-acr",
     "not a task of this run (its predictions folders: mimic-eye, rsna)"),
    ("validation/rsna/chunk-00000.csv", "validation/rsna",
     "not a task of this run (its validation folders: mimic-eye)"),
    ("results.json.orig", "results.json.orig", "not a file gazebench writes in a run directory"),
    ("predictions/rsna/old/chunk-00000.csv", "predictions/rsna/old", "a folder, where gazebench writes a plain file"),
    ("scores/old/x.json", "scores/old", "a folder, where gazebench writes a plain file"),
])
def test_a_stray_file_or_folder_is_refused(made: dict[str, Path], tmp_path: Path, stray: str, named: str,
                                           why: str) -> None:
    run = copy(made, tmp_path, "random")["random"]
    (run / stray).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(_chunk(run), run / stray)  # a real chunk: its bytes alone would not give it away
    message = refusal(run)
    assert message.startswith(f"{run / named}: {why}") and REDO in message, message


def test_hidden_entries_are_not_read_and_leave_the_run_verified(made: dict[str, Path], tmp_path: Path) -> None:
    run = copy(made, tmp_path, "random")["random"]
    (run / ".lock").write_text("123")  # the writer's lock, a temporary file of an atomic write
    (run / "predictions" / "rsna" / ".chunk-00001.csv.x.tmp").write_text("half a chunk")
    assert verify_run(run).path == run


def _provenance(run: Path, change: Callable[[dict], object]) -> Path:
    path = run / "provenance.json"
    record = json.loads(path.read_text())
    change(record)
    path.write_text(json.dumps(record))
    return path


@pytest.mark.parametrize("case,why", [
    ("missing", "not found (every run records the code that made it)"),
    ("a list", "not a gazebench provenance record (no \"git\" commit)"),
    ("no git", "not a gazebench provenance record (no \"git\" commit)"),
    ("other commit", "records git commit 0000000000000000000000000000000000000000, but results.json was scored "
                     "under "),
    ("another run's cache entry", "its predictions_from_cache does not name this run's config hash"),
])
def test_provenance_is_required_and_must_match_the_results(made: dict[str, Path], tmp_path: Path, case: str,
                                                            why: str) -> None:
    run = copy(made, tmp_path, "random")["random"]
    path = run / "provenance.json"
    if case == "missing":
        path.unlink()
    elif case == "a list":
        path.write_text("[1]")
    elif case == "no git":
        _provenance(run, lambda p: p.pop("git"))
    elif case == "other commit":
        _provenance(run, lambda p: p.update(git={"commit": "0" * 40, "dirty": False}))
    else:
        _provenance(run, lambda p: p.update(predictions_from_cache={"config_hash": "f" * 64, "code": "c", "files": 1}))
    assert refusal(run).startswith(f"{path}: {why}")


def test_a_scores_file_from_other_code_is_refused(made: dict[str, Path], tmp_path: Path, small_root: Path) -> None:
    from gazebench.engine.rundir import RunDir
    from gazebench.engine.scoring import rescore, store_scores

    run = copy(made, tmp_path, "random")["random"]
    stored = store_scores(RunDir(run), rescore(run, data_root=small_root, n_boot=21))
    assert stored is not None and verify_run(run).path == run
    edit_json(stored, lambda r: r.update(git_hash="0" * 40), reseal=True)
    assert refusal(run) == f"{stored}: not made from this run's config.json, prediction files and code"


def test_no_output_path_may_lie_in_a_run_directory(made: dict[str, Path], tmp_path: Path, small_root: Path) -> None:
    run = copy(made, tmp_path / "runs", "random")["random"]
    before = sorted(p.relative_to(run) for p in run.rglob("*"))
    inside, deeper = run / "x.json", run / "predictions" / "rsna" / "new"
    root = ["--data-root", str(small_root)]
    for args, flag, path in (
        (["score", str(run), *root, "--n-boot", "21", "--out", str(inside)], "--out", inside),
        (["compare", str(run), str(made["oracle"]), *root, "--out", str(inside)], "--out", inside),
        (["leaderboard", str(run), "--out", str(deeper / "lb.md")], "--out", deeper / "lb.md"),
        (["view", str(run), *root, "--export", str(inside)], "--export", inside),
        (["probe", str(run), *root, "--check", "blank", "--out", str(inside)], "--out", inside),
        (["probe", str(run), *root, "--check", "blank", "--output-dir", str(deeper)], "--output-dir", deeper),
        (["run", "--model", "random", "--tasks", "rsna", "--limit", "6", *root, "--output-dir", str(run)],
         "--output-dir", run),
        (["paper-table", "--methods", "random", "--limit", "6", *root, "--output-dir", str(deeper)],
         "--output-dir", deeper),
        (["paper-table", "--methods", "random", "--limit", "6", *root, "--results-dir", str(run)],
         "--results-dir", run),
        (["data", "synth", "--size", "small", "--out", str(deeper)], "--out", deeper),
    ):
        result = CliRunner().invoke(cli, args)
        where = "is the run directory" if path == run else "lies in the run directory"
        assert result.exit_code == 2 and result.output == (
            f"error: {flag} {path}: {where} {run}; run directories are immutable, write it elsewhere\n"), result.output
    assert sorted(p.relative_to(run) for p in run.rglob("*")) == before
