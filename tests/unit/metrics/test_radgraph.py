"""RadGraph F1 against radgraph's own F1RadGraph on the same reports and weights (a tiny random RadGraph model
built from config), the transformers-4 tokenizer calls the library needs restored as transformers 4 defines
them, weights identified by content and never unpickled, nothing downloaded, and one-line errors."""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

EXTRA = "needs the report-metrics extra: pip install -e '.[report-metrics]'"
pytest.importorskip("radgraph", reason=EXTRA)

from fixtures.pickles import Payload  # noqa: E402
from fixtures.radgraph_weights import HUB_NAME, MAX_LENGTH, library_scorer, radgraph_folder  # noqa: E402
from gazebench.errors import ConfigError  # noqa: E402
from gazebench.metrics.model_based import MetricOptions, resolve_setup  # noqa: E402
from gazebench.metrics.model_based.radgraph import LEVELS, RadGraphF1  # noqa: E402
from gazebench.metrics.model_based.radgraph_shim import Transformers4Tokenizer, transformers4_tokenizers  # noqa: E402

LONG = "the lungs are clear and there is no pleural effusion . " * 3  # > MAX_LENGTH word pieces: 3 segments
REFS = ["The lungs are clear. No pleural effusion or pneumothorax.", "Heart size is enlarged.\nMild edema.",
        "There is a small pneumothorax and the tube has been removed.", "Right base atelectasis.", LONG,
        "Moderate cardiomegaly, unchanged lines and support devices.", "Left opacity; consolidation."]
HYPS = ["No acute cardiopulmonary process.", "Heart size is normal.", "", "  Right base consolidation. ", LONG,
        "   ", "Mild edema and a small effusion in the left base."]


