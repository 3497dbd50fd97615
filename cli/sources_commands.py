"""`migkg sources add | find | check` and `migkg review`: the curator's tools for source texts.

    migkg sources add FILE --id ID --title T --licence L [--publisher P --url U --date D ...]
    migkg sources find DOC "some words"      spans with line numbers, ready to paste as quotes
    migkg sources check                      changed hashes, orphaned and unused texts
    migkg review [--doc DOC]                 per document, every fact it supports
    migkg review --changes [--since RELEASE] per document, the facts added, removed, changed

See docs/curation.md for the walkthrough.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from cli.base import add_command, settings_for
from loaders.files import Unreadable, list_data_files, read_regular
from loaders.models import SLUG, IsoDate
from loaders.texts import (
    MAX_TEXT_BYTES,
    SOURCES,
    FoldedText,
    TextProblem,
    read_manifest,
    read_text,
    sha256,
)
from loaders.yamlsource import YamlError, parse
from migkg.exc import BadRequest, NotFound

SHOWN_WARNINGS = 20


def print_warnings(facts: Any) -> None:
    """A few of the validator's warnings on stderr, and how many there were."""
    for w in facts.warnings[:SHOWN_WARNINGS]:
        print(w, file=sys.stderr)
    if len(facts.warnings) > SHOWN_WARNINGS:
        print(f"... and {len(facts.warnings) - SHOWN_WARNINGS} more warnings", file=sys.stderr)


def cmd_add(args: argparse.Namespace) -> int:
    if not re.match(SLUG, args.id) or len(args.id) > 100:
        raise BadRequest(f"--id {args.id!r} must be a slug (a-z, 0-9, -)")
    if args.date:
        from pydantic import TypeAdapter, ValidationError

        try:
            TypeAdapter(IsoDate).validate_python(args.date)
        except ValidationError as err:
            raise BadRequest(f"--date: {err.errors()[0]['msg']}") from None
    try:
        data = read_regular(Path(args.file))
    except Unreadable as err:
        raise BadRequest(f"{args.file}: {err}") from None
    if len(data) > MAX_TEXT_BYTES:
        raise BadRequest(f"{args.file}: larger than {MAX_TEXT_BYTES} bytes")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest(f"{args.file}: not UTF-8 text") from None
    folder = settings_for(args).data / SOURCES
    text, manifest = folder / f"{args.id}.txt", folder / f"{args.id}.yaml"
    if (text.exists() or manifest.exists()) and not args.force:
        raise BadRequest(f"{text} already exists; pass --force to replace it")
    folder.mkdir(parents=True, exist_ok=True)
    digest = sha256(data)
    values = {"id": args.id, "file": text.name, "title": args.title, "publisher": args.publisher,
              "url": args.url, "date": args.date, "date_basis": args.date_basis,
              "licence": args.licence, "licence_url": args.licence_url,
              "attribution": args.attribution or f"Licensed under the {args.licence}.",
              "retrieval": args.retrieval or f"Added from {Path(args.file).name} with "
                                             "`migkg sources add`.",
              "sha256": digest}
    lines = ["# Manifest of the source text beside it (see docs/curation.md)."]
    lines += [f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in values.items() if v]
    text.write_bytes(data)
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"stored {text} ({len(data)} bytes)\nsha256 {digest}\nmanifest {manifest}")
    print("\nDeclare it in a data file (e.g. documents.yaml):\n")
    print(f"  - kind: Document\n    id: {args.id}\n    name: {json.dumps(args.title)}\n"
          f"    title: {json.dumps(args.title)}\n    file: {text.name}")
    for key in ("publisher", "url", "date"):
        if values[key]:
            print(f"    {key}: {json.dumps(values[key])}")
    print(f"    sources:\n      - doc: {args.id}\n        quote: \"...\"   "
          f"# migkg sources find {args.id} \"words of its title\"")
    return 0


def _text_of(folder: Path, doc: str) -> tuple[str, FoldedText]:
    """The stored text of document `doc`: `<doc>.txt`, or the manifest whose id is `doc`."""
    candidates = [folder / f"{doc}.txt"]
    if folder.is_dir():
        for m in sorted(folder.glob("*.yaml")):
            try:
                values, _ = read_manifest(m)
            except TextProblem:
                continue
            if values.get("id") == doc:
                candidates.insert(0, folder / values["file"])
    for path in candidates:
        if path.is_file():
            try:
                return path.name, read_text(folder, path.name)
            except TextProblem as err:
                raise BadRequest(f"{err.file}:{err.line}: {err.message}") from None
    raise NotFound(f"no stored text for {doc!r} in {folder}")


