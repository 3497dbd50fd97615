"""The rdflib baseline for the export: every triple into an rdflib Graph, then `serialize("nt")`.

    MIGKG_HOME=... MIGKG_GRAPH=... .venv/bin/python bench/rdflib_export.py OUT.nt
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from graph import open_backend  # noqa: E402
from migkg.settings import get_settings  # noqa: E402
from ontology.export import build_graph  # noqa: E402

settings = get_settings()
backend = open_backend(settings)
Path(sys.argv[1]).write_bytes(build_graph(backend, settings.base_iri).serialize(format="nt",
                                                                                encoding="utf-8"))
backend.close()
