"""Source texts stored with the data (`data/sources/`): manifests, hashes, quote anchors.

Each text `sources/<name>.txt` has a manifest `sources/<name>.yaml` beside it (title,
publisher, URL, date and basis, licence and attribution, retrieval note, `sha256`).
A Document's `file` names its text. Quotes are found after the same folding as
tests/test_quotes.py always used (curly apostrophes to `'`, runs of whitespace to one
space, lower case); each text is folded once, with a map from folded positions back
to the stored text, so anchoring a quote costs one `str.find` (and each distinct
quote of a text is looked up once).

Positions are W3C Web Annotation `TextPositionSelector` offsets: Unicode code points
of the stored text, `start` inclusive, `end` exclusive.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loaders.files import Unreadable, read_regular
from loaders.yamlsource import YamlError, parse

SOURCES = "sources"  # the folder of texts inside a data folder
CONTEXT = 32  # characters of prefix and suffix in a TextQuoteSelector
MAX_TEXT_BYTES = 4 * 2**20
MANIFEST_KEYS = ("id", "file", "title", "publisher", "url", "date", "date_basis", "licence",
                 "licence_url", "attribution", "retrieval", "origin", "sha256")
REQUIRED_KEYS = ("file", "title", "licence", "attribution", "retrieval", "sha256")
_SPACE = re.compile(r"\s")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'"})


def fold(text: str) -> str:
    """Curly apostrophes to `'`, whitespace runs to one space, stripped, lower case."""
    return re.sub(r"\s+", " ", text.translate(_APOSTROPHES)).strip().lower()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True, slots=True)
class Anchor:
    """Where a quote stands in its text: the first occurrence, and whether there are more."""

    start: int
    end: int
    exact: str
    prefix: str
    suffix: str
    repeated: bool

    def selectors(self) -> dict[str, Any]:
        """The W3C Web Annotation selectors of this span, as JSON-LD-ready dicts."""
        return {"TextQuoteSelector": {"exact": self.exact, "prefix": self.prefix,
                                      "suffix": self.suffix},
                "TextPositionSelector": {"start": self.start, "end": self.end}}


class FoldedText:
    """A stored text, folded once, with each folded character's offset in the original."""

    __slots__ = ("text", "folded", "_offsets", "_found")

    def __init__(self, text: str) -> None:
        self.text = text
        chars: list[str] = []
        offsets: list[int] = []
        space = False
        for i, ch in enumerate(text):
            if _SPACE.match(ch):
                if not space:
                    chars.append(" ")
                    offsets.append(i)
                space = True
                continue
            space = False
            low = ch.translate(_APOSTROPHES).lower()
            chars.append(low)
            offsets.extend([i] * len(low))
        self.folded = "".join(chars)
        self._offsets = offsets
        self._found: dict[str, Anchor | None] = {}

    def find(self, quote: str) -> Anchor | None:
        """The anchor of `quote` (folded), or None when the text does not hold it."""
        if quote in self._found:
            return self._found[quote]
        needle = fold(quote)
        at = self.folded.find(needle) if needle else -1
        anchor = None
        if at >= 0:
            last = at + len(needle) - 1
            start, end = self._offsets[at], self._offsets[last] + 1
            anchor = Anchor(start, end, self.text[start:end],
                            self.text[max(0, start - CONTEXT):start],
                            self.text[end:end + CONTEXT],
                            self.folded.find(needle, at + 1) >= 0)
        self._found[quote] = anchor
        return anchor

    def matches(self, words: str, limit: int = 50) -> list[Anchor]:
        """Every occurrence of `words` (folded), first `limit`."""
        needle = fold(words)
        out: list[Anchor] = []
        at = self.folded.find(needle) if needle else -1
        while at >= 0 and len(out) < limit:
            start, end = self._offsets[at], self._offsets[at + len(needle) - 1] + 1
            out.append(Anchor(start, end, self.text[start:end],
                              self.text[max(0, start - CONTEXT):start],
                              self.text[end:end + CONTEXT], False))
            at = self.folded.find(needle, at + 1)
        return out

    def line_of(self, offset: int) -> int:
        return self.text.count("\n", 0, offset) + 1


class TextProblem(Exception):
    """A source text or manifest that cannot be used: where, and a one-line reason."""

    def __init__(self, file: str, line: int, field: str, message: str) -> None:
        super().__init__(message)
        self.file, self.line, self.field, self.message = file, line, field, message


def manifest_path(text_path: Path) -> Path:
    return text_path.with_suffix(".yaml")


def read_manifest(path: Path) -> tuple[dict[str, Any], dict[str, int]]:
    """A manifest's values and the line of each key; TextProblem when unusable."""
    try:
        doc = parse(read_regular(path))
    except Unreadable as err:
        raise TextProblem(str(path), 1, "", f"manifest: {err}") from None
    except YamlError as err:
        raise TextProblem(str(path), err.line, "", err.message) from None
    if not isinstance(doc.data, dict):
        raise TextProblem(str(path), 1, "", "a manifest must be a mapping")
    lines = {str(k): doc.line_of((k,)) for k in doc.data}
    for key in doc.data:
        if key not in MANIFEST_KEYS:
            raise TextProblem(str(path), lines[str(key)], str(key),
                              f"unknown manifest key; expected some of {list(MANIFEST_KEYS)}")
    for key in REQUIRED_KEYS:
        if not isinstance(doc.data.get(key), str) or not doc.data[key]:
            raise TextProblem(str(path), lines.get(key, 1), key, "required in a manifest (a string)")
    return doc.data, lines


def read_text(sources: Path, name: str) -> FoldedText:
    """The text `sources/<name>`, checked against its manifest's SHA-256; TextProblem if not."""
    if "/" in name or "\\" in name or name.startswith(".") or not name.endswith(".txt"):
        raise TextProblem(str(sources / name), 1, "file",
                          "a source text is a plain `<name>.txt` inside sources/")
    path = sources / name
    if not path.exists() and not path.is_symlink():
        raise TextProblem(str(path), 1, "file", f"no such file {SOURCES}/{name}")
    try:
        data = read_regular(path)
    except Unreadable as err:
        raise TextProblem(str(path), 1, "", f"source text: {err}") from None
    if len(data) > MAX_TEXT_BYTES:
        raise TextProblem(str(path), 1, "", f"source text larger than {MAX_TEXT_BYTES} bytes")
    manifest, lines = read_manifest(manifest_path(path))
    if manifest["file"] != name:
        raise TextProblem(str(manifest_path(path)), lines["file"], "file",
                          f"names {manifest['file']!r}, not the text beside it ({name!r})")
    digest = sha256(data)
    if manifest["sha256"] != digest:
        raise TextProblem(str(manifest_path(path)), lines["sha256"], "sha256",
                          f"{name} has changed: its SHA-256 is {digest}, the manifest says "
                          f"{manifest['sha256']}; re-check its quotes, then record the new hash")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise TextProblem(str(path), 1, "", f"not UTF-8: {err.reason} at byte {err.start}") from None
    return FoldedText(text)


def digest_sources(digest: Any, data_dir: Path) -> None:
    """Feed every file of `data_dir/sources` (names and bytes) into `digest`."""
    folder = data_dir / SOURCES
    if not folder.is_dir():
        return
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        try:
            data = read_regular(path)
        except Unreadable as err:
            data = f"unreadable: {err}".encode()
        digest.update(b"sources/" + path.name.encode() + b"\0" + data + b"\0")
