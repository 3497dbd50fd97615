"""A YAML reader for untrusted files that remembers the line of every value.

It reads the event stream of PyYAML's C parser (libyaml; the pure-Python one when
libyaml is missing) and builds plain dicts, lists and scalars itself, so that:

- anchors, aliases, tags and merge keys are refused (no "billion laughs", no
  recursive alias, no `!!python/...`, no `!!timestamp`);
- nesting is bounded, checked as each collection opens, before any more work;
- keys must be plain text and unique;
- control characters, NUL bytes, lone surrogates and bytes that are not UTF-8
  are refused with the line they are on;
- every problem is a `YamlError` with a line, never a library exception.

Plain scalars are resolved with PyYAML's own implicit resolvers (YAML 1.1: null,
bool, int, float), except timestamps: dates stay strings and the schema checks them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import ScalarNode

Path_ = tuple[str | int, ...]

# libyaml when PyYAML was built with it: about 20 times faster than the pure parser.
_Parser: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
C_PARSER = _Parser is not yaml.SafeLoader

MAX_DEPTH = 16  # a data file needs 5: file > entities > entity > sources > source

# Refused anywhere in a file: C0 controls but tab, LF and CR; DEL; C1 controls
# (NEL is a YAML line break, so lines would no longer be the editor's lines);
# the Unicode line and paragraph separators (likewise); lone surrogates.
_BAD_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]|\r(?!\n)")
# Refused in a value (YAML escapes such as "\0" or "\e" can put them there).
_BAD_VALUE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_RESOLVERS: dict[str, list[tuple[str, re.Pattern[str]]]] = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
    for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
    if first is not None
}
_CONSTRUCTOR = SafeConstructor()  # one instance: int and float constructors keep no state
_BOOLS: dict[str, bool] = SafeConstructor.bool_values


class YamlError(ValueError):
    """A file that is not acceptable YAML, with the 1-based line of the problem."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class LocatedDoc:
    """A parsed YAML document and the 1-based line of each value, keyed by its path."""

    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, path: Path_) -> int:
        """The line of `path`, or of its closest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


def _char(ch: str) -> str:
    return {"\x00": "NUL byte", "\r": "carriage return without line feed"}.get(
        ch, f"control character U+{ord(ch):04X}")


def decode(data: bytes) -> str:
    """UTF-8 text, or a YamlError at the line of the first bad byte or character."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        column = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        raise YamlError(line, f"not UTF-8: byte 0x{data[err.start]:02x} at column {column}") from None
    return _checked(text)


def _checked(text: str) -> str:
    bad = _BAD_TEXT.search(text)
    if bad:
        raise YamlError(text.count("\n", 0, bad.start()) + 1, f"{_char(bad.group())} is not allowed")
    return text


def parse(source: bytes | str, *, locate: bool = True) -> LocatedDoc:
    """Parse one YAML document, recording lines; raise YamlError with the line.

    With `locate=False` only the line of each item of a top-level list is kept
    (`(section, i)`), which is all a valid file needs; the same checks run and a
    YamlError still has its line. Callers re-parse with lines when a value is wrong.
    """
    text = decode(source) if isinstance(source, bytes) else _checked(source)
    parser = _Parser(text)
    try:
        return (_Builder if locate else _LeanBuilder)(parser).document()
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        message = f"YAML syntax error: {err.problem or err}"
        if err.context and err.context_mark:
            # An unclosed bracket or quote is found lines later; say where it opened.
            message += f" ({err.context} started at line {err.context_mark.line + 1})"
        raise YamlError(mark.line + 1 if mark else 1, message) from None
    except yaml.YAMLError as err:  # ReaderError and friends carry no mark
        raise YamlError(1, f"YAML error: {err}") from None
    finally:
        parser.dispose()


