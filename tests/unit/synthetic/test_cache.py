"""ensure_default: generated once, atomically, reused; generate refuses foreign non-empty folders."""
from __future__ import annotations

from pathlib import Path

import pytest

import gazebench.synthetic.study as gen
from gazebench.errors import ConfigError
from gazebench.synthetic import ensure_default


@pytest.fixture
def small_generate(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Make ensure_default build the "small" study (fast) and record where it generated."""
    calls: list[Path] = []
    real = gen.generate

    def fake(out: Path, *, size: str = "default", seed: int = 0) -> Path:
        calls.append(Path(out))
        return real(out, size="small", seed=seed)

    monkeypatch.setattr(gen, "generate", fake)
    return calls


def test_generated_once_then_reused(tmp_path: Path, small_generate: list[Path]) -> None:
    root = ensure_default(tmp_path)
    assert root == tmp_path / "simulated-v4-seed0" and (root / "SIMULATED.json").is_file()
    assert small_generate[0].parent == tmp_path and small_generate[0] != root, "generated in a temp folder"
    assert ensure_default(tmp_path) == root and len(small_generate) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["simulated-v4-seed0"], "no temp folder left behind"


def test_losing_a_race_keeps_the_winner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    winner = tmp_path / "simulated-v4-seed0"

    def racing(out: Path, *, size: str = "default", seed: int = 0) -> Path:
        (out / "SIMULATED.json").write_text("{}")
        winner.mkdir()
        (winner / "SIMULATED.json").write_text('{"winner": true}')
        (winner / "mimic-eye").mkdir()
        return out

    monkeypatch.setattr(gen, "generate", racing)
    assert ensure_default(tmp_path) == winner
    assert (winner / "SIMULATED.json").read_text() == '{"winner": true}'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["simulated-v4-seed0"]


def test_refuses_a_foreign_folder(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ConfigError, match="not empty"):
        gen.generate(tmp_path, size="small")
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_unknown_size_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown synthetic size"):
        gen.generate(tmp_path / "x", size="huge")


def test_another_size_lives_beside_the_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sizes: list[str] = []

    def fake(out: Path, *, size: str = "default", seed: int = 0) -> Path:
        sizes.append(size)
        (out / "SIMULATED.json").write_text("{}")
        return out

    monkeypatch.setattr(gen, "generate", fake)
    assert ensure_default(tmp_path, "large") == tmp_path / "simulated-v4-large-seed0" and sizes == ["large"]
    assert ensure_default(tmp_path) == tmp_path / "simulated-v4-seed0" and sizes == ["large", "default"]
    with pytest.raises(ConfigError, match="unknown synthetic size 'huge'"):
        ensure_default(tmp_path, "huge")
