"""The `migkg` command line: the roof of the house.

It imports every other package and no package imports it (tests/test_layers.py).
`cli.main` builds the parser from the command modules; `cli.base` holds what
those modules share.
"""
