"""The one module that talks to the Hugging Face Hub.

It asks for many models per request where the API allows (``list_models`` by author, with
``expand``), falls back to ``model_info`` for the rest, runs requests concurrently, keeps within
the Hub's rate limit, retries what is worth retrying, and returns typed outcomes: a
:class:`~generator.schema.HubSnapshot` for each model it could read, a :class:`HubFailure` for
each it could not. A gated, missing or renamed repo is an outcome, never an exception.

Every request goes through one ``httpx2`` client installed with ``huggingface_hub``'s public
``set_client_factory`` while a :class:`HubClient` is open: it refuses requests in offline mode,
gives each request a timeout and passes it through a transport that applies the rate limiter and
notes the answer's ``Date`` (the day the facts are true "as of"). On close the library's own
factory is put back.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Literal

import httpx2
from huggingface_hub import HfApi, is_offline_mode
from huggingface_hub.errors import (
    DisabledRepoError,
    GatedRepoError,
    HfHubHTTPError,
    OfflineModeIsEnabled,
    RepositoryNotFoundError,
)
from huggingface_hub.utils import get_token, set_client_factory

# The one reach into huggingface_hub's internals: the library exports no way to read the client
# factory it had before ours, so its default is named here to put it back when a client closes. An
# upgrade that moves it fails this import loudly (and tests/test_hub.py checks the restore).
from huggingface_hub.utils._http import default_client_factory as _library_factory
from pydantic import ValidationError

from generator.ratelimit import RateLimiter
from generator.schema import HubSnapshot

log = logging.getLogger(__name__)

EXPAND = ["cardData", "createdAt", "downloads", "gated", "lastModified", "library_name", "likes",
          "pipeline_tag", "safetensors", "sha", "tags"]
"""The model properties a listing asks for: exactly those a snapshot holds."""
RELATIONS = ("finetune", "adapter", "quantized", "merge")

FailureKind = Literal["missing", "gated", "renamed", "malformed", "error"]


@dataclass(frozen=True)
class HubFailure:
    """A model the Hub did not give facts for, and why."""

    id: str
    kind: FailureKind
    detail: str
    new_id: str | None = None
    """For a renamed repo: the id the Hub redirected to."""

    def __str__(self) -> str:
        return f"{self.id}: {self.detail}"


@dataclass
class HubStats:
    """What a client spent: requests sent; of those, the ones answered 429, 5xx or not at all (worth a
    retry) and the 429s alone; and how often ``model_info`` was retried (listings retry inside the library)."""

    requests: int = 0
    rate_limited: int = 0
    failed: int = 0
    retries: int = 0


class HubClient:
    """Fetches model facts from the Hub (``endpoint``, default ``$HF_ENDPOINT``; token ``$HF_TOKEN``).

    Use it as a context manager: while open, its HTTP session serves the whole process (one client at
    a time); on exit the library's own session factory is restored.
    """

    def __init__(self, endpoint: str | None = None, *, workers: int = 8, timeout: float = 10.0,
                 attempts: int = 4, backoff: float = 0.5, limiter: RateLimiter | None = None):
        self.api = HfApi(endpoint=endpoint or None)
        self.workers, self.timeout, self.attempts, self.backoff = workers, timeout, attempts, backoff
        self.limiter = limiter or RateLimiter(limit=1000 if get_token() else 500, window=300.0)
        self.stats = HubStats()
        self._local = threading.local()
        self._lock = threading.Lock()

    def __enter__(self) -> HubClient:
        set_client_factory(self._session)
        return self

    def __exit__(self, *exc: object) -> None:
        # Closes our session too: the library closes the current one whenever the factory changes.
        set_client_factory(_library_factory)

    def _session(self) -> httpx2.Client:
        return httpx2.Client(event_hooks={"request": [_refuse_when_offline]},
                             follow_redirects=True, timeout=httpx2.Timeout(self.timeout),
                             transport=_Transport(httpx2.HTTPTransport(), self))

    def _answered(self, status: int | None, headers: httpx2.Headers | None) -> None:
        with self._lock:
            self.stats.requests += 1
            self.stats.rate_limited += status == 429
            self.stats.failed += status is None or status == 429 or status >= 500
        self._local.requests = getattr(self._local, "requests", 0) + 1
        if headers is not None and headers.get("date"):
            self._local.date = headers["date"]

    def _answer_date(self) -> date:
        try:
            return parsedate_to_datetime(self._local.date).astimezone(UTC).date()
        except (AttributeError, TypeError, ValueError):
            return datetime.now(UTC).date()

    def fetch(self, ids: Iterable[str]) -> Iterator[HubSnapshot | HubFailure]:
        """One outcome per id, yielded as each arrives (in no particular order)."""
        by_author: dict[str, list[str]] = defaultdict(list)
        for model_id in sorted(set(ids)):
            by_author[model_id.split("/")[0]].append(model_id)
        with ThreadPoolExecutor(self.workers, thread_name_prefix="hub") as pool:
            pending: set[Future] = set()
            for author, wanted in by_author.items():
                # Listing an author costs at least one request, so it pays only for two models or more.
                task = (self._list_author, author, wanted) if len(wanted) > 1 else (self._one, wanted[0])
                pending.add(pool.submit(*task))
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    outcomes, leftovers = future.result()
                    yield from outcomes
                    pending.update(pool.submit(self._one, model_id) for model_id in leftovers)

    def _list_author(self, author: str, wanted: list[str]) -> tuple[list[HubSnapshot | HubFailure], list[str]]:
        """Outcomes for the wanted ids found in the author's listing, and the ids still to look up.

        The listing stops once every wanted id is found, or once it has cost as many requests as
        ``model_info`` for each wanted id would have (an author with thousands of repos), so that
        listing never costs much more than asking one by one.
        """
        left, outcomes = set(wanted), []
        spent = getattr(self._local, "requests", 0)
        try:
            for info in self.api.list_models(author=author, expand=EXPAND):  # type: ignore[arg-type]
                if info.id in left:
                    left.discard(info.id)
                    outcomes.append(self._outcome(info.id, info))
                if not left or self._local.requests - spent > len(wanted):
                    break
        except Exception as exc:  # noqa: BLE001 - any failure of a listing leaves its models to model_info
            log.info("listing %s failed (%s); asking for its models one by one", author, exc)
        return outcomes, sorted(left)

    def _one(self, model_id: str) -> tuple[list[HubSnapshot | HubFailure], list[str]]:
        try:
            return [self._model_info(model_id)], []
        except Exception as exc:  # noqa: BLE001 - one model's failure must not stop the others
            return [HubFailure(model_id, "error", f"unexpected error: {exc!r}")], []

    def _model_info(self, model_id: str) -> HubSnapshot | HubFailure:
        """``model_info`` with bounded retries of 429, 5xx, timeouts and network errors."""
        for attempt in range(1, self.attempts + 1):
            last = attempt == self.attempts
            try:
                info = self.api.model_info(model_id, timeout=self.timeout)
            except GatedRepoError:
                return HubFailure(model_id, "gated", "gated: the Hub refused its metadata")
            except RepositoryNotFoundError:
                return HubFailure(model_id, "missing", "gone from the Hub (404)")
            except DisabledRepoError:
                return HubFailure(model_id, "missing", "disabled on the Hub")
            except HfHubHTTPError as exc:
                status = exc.response.status_code if exc.response is not None else None
                if status is None or not (status == 429 or status >= 500) or last:
                    return HubFailure(model_id, "error", f"HTTP {status} after {attempt} attempt(s)")
            except httpx2.TransportError as exc:
                if last:
                    return HubFailure(model_id, "error", f"{type(exc).__name__} after {attempt} attempt(s)")
            except (ValueError, TypeError, KeyError) as exc:
                return HubFailure(model_id, "malformed", f"malformed answer: {exc}")
            else:
                if info.id != model_id:
                    return HubFailure(model_id, "renamed", f"renamed on the Hub to {info.id}", new_id=info.id)
                return self._outcome(model_id, info)
            with self._lock:
                self.stats.retries += 1
            # The limiter already holds every request back until a 429's reset; this spreads the rest.
            time.sleep(min(8.0, self.backoff * 2 ** (attempt - 1)) * random.uniform(0.5, 1.0))
        raise AssertionError("unreachable")

    def _outcome(self, model_id: str, info: Any) -> HubSnapshot | HubFailure:
        try:
            return record_from(info, self._answer_date())
        except (ValidationError, ValueError, TypeError, AttributeError) as exc:
            return HubFailure(model_id, "malformed", f"malformed answer: {str(exc).splitlines()[0]}")

    def discover(self, base_id: str, limit: int) -> list[HubSnapshot]:
        """The ``limit`` most-downloaded fine-tunes of ``base_id``; raises on failure."""
        listing = self.api.list_models(filter=f"base_model:finetune:{base_id}", sort="downloads",
                                       limit=limit, expand=EXPAND)  # type: ignore[arg-type]
        return [record_from(info, self._answer_date()) for info in listing]


def _refuse_when_offline(request: httpx2.Request) -> None:
    """``HF_HUB_OFFLINE=1`` stops every request, as it does in the library's own session."""
    if is_offline_mode():
        raise OfflineModeIsEnabled(f"Cannot reach {request.url}: offline mode is enabled (HF_HUB_OFFLINE).")


