#!/bin/sh
# The migkg image's entrypoint.
#
#   serve (the default): load data/ into the graph (replacing it), then serve
#                        the API on 0.0.0.0:8000; a failed load stops here.
#   anything else:       run as given, e.g.
#                        `docker compose run --rm api migkg stats`
set -eu

if [ "$#" -eq 0 ] || [ "$1" = "serve" ]; then
    migkg load
    exec migkg serve --host 0.0.0.0 --port 8000
fi
exec "$@"
