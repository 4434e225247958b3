"""The two transformers-4 tokenizer methods radgraph 0.1.18's vendored AllenNLP calls, restored for BERT
tokenizers under transformers 5 (which removed them), only while the library builds its model.

`PretrainedTransformerTokenizer` calls `encode_plus` (to find the special tokens, and on every report and word)
and `PretrainedTransformerIndexer` calls `build_inputs_with_special_tokens` (on every segment of <= max_length
word pieces). In transformers 4 `encode_plus(text, text_pair, **kw)` is what `tokenizer(text, text_pair, **kw)`
does for one (non-batched) input, and BERT's `build_inputs_with_special_tokens(a, b)` is
`[CLS] a [SEP]` / `[CLS] a [SEP] b [SEP]` (transformers 4's BertTokenizer and BertTokenizerFast). The library's
tokenizers are wrapped with exactly those two methods while `transformers4_tokenizers()` is open — the only
time the library asks for a tokenizer (`cached_transformers.get_tokenizer`); the wrappers it keeps forward
everything else to the transformers-5 tokenizer unchanged. A tokenizer that still has `encode_plus`
(transformers 4) is not wrapped.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from gazebench.errors import ConfigError

_LOCK = threading.Lock()
"""One library model construction at a time: the patch is process-wide while it lasts."""


class Transformers4Tokenizer:
    """A transformers-5 BERT tokenizer with transformers 4's `encode_plus` and `build_inputs_with_special_tokens`."""

    def __init__(self, tokenizer: Any) -> None:
        if tokenizer.cls_token_id is None or tokenizer.sep_token_id is None:
            raise ConfigError(f"{getattr(tokenizer, 'name_or_path', tokenizer)}: RadGraph's encoder tokenizer has "
                              "no [CLS]/[SEP] tokens; gazebench runs radgraph under transformers 5 for BERT "
                              "tokenizers only (docs/metrics.md)")
        self._tokenizer = tokenizer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tokenizer, name)

    def __len__(self) -> int:
        return len(self._tokenizer)

    def encode_plus(self, text: Any, text_pair: Any = None, **kwargs: Any) -> Any:
        return self._tokenizer(text, text_pair, **kwargs)

    def build_inputs_with_special_tokens(self, ids: list[int], pair: list[int] | None = None) -> list[int]:
        cls, sep = [self._tokenizer.cls_token_id], [self._tokenizer.sep_token_id]
        return cls + ids + sep if pair is None else cls + ids + sep + pair + sep


@contextmanager
def transformers4_tokenizers() -> Iterator[None]:
    """Inside this block, radgraph's AllenNLP gets its tokenizers wrapped in `Transformers4Tokenizer` where
    transformers lacks `encode_plus`; the library's own function is put back on exit."""
    from radgraph.allennlp.common import cached_transformers

    with _LOCK:
        original = cached_transformers.get_tokenizer

        def get_tokenizer(model_name: str, **kwargs: Any) -> Any:
            tokenizer = original(model_name, **kwargs)
            return tokenizer if hasattr(tokenizer, "encode_plus") else Transformers4Tokenizer(tokenizer)

        cached_transformers.get_tokenizer = get_tokenizer
        try:
            yield
        finally:
            cached_transformers.get_tokenizer = original
