"""The viewer's web server: standard-library http.server bound to 127.0.0.1, pages rendered per request."""
from __future__ import annotations

import html
import traceback
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

from gazebench.comparison import RunComparison
from gazebench.engine.scoring import grid_of
from gazebench.errors import GazebenchError
from gazebench.viewer import kinds, pages
from gazebench.viewer.kinds import image_png as kind_image
from gazebench.viewer.panels import image_png
from gazebench.viewer.state import Viewer

HOST = "127.0.0.1"


def comparisons(viewer: Viewer) -> list[RunComparison]:
    """Paired comparisons of every other run against the first on their shared tasks (for the MDD table)."""
    from gazebench.engine.compare import compare_runs

    first = viewer.runs[0]
    return [compare_runs(first.path, run.path, data_root=viewer.data_root) for run in viewer.runs[1:]
            if set(run.config["tasks"]) & set(first.config["tasks"])]


def route(viewer: Viewer, path: str, query: dict[str, list[str]], cache: dict[str, Any]) -> tuple[str, bytes]:
    """(content type, body) for a GET; a GazebenchError for an unknown page or sample."""
    parts = [unquote(p) for p in path.strip("/").split("/") if p]
    if not parts:
        if "comparisons" not in cache:
            cache["comparisons"] = comparisons(viewer)
        return "text/html", pages.index(viewer, comparisons=cache["comparisons"]).encode()
    kind, rest = parts[0], parts[1:]
    if kind == "task" and len(rest) == 2:
        return "text/html", pages.task_page(viewer, int(rest[0]), rest[1]).encode()
    if kind in ("samples", "sample") and len(rest) == (2 if kind == "samples" else 3) \
            and not viewer.labelled(int(rest[0]), rest[1]):  # an item task's pages
        return "text/html", (kinds.samples_page(viewer, int(rest[0]), rest[1]) if kind == "samples"
                             else kinds.sample_page(viewer, int(rest[0]), rest[1], rest[2])).encode()
    if kind == "samples" and len(rest) == 2:
        other = query.get("other", [None])[0]
        return "text/html", pages.samples_page(viewer, int(rest[0]), rest[1], query.get("sort", ["loss"])[0],
                                               int(other) if other is not None else None).encode()
    if kind == "sample" and len(rest) == 3:
        return "text/html", pages.sample_page(viewer, int(rest[0]), rest[1], rest[2]).encode()
    if kind == "image" and len(rest) == 3 and rest[2].endswith(".png"):
        index, task, sample_id = int(rest[0]), rest[1], rest[2][: -len(".png")]
        if not viewer.labelled(index, task):
            kind_view = viewer.kind(index, task)
            return "image/png", kind_image(kind_view, kind_view.index_of(sample_id))
        view = viewer.task(index, task)
        i = next((k for k, s in enumerate(view.samples) if s.sample_id == sample_id), None)
        if i is None:
            raise GazebenchError(f"no sample {sample_id!r} in {task}")
        return "image/png", image_png(view, i, grid_of(viewer.run(index).config))
    raise GazebenchError(f"no page {path!r}")


def handler(viewer: Viewer, log: Callable[[str], None]) -> type[BaseHTTPRequestHandler]:
    """A request handler class bound to `viewer` (pages are rendered per request, images never cached)."""
    cache: dict[str, Any] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802  (http.server's name)
            url = urlparse(self.path)
            try:
                kind, body = route(viewer, url.path, parse_qs(url.query), cache)
                status = 200
            except (GazebenchError, ValueError) as exc:
                kind, status = "text/html", 404
                body = pages.page("not found", f"<p>{html.escape(str(exc))}</p>").encode()
            except Exception:  # a bug: show it in the page and the log rather than drop the connection
                kind, status = "text/html", 500
                trace = traceback.format_exc()
                log(trace)
                body = pages.page("viewer error", f"<pre>{html.escape(trace)}</pre>").encode()
            self.send_response(status)
            self.send_header("Content-Type", f"{kind}; charset=utf-8" if kind.startswith("text") else kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002  (http.server's signature)
            log(f"{self.address_string()} {format % args}")

    return Handler


def make_server(viewer: Viewer, port: int = 0, log: Callable[[str], None] = lambda _: None) -> ThreadingHTTPServer:
    """A server on 127.0.0.1:`port` (0: a free port, read it from `server.server_address`)."""
    return ThreadingHTTPServer((HOST, port), handler(viewer, log))
