"""Pulls teams, players, games and stats from a balldontlie-compatible API with httpx.

Every request has a timeout; 429, 5xx and network errors are retried with exponential backoff
(honouring Retry-After); an auth failure or a hostname that does not resolve stops at once
with a clear message. Pages are followed
by meta.next_cursor (balldontlie v2) or meta.next_page (v1), and each page is upserted as it
arrives, so an interrupted sync keeps what it fetched and a rerun simply overwrites it.
"""

import random
import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx

from sportstats.importer import ImportDataError, build_batch, upsert

RETRY_STATUSES = {429, 500, 502, 503, 504}
MAX_RETRY_AFTER = 60.0
MAX_PAGES = 100_000  # a guard against an upstream whose cursor never ends


class UpstreamError(Exception):
    """The upstream API failed in a way a retry will not fix (or retries ran out)."""


class UpstreamAuthError(UpstreamError):
    """The upstream refused our credentials."""


def name_resolution_failure(exc: BaseException) -> socket.gaierror | None:
    """The getaddrinfo error behind a connection failure, if that is what it was."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, socket.gaierror):
            return cause
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return None


class BalldontlieClient:
    """A small synchronous client: timeouts, retries with backoff, pagination."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        timeout: float = 10.0,
        retries: int = 5,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        headers = {"Accept": "application/json", "User-Agent": "ai-plugin-server sportstats"}
        if api_key:
            # balldontlie takes the bare key in Authorization (no "Bearer" prefix).
            headers["Authorization"] = api_key
        self.http = httpx.Client(
            base_url=base_url.rstrip("/") + "/",
            headers=headers,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            follow_redirects=True,
        )
        self.retries = retries
        self.backoff = backoff
        self.sleep = sleep

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> "BalldontlieClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _delay(self, attempt: int, response: httpx.Response | None) -> float:
        retry_after = response.headers.get("Retry-After") if response is not None else None
        if retry_after:
            try:
                return min(max(float(retry_after), 0.0), MAX_RETRY_AFTER)
            except ValueError:
                pass  # an HTTP date; fall back to our own backoff
        # Jitter spreads out clients that were throttled at the same moment.
        return self.backoff * (2**attempt) * random.uniform(0.5, 1.0)  # noqa: S311

    def get(self, path: str, params: list[tuple[str, Any]]) -> dict:
        """One GET with retries; returns the decoded JSON object."""
        last = ""
        for attempt in range(self.retries + 1):
            response = None
            try:
                response = self.http.get(path, params=params)
            except httpx.TimeoutException:
                last = f"timed out after {self.http.timeout.read}s"
            except httpx.TransportError as exc:
                # A mistyped or unknown hostname will not resolve on the next try either.
                unresolved = name_resolution_failure(exc)
                if unresolved is not None:
                    raise UpstreamError(
                        f"cannot resolve {self.http.base_url.host!r} ({unresolved.strerror}): "
                        "check --base-url."
                    ) from None
                last = f"network error: {exc}"
            else:
                if response.status_code in (401, 403):
                    raise UpstreamAuthError(
                        f"{response.url} refused the request (HTTP {response.status_code}): "
                        "check --api-key."
                    )
                if response.status_code not in RETRY_STATUSES:
                    return self._decode(response)
                last = f"HTTP {response.status_code}"
            if attempt < self.retries:
                self.sleep(self._delay(attempt, response))
        raise UpstreamError(f"GET {path} failed after {self.retries + 1} attempts ({last}).")

    @staticmethod
    def _decode(response: httpx.Response) -> dict:
        if response.status_code >= 400:
            raise UpstreamError(
                f"{response.url} answered HTTP {response.status_code}: {response.text[:200]}"
            )
        try:
            body = response.json()
        except ValueError:
            raise UpstreamError(f"{response.url} did not answer JSON.") from None
        if not isinstance(body, dict) or not isinstance(body.get("data"), list):
            raise UpstreamError(f"{response.url} did not answer {{'data': [...]}}.")
        return body

    def pages(
        self, path: str, params: list[tuple[str, Any]], per_page: int = 100
    ) -> Iterator[list[dict]]:
        """Yields each page's data, following next_cursor (v2) or next_page (v1)."""
        paging: list[tuple[str, Any]] = []
        seen: set = set()
        for _ in range(MAX_PAGES):
            body = self.get(path, [*params, ("per_page", per_page), *paging])
            yield body["data"]
            meta = body.get("meta") or {}
            if meta.get("next_cursor") is not None:
                paging, token = [("cursor", meta["next_cursor"])], ("c", meta["next_cursor"])
            elif meta.get("next_page") is not None:
                paging, token = [("page", meta["next_page"])], ("p", meta["next_page"])
            else:
                return
            if token in seen:
                raise UpstreamError(f"GET {path} returned the same next page twice.")
            seen.add(token)
        raise UpstreamError(f"GET {path} had more than {MAX_PAGES} pages.")


RESOURCES = ["teams", "players", "games", "stats"]


def sync(
    client: BalldontlieClient,
    seasons: list[int],
    per_page: int = 100,
    progress: Callable[[str, int], None] | None = None,
) -> dict[str, int]:
    """Fetches every resource in dependency order and upserts it page by page."""
    totals = dict.fromkeys(RESOURCES, 0)
    season_params = [("seasons[]", s) for s in seasons]
    for resource in RESOURCES:
        params = season_params if resource in ("games", "stats") else []
        for page in client.pages(resource, params, per_page):
            try:
                upsert(build_batch(**{resource: page}))
            except ImportDataError as exc:
                raise UpstreamError(f"{resource}: {exc}") from None
            totals[resource] += len(page)
            if progress:
                progress(resource, len(page))
    return totals
