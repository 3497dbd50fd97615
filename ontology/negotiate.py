"""HTTP content negotiation (RFC 9110 section 12.5.1): pick a media type from Accept.

Hand-written on purpose. Measured against python-mimeparse 2.0 and werkzeug 3.1
(`bench/bench_negotiate.py`), both were 2.4-8x slower on every `/id` request, and both
gave different answers. mimeparse fails on a malformed range, reads `q=-1` or `q=abc`
as 1, and ignores upper-case types. werkzeug refuses `application/ld+json;profile=...`
and `text/html;level=1`. Here a range without `/` is skipped, an invalid q refuses the
range, the most specific range sets an offer's q, parameters other than q are ignored,
and ties go to the server's order.
"""

from __future__ import annotations

from collections.abc import Sequence

from migkg.exc import NotAcceptable


def _ranges(accept: str) -> list[tuple[str, str, float]]:
    out = []
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        if "/" not in media:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        main, _, sub = media.lower().partition("/")
        out.append((main, sub, q))
    return out


def _quality(offer: str, ranges: list[tuple[str, str, float]]) -> float:
    """The q of the most specific range matching `offer` (0 when none matches)."""
    main, _, sub = offer.partition("/")
    best, specificity = 0.0, -1
    for r_main, r_sub, q in ranges:
        if (r_main, r_sub) == (main, sub):
            rank = 2
        elif r_main == main and r_sub == "*":
            rank = 1
        elif (r_main, r_sub) == ("*", "*"):
            rank = 0
        else:
            continue
        if rank > specificity:
            best, specificity = q, rank
    return best


def negotiate(accept: str | None, offers: Sequence[str]) -> str:
    """The acceptable offer with the highest q; ties go to the earlier offer.

    No Accept header means anything is acceptable (the first offer). Raises
    NotAcceptable when nothing offered is acceptable.
    """
    if not accept or not accept.strip():
        return offers[0]
    ranges = _ranges(accept)
    scored = [(_quality(o, ranges), -i, o) for i, o in enumerate(offers)]
    q, _, offer = max(scored)
    if q <= 0:
        raise NotAcceptable(f"none of the requested media types is available ({accept})",
                            available=list(offers))
    return offer
