"""Backbone factory: a frozen Qwen2.5-VL with its tokenizer, either a named random-weight config built in code
(`tiny`, `qwen2.5-vl-7b-shape`, with an offline tokenizer) or a local directory loaded offline. Both go
through the same path; the gaze tokens are added without ever shrinking the embedding matrix."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, pre_tokenizers

from gazebench.checkpoint_dir import LOAD_ERRORS, CheckpointKind, check_checkpoint_dir, load_checked, load_error
from gazebench.errors import ConfigError
from gazebench.labels import CHEXPERT_LABELS

if TYPE_CHECKING:  # torch and transformers are imported where a backbone is built: checking a name or
    # constructing an adapter (a run's identity, a finished run) never pays their import
    import torch
    from transformers import PreTrainedTokenizerBase, PreTrainedTokenizerFast, Qwen2_5_VLConfig
    from transformers import Qwen2_5_VLForConditionalGeneration as QwenVL

QWEN_SPECIAL_TOKENS: tuple[str, ...] = (
    "<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|vision_start|>", "<|vision_end|>", "<|image_pad|>",
    "<|video_pad|>",
)
QWEN_CHAT_TEMPLATE = (
    "{% set image_count = namespace(value=0) %}{% set video_count = namespace(value=0) %}{% for message in messages %}"
    "{% if loop.first and message['role'] != 'system' %}<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
    "{% endif %}<|im_start|>{{ message['role'] }}\n{% if message['content'] is string %}{{ message['content'] }}"
    "<|im_end|>\n{% else %}{% for content in message['content'] %}{% if content['type'] == 'image' or 'image' in "
    "content or 'image_url' in content %}{% set image_count.value = image_count.value + 1 %}{% if add_vision_id %}"
    "Picture {{ image_count.value }}: {% endif %}<|vision_start|><|image_pad|><|vision_end|>{% elif content['type']"
    " == 'video' or 'video' in content %}{% set video_count.value = video_count.value + 1 %}{% if add_vision_id %}"
    "Video {{ video_count.value }}: {% endif %}<|vision_start|><|video_pad|><|vision_end|>{% elif 'text' in content"
    " %}{{ content['text'] }}{% endif %}{% endfor %}<|im_end|>\n{% endif %}{% endfor %}{% if add_generation_prompt"
    " %}<|im_start|>assistant\n{% endif %}"
)
"""The official Qwen2.5-VL-Instruct chat template (chat_template.json), used when a tokenizer ships none."""

_WORDS = (
    "You are a helpful assistant system user assistant Look at the chest X ray in the order a radiologist "
    "would then report each finding as Yes or No one line per label Picture Video"
)
_SPLIT = r"[A-Za-z]+|[0-9]+|\s|[^A-Za-z0-9\s]"

TEXT_7B: dict[str, Any] = {
    "vocab_size": 152064, "hidden_size": 3584, "intermediate_size": 18944, "num_hidden_layers": 28,
    "num_attention_heads": 28, "num_key_value_heads": 4, "max_position_embeddings": 128000, "rms_norm_eps": 1e-6,
    "rope_parameters": {"rope_type": "default", "rope_theta": 1000000.0, "mrope_section": [16, 24, 24]},
}
VISION_7B: dict[str, Any] = {
    "depth": 32, "hidden_size": 1280, "intermediate_size": 3420, "num_heads": 16, "out_hidden_size": 3584,
    "window_size": 112, "fullatt_block_indexes": [7, 15, 23, 31], "tokens_per_second": 2,
}
RANDOM_CONFIGS: dict[str, dict[str, dict[str, Any]]] = {
    "tiny": {
        "text": {"vocab_size": 256, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                 "num_attention_heads": 2, "num_key_value_heads": 1, "max_position_embeddings": 2048,
                 "rope_parameters": {"rope_type": "default", "rope_theta": 1000000.0, "mrope_section": [4, 6, 6]}},
        "vision": {"depth": 2, "hidden_size": 64, "intermediate_size": 128, "num_heads": 2, "out_hidden_size": 64,
                   "window_size": 112, "fullatt_block_indexes": [1]},
    },
    "qwen2.5-vl-7b-shape": {"text": TEXT_7B, "vision": VISION_7B},
}
"""Named random-weight backbones: `tiny` for CPU tests/defaults; the 7B shape (published config) for benchmarks."""


QWEN_CHECKPOINT = CheckpointKind(
    "Qwen2.5-VL backbone", (("qwen2_5_vl", "Qwen2.5-VL, e.g. Qwen2.5-VL-7B-Instruct"),),
    (("tokenizer.json",), ("vocab.json", "merges.txt")))
"""A local backbone directory: Qwen2.5-VL only (Qwen2-VL differs in its vision tower and rope)."""


def __getattr__(name: str) -> Any:
    """`QwenVL` (the transformers Qwen2.5-VL class the model modules import from here), imported on first use
    (PEP 562) so that importing this module for a name check stays free of transformers."""
    if name == "QwenVL":
        from transformers import Qwen2_5_VLForConditionalGeneration

        return Qwen2_5_VLForConditionalGeneration
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True, eq=False)
class Backbone:
    """A frozen Qwen2.5-VL, its tokenizer, and the ids the prompt and heads need."""

    name: str
    model: QwenVL
    tokenizer: PreTrainedTokenizerBase
    gaze_token_ids: tuple[int, ...]
    image_token_id: int

    @property
    def hidden_size(self) -> int:
        return int(self.model.config.get_text_config().hidden_size)


def offline_tokenizer() -> PreTrainedTokenizerFast:
    """A word-level tokenizer over the prompt/report vocabulary plus the Qwen special tokens, built in code."""
    from transformers import PreTrainedTokenizerFast

    words = set(_WORDS.split()) | {w for label in CHEXPERT_LABELS for w in re.findall(_SPLIT, label)}
    symbols = [" ", "\n", ":", ".", ",", "-", "?", "!", "(", ")", "/"] + [str(i) for i in range(10)]
    vocab = {tok: i for i, tok in enumerate(["<unk>", *sorted(words), *symbols])}
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Split(Regex(_SPLIT), behavior="isolated")
    tok.decoder = decoders.Fuse()
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in QWEN_SPECIAL_TOKENS])
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="<unk>", eos_token="<|im_end|>",
                                   pad_token="<|endoftext|>")
    fast.chat_template = QWEN_CHAT_TEMPLATE
    return fast


def check_backbone(name: str) -> None:
    """A named random config passes; a local directory is checked up front (config.json, Qwen2.5-VL model
    type, tokenizer files, safetensors weights), a one-line ConfigError naming what is missing."""
    if name in RANDOM_CONFIGS:
        return
    path = Path(name).expanduser()
    if not path.is_dir():
        raise ConfigError(f"backbone {name!r} is neither a named config ({', '.join(RANDOM_CONFIGS)}) "
                          "nor a local directory")
    check_checkpoint_dir(path, QWEN_CHECKPOINT)


def gaze_token_strings(k: int) -> tuple[str, ...]:
    return tuple(f"<|gaze_{i + 1}|>" for i in range(k))


def default_dtype(device: torch.device) -> torch.dtype:
    """The frozen backbone's dtype: bf16 on CUDA (LoRA and heads stay fp32 under autocast), fp32 elsewhere."""
    import torch

    return torch.bfloat16 if torch.device(device).type == "cuda" else torch.float32


