"""`vanilla`: the Qwen2.5-VL backbone as is (no training), prompted for the fixed Yes/No report; label
probabilities from the Yes/No answer-token logits, parse failures of its generated text reported per task.
Importing this package registers the model."""
from gazebench.baselines.vanilla.adapter import VanillaAdapter, VanillaConfig
from gazebench.baselines.vanilla.answers import ReportTemplate, report_template, yes_probabilities
from gazebench.baselines.vanilla.parsing import ParseLog, parse_failures, parses

__all__ = ["ParseLog", "ReportTemplate", "VanillaAdapter", "VanillaConfig", "parse_failures", "parses",
           "report_template", "yes_probabilities"]
