"""A digest of the code a derived copy depends on: kept data is valid only for the code that made it.

The loader's item digests (loaders/write.py), the file cache (loaders/cache.py) and the
SPARQL store's stamp (sparql/store.py) each name the files whose change changes what
they keep; this hashes them, once per process.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@cache
def code_digest(*names: str) -> bytes:
    """A 16-byte digest of the files `names` (paths from the project's root), each with its
    name; a missing file counts as missing, not as an error."""
    digest = hashlib.blake2b(digest_size=16)
    for name in names:
        path = ROOT / name
        digest.update(name.encode() + b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"-")
        digest.update(b"\0")
    return digest.digest()
