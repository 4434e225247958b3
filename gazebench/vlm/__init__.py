"""The VLM room: plumbing every vision-language model adapter shares (backbone factory, chat prompts, vision
input, the fixed report and its parser, heads, the training objective, the `VLMAdapter` base), generic over
the model it serves. It registers no model; the models built on it live in reference_model/ and baselines/."""
