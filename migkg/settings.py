"""All settings, in one pydantic-settings object.

Every field is documented in the settings table of docs/cli.md; `tests/test_docs.py`
fails when one is missing there.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_NEO4J_PASSWORD = "migkg-dev-password"  # noqa: S105 - documented development default
# An ad-hoc answer's budget (graph/budget.py): the largest answer the curated data can
# give under the row cap (1,000 rows of two whole nodes) is about 4 MB and 200,000 values.
CONSOLE_MAX_BYTES = 32 * 2**20
CONSOLE_MAX_CELLS = 1_000_000


class Settings(BaseSettings):
    """Runtime configuration, read from the environment (`MIGKG_*`, `NEO4J_*`)."""

    model_config = SettingsConfigDict(env_prefix="MIGKG_", extra="ignore", populate_by_name=True)

    env: Literal["development", "production"] = Field(
        "development", description="`production` refuses development defaults for secrets."
    )
    home: Path = Field(
        Path(".migkg"), description="Folder for the embedded engine's socket, data and logs."
    )
    backend: Literal["embedded", "neo4j"] = Field(
        "embedded", description="Graph engine: `embedded` (FalkorDB child process) or `neo4j`."
    )
    data: Path = Field(Path("data"), description="Folder of curated YAML facts.")
    allow_unchecked_quotes: bool = Field(
        False, description="Read a data folder whose documents have no `sources/` texts, "
        "its quotes unchecked (a warning says so); off, such a folder is refused. "
        "`--allow-unchecked-quotes` sets it for one command, and for `serve`'s background load.",
    )
    graph: str = Field(
        "migkg",
        pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,62}$",
        description="Graph name inside the embedded engine.",
    )
    query_timeout_ms: int = Field(
        5000, ge=10, le=600_000, description="Server-side timeout for ad-hoc and named queries."
    )
    row_cap: int = Field(1000, ge=1, le=100_000, description="Most rows an ad-hoc query returns.")
    console_concurrency: int = Field(
        4, ge=1, le=64, description="Most ad-hoc queries (Cypher console) running at once; "
        "more are refused with 429."
    )
    console_per_client: int = Field(
        0, ge=0, le=64, description="Most ad-hoc queries (Cypher console, and SPARQL apart) one "
        "client address runs at once; more are refused with 429. 0: half of "
        "`MIGKG_CONSOLE_CONCURRENCY`, at least 1, so one client never takes every slot."
    )
    console_max_bytes: int = Field(
        CONSOLE_MAX_BYTES, ge=1024, le=2**31,
        description="Most bytes an ad-hoc answer (Cypher console, SPARQL) may take, counted "
        "as the engine sends it and as the API encodes it; past it the read stops and the "
        "answer is refused with 422.",
    )
    console_max_cells: int = Field(
        CONSOLE_MAX_CELLS, ge=1, le=100_000_000,
        description="Most values an ad-hoc answer may hold (each list element, map entry and "
        "property counts one); past it the read stops and the answer is refused with 422.",
    )
    host: str = Field(
        "127.0.0.1", description="Address `migkg serve` (and so `scripts/run.sh`) binds to."
    )
    port: int = Field(
        8000, ge=1, le=65535, description="Port `migkg serve` (and so `scripts/run.sh`) listens on."
    )
    cors_origins: list[str] = Field(
        default_factory=list, description="Origins allowed by CORS (JSON list); none by default."
    )
    cache_max_age: int = Field(60, ge=0, description="Cache-Control max-age (s) on read endpoints.")
    access_log: bool = Field(
        False, description="Log every request (uvicorn's access log); off by default, since it "
        "costs more than a cached answer.",
    )
    server_loop: Literal["auto", "uvloop", "asyncio"] = Field(
        "auto", description="`migkg serve`'s event loop: `auto` takes uvloop (a dependency) "
        "where it runs, else asyncio.",
    )
    server_http: Literal["auto", "httptools", "h11"] = Field(
        "auto", description="`migkg serve`'s HTTP parser: `auto` takes httptools (C, a "
        "dependency), else h11.",
    )
    response_cache_bytes: int = Field(
        64 * 2**20, ge=0, le=2**34,
        description="Memory (bytes) for answers kept by (path, query, Accept, graph digest) "
        "and served again until the next load; 0 turns the response cache off.",
    )
    digest_check_ms: int = Field(
        1000, ge=0, le=3_600_000,
        description="How often (ms) the API re-reads the graph's digest, so a load by another "
        "process is noticed; a load in the serving process is noticed at once.",
    )
    max_body_bytes: int = Field(
        1_048_576, ge=1024, le=2**30,
        description="Largest request body the API accepts (bytes); a larger one answers 413.",
    )
    max_header_bytes: int = Field(
        32_768, ge=1024, le=2**20,
        description="Largest request head `migkg serve` reads (bytes: the request line and "
        "every header); a larger one answers 431 (414 for the request line alone).",
    )
    max_headers: int = Field(
        100, ge=8, le=1000, description="Most header fields in a request; more answer 431.",
    )
    header_timeout_ms: int = Field(
        10_000, ge=100, le=600_000,
        description="Time a client has, from connecting (or a request's first byte), to send "
        "the whole request head; past it `migkg serve` answers 408 and closes the connection.",
    )
    body_timeout_ms: int = Field(
        30_000, ge=100, le=3_600_000,
        description="Time a client has, from the end of the request head, to send the whole "
        "body; past it `migkg serve` answers 408 (unless an answer has started) and closes.",
    )
    base_iri: str = Field(
        "https://w3id.org/migkg", description="Base for entity IRIs: `{base}/id/{kind}/{id}`."
    )
    neo4j_uri: str = Field(
        "bolt://localhost:7687",
        validation_alias=AliasChoices("NEO4J_URI", "MIGKG_NEO4J_URI"),
        description="Neo4j URI (`bolt://`, `neo4j://`, `neo4j+s://`).",
    )
    neo4j_user: str = Field(
        "neo4j",
        validation_alias=AliasChoices("NEO4J_USER", "MIGKG_NEO4J_USER"),
        description="Neo4j user name.",
    )
    neo4j_password: SecretStr = Field(
        SecretStr(DEV_NEO4J_PASSWORD),
        validation_alias=AliasChoices("NEO4J_PASSWORD", "MIGKG_NEO4J_PASSWORD"),
        description="Neo4j password; the development default is refused in production.",
    )
    neo4j_database: str = Field(
        "neo4j",
        validation_alias=AliasChoices("NEO4J_DATABASE", "MIGKG_NEO4J_DATABASE"),
        description="Neo4j database name.",
    )

    @property
    def file_cache(self) -> Path:
        """Where each clean data file's checked facts are kept (loaders/cache.py)."""
        return self.home / "cache" / "files"

    def graph_state(self, graph: str) -> Path:
        """Where a graph's item digests are kept between loads (loaders/diff.py)."""
        return self.home / "cache" / "state" / f"{graph}.state"

    @model_validator(mode="after")
    def _no_dev_secrets_in_production(self) -> Settings:
        if (
            self.env == "production"
            and self.backend == "neo4j"
            and self.neo4j_password.get_secret_value() == DEV_NEO4J_PASSWORD
        ):
            raise ValueError("NEO4J_PASSWORD must be set in production")
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