def backbone_weights(name: str) -> dict[str, Path]:
    """`{"backbone": DIR}` when `name` is a local checkpoint directory, `{}` for a named random config (its
    weights come from the config and seed, which the adapter config already records)."""
    return {} if name in RANDOM_CONFIGS else {"backbone": Path(name).expanduser()}


def build_backbone(name: str, k: int = 4, seed: int = 0, dtype: torch.dtype | None = None,
                   device: torch.device | str = "cpu") -> Backbone:
    """A frozen backbone with `k` gaze tokens: named random config (seeded) or a local directory (offline);
    weights in `dtype` (default float32)."""
    import torch
    from transformers import Qwen2_5_VLForConditionalGeneration as QwenVL

    dtype = dtype or torch.float32

    if name in RANDOM_CONFIGS:
        tokenizer: PreTrainedTokenizerBase = offline_tokenizer()
        config = _random_config(name, tokenizer)
        torch.manual_seed(seed)
        with torch.device(device):
            model = QwenVL._from_config(config, dtype=dtype)
    else:
        check_backbone(name)
        from transformers import AutoTokenizer

        path = Path(name).expanduser()
        try:
            tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        except LOAD_ERRORS as exc:
            raise load_error(path, QWEN_CHECKPOINT, exc) from None
        model = load_checked(path, QWEN_CHECKPOINT, QwenVL, dtype=dtype).to(device)
        if tokenizer.chat_template is None:
            tokenizer.chat_template = QWEN_CHAT_TEMPLATE
    image_token_id = cast(int, tokenizer.convert_tokens_to_ids("<|image_pad|>"))
    if image_token_id != model.config.image_token_id:
        raise ConfigError(f"{name}: tokenizer's <|image_pad|> id {image_token_id} "
                          f"!= config image_token_id {model.config.image_token_id}")
    gaze_ids = add_gaze_tokens(model, tokenizer, k)
    model.requires_grad_(False)
    model.eval()
    return Backbone(name, model, tokenizer, gaze_ids, image_token_id)


def add_gaze_tokens(model: QwenVL, tokenizer: PreTrainedTokenizerBase, k: int) -> tuple[int, ...]:
    """Add `k` gaze tokens; the embedding matrix only ever grows, and new rows start at the mean embedding."""
    import torch
    from torch import nn

    n_before = len(tokenizer)
    tokenizer.add_tokens([AddedToken(t, special=True, normalized=False) for t in gaze_token_strings(k)],
                         special_tokens=True)
    ids = tuple(cast(int, tokenizer.convert_tokens_to_ids(t)) for t in gaze_token_strings(k))
    embed = cast(nn.Embedding, model.get_input_embeddings())
    if len(tokenizer) > embed.num_embeddings:
        model.resize_token_embeddings(len(tokenizer), mean_resizing=False)
        embed = cast(nn.Embedding, model.get_input_embeddings())
    with torch.no_grad():
        mean = embed.weight[:n_before].float().mean(0)
        embed.weight[list(ids)] = mean.to(embed.weight.dtype)
    return ids


def _random_config(name: str, tokenizer: PreTrainedTokenizerBase) -> Qwen2_5_VLConfig:
    """The named config with the special-token ids taken from `tokenizer` (so text and config agree)."""
    from transformers import Qwen2_5_VLConfig

    parts = RANDOM_CONFIGS[name]
    ids = {t: cast(int, tokenizer.convert_tokens_to_ids(t)) for t in QWEN_SPECIAL_TOKENS}
    text = dict(parts["text"], bos_token_id=ids["<|endoftext|>"], eos_token_id=ids["<|im_end|>"],
                pad_token_id=ids["<|endoftext|>"])
    return Qwen2_5_VLConfig(
        text_config=text, vision_config=dict(parts["vision"]), image_token_id=ids["<|image_pad|>"],
        video_token_id=ids["<|video_pad|>"], vision_start_token_id=ids["<|vision_start|>"],
        vision_end_token_id=ids["<|vision_end|>"], tie_word_embeddings=False,
    )
