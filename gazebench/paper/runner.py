"""Train and evaluate every method of the paper table through the engine (`gazebench.engine.evaluate`, so
finished runs, fitted checkpoints and cached predictions are reused), compare them pairwise, and write `results/`.

Its runs are the run directories of `gazebench run --model KEY --tasks all` (same output dir, seed, limit):
the threshold policy and bootstrap size are scoring options, not part of a run's identity, so a run made by
`gazebench run` at another policy is re-scored from its saved predictions here, never predicted again."""
from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gazebench.paper.methods import BY_KEY, PaperMethod
from gazebench.paper.papers import DEFAULT_PAPER, get_paper
from gazebench.paper.table import ComparisonRuns, MethodRuns, PaperTable


@dataclass(frozen=True)
class PaperSettings:
    """Everything `gazebench paper-table` was asked for; `command()` gives the line that reproduces it."""

    paper: str = DEFAULT_PAPER
    """Which paper's table (gazebench.paper.papers)."""
    methods: str = "paper"
    data_root: str | None = None
    size: str = "default"
    """Size of the embedded simulated study when no data root is given: `default` (the quick start's) or `large`
    (the paper preset: ×10 patients, so the paired comparisons resolve differences ~√10 smaller)."""
    backbone: str = "tiny"
    seeds: int = 1
    output_dir: str = "runs"
    results_dir: str = "results"
    limit: int | None = None
    n_boot: int = 1000
    threshold_policy: str = "max-f1"
    """Acc/F1 thresholds, tuned per label on the in-domain validate split by default: the paper does not say
    its threshold, and a fixed 0.5 turns F1 to 0 for any model calibrated to low label prevalence. A scoring
    option: it does not change which run directory a method's run lives in."""
    parse_probe: int = 8
    """Images of the in-domain test split Vanilla greedily generates reports for (parse-failure rate)."""
    model_args: tuple[tuple[str, str, Any], ...] = ()
    """(method, key, value) triples passed to that method's model factory."""
    includes: tuple[str, ...] = field(default_factory=tuple)

    def data(self) -> str | None:
        """The data root the runs read: `data_root`, or (another `size` than the default) the embedded simulated
        study of that size, generated once into the cache; None = the default embedded study."""
        if self.data_root is not None or self.size == "default":
            return self.data_root
        from gazebench.paths import cache_dir
        from gazebench.synthetic import ensure_default

        return str(ensure_default(cache_dir() / "data", self.size))

    def command(self) -> str:
        """The canonical command line (defaults left out) that regenerates the same table."""
        parts = ["gazebench", "paper-table"]
        defaults = PaperSettings()
        for name, flag in (("paper", "--paper"), ("methods", "--methods"), ("data_root", "--data-root"),
                           ("size", "--size"), ("backbone", "--backbone"),
                           ("seeds", "--seeds"), ("output_dir", "--output-dir"), ("results_dir", "--results-dir"),
                           ("limit", "--limit"), ("n_boot", "--n-boot"), ("threshold_policy", "--threshold-policy"),
                           ("parse_probe", "--parse-probe")):
            value = getattr(self, name)
            if value != getattr(defaults, name):
                parts += [flag, str(value)]
        parts += [a for path in self.includes for a in ("--include", path)]
        parts += [a for m, k, v in self.model_args for a in ("--model-arg", f"{m}:{k}={v}")]
        return shlex.join(parts)


def model_args(method: PaperMethod, settings: PaperSettings) -> tuple[tuple[str, Any], ...]:
    """Factory arguments for `method`: --backbone for Qwen-based methods (left out when `tiny`, so runs and
    fitted models are shared with a plain `gazebench run --model KEY`), plus its --model-arg values."""
    args = {k: v for m, k, v in settings.model_args if m == method.key}
    if method.takes_backbone and settings.backbone != "tiny":
        args.setdefault("backbone", settings.backbone)
    return tuple(sorted(args.items()))


def run_method(method: PaperMethod, settings: PaperSettings, tasks: tuple[str, ...],
               log: Callable[[str], None]) -> MethodRuns:
    """Every seed of `method` on `tasks` via the engine (a finished run is read back or re-scored under the
    table's scoring options, never re-predicted), each run verified before its numbers are used."""
    from gazebench.engine.config import RunConfig
    from gazebench.engine.evaluate import evaluate
    from gazebench.engine.verify import verify_run

    dirs, results = [], []
    for seed in range(settings.seeds):
        config = RunConfig(model=method.key, tasks=tasks, seed=seed, limit=settings.limit, n_boot=settings.n_boot,
                           threshold_policy=settings.threshold_policy, model_args=model_args(method, settings))
        log(f"paper-table: {method.key} seed {seed} (fit if needed + evaluate)")
        outcome = evaluate(config, output_dir=settings.output_dir, data_root=settings.data())
        dirs.append(outcome.run_dir)
        verify_run(outcome.run_dir)  # its files are what was scored; then its numbers under this table's scoring
        results.append(outcome.results)
    return MethodRuns(method, tuple(dirs), tuple(results))