class _Transport(httpx2.BaseTransport):
    """Passes each request through the client's rate limiter and notes its answer."""

    def __init__(self, inner: httpx2.BaseTransport, client: HubClient):
        self.inner, self.client = inner, client

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        self.client.limiter.acquire()
        response = None
        try:
            response = self.inner.handle_request(request)
            return response
        finally:
            status, headers = (response.status_code, response.headers) if response is not None else (None, None)
            self.client.limiter.release(status, headers)
            self.client._answered(status, headers)

    def close(self) -> None:
        self.inner.close()


def record_from(info: Any, answered: date) -> HubSnapshot:
    """A snapshot (licence not yet mapped) from a ``ModelInfo``; raises ValidationError on odd values."""
    tags = [t for t in (info.tags or []) if isinstance(t, str)]
    card = info.card_data
    card_get = card.get if card is not None and hasattr(card, "get") else (lambda key, default=None: default)
    hub_license = card_get("license")
    if isinstance(hub_license, list):
        hub_license = hub_license[0] if hub_license else None
    hub_license = hub_license or next((t.split(":", 1)[1] for t in tags if t.startswith("license:")), None)
    datasets = [t.split(":", 1)[1] for t in tags if t.startswith("dataset:")] or _as_list(card_get("datasets"))
    return HubSnapshot(
        id=info.id,
        sha=info.sha,
        last_modified=_utc(info.last_modified),
        created=_utc(info.created_at),
        gated=info.gated,
        hub_license=hub_license,
        hub_license_name=card_get("license_name") if hub_license == "other" else None,
        downloads=info.downloads,
        likes=info.likes,
        parameters=info.safetensors.total if info.safetensors else None,
        pipeline_tag=info.pipeline_tag,
        library=info.library_name,
        datasets=sorted(set(datasets)),
        arxiv=sorted({t.split(":", 1)[1] for t in tags if t.startswith("arxiv:")}),
        base_models=_base_models(tags, card_get),
        fetched=answered.isoformat(),
    )


def _base_models(tags: list[str], card_get: Any) -> list[dict[str, Any]]:
    """Lineage from the Hub's ``base_model:`` tags, which it keeps current; the card's own only without them."""
    relations: dict[str, str | None] = {}
    for tag in tags:
        if not tag.startswith("base_model:"):
            continue
        rest = tag.removeprefix("base_model:")
        head, _, tail = rest.partition(":")
        if head in RELATIONS and tail:
            relations[tail] = head
        else:
            relations.setdefault(rest, None)
    if not relations:
        relation = card_get("base_model_relation")
        relations = {bid: relation if relation in RELATIONS else None for bid in _as_list(card_get("base_model"))}
    return [{"id": bid, "relation": rel} for bid, rel in sorted(relations.items())]


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _utc(value: datetime | None) -> str | None:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else None
