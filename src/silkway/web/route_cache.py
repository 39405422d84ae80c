"""A bounded cache of route answers: repeated queries (the web UI asks the same few pairs again and again) are answered
without planning. Keyed by the dataset's name and version and the full request (every field, defaults included); the
least recently used answer is dropped first. Thread-safe; per app (never module-global).

:class:`RouteFastPath` answers a repeated ``POST /api/routes`` before FastAPI sees it: the exact request (its
content type, query string and body bytes) that was validated once is remembered with the cache key it validated to;
the same bytes again skip routing, validation and serialisation and get the stored answer's bytes, provided the
dataset's version is still the one the answer was made with. Anything else (a new request, an error, a body written
differently, a large body) takes the ordinary path.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from silkway.web.guard import replaying

RawKey = tuple[bytes, bytes, bytes]  # content type, query string, body
MAX_RAW_BODY = 4096  # bodies remembered for the fast path (a route request is ~100 bytes); larger ones take the slow path
PATH = "/api/routes"


class RouteCache:
    def __init__(self, max_entries: int):
        self.max_entries = max_entries
        self._items: OrderedDict[tuple[str, ...], bytes] = OrderedDict()
        self._raw: OrderedDict[RawKey, tuple[str, str]] = OrderedDict()  # exact request → (dataset name, request JSON)
        self._lock = threading.Lock()
        self.hits = self.misses = self.fast_hits = 0

    def get(self, key: tuple[str, ...]) -> bytes | None:
        with self._lock:
            value = self._items.get(key)
            if value is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: tuple[str, ...], value: bytes) -> None:
        if self.max_entries <= 0:
            return
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)

    def remember(self, raw: RawKey, name: str, request_json: str) -> None:
        """The exact request ``raw`` validated to the request ``request_json`` on dataset ``name``."""
        if self.max_entries <= 0 or len(raw[2]) > MAX_RAW_BODY:
            return
        with self._lock:
            self._raw[raw] = (name, request_json)
            self._raw.move_to_end(raw)
            while len(self._raw) > 4 * self.max_entries:  # a few spellings per answer
                self._raw.popitem(last=False)

    def lookup(self, raw: RawKey, version: Callable[[str], str]) -> bytes | None:
        """The stored answer to the exact request ``raw``, if it was validated before and its answer (for the
        dataset's current ``version(name)``) is still cached; None otherwise (nothing counted)."""
        with self._lock:
            known = self._raw.get(raw)
        if known is None:
            return None
        key = (known[0], version(known[0]), known[1])
        with self._lock:
            value = self._items.get(key)
            if value is None:
                return None
            self._items.move_to_end(key)
            self.hits += 1
            self.fast_hits += 1
            return value

    def __len__(self) -> int:
        return len(self._items)


class RouteFastPath:
    """ASGI middleware: a repeated ``POST /api/routes`` (same content type, query and body bytes as one already
    answered) is answered from ``app.state.route_cache`` without routing, validation or serialisation. On any other
    request, ``scope['state']['route_raw_key']`` tells the endpoint what to remember once it has answered."""

    def __init__(self, app: Any, state: Any):
        self.app, self.state = app, state  # state: the FastAPI app's state (route_cache, datasets)

    async def __call__(self, scope: dict[str, Any], receive: Callable, send: Callable) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != PATH:
            await self.app(scope, receive, send)
            return
        chunks, more = [], True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client left
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        content_type = next((v for k, v in scope.get("headers", ()) if k == b"content-type"), b"")
        raw = (content_type, scope.get("query_string", b""), body)
        content = self.state.route_cache.lookup(raw, self.state.datasets.version)
        if content is not None:
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(content)).encode())]})
            await send({"type": "http.response.body", "body": content})
            return
        scope.setdefault("state", {})["route_raw_key"] = raw
        await self.app(scope, replaying(body, receive), send)
