"""SPARQL 1.1 over the graph: an embedded Oxigraph store filled from our own export.

`store.py` builds and switches the store, `worker.py` answers queries in a
child process that `pool.py` kills at the deadline, `service.py` ties them to
the graph for the API and the CLI.
"""