@pytest.fixture(scope="module")
def weights(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return radgraph_folder(tmp_path_factory.mktemp("radgraph"))


def no_download(*args: Any, **kwargs: Any) -> None:
    raise AssertionError("radgraph tried to download its model")


def test_radgraph_f1_equals_f1radgraph(weights: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    import radgraph.radgraph as lib

    monkeypatch.setattr(lib, "download_model", no_download)
    mean, rewards, hyp_annotations, _ = library_scorer(weights, tmp_path / "lib")(
        refs=REFS, hyps=[h if h.strip() else "" for h in HYPS])
    capsys.readouterr()
    evidence = RadGraphF1().evidence(weights, MetricOptions(), HYPS, REFS)
    assert capsys.readouterr().out == ""  # the library's device line goes to stderr, never into gazebench's output
    np.testing.assert_array_equal(evidence.columns, np.array(rewards).T)
    got = evidence.statistic(np.ones(len(HYPS)))
    for i, level in enumerate(LEVELS):
        assert got[f"radgraph_{level}_f1"] == pytest.approx(mean[i], abs=1e-12)
    assert evidence.columns[[2, 5]].tolist() == [[0.0] * 3] * 2  # empty and whitespace-only: the library's 0
    assert evidence.columns[4].tolist() == [1.0] * 3  # the long report (several segments) equals itself
    middle = evidence.columns[[0, 1, 3, 6]]
    assert ((middle > 0) & (middle < 1)).any() and len({tuple(r) for r in middle}) > 2  # the tiny model varies
    assert any(e["relations"] for a in hyp_annotations for e in a["entities"].values())  # relations, not entities only
    w = np.array([2.0, 0, 1, 1, 0, 1, 3])
    assert evidence.statistic(w)["radgraph_partial_f1"] == pytest.approx(w @ evidence.columns[:, 1] / w.sum())


def test_radgraph_xl_preprocessing(tmp_path: Path) -> None:
    folder = radgraph_folder(tmp_path / "xl", seed=1, model_type="radgraph-xl")
    hyps, refs = ["Heart size is normal (stable).", "Mild edema, 5%."], ["Heart size is enlarged.", "Mild edema."]
    _, rewards, _, _ = library_scorer(folder, tmp_path / "lib", "radgraph-xl")(refs=refs, hyps=hyps)
    evidence = RadGraphF1().evidence(folder, MetricOptions(radgraph_model="radgraph-xl"), hyps, refs)
    np.testing.assert_array_equal(evidence.columns, np.array(rewards).T)


def test_the_library_fails_under_transformers_5_without_the_shim(weights: Path, tmp_path: Path) -> None:
    from radgraph import F1RadGraph
    from radgraph.allennlp.common import cached_transformers
    from transformers import AutoTokenizer

    if hasattr(AutoTokenizer.from_pretrained(weights / "encoder"), "encode_plus"):
        pytest.skip("transformers 4: radgraph runs without the shim")
    original = cached_transformers.get_tokenizer
    library_scorer(weights, tmp_path / "shimmed")
    assert cached_transformers.get_tokenizer is original  # put back on exit
    with pytest.raises(AttributeError, match="encode_plus"):
        F1RadGraph(reward_level="all", model_type="radgraph", model_cache_dir=str(tmp_path / "shimmed"), cuda=-1)


def test_the_shim_gives_transformers_4_bert_calls(weights: Path) -> None:
    from radgraph.allennlp.data import Token, Vocabulary
    from radgraph.allennlp.data.token_indexers import PretrainedTransformerMismatchedIndexer
    from radgraph.allennlp.data.tokenizers import PretrainedTransformerTokenizer
    from transformers import AutoTokenizer

    raw = AutoTokenizer.from_pretrained(weights / "encoder")
    tok = Transformers4Tokenizer(raw)
    cls, sep = raw.convert_tokens_to_ids(["[CLS]", "[SEP]"])
    a, b = raw.convert_tokens_to_ids(["a", "b"])
    pair = tok.encode_plus("a", "b", add_special_tokens=True, return_token_type_ids=True, return_attention_mask=False)
    assert pair["input_ids"] == [cls, a, sep, b, sep] and pair["token_type_ids"] == [0, 0, 0, 1, 1]
    assert tok.encode_plus(text="a b", add_special_tokens=False)["input_ids"] == [a, b]
    assert tok.build_inputs_with_special_tokens([a, b]) == [cls, a, b, sep]
    assert tok.build_inputs_with_special_tokens([a], [b]) == [cls, a, sep, b, sep]
    assert len(tok) == len(raw) and tok.vocab_size == raw.vocab_size
    with transformers4_tokenizers():
        allen = PretrainedTransformerTokenizer(str(weights / "encoder"))
    assert [t.text for t in allen.single_sequence_start_tokens] == ["[CLS]"]
    assert [t.text for t in allen.single_sequence_end_tokens] == ["[SEP]"]
    assert [t.text for t in allen.sequence_pair_mid_tokens] == ["[SEP]"]
    with transformers4_tokenizers():  # the indexer folds a long report into segments of MAX_LENGTH word pieces
        indexer = PretrainedTransformerMismatchedIndexer(str(weights / "encoder"), max_length=MAX_LENGTH)
    words = LONG.split()
    ids = indexer.tokens_to_indices([Token(w) for w in words], Vocabulary())["token_ids"]
    assert ids[0] == cls and ids[-1] == sep and ids.count(cls) == ids.count(sep) == 3  # 33 pieces, 14 per segment
    assert [i for i in ids if i not in (cls, sep)] == raw.convert_tokens_to_ids(words)


def test_radgraph_weights_are_never_unpickled(weights: Path, tmp_path: Path) -> None:
    import torch

    folder = tmp_path / "evil"
    shutil.copytree(weights, folder)
    marker = tmp_path / "ran"
    torch.save({"w": Payload(str(marker))}, folder / "weights.th")
    with pytest.raises(ConfigError, match=r"evil: the RadGraph model could not be loaded \(UnpicklingError"):
        RadGraphF1().evidence(folder, MetricOptions(), ["Heart size is normal."], ["Heart size is normal."])
    assert not marker.exists()



def test_radgraph_weights_are_identified_by_content(weights: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from gazebench.data.digest import directory_digest

    monkeypatch.delenv("GAZEBENCH_RADGRAPH", raising=False)
    missing = resolve_setup(()).record()["radgraph"]
    assert missing["computed"] is False and missing["metrics"] == [f"radgraph_{lv}_f1" for lv in LEVELS]
    assert missing["reason"].startswith("RadGraph F1 not computed: no weights; give --metric-arg radgraph=DIR or "
                                        "GAZEBENCH_RADGRAPH=DIR, DIR holding radgraph's model archive extracted")
    assert "\n" not in missing["reason"]
    monkeypatch.setenv("GAZEBENCH_RADGRAPH", str(weights))
    setup = resolve_setup(())
    record = setup.record()["radgraph"]
    assert record["computed"] and record["weights_sha256"] == directory_digest(weights)
    assert record["library"] == "radgraph 0.1.18" and record["settings"] == "radgraph"
    assert f"radgraph:radgraph,w:{directory_digest(weights)[:12]}" in setup.signature_parts()
    assert resolve_setup((("radgraph_model", "radgraph-xl"),)).identity != setup.identity
    copy = tmp_path / "copy"
    shutil.copytree(weights, copy)
    assert directory_digest(copy) == directory_digest(weights)  # content, not path
    for name in ("weights.th", "vocabulary/radgraph__relation_labels.txt", "encoder/vocab.txt"):
        changed = tmp_path / name.replace("/", "_")
        shutil.copytree(weights, changed)
        with open(changed / name, "ab") as f:
            f.write(b"\n")
        assert directory_digest(changed) != directory_digest(weights), name


def test_the_published_encoder_name_is_never_looked_up(weights: Path) -> None:
    assert HUB_NAME in (weights / "config.json").read_text()  # a hub name, as in the published archives
    RadGraphF1().evidence(weights, MetricOptions(), ["Heart size is normal."], ["Heart size is normal."])


@pytest.mark.parametrize(("remove", "message"), [
    ("weights.th", r"part: no weights.th for RadGraph F1 \(expected radgraph's model archive extracted"),
    ("encoder/config.json", r"part: no encoder/config.json for RadGraph F1"),
    ("vocabulary", r"part: no vocabulary/ for RadGraph F1"),
    ("encoder/vocab.txt", r"part: no encoder/vocab.txt or encoder/tokenizer.json for RadGraph F1"),
])
def test_an_incomplete_weights_folder_names_what_is_missing(weights: Path, tmp_path: Path, remove: str,
                                                            message: str) -> None:
    partial = tmp_path / "part"
    shutil.copytree(weights, partial)
    for name in (remove, "encoder/tokenizer.json") if remove == "encoder/vocab.txt" else (remove,):
        target = partial / name
        shutil.rmtree(target) if target.is_dir() else target.unlink(missing_ok=True)
    with pytest.raises(ConfigError, match=message):
        resolve_setup((("radgraph", str(partial)),))


def test_a_config_that_is_not_radgraphs_is_one_line(weights: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(weights, other)
    (other / "config.json").write_text(json.dumps({"model": {}}))
    with pytest.raises(ConfigError, match=r"other/config.json: not a radgraph model config \(KeyError"):
        RadGraphF1().evidence(other, MetricOptions(), ["Heart."], ["Heart."])


def test_a_bad_model_type_is_one_line() -> None:
    with pytest.raises(ConfigError, match=r"--metric-arg radgraph_model=echograph: expected one of radgraph, "
                                          r"radgraph-xl"):
        resolve_setup((("radgraph_model", "echograph"),))
