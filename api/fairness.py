"""Fair shares of the slots for ad-hoc queries, per client.

The Cypher console and the SPARQL endpoint each run at most
`MIGKG_CONSOLE_CONCURRENCY` queries at once. Within that, one client (one
address) runs at most its share (`MIGKG_CONSOLE_PER_CLIENT`, by default half the
slots), and a client that already runs a query may not take the last free
slot: that one is kept for a client that runs none. So a client looping on
queries that run to their deadline cannot keep everyone else out; beyond its
share it is answered 429 with `Retry-After`. A request that finds no slot
waits a moment (GRACE_SECONDS) for one to free, so that a burst of short
queries is served rather than refused, and is never queued beyond that.

A client is the connection's address (`request.client.host`). Behind a reverse
proxy on the same host that is what uvicorn took from `X-Forwarded-For`, which
it believes only from the addresses in `FORWARDED_ALLOW_IPS` (loopback by
default); the app itself reads no forwarding header.
"""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

import anyio
from fastapi import Request

from migkg.exc import TooBusy
from migkg.settings import Settings

RETRY_AFTER = "1"  # seconds: a slot frees when a query ends, within the query timeout
GRACE_SECONDS = 0.05  # a short query (a few ms) ends well within it
POLL_SECONDS = 0.005


def per_client(settings: Settings) -> int:
    """How many queries one client may run at once."""
    share = settings.console_per_client or max(1, settings.console_concurrency // 2)
    return min(share, settings.console_concurrency)


class FairShare:
    """At most `total` slots taken at once, at most `share` by one client, and the last
    free one only by a client that holds none."""

    def __init__(self, what: str, total: int, share: int) -> None:
        self.what = what
        self.total = total
        self.share = min(share, total)
        self._held: dict[str, int] = {}
        self._taken = 0
        self._lock = threading.Lock()

    def running(self, client: str | None = None) -> int:
        """Slots taken, in all or by `client`."""
        with self._lock:
            return self._taken if client is None else self._held.get(client, 0)

    def acquire(self, client: str) -> None:
        """Take a slot for `client`, or raise TooBusy (429) saying which limit it met."""
        refusal = self._take(client)
        if refusal is not None:
            raise refusal

    async def acquire_soon(self, client: str, grace: float = GRACE_SECONDS) -> None:
        """Take a slot for `client`, waiting up to `grace` seconds for one to free (without
        holding the event loop), or raise TooBusy."""
        until = time.monotonic() + grace
        while (refusal := self._take(client)) is not None:
            if time.monotonic() >= until:
                raise refusal
            await anyio.sleep(POLL_SECONDS)

    def _take(self, client: str) -> TooBusy | None:
        with self._lock:
            held = self._held.get(client, 0)
            if held >= self.share:
                return self._busy(f"this client ({client}) holds {held} of the {self.total} slots "
                                  f"for {self.what}, its whole share; try again when one of its "
                                  "queries has finished", "per-client")
            if self._taken >= self.total:
                return self._busy(f"all {self.total} slots for {self.what} are taken; try again "
                                  "in a moment", "total")
            if held and self._taken == self.total - 1:
                return self._busy(f"this client ({client}) holds {held} of the {self.total} slots "
                                  f"for {self.what}; the last free one is kept for a client that "
                                  "holds none", "last-slot")
            self._held[client] = held + 1
            self._taken += 1
            return None

    def release(self, client: str) -> None:
        with self._lock:
            held = self._held.get(client, 0)
            if held <= 1:
                self._held.pop(client, None)
            else:
                self._held[client] = held - 1
            self._taken = max(0, self._taken - 1)

    @contextmanager
    def slot(self, client: str) -> Iterator[None]:
        """Hold a slot for `client` while the block runs."""
        self.acquire(client)
        try:
            yield
        finally:
            self.release(client)

    def _busy(self, detail: str, limit: str) -> TooBusy:
        return TooBusy(detail, headers={"Retry-After": RETRY_AFTER}, limit=limit,
                       slots=self.total, share=self.share)


def client_of(request: Request) -> str:
    """The address a request came from: the key of its share."""
    return request.client.host if request.client else "unknown"


def fair_share(request: Request, kind: str, what: str) -> FairShare:
    """The app's limiter for `kind` (`console`, `sparql`), made on first use."""
    state = request.app.state
    shares: dict[str, FairShare] | None = getattr(state, "fair_shares", None)
    if shares is None:
        shares = state.fair_shares = {}
    if kind not in shares:
        settings: Settings = state.settings
        shares[kind] = FairShare(what, settings.console_concurrency, per_client(settings))
    return shares[kind]


@asynccontextmanager
async def query_slot(request: Request, kind: str, what: str) -> AsyncIterator[None]:
    """Hold one of `kind`'s slots for the request's client while the block runs (429 if none
    frees within GRACE_SECONDS)."""
    share, client = fair_share(request, kind, what), client_of(request)
    await share.acquire_soon(client)
    try:
        yield
    finally:
        share.release(client)