def cmd_find(args: argparse.Namespace) -> int:
    folder = settings_for(args).data / SOURCES
    name, text = _text_of(folder, args.doc)
    found = text.matches(args.words, limit=args.limit)
    if not found:
        print(f"not found in {SOURCES}/{name}: {args.words!r} (after folding whitespace, "
              "curly apostrophes and case)", file=sys.stderr)
        return 1
    for a in found:
        quote = re.sub(r"\s+", " ", a.exact)
        context = re.sub(r"\s+", " ", f"{a.prefix}[{a.exact}]{a.suffix}")
        print(f"{SOURCES}/{name}:{text.line_of(a.start)}: {a.start}-{a.end}: ...{context}...")
        print(f"      - doc: {args.doc}\n        quote: {json.dumps(quote, ensure_ascii=False)}"
              + ("   # longer than 200 characters: shorten it" if len(quote) > 200 else ""))
    return 0


def _declared(data: Path) -> tuple[dict[str, tuple[str, str]], set[str], list[str]]:
    """Documents declared in the YAML files (id -> (file, where)), the cited document
    ids, and files that could not be read; a light parse that needs no valid facts."""
    docs: dict[str, tuple[str, str]] = {}
    cited: set[str] = set()
    unread: list[str] = []
    files, _ = list_data_files(data)
    for path in files:
        try:
            doc = parse(read_regular(path))
        except (Unreadable, YamlError) as err:
            unread.append(f"{path}: {err}")
            continue
        body = doc.data if isinstance(doc.data, dict) else {}
        for section in ("entities", "relationships"):
            for i, item in enumerate(body.get(section) or []):
                if not isinstance(item, dict):
                    continue
                if item.get("kind") == "Document" and isinstance(item.get("id"), str):
                    docs[item["id"]] = (str(item.get("file", "")),
                                        f"{path}:{doc.line_of((section, i))}")
                for s in item.get("sources") or []:
                    if isinstance(s, dict) and isinstance(s.get("doc"), str) and (
                            item.get("id") != s["doc"]):
                        cited.add(s["doc"])
    return docs, cited, unread


def cmd_check(args: argparse.Namespace) -> int:
    data = settings_for(args).data
    folder = data / SOURCES
    problems: list[str] = []
    texts = sorted(p.name for p in folder.glob("*.txt")) if folder.is_dir() else []
    for m in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        try:
            values, lines = read_manifest(m)
        except TextProblem as err:
            problems.append(f"{err.file}:{err.line}: {err.message}")
            continue
        if not (folder / values["file"]).is_file():
            problems.append(f"{m}:{lines['file']}: orphaned manifest: {values['file']} is missing")
    ok = []
    for name in texts:
        try:
            read_text(folder, name)
            ok.append(name)
        except TextProblem as err:
            problems.append(f"{err.file}:{err.line}: {err.field + ': ' if err.field else ''}"
                            f"{err.message}")
    docs, cited, unread = _declared(data)
    problems += [f"{u} (its documents were not checked)" for u in unread]
    used = {f for f, _ in docs.values()}
    for ident, (name, where) in sorted(docs.items()):
        if name not in texts:
            problems.append(f"{where}: document {ident!r}: no stored text {SOURCES}/{name}")
        if ident not in cited:
            problems.append(f"{where}: unused document {ident!r}: no fact besides itself cites it")
    for name in texts:
        if name not in used:
            problems.append(f"{folder / name}:1: orphaned text: no Document has file: {name}")
    for p in problems:
        print(p)
    print(f"{len(texts)} texts, {len(ok)} matching their manifests, {len(docs)} documents: "
          f"{len(problems)} problem(s)", file=sys.stderr)
    return 1 if problems else 0


