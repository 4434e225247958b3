"""`gazebench list tasks|models`: what is registered, with versions, labels and where data is looked for."""
from __future__ import annotations

import json
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from gazebench.adapter import MODELS, get_model
from gazebench.engine.kinds import answered_kinds, describe_task, kind_of
from gazebench.errors import GazebenchError
from gazebench.options import options_of
from gazebench.paths import DATA_ROOT_ENV
from gazebench.task import TASKS, get_task


@click.group("list")
def list_group() -> None:
    """List registered tasks or models."""


@list_group.command("tasks")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for machines.")
def list_tasks(as_json: bool) -> None:
    """Registered tasks: version, split policy, labels scored, and the folder each reads under the data root."""
    rows: list[dict[str, Any]] = [describe_task(get_task(n)) for n in TASKS.names()]
    for row in rows:
        row["data"] = f"${DATA_ROOT_ENV} or --data-root, then {row['subdir']}/"
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    table = Table(title="gazebench tasks")
    for col in ("name", "kind", "version", "domain", "split", "labels", "data folder"):
        table.add_column(col)
    for row in rows:
        labels = row["labels"]
        shown = f"{len(labels)} CheXpert labels" if len(labels) > 3 else ", ".join(labels)
        table.add_row(row["name"], str(row["kind"]), str(row["version"]),
                      "in-domain" if row["in_domain"] else "zero-shot", str(row["split_policy"]),
                      shown if kind_of(get_task(row["name"])).reads_labels else "–", f"<data-root>/{row['subdir']}/")
    Console().print(table)


@list_group.command("models")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for machines.")
def list_models(as_json: bool) -> None:
    """Registered models with their input contract, provenance and options (`--model-arg KEY=VALUE`)."""
    rows: list[dict[str, Any]] = []
    for name in MODELS.names():
        declared = options_of(MODELS.get(name))
        row: dict[str, Any] = {"name": name, "options": declared.describe() if declared is not None else None}
        try:
            model = get_model(name)
        except (GazebenchError, TypeError) as exc:  # a model that needs arguments, e.g. --model-arg path=DIR
            rows.append(row | {"needs": str(exc)})
            continue
        spec, prov = model.spec, model.provenance
        rows.append(row | {
            "trainable": model.trainable,
            "image_size": spec.image_size,
            "channels": spec.channels,
            "labels": len(spec.labels),
            "kinds": list(answered_kinds(model)),
            "track": spec.track,
            "predicts_gaze": spec.patch_size is not None,
            "uses_gaze": spec.uses_gaze,
            "source": prov.source,
            "license": prov.license,
        })
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    table = Table(title="gazebench models")
    for col in ("name", "trains", "input", "gaze", "source"):
        table.add_column(col)
    for r in rows:
        if "needs" in r:
            table.add_row(r["name"], "–", "–", "–", r["needs"])
            continue
        gaze = "predicts" if r["predicts_gaze"] else ("trained on" if r["uses_gaze"] else "-")
        table.add_row(r["name"], "yes" if r["trainable"] else "no", f"{r['channels']}x{r['image_size']}²", gaze,
                      str(r["source"]))
    Console().print(table)
    for r in rows:
        if r["options"]:
            Console().print(_options_table(r["name"], r["options"]))


def _options_table(model: str, options: list[dict[str, object]]) -> Table:
    """One model's options: name, type, default (the tiny/CPU preset), allowed values, help."""
    table = Table(title=f"{model} options (--model-arg KEY=VALUE)", title_justify="left")
    for col in ("option", "type", "default", "allowed", "help"):
        table.add_column(col)
    for o in options:
        table.add_row(*(str(o[k]) for k in ("name", "type", "default", "allowed", "help")))
    return table
