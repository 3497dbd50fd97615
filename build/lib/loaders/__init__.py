"""Loaders: read, validate and load the curated facts."""