def cmd_review(args: argparse.Namespace) -> int:
    from loaders.pipeline import read_facts

    settings = settings_for(args)
    facts = read_facts(settings.data, allow_unchecked_quotes=settings.allow_unchecked_quotes,
                       cache=settings.file_cache)
    print_warnings(facts)
    if args.changes or args.since:
        return _review_changes(args, settings, facts)
    names = {e.id: str(e.props.get("name", e.id)) for e in facts.entities}
    by_doc: dict[str, list[str]] = defaultdict(list)
    for e in facts.entities:
        for s in e.sources:
            by_doc[s["doc"]].append(f"- {e.kind} `{e.id}` ({names[e.id]}) {_cite(s)}  \n"
                                    f"  {e.file}:{e.line}")
    for r in facts.relationships:
        for s in r.sources:
            by_doc[s["doc"]].append(f"- {names.get(r.source, r.source)} -[{r.type}]-> "
                                    f"{names.get(r.target, r.target)} {_cite(s)}  \n"
                                    f"  {r.file}:{r.line}")
    docs = [e for e in facts.entities if e.kind == "Document"]
    if args.doc:
        docs = [e for e in docs if e.id == args.doc]
        if not docs:
            raise NotFound(f"no document {args.doc!r}")
    for d in docs:
        lines = sorted(by_doc[d.id], key=_position)
        print(f"## {d.props.get('title', d.id)} (`{d.id}`): {len(lines)} citations\n")
        print("\n".join(lines) + "\n")
    return 0


def _review_changes(args: argparse.Namespace, settings: Any, facts: Any) -> int:
    from graph.schema import get_schema
    from loaders.releases import Releases
    from loaders.review import changes_by_document, render_changes

    release, by_doc = changes_by_document(facts, get_schema(), Releases(settings.data), args.since)
    titles = {e.id: str(e.props.get("title") or e.props.get("name") or e.id)
              for e in facts.entities if e.kind == "Document"}
    if args.doc:
        if args.doc not in titles and args.doc not in by_doc:
            raise NotFound(f"no document {args.doc!r}")
        by_doc = {d: c for d, c in by_doc.items() if d == args.doc}
    print(render_changes(release, by_doc, titles))
    return 0


def _cite(s: dict[str, Any]) -> str:
    at = f" @{s['start']}-{s['end']}" if "start" in s else ""
    return f"\"{s['quote']}\"{at}"


def _position(line: str) -> int:
    m = re.search(r"\" @(\d+)-", line)
    return int(m.group(1)) if m else -1


FIND = ("find pm-epc-budapest-western-balkans \"North Macedonia\"", "spans ready to paste as quotes")
CHECK = ("check", "changed hashes, orphaned and unused texts")
ADD = ("add speech.txt --id home-office-speech --title \"A speech\" "
       "--licence \"Open Government Licence v3.0\"", "store a new text and its manifest")


def register(sub: Any) -> None:
    """Add `sources` (add | find | check) and `review` to the `migkg` parser."""
    src = sub.add_parser("sources", help="store, search and check the source texts",
                         description="store, search and check the source texts",
                         examples=[(f"sources {line}", what) for line, what in (
                             FIND, CHECK, ADD)])
    verbs = src.add_subparsers(dest="sources_command", required=True, metavar="VERB")

    def verb(name: str, fn: Any, help_: str, example: tuple[str, str]) -> argparse.ArgumentParser:
        return add_command(verbs, name, fn, help_, data=True,
                           examples=[(f"sources {example[0]}", example[1])])

    p = verb("add", cmd_add, "store a text as sources/<id>.txt with its manifest; print its SHA-256",
             ADD)
    p.add_argument("file", help="the document's plain text (UTF-8)")
    p.add_argument("--id", required=True, help="the Document id (a slug)")
    p.add_argument("--title", required=True)
    p.add_argument("--licence", required=True, help="e.g. 'Open Government Licence v3.0'")
    for opt in ("publisher", "url", "date", "date-basis", "licence-url", "attribution",
                "retrieval"):
        p.add_argument(f"--{opt}")
    p.add_argument("--force", action="store_true", help="replace an existing text")
    p = verb("find", cmd_find, "print the spans of a document that match some words", FIND)
    p.add_argument("doc", help="a Document id")
    p.add_argument("words", help="words to find (whitespace, curly apostrophes, case folded)")
    p.add_argument("--limit", type=int, default=20, help="matches to print (default 20)")
    verb("check", cmd_check, "report changed hashes, orphaned texts and unused documents", CHECK)
    p = add_command(sub, "review", cmd_review, "list, per document, every fact it supports (Markdown)",
                    data=True, quotes=True, examples=[
                        ("review --doc pm-epc-budapest-western-balkans", "the facts one document supports"),
                        ("review --changes", "per document, what changed since the latest release"),
                        ("review --changes --since 2026.12.2", "since a given release")])
    p.add_argument("--doc", help="only this Document id")
    p.add_argument("--changes", action="store_true",
                   help="per document, the facts added, removed and changed since a release")
    p.add_argument("--since", help="with --changes: a release version, or a date (the latest "
                                    "release on or before it); default the latest release")
