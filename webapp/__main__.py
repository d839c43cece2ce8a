"""`python -m webapp users|apikeys|audit|db ...`: accounts, API keys, the log's check, migrations.

Passwords come from standard input (one line) or are prompted without echo; an API
key is printed once, at creation (only its hash is stored). `audit verify` walks the
decision log's hash chain and names the first broken link (exit status 1); `db upgrade`
applies the migrations with the URL it is given (the owner role on PostgreSQL).
"""
from __future__ import annotations

import argparse
import getpass
import logging
import sys

from webapp.auth import accounts, config


def _password(prompt: bool) -> str:
    if sys.stdin.isatty() and prompt:
        first = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != first:
            raise accounts.AccountError("the two passwords differ")
        return first
    return sys.stdin.readline().rstrip("\n")


def _table(rows: list[accounts.Account]) -> str:
    lines = [f"{'name':<24} {'role':<8} active"]
    lines += [f"{r.name:<24} {r.role:<8} {'yes' if r.active else 'no'}" for r in rows]
    return "\n".join(lines)


def _add_user(args) -> str:
    accounts.add_user(args.name, args.role, _password(prompt=True))
    return f"user {args.name} created ({args.role})"


def _disable_user(args) -> str:
    accounts.disable_user(args.name)
    return f"user {args.name} disabled"


def _create_key(args) -> str:
    return f"API key {args.name} ({args.role}), shown once:\n{accounts.create_api_key(args.name, args.role)}"


def _revoke_key(args) -> str:
    accounts.revoke_api_key(args.name)
    return f"API key {args.name} revoked"


class CheckFailed(Exception):
    """A check that ran and found a problem (exit status 1, message on stderr)."""


def _verify_log(_args) -> str:
    from webapp.db import audit_log

    verdict = audit_log.verify_chain()
    if not verdict.ok:
        raise CheckFailed(str(verdict))
    return str(verdict)


def _upgrade(_args) -> str:
    from webapp import db

    db.engine()  # migrates on first use
    return "database schema up to date"


# group -> (help, roles, {command: (help, takes a name, takes --role, handler)})
COMMANDS = {
    "users": ("sign-in accounts (SCORING_AUTH=local)", config.ROLES, {
        "add": ("create an account (password from stdin or prompted)", True, True, _add_user),
        "list": ("list accounts", False, False, lambda _args: _table(accounts.list_users())),
        "disable": ("disable an account (kept for the log)", True, False, _disable_user),
    }),
    "apikeys": ("API keys for other systems", config.API_KEY_ROLES, {
        "create": ("create a key (printed once)", True, True, _create_key),
        "list": ("list keys (names and roles, never the keys)", False, False,
                 lambda _args: _table(accounts.list_api_keys())),
        "revoke": ("revoke a key", True, False, _revoke_key),
    }),
    "audit": ("the decision log", (), {
        "verify": ("check the hash chain; names the first broken link", False, False, _verify_log),
    }),
    "db": ("the app's database (SCORING_DATABASE_URL)", (), {
        "upgrade": ("apply the migrations (run as the owner role on PostgreSQL)", False, False, _upgrade),
    }),
}


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m webapp", description=__doc__.splitlines()[0])
    groups = main.add_subparsers(dest="group", required=True)
    for group, (group_help, roles, commands) in COMMANDS.items():
        sub = groups.add_parser(group, help=group_help).add_subparsers(dest="command", required=True)
        for command, (command_help, named, with_role, handler) in commands.items():
            command_parser = sub.add_parser(command, help=command_help)
            if named:
                command_parser.add_argument("name")
            if with_role:
                command_parser.add_argument("--role", required=True, choices=roles)
            command_parser.set_defaults(handler=handler)
    return main


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = parser().parse_args(argv)
    try:
        print(args.handler(args))
    except accounts.AccountError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except CheckFailed as error:
        print(str(error), file=sys.stderr)
        return 1
    except Exception as error:  # database unreachable, bad URL: say so, no traceback
        print(f"error: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
