"""Generic adapters for local transformers checkpoints, with no model-specific code: `hf-vlm` (any
image-text-to-text model, answer-likelihood scoring) and `hf-clip` (any CLIP/SigLIP-style dual encoder,
zero-shot by prompt similarity). Importing a module registers its model."""
