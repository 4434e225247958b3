"""Text tokenizers: a WordPiece tokenizer built offline in code for the tiny text encoder, or a local
directory's tokenizer (e.g. Bio_ClinicalBERT) loaded with `local_files_only`."""
from __future__ import annotations

import string

from transformers import AutoTokenizer, BertTokenizer, PreTrainedTokenizerBase

from gazebench.baselines.clip.prompts import vocabulary_words

SPECIAL_TOKENS: tuple[str, ...] = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")

REPORT_WORDS: tuple[str, ...] = tuple(
    """a an and are as be by for from has have in is it its no not of on or seen than that the there this to
    with without there is are again also appears appear change changed compared cardiac heart lung lungs
    right left bilateral both upper lower mid zone zones base bases lobe lobes apex apical hilar hilum
    silhouette mediastinum mediastinal contour contours normal abnormal clear stable unchanged new
    increased decreased improved worsened likely possible probable suggest suggests suggesting consistent
    concerning represent represents evidence finding findings impression size small large moderate mild
    severe trace tiny minimal focal diffuse patchy streaky linear opacity opacities effusion effusions
    pneumothorax edema consolidation atelectasis pneumonia nodule mass lesion fracture fractures rib ribs
    tube line catheter device devices pacemaker wire wires costophrenic angle angles diaphragm
    hemidiaphragm pleural pulmonary vascular congestion interstitial airspace process acute chronic
    """.split()
)
"""Common report words given whole-word entries; any other word falls back to character pieces."""


def tiny_vocabulary() -> tuple[str, ...]:
    """The offline vocab: specials, prompt and report words, single characters and `##` continuations,
    so every lower-case ASCII word can be tokenised without [UNK]."""
    chars = string.ascii_lowercase + string.digits
    pieces = (
        *SPECIAL_TOKENS,
        *vocabulary_words(),
        *sorted(set(REPORT_WORDS)),
        *chars,
        *(f"##{c}" for c in chars),
        *string.punctuation,
    )
    return tuple(dict.fromkeys(pieces))


def tiny_tokenizer(max_length: int = 77) -> PreTrainedTokenizerBase:
    """A lower-casing BERT WordPiece tokenizer over `tiny_vocabulary()`; no files, no download."""
    vocab = {tok: i for i, tok in enumerate(tiny_vocabulary())}
    return BertTokenizer(vocab=vocab, do_lower_case=True, model_max_length=max_length)


def load_tokenizer(source: str, max_length: int = 77) -> PreTrainedTokenizerBase:
    """`tiny` → the offline tokenizer; otherwise a local directory's tokenizer, offline only."""
    if source == "tiny":
        return tiny_tokenizer(max_length)
    tok = AutoTokenizer.from_pretrained(source, local_files_only=True)
    tok.model_max_length = max_length
    return tok
