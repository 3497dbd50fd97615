"""A seeded synthetic `data/` folder in the project's own YAML format, at any size.

    .venv/bin/python bench/synthetic_data.py 10000 /tmp/data-10k [--seed 42]

Every file it writes passes `migkg validate`: every node kind and relationship
type of the schema (required properties always, optional ones at random), ids
unique, references to declared entities of allowed kinds, no duplicate
relationship keys, about 2.5 relationships per entity. Every quote is a verbatim
span of one of the five source texts (`data/sources/*.txt`) and cites a document
whose `file` is that text; the folder gets a `sources/` copy of the five texts and
their manifests, so `migkg validate` finds and anchors every quote.
Files hold at most CHUNK items, well under the reader's 64 MiB bound per file.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph.schema import PropertySpec, Schema, get_schema  # noqa: E402

TEXTS = ROOT / "data" / "sources"  # the five texts and their manifests
CHUNK = 20_000
RELS_PER_ENTITY = 2.5
# Shares per 20,000 entities (the curated data's proportions, as in synthetic_graph.py).
SHARE = {"Document": 500, "Country": 600, "Organisation": 2900, "Person": 3000,
         "Agreement": 3000, "Policy": 1500, "Route": 500, "Principle": 3000, "Event": 3000,
         "Figure": 2000}
MAX_COUNTRIES = 26 * 26
_WORD = re.compile(r"\S+")


def sizes(n: int, kinds: list[str]) -> dict[str, int]:
    """Entities per kind for `n` entities in all (at least 2 of each kind; a kind new to
    the schema gets 500 per 20,000)."""
    out = {kind: max(2, round(SHARE.get(kind, 500) * n / 20_000)) for kind in kinds}
    out["Country"] = min(out["Country"], MAX_COUNTRIES)
    out["Organisation"] += n - sum(out.values())  # the exact total goes to the largest kind
    return out


def quotes_of(text: str, rng: random.Random, count: int = 400) -> list[str]:
    """`count` verbatim spans of 3 to 12 words, each within one line of `text`."""
    out: list[str] = []
    lines = [line for line in text.splitlines() if len(_WORD.findall(line)) >= 3]
    while len(out) < count:
        line = rng.choice(lines)
        words = list(_WORD.finditer(line))
        k = rng.randint(3, min(12, len(words)))
        start = rng.randint(0, len(words) - k)
        span = line[words[start].start(): words[start + k - 1].end()]
        if 3 <= len(span) <= 200:
            out.append(span)
    return out


def _q(value: str) -> str:
    """A double-quoted YAML scalar (JSON string syntax is valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


class Generator:
    """Builds the entities and relationships, then writes them as YAML."""

    def __init__(self, schema: Schema, n: int, seed: int = 42) -> None:
        self.schema, self.n, self.rng = schema, n, random.Random(seed)
        seed_files = sorted(p.name for p in TEXTS.glob("*.txt"))
        if not seed_files:
            raise SystemExit(f"no source texts in {TEXTS}")
        self.quotes = {f: quotes_of((TEXTS / f).read_text(encoding="utf-8"), self.rng)
                       for f in seed_files}
        self.seed_files = seed_files
        self.ids = {kind: [self._ident(kind, i) for i in range(k)] for kind, k in sizes(n, list(schema.nodes)).items()}
        self.org_type: dict[str, str] = {}  # for the rule that a department attends nothing
        self.doc_file = {d: seed_files[i % len(seed_files)]
                         for i, d in enumerate(self.ids["Document"])}

    @staticmethod
    def _ident(kind: str, i: int) -> str:
        if kind == "Country":
            return chr(65 + i // 26) + chr(65 + i % 26)
        return f"{kind.lower()}-{i}"

    def sources(self) -> str:
        rng, docs = self.rng, self.ids["Document"]
        out = "    sources:\n"
        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            doc = rng.choice(docs)
            out += f"      - doc: {doc}\n        quote: {_q(rng.choice(self.quotes[self.doc_file[doc]]))}\n"
        return out

    def value(self, spec: PropertySpec, i: int) -> str:
        rng = self.rng
        if spec.values:
            return rng.choice(spec.values)
        if spec.type == "date":
            return _q(rng.choice((f"{2000 + i % 26}", f"2025-{i % 12 + 1:02d}",
                                  f"2024-{i % 12 + 1:02d}-{i % 28 + 1:02d}")))
        if spec.type == "int":
            low = int(spec.minimum if spec.minimum is not None else 0)
            high = int(spec.maximum if spec.maximum is not None else 1_000_000)
            return str(rng.randint(low, min(high, low + 500)))
        if spec.type == "float":
            low = spec.minimum if spec.minimum is not None else 0.0
            high = spec.maximum if spec.maximum is not None else low + 10_000
            return f"{low + rng.random() * (high - low):.2f}"
        if spec.type == "list[string]":
            return f"[{_q(f'alias {i}')}, {_q(f'other name {i}')}]"
        if spec.pattern == "^Q[0-9]+$":
            return f"Q{rng.randint(1, 10**8)}"
        if spec.type == "text":
            return _q(f"A synthetic summary of item {i}, written for the scale benchmark.")
        return _q(f"{spec.name} {i}")

    def entity(self, kind: str, i: int, ident: str) -> str:
        rng = self.rng
        # Ids quoted: a country code such as NO or ON would be a YAML 1.1 boolean.
        out = f"  - kind: {kind}\n    id: {_q(ident)}\n    name: {_q(f'{kind} {i}')}\n"
        props = self.schema.node(kind).properties
        # The date fields hang together (loaders/rules.py): a range has its basis and
        # holds the date, a status names the source date it is read from. Relative
        # dates need a dated anchor, so the synthetic data has none.
        ranged = "date_earliest" in props and rng.random() < 0.3
        if ranged:
            out += (f"    date_earliest: {_q(f'2024-{i % 12 + 1:02d}')}\n"
                    f"    date_latest: {_q(f'2025-{i % 12 + 1:02d}')}\n"
                    f"    date_basis: {_q(f'Synthetic bounds of item {i}.')}\n")
        for name, spec in props.items():
            if name in ("id", "name", *DATE_COUPLED) or (ranged and name == "date"):
                continue
            if kind == "Principle" and name == "framework":
                pool = self.ids["Agreement" if i % 2 else "Policy"]
                out += f"    {name}: {pool[i % len(pool)]}\n"
            elif kind == "Document" and name == "file":
                out += f"    file: {self.doc_file[ident]}\n"
            elif spec.required or rng.random() < 0.4:
                value = self.value(spec, i)
                if kind == "Organisation" and name == "org_type":
                    self.org_type[ident] = value
                out += f"    {name}: {value}\n"
                if name == "status" and "status_as_of" in props:
                    out += f"    status_as_of: {_q(f'2024-{i % 12 + 1:02d}-01')}\n"
        return out + self.sources()

    def entity_files(self) -> dict[str, list[str]]:
        return {kind: [self.entity(kind, i, ident) for i, ident in enumerate(idents)]
                for kind, idents in self.ids.items()}

    def relationships(self) -> list[str]:
        """About RELS_PER_ENTITY per entity, every type, no duplicate keys."""
        rng, ids, schema = self.rng, self.ids, self.schema
        want = round(self.n * RELS_PER_ENTITY)
        types = list(schema.relationships.values())
        keys: set[tuple[str, ...]] = set()
        out: list[str] = []
        # The framework of each principle is also a PART_OF edge, as in the curated data.
        for i, ident in enumerate(ids["Principle"]):
            pool = ids["Agreement" if i % 2 else "Policy"]
            keys.add(("PART_OF", ident, pool[i % len(pool)], "", "", ""))
            out.append(f"  - type: PART_OF\n    from: {ident}\n    to: {pool[i % len(pool)]}\n"
                       + self.sources())
        n_types = len(types)
        while len(out) < want:
            rel = types[len(out) % n_types]  # every type, evenly
            sk, tk = rng.choice(rel.source), rng.choice(rel.target)
            s, t = rng.choice(ids[sk]), rng.choice(ids[tk])
            body: dict[str, str] = {}
            for name, spec in rel.properties.items():
                if name == "on_behalf_of":
                    if rng.random() < 0.4:
                        body[name] = _q(rng.choice(ids[rng.choice(("Country", "Organisation"))]))
                elif spec.required or rng.random() < 0.3:
                    body[name] = self.value(spec, len(out))
            if "inferred" in body:  # the curation rules: an inferred edge has its basis,
                body["basis"] = self.value(rel.properties["basis"], len(out))
                if body["inferred"] == "from_text":  # and one inferred from the text is low
                    body["confidence"] = "low"
            else:
                body.pop("basis", None)
            if "ambiguity" in body and body.get("confidence") not in ("low", "medium"):
                body["confidence"] = "medium"  # a reading the texts leave open is not high
            if rel.name == "ATTENDED" and self.org_type.get(s) == "government_body":
                continue  # a department does not attend: its minister or a Position does
            key = (rel.name, s, t, *(body.get(k, "") for k in ("role", "title", "action")))
            if key in keys:
                continue
            keys.add(key)
            text = f"  - type: {rel.name}\n    from: {_q(s)}\n    to: {_q(t)}\n"
            text += "".join(f"    {k}: {v}\n" for k, v in body.items())
            out.append(text + self.sources())
        return out


# Written only together, by Generator.entity.
DATE_COUPLED = ("date_earliest", "date_latest", "date_basis", "date_relative_to",
                "date_relation", "status_as_of")


def _write(path: Path, section: str, items: list[str], header: str) -> None:
    with path.open("w", encoding="utf-8") as f:
        f.write(f"# {header}\n{section}:\n")
        f.writelines(items)


def write_data(out: Path, n: int, seed: int = 42, schema: Schema | None = None) -> dict[str, int]:
    """Write a valid data folder of `n` entities into `out` (created; must be empty)."""
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        raise SystemExit(f"{out} is not empty")
    gen = Generator(schema or get_schema(), n, seed)
    (out / "sources").mkdir()
    for name in gen.seed_files:  # each text with its manifest
        for path in (TEXTS / name, (TEXTS / name).with_suffix(".yaml")):
            (out / "sources" / path.name).write_bytes(path.read_bytes())
    header = f"synthetic data, {n} entities, seed {seed} (bench/synthetic_data.py)"
    counts: dict[str, int] = {}
    for kind, items in gen.entity_files().items():
        counts[kind] = len(items)
        for part, start in enumerate(range(0, len(items), CHUNK)):
            _write(out / f"{kind.lower()}-{part:03d}.yaml", "entities",
                   items[start:start + CHUNK], header)
    rels = gen.relationships()
    counts["relationships"] = len(rels)
    for part, start in enumerate(range(0, len(rels), CHUNK)):
        _write(out / f"relationships-{part:03d}.yaml", "relationships",
               rels[start:start + CHUNK], header)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("entities", type=lambda s: int(float(s)), help="entities in all, e.g. 10000 or 1e6")
    parser.add_argument("out", type=Path, help="an empty or new folder")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    counts = write_data(args.out, args.entities, args.seed)
    rels = counts.pop("relationships")
    print(f"wrote {sum(counts.values())} entities and {rels} relationships to {args.out} "
          f"in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
