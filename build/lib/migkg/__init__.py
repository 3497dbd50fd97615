"""migration-kg: a knowledge graph of European cooperation against irregular migration."""

__version__ = "0.1.0"
