"""The `migkg` command line: validate | load | stats | query | serve | export | ontology.

Each command lives in a module that exposes `register(subparsers)`; adding a command
from another module is one line in `COMMAND_MODULES`. Errors end here, at the
boundary: one line on stderr (plus candidates or suggestions where there are some),
never a traceback; exit 1 for bad input, 2 for usage (`docs/cli.md`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from cli import commands, rdf_commands, release_commands, sources_commands, sparql_commands
from cli.base import EXIT_BAD_INPUT, EXIT_INTERRUPTED, EXIT_OK
from cli.output import abandon_stdout
from migkg import __version__
from migkg.exc import Ambiguous, InvalidFacts, MigkgError, NotFound

# The modules with `register(subparsers)`, in the order their commands are listed.
COMMAND_MODULES = [commands, rdf_commands, sparql_commands, sources_commands,
                   release_commands]


# -- the parser and the boundary ---------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    """Every command of every module in `COMMAND_MODULES`."""
    parser = argparse.ArgumentParser(
        prog="migkg", description=__doc__.split("\n\n", 1)[0] if __doc__ else None,
        epilog="Exit status: 0 success, 1 bad input or a failed command, 2 usage error.")
    parser.add_argument("--version", action="version", version=f"migkg {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")


def _describe(candidate: dict[str, Any]) -> str:
    how = f"  [{candidate['match']}]" if candidate.get("match") else ""
    return f"  {candidate.get('id')}  {candidate.get('kind', '')}  {candidate.get('name', '')}{how}"


def report(command: str, err: MigkgError) -> None:
    """The error as the API words it, with its candidates or suggestions."""
    _err(f"migkg {command}: {err.title}: {err.detail}")
    if isinstance(err, Ambiguous) and err.extra.get("candidates"):
        _err("candidates:")
        for candidate in err.extra["candidates"]:
            _err(_describe(candidate))
    suggestions = err.extra.get("suggestions") if isinstance(err, NotFound) else None
    if suggestions:
        names = [s if isinstance(s, str) else f"{s.get('name')} ({s.get('id')})" for s in suggestions]
        _err(f"did you mean: {', '.join(names)}?")


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
