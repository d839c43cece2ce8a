"""`python -m webapp users|apikeys ...`: manage sign-in accounts and API keys.

Passwords come from standard input (one line) or are prompted without echo; an API
key is printed once, at creation (only its hash is stored).
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


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m webapp", description=__doc__.splitlines()[0])
    groups = main.add_subparsers(dest="group", required=True)
    users = groups.add_parser("users", help="sign-in accounts (SCORING_AUTH=local)")
    user_cmds = users.add_subparsers(dest="command", required=True)
    add = user_cmds.add_parser("add", help="create an account (password from stdin or prompted)")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=config.ROLES)
    user_cmds.add_parser("list", help="list accounts")
    disable = user_cmds.add_parser("disable", help="disable an account (kept for the log)")
    disable.add_argument("name")
    keys = groups.add_parser("apikeys", help="API keys for other systems")
    key_cmds = keys.add_subparsers(dest="command", required=True)
    create = key_cmds.add_parser("create", help="create a key (printed once)")
    create.add_argument("name")
    create.add_argument("--role", required=True, choices=config.API_KEY_ROLES)
    key_cmds.add_parser("list", help="list keys (names and roles, never the keys)")
    revoke = key_cmds.add_parser("revoke", help="revoke a key")
    revoke.add_argument("name")
    return main


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = parser().parse_args(argv)
    try:
        if args.group == "users":
            if args.command == "add":
                accounts.add_user(args.name, args.role, _password(prompt=True))
                print(f"user {args.name} created ({args.role})")
            elif args.command == "list":
                print(_table(accounts.list_users()))
            else:
                accounts.disable_user(args.name)
                print(f"user {args.name} disabled")
        else:
            if args.command == "create":
                key = accounts.create_api_key(args.name, args.role)
                print(f"API key {args.name} ({args.role}), shown once:\n{key}")
            elif args.command == "list":
                print(_table(accounts.list_api_keys()))
            else:
                accounts.revoke_api_key(args.name)
                print(f"API key {args.name} revoked")
    except accounts.AccountError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # database unreachable, bad URL: say so, no traceback
        print(f"error: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
