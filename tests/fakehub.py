"""A fake Hugging Face Hub: a real HTTP server on 127.0.0.1 that speaks the part of the API a refresh uses.

``GET /api/models/{org}/{name}`` (``model_info``) and ``GET /api/models?author=&filter=&sort=&limit=&expand=``
(``list_models``, paged with a ``Link`` header that points back at this server). It serves the real
recorded bodies in ``tests/fixtures/hub-recorded/`` byte for byte with their recorded headers, and
synthetic bodies built from ``tests/fixtures/hub-synthetic/model.json`` (made up, see its README).

Faults are queued per model or per author listing: an HTTP status (429, 500, 503 ...), ``"timeout"``
(the answer comes too late), ``"malformed"`` (a body cut short), ``"gated"``, ``"missing"``.
Renames answer 307 like the real Hub. A fixed-window quota answers every request with ``RateLimit``
and ``RateLimit-Policy`` headers and 429 once spent. Every request is logged.

Run ``python tests/fakehub.py [--latency S]`` to serve the recordings for a manual refresh.
"""

from __future__ import annotations

import copy
import json
import math
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

FIXTURES = Path(__file__).resolve().parent / "fixtures"
RECORDED = FIXTURES / "hub-recorded"
SYNTHETIC = FIXTURES / "hub-synthetic"


def synthetic_model(model_id: str, **fields: Any) -> dict[str, Any]:
    """A made-up body shaped like a real one (from hub-synthetic/model.json), with ``fields`` set."""
    body = json.loads((SYNTHETIC / "model.json").read_text(encoding="utf-8"))
    body.update(id=model_id, modelId=model_id, author=model_id.split("/")[0])
    body.update(fields)
    return body


@dataclass
class Entry:
    data: dict[str, Any]
    raw: bytes | None = None
    """The recorded bytes, served unchanged when no ``expand`` is asked for."""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Logged:
    start: float
    end: float
    path: str
    status: int