class _Builder:
    """Build values from parser events, refusing what a data file has no need of."""

    def __init__(self, parser: Any) -> None:
        self.next = parser.get_event
        self.lines: dict[Path_, int] = {}

    def document(self) -> LocatedDoc:
        self.next()  # StreamStartEvent
        event = self.next()
        if isinstance(event, StreamEndEvent):
            return LocatedDoc(None, {(): 1})
        assert isinstance(event, DocumentStartEvent)
        event = self.next()
        self.lines[()] = _line(event)
        data = self.value(event, (), 0)
        self.next()  # DocumentEndEvent
        event = self.next()
        if not isinstance(event, StreamEndEvent):
            raise YamlError(_line(event), "a file holds one YAML document; found another")
        self.lines.setdefault((), 1)
        return LocatedDoc(data, self.lines)

    def value(self, event: Event, path: Path_, depth: int) -> Any:
        """The value `event` starts; its line is recorded under `path` by the caller."""
        kind = event.__class__
        if kind is ScalarEvent:
            return _scalar(event)  # type: ignore[arg-type]
        line = _line(event)
        if kind is AliasEvent:
            raise YamlError(line, f"aliases (*{event.anchor}) are not allowed")  # type: ignore[attr-defined]
        _plain_node(event, line)
        if depth >= MAX_DEPTH:
            raise YamlError(line, f"nested more than {MAX_DEPTH} levels deep")
        if kind is MappingStartEvent:
            return self.mapping(path, depth + 1)
        if kind is SequenceStartEvent:
            return self.sequence(path, depth + 1)
        raise YamlError(line, f"unexpected YAML event {kind.__name__}")  # pragma: no cover

    # The two loops below are the hot path: one pass per event, locals bound once.
    def sequence(self, path: Path_, depth: int) -> list[Any]:
        items: list[Any] = []
        lines, next_event, value = self.lines, self.next, self.value
        event = next_event()
        while event.__class__ is not SequenceEndEvent:
            item_path = (*path, len(items))
            lines[item_path] = event.start_mark.line + 1
            items.append(value(event, item_path, depth))
            event = next_event()
        return items

    def mapping(self, path: Path_, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        lines, next_event, value = self.lines, self.next, self.value
        event = next_event()
        while event.__class__ is not MappingEndEvent:
            line = event.start_mark.line + 1
            key = _key(event, line)
            if key in out:
                raise YamlError(line, f"duplicate key {key!r}")
            key_path = (*path, key)
            lines[key_path] = line  # a key's line, also for a list or mapping below it
            out[key] = value(next_event(), key_path, depth)
            event = next_event()
        return out


class _LeanBuilder(_Builder):
    """The same values and refusals as `_Builder`, without a line per value.

    The loops inline the common case (a plain or quoted scalar without anchor or
    tag) and hand anything else to `_Builder`'s checks, so both refuse the same input.
    """

    def sequence(self, path: Path_, depth: int) -> list[Any]:
        items: list[Any] = []
        append, next_event, value, lines = items.append, self.next, self.value, self.lines
        top = len(path) == 1  # a section's items: keep their lines, as facts need them
        event = next_event()
        while event.__class__ is not SequenceEndEvent:
            if event.__class__ is ScalarEvent:
                append(_lean_scalar(event))
            else:
                if top:
                    lines[(*path, len(items))] = event.start_mark.line + 1
                append(value(event, (), depth))
            event = next_event()
        return items

    def mapping(self, path: Path_, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        next_event, value = self.next, self.value
        nested = depth > 1  # below the root, paths are not needed
        event = next_event()
        while event.__class__ is not MappingEndEvent:
            if (event.__class__ is ScalarEvent and not event.style
                    and event.anchor is None and event.tag is None):
                key = event.value
                if not key or key == "<<":
                    key = _key(event, _line(event))
            else:
                key = _key(event, _line(event))
            if key in out:
                raise YamlError(_line(event), f"duplicate key {key!r}")
            item = next_event()
            if item.__class__ is ScalarEvent:
                out[key] = _lean_scalar(item)
            else:
                out[key] = value(item, () if nested else (key,), depth)
            event = next_event()
        return out


def _lean_scalar(event: Any) -> Any:
    """`_scalar`, with the common case (no anchor, tag, resolver or escape) inline."""
    value = event.value
    if event.anchor is None and event.tag is None and (
            (event.implicit[0] and value[:1] not in _RESOLVERS)
            or (not event.implicit[0] and event.style != '"')):
        return value
    return _scalar(event)


def _line(event: Event) -> int:
    mark = event.start_mark
    return int(mark.line) + 1 if mark is not None else 1


def _plain_node(event: Any, line: int) -> None:
    if event.anchor is not None:
        raise YamlError(line, f"anchors (&{event.anchor}) are not allowed")
    if event.tag is not None:
        tag = event.tag.replace("tag:yaml.org,2002:", "!!")
        raise YamlError(line, f"tags ({tag}) are not allowed")


def _escaped(event: ScalarEvent, where: str) -> None:
    """Only a double-quoted scalar's escapes can add characters the file check did not see."""
    if event.style == '"':
        bad = _BAD_VALUE.search(event.value)
        if bad:
            raise YamlError(_line(event), f"{_char(bad.group())} in {where}")


def _key(event: Event, line: int) -> str:
    if event.__class__ is not ScalarEvent:
        if isinstance(event, AliasEvent):
            raise YamlError(line, f"aliases (*{event.anchor}) are not allowed")
        raise YamlError(line, "a key must be plain text, not a list or mapping")
    _plain_node(event, line)
    key: str = event.value
    if key == "<<" and event.implicit[0]:
        raise YamlError(line, "merge keys (<<) are not allowed")
    if not key:
        raise YamlError(line, "empty key")
    _escaped(event, "a key")
    return key


def _scalar(event: ScalarEvent) -> Any:
    if event.anchor is not None or event.tag is not None:
        _plain_node(event, _line(event))
    value: str = event.value
    if event.implicit[0]:  # plain: resolve as YAML 1.1 does
        for tag, regexp in _RESOLVERS.get(value[:1], ()):
            if regexp.match(value):
                return _construct(tag, value, _line(event))
        return value
    _escaped(event, "a value")
    return value


def _construct(tag: str, value: str, line: int) -> Any:
    kind = tag.rsplit(":", 1)[-1]
    if kind == "null":
        return None
    if kind == "bool":
        return _BOOLS[value.lower()]
    try:
        if kind == "int":
            return _CONSTRUCTOR.construct_yaml_int(ScalarNode(tag, value))
        if kind == "float":
            return _CONSTRUCTOR.construct_yaml_float(ScalarNode(tag, value))
    except ValueError:  # more digits than int() converts (sys.get_int_max_str_digits)
        raise YamlError(line, f"number too long to read ({len(value)} characters)") from None
    if kind == "merge":
        raise YamlError(line, "merge keys (<<) are not allowed")
    raise YamlError(line, f"{value!r} cannot be read as {kind}; quote it")
