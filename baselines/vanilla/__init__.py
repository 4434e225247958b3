"""`vanilla`: the Qwen2.5-VL backbone as is (no training), prompted for the fixed Yes/No report; label
probabilities from the Yes/No answer-token likelihoods (through the generic generative-VLM code of `hf-vlm`),
parse failures of its generated text reported per task. Importing this package registers the model."""
from gazebench.baselines.vanilla.adapter import VanillaAdapter, VanillaConfig
from gazebench.baselines.vanilla.answers import ReportTemplate, report_template

__all__ = ["ReportTemplate", "VanillaAdapter", "VanillaConfig", "report_template"]