class FakeHub:
    """The server and its state; use as a context manager or call start()/stop()."""

    def __init__(self, *, latency: float = 0.0, page_size: int = 50, quota: int | None = None,
                 window: float = 300.0, used: int = 0, window_left: float | None = None,
                 timeout_delay: float = 3.0, date: str | None = None):
        self.models: dict[str, Entry] = {}
        self.renamed: dict[str, str] = {}
        self.faults: dict[str, list[Any]] = {}
        self.log: list[Logged] = []
        self.latency, self.page_size, self.timeout_delay, self.date = latency, page_size, timeout_delay, date
        self.quota, self.window, self._used = quota, window, used
        self._window_start = time.monotonic() - (window - window_left if window_left is not None else 0.0)
        self._lock = threading.Lock()
        self._active = 0
        self.max_active = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread: threading.Thread | None = None

    # -- set-up ------------------------------------------------------------------------------------
    def add(self, body: dict[str, Any]) -> None:
        self.models[body["id"]] = Entry(body)

    def add_recorded(self, filename: str, folder: Path = RECORDED) -> str:
        """Serve a recorded body verbatim with its recorded headers; returns its model id."""
        manifest = json.loads((folder / "_manifest.json").read_text(encoding="utf-8"))
        sample = next(s for s in manifest["samples"] if s["file"] == filename)
        raw = (folder / filename).read_bytes()
        data = json.loads(raw)
        keep = ("Content-Type", "Date", "ETag", "X-Powered-By", "X-Request-Id")
        self.models[data["id"]] = Entry(data, raw, {k: v for k, v in sample["headers"].items() if k in keep})
        return data["id"]

    def rename(self, old_id: str, new_id: str) -> None:
        self.renamed[old_id] = new_id

    def fail(self, key: str, *faults: Any) -> None:
        """Queue faults for a model id, or for ``"list:<author>"``; each is used by one request."""
        self.faults.setdefault(key, []).extend(faults)

    # -- running -----------------------------------------------------------------------------------
    def start(self) -> FakeHub:
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> FakeHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def requests(self, prefix: str = "/api/") -> list[Logged]:
        return [entry for entry in self.log if entry.path.startswith(prefix)]

    @property
    def status_counts(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for entry in self.log:
            counts[entry.status] = counts.get(entry.status, 0) + 1
        return counts

    # -- answering ---------------------------------------------------------------------------------
    def _next_fault(self, key: str) -> Any:
        with self._lock:
            queue = self.faults.get(key)
            return queue.pop(0) if queue else None

    def _count(self) -> tuple[bool, dict[str, str]]:
        """Count one request against the quota: (allowed, RateLimit headers)."""
        if self.quota is None:
            return True, {}
        with self._lock:
            now = time.monotonic()
            if now - self._window_start >= self.window:
                self._window_start, self._used = now, 0
            self._used += 1
            allowed = self._used <= self.quota
            left = max(self.quota - self._used, 0)
            reset = max(math.ceil(self._window_start + self.window - now), 1)
        return allowed, {"RateLimit": f'"api";r={left};t={reset}',
                         "RateLimit-Policy": f'"fixed window";"api";q={self.quota};w={int(self.window)}'}

    def answer(self, path: str, query: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        allowed, limit_headers = self._count()
        if not allowed:
            return 429, limit_headers, _json({"error": "You have exceeded our rate limit (fake Hub)."})
        if path == "/api/models":
            status, headers, body = self._list(query)
        elif path.startswith("/api/models/"):
            status, headers, body = self._model(unquote(path.removeprefix("/api/models/")), query)
        else:
            status, headers, body = 404, {}, _json({"error": "Not found (fake Hub)"})
        return status, {**headers, **limit_headers}, body

    def _fault(self, fault: Any) -> tuple[int, dict[str, str], bytes] | None:
        if fault is None:
            return None
        if fault == "timeout":
            time.sleep(self.timeout_delay)
            return 503, {}, _json({"error": "too late"})
        if fault == "malformed":
            return 200, {"Content-Type": "application/json; charset=utf-8"}, (SYNTHETIC / "malformed.json").read_bytes()
        if fault == "gated":
            return 403, {"X-Error-Code": "GatedRepo", "X-Error-Message": "Access to this model is restricted."}, \
                _json({"error": "Access to this model is restricted."})
        if fault == "missing":
            return 404, {"X-Error-Code": "RepoNotFound"}, _json({"error": "Repository not found"})
        headers = {"Retry-After": "1"} if int(fault) == 429 else {}
        return int(fault), headers, _json({"error": f"fake fault {fault}"})

    def _model(self, model_id: str, query: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        if (faulted := self._fault(self._next_fault(model_id))) is not None:
            return faulted
        if model_id in self.renamed:
            target = f"/api/models/{self.renamed[model_id]}"
            return 307, {"Location": target, "Content-Type": "text/plain; charset=utf-8"}, \
                f"Temporary Redirect. Redirecting to {target}".encode()
        entry = self.models.get(model_id)
        if entry is None:
            return 404, {"X-Error-Code": "RepoNotFound"}, _json({"error": "Repository not found"})
        expand = query.get("expand")
        if entry.raw is not None and not expand:
            return 200, dict(entry.headers), entry.raw
        return 200, {"Content-Type": "application/json; charset=utf-8"}, _json(_expanded(entry.data, expand))

    def _list(self, query: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        author = (query.get("author") or [None])[0]
        if author and (faulted := self._fault(self._next_fault(f"list:{author}"))) is not None:
            return faulted
        items = [e.data for _, e in sorted(self.models.items())]
        if author:
            items = [d for d in items if d["id"].split("/")[0] == author]
        for wanted in query.get("filter", []):
            items = [d for d in items if wanted in d.get("tags", [])]
        if (query.get("sort") or [None])[0] == "downloads":
            items.sort(key=lambda d: -d.get("downloads", 0))
        size = min(int((query.get("limit") or [self.page_size])[0]), self.page_size)
        start = int((query.get("cursor") or ["0"])[0])
        page = [_expanded(d, query.get("expand")) for d in items[start:start + size]]
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if start + size < len(items):
            rest = {k: v for k, v in query.items() if k != "cursor"}
            headers["Link"] = f'<{self.url}/api/models?{urlencode({**rest, "cursor": start + size}, doseq=True)}>; ' \
                              'rel="next"'
        return 200, headers, _json(page)


def _expanded(data: dict[str, Any], expand: list[str] | None) -> dict[str, Any]:
    if not expand:
        return copy.deepcopy(data)
    return {k: copy.deepcopy(v) for k, v in data.items() if k in ("_id", "id") or k in expand}


def _json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def _handler(hub: FakeHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            start = time.monotonic()
            with hub._lock:
                hub._active += 1
                hub.max_active = max(hub.max_active, hub._active)
            status, logged = 0, False

            def log() -> None:
                nonlocal logged
                with hub._lock:
                    hub._active -= 1
                    hub.log.append(Logged(start, time.monotonic(), self.path, status))
                logged = True

            try:
                if hub.latency:
                    time.sleep(hub.latency)
                url = urlsplit(self.path)
                status, headers, body = hub.answer(url.path, parse_qs(url.query, keep_blank_values=True))
                # Logged before the answer goes out: a client holding its answer finds its request in
                # the log (logged after, a busy machine let tests read the log before this thread wrote it).
                log()
                self._date = headers.pop("Date", None) or hub.date
                self.send_response(status)
                for name, value in headers.items():
                    if name != "Content-Length":
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass
            finally:
                if not logged:
                    log()

        def date_time_string(self, timestamp: float | None = None) -> str:
            return getattr(self, "_date", None) or formatdate(timestamp, usegmt=True)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
            pass

    return Handler


def serve_recordings(latency: float = 0.0) -> FakeHub:
    """A fake Hub serving every recorded body and the recorded redirects between catalog names."""
    hub = FakeHub(latency=latency)
    manifest = json.loads((RECORDED / "_manifest.json").read_text(encoding="utf-8"))
    for sample in manifest["samples"]:
        hub.add_recorded(sample["file"])
    for redirect in manifest["redirects"]:
        old = urlsplit(redirect["request_uri"]).path.removeprefix("/api/models/")
        hub.rename(old, redirect["headers"]["Location"].removeprefix("/api/models/"))
    return hub


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Serve the recorded Hub bodies on 127.0.0.1.")
    parser.add_argument("--latency", type=float, default=0.0)
    args = parser.parse_args()
    with serve_recordings(args.latency) as fake:
        print(f"Fake Hub serving {len(fake.models)} recorded models at {fake.url} (Ctrl-C to stop)", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