def vanilla_parse_note(settings: PaperSettings, in_domain: str) -> str:
    """Greedy-generate reports with Vanilla on the first `parse_probe` in-domain test images; the share
    its fixed-format parser rejects (the paper's Vanilla scores come from answer logits, not this text).
    Vanilla is built and prepared through the model session with every image probed, and its own
    `parse_failed` diagnostic (1/0 per probed image) is counted, so this module imports no model."""
    from gazebench.data_root import data_root
    from gazebench.engine.config import RunConfig
    from gazebench.engine.kinds import task_items
    from gazebench.engine.session import Session
    from gazebench.engine.workload import load_task_data

    args = dict(model_args(BY_KEY["vanilla"], settings)) | {"probe_fraction": 1.0}
    session = Session.open(RunConfig(model="vanilla", tasks=(in_domain,), model_args=tuple(sorted(args.items())),
                                     batch_size=1, train_task=in_domain))
    data = load_task_data([in_domain], data_root(settings.data()), None)[in_domain]
    session.prepare(None)  # zero-shot: nothing to fit
    kind = session.check(data.task)
    items = task_items(data.task, data.eval_samples[: settings.parse_probe], session.adapter.spec.image_size)
    failed: list[float] = []
    for _, out in session.answers(kind, items):
        failed.extend(float(v) for v in out.diagnostics.get("parse_failed", ()) if v == v)  # NaN: not probed
    n_failed, n = int(sum(failed)), len(failed)
    rate = n_failed / n if n else float("nan")
    return (f"Vanilla's greedily generated reports failed the fixed-format parser on {n_failed}/{n} "
            f"{in_domain} test images ({100 * rate:.0f}%); its probabilities come from the Yes/No "
            "answer-token logits, not from this text.")


def build_table(settings: PaperSettings, log: Callable[[str], None] = print) -> PaperTable:
    """Run (or reuse) every method and seed, compare the pairs the paper asks about, collect notes."""
    from gazebench.engine.compare import compare_runs
    from gazebench.engine.plugins import include
    from gazebench.errors import ConfigError
    from gazebench.task import get_task, resolve_tasks

    if settings.seeds < 1:
        raise ConfigError(f"--seeds must be at least 1, got {settings.seeds}")
    paper = get_paper(settings.paper)
    include(settings.includes)
    methods = paper.resolve(settings.methods)
    tasks = tuple(t.name for t in resolve_tasks("all"))  # the runs of `gazebench run --tasks all`, shared
    shown = tuple(t for t in tasks if get_task(t).kind in paper.kinds and (not paper.tasks or t in paper.tasks))
    if not shown:
        raise ConfigError(f"--paper {paper.key}: no registered task of kind {', '.join(paper.kinds)}")
    first = next((t for t in shown if get_task(t).in_domain), shown[0])
    # by the paper's kind order; within a kind the first in-domain task (the paper table's) first
    shown = tuple(sorted(shown, key=lambda t: (paper.kinds.index(get_task(t).kind), t != first,
                                               not get_task(t).in_domain)))
    runs = {m.key: run_method(m, settings, tasks, log) for m in methods}
    comparisons = []
    for c in paper.comparisons_for(methods):
        log(f"paper-table: comparing {c.b} with {c.a}")
        outs = tuple(compare_runs(a, b, data_root=settings.data(), n_boot=settings.n_boot,
                                  threshold_policy=settings.threshold_policy)
                     for a, b in zip(runs[c.a].run_dirs, runs[c.b].run_dirs, strict=True))
        comparisons.append(ComparisonRuns(c, outs))
    notes = [f"Qwen2.5-VL methods ran on backbone `{settings.backbone}`"
             + (" (random weights built from a config: chance-level Vanilla is the honest result)."
                if settings.backbone == "tiny" else ".")]
    if paper.probe_vanilla and "vanilla" in runs and settings.parse_probe > 0:
        log(f"paper-table: Vanilla parse-failure probe on {settings.parse_probe} images")
        notes.append(vanilla_parse_note(settings, first))
    return PaperTable(tuple(runs.values()), tuple(comparisons), shown, settings.command(), tuple(notes), paper.key)


def write_outputs(table: PaperTable, results_dir: Path | str) -> dict[str, Path]:
    """Write the table's paper's outputs (`<stem>.<format>`, e.g. paper_table.md) under `results_dir` atomically;
    returns the paths by format."""
    from gazebench.engine.rundir import atomic_write_text

    paper = get_paper(table.paper)
    folder = Path(results_dir)
    texts = paper.render(table)
    paths = {fmt: folder / f"{paper.stem}.{fmt}" for fmt in texts}
    for fmt, text in texts.items():
        atomic_write_text(paths[fmt], text)
    return paths
