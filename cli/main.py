"""The `migkg` command line: curated facts into a graph, and the graph out again.

Each command lives in a module that exposes `register(subparsers)`; adding a command
from another module is one line in `COMMAND_MODULES`. Errors end here, at the
boundary: one line on stderr (plus candidates or suggestions where there are some),
never a traceback; exit 1 for bad input, 2 for usage (`docs/cli.md`).
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Sequence
from typing import Any

from cli import commands, rdf_commands, release_commands, sources_commands, sparql_commands
from cli.base import EXIT_BAD_INPUT, EXIT_INTERRUPTED, EXIT_OK, Parser, PlainError
from cli.output import abandon_stdout
from migkg import __version__
from migkg.exc import BackendUnavailable, InvalidFacts, MigkgError

# The modules with `register(subparsers)`, in the order their commands are listed.
COMMAND_MODULES = [commands, rdf_commands, sparql_commands, sources_commands,
                   release_commands]


# -- the parser and the boundary ---------------------------------------------------------------

NOT_LOADED = "no graph loaded yet: run `migkg load`"  # as cli.base.no_graph begins
EXIT_NOTE = "exit status: 0 success, 1 bad input or a failed command, 2 usage error."


def build_parser() -> argparse.ArgumentParser:
    """Every command of every module in `COMMAND_MODULES`; `--help` lists each with an example."""
    parser = Parser(prog="migkg", usage="migkg [-h] [--version] COMMAND ...",
                    description=__doc__.split("\n\n", 1)[0] if __doc__ else None)
    parser.add_argument("--version", action="version", version=f"migkg {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", prog="migkg",
                                help=argparse.SUPPRESS)  # the epilog lists them, with examples
    for module in COMMAND_MODULES:
        module.register(sub)
    parser.epilog = commands_text(sub) + "\n\n" + EXIT_NOTE
    return parser


def commands_text(sub: Any) -> str:
    """Every registered command, what it does and its first example, from the parsers
    themselves: a command added to `COMMAND_MODULES` is listed without another edit."""
    helps = {a.dest: a.help or "" for a in sub._choices_actions}
    width = max(map(len, sub.choices)) + 2
    lines = ["commands (`migkg COMMAND --help` gives its options and more examples):"]
    for verb, p in sub.choices.items():
        said = textwrap.wrap(helps.get(verb, ""), 76 - width) or [""]
        lines.append(f"  {verb:<{width}}{said[0]}")
        lines += [f"  {'':<{width}}{more}" for more in said[1:]]
        examples = getattr(p, "examples", [])
        if examples:
            lines.append(f"  {'':<{width}}$ migkg {examples[0][0]}")
    return "\n".join(lines)


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")


def _describe(candidate: Any) -> str:
    """One candidate as a line: `  id  Kind  name  [why]` (a plain name as itself)."""
    if not isinstance(candidate, dict):
        return f"  {candidate}"
    why = candidate.get("why") or candidate.get("match")
    if isinstance(why, list | tuple):
        why = ", ".join(map(str, why))
    how = f"  [{why}]" if why else ""
    words = [str(candidate[k]) for k in ("id", "kind", "name") if candidate.get(k)]
    return "  " + "  ".join(words) + how


def _named(item: Any) -> str:
    """A suggestion as a person reads it: `Serbia (Country RS)`, or a plain name."""
    if not isinstance(item, dict):
        return str(item)
    ident = " ".join(str(item[k]) for k in ("kind", "id") if item.get(k))
    name = item.get("name") or item.get("id") or "?"
    return f"{name} ({ident})" if ident and ident != name else str(name)


def report(command: str, err: MigkgError) -> None:
    """The error as the API words it, with the candidates, suggestions or allowed values
    its problem body carries (whatever the error's class), never as Python lists."""
    if isinstance(err, BackendUnavailable) and err.detail == _not_loaded_detail():
        err = PlainError(NOT_LOADED)  # found by a lower layer: the commands' own words
    said = err.detail if isinstance(err, PlainError) else f"{err.title}: {err.detail}"
    _err(f"migkg {command}: {said}")
    candidates = err.extra.get("candidates")
    if candidates:
        _err("candidates:")
        for candidate in candidates:
            _err(_describe(candidate))
    suggestions = err.extra.get("suggestions")
    if suggestions:
        _err(f"did you mean: {', '.join(map(_named, suggestions))}?")
    allowed = err.extra.get("allowed")
    if allowed and isinstance(allowed, list | tuple):
        shown = ", ".join(map(_named, allowed))
        if shown not in err.detail:  # InvalidValue's detail lists them already
            _err(f"allowed: {shown}")


def _not_loaded_detail() -> str:
    from graph.errors import not_loaded

    return not_loaded().detail


def _settings_error(command: str, err: Exception) -> None:
    from pydantic import ValidationError

    assert isinstance(err, ValidationError)
    for e in err.errors():
        where = ".".join(str(x) for x in e["loc"])
        env = where if where.isupper() else f"MIGKG_{where.upper()}"
        _err(f"migkg {command}: bad setting {env}: {e['msg']} (got {e.get('input')!r})")


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit status."""
    from pydantic import ValidationError

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = int(args.fn(args))
        sys.stdout.flush()  # a reader that left (`| head`) shows here, not at exit
        return code
    except InvalidFacts as err:
        for problem in err.problems:
            _err(str(problem))
        _err(f"migkg {args.command}: {err.detail}; nothing was written")
        return EXIT_BAD_INPUT
    except MigkgError as err:
        report(args.command, err)
        return EXIT_BAD_INPUT
    except ValidationError as err:  # a MIGKG_* variable with a bad value
        _settings_error(args.command, err)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `migkg query … | head`: the reader left, nothing to say
        abandon_stdout()  # and nothing left for the interpreter to flush into the pipe
        return EXIT_OK
    except OSError as err:  # a file or folder the command needs: one line, no traceback
        where = f": {err.filename}" if err.filename else ""
        _err(f"migkg {args.command}: {err.strerror or err}{where}")
        return EXIT_BAD_INPUT
    except Exception as err:  # noqa: BLE001 - the boundary: never a traceback for a user
        _err(f"migkg {args.command}: internal error: {type(err).__name__}: {err}")
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
