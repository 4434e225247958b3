"""Shared CLIP-style plumbing for the MedCLIP and EGMA baselines: encoders, offline tokenizer, prompt
tables, zero-shot prompt-ensemble scoring and the adapter/training skeleton both baselines reuse."""
