"""Local accounts and API keys: creation, checking, locking, revocation.

Passwords are hashed with Werkzeug's `scrypt` (slow on purpose: people choose guessable
passwords). API keys are random 32-byte tokens, so a plain SHA-256 of the key is enough to
store (nothing to brute-force) and keeps each API request fast (scrypt costs ~50 ms);
only the hash and an 8-character prefix (shown in lists) are kept: a key is seen once.
"""
from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import case, func, or_, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from webapp import db
from webapp.auth import config
from webapp.db.models import ApiKey, User

log = logging.getLogger(__name__)
KEY_PREFIX_LENGTH = 8
# Checked against when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash(secrets.token_urlsafe(16))


class AccountError(ValueError):
    """A request about accounts that cannot be done; the message says why."""


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    active: bool
    kind: str = "user"   # user | api_key
    session_version: int = 0   # sessions opened with another version are refused


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _aware(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; they were written in UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


def _check_role(role: str, allowed: tuple[str, ...]) -> None:
    if role not in allowed:
        raise AccountError(f"role must be one of {', '.join(allowed)} (got {role!r})")


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 80 or not all(ch.isalnum() or ch in "._-@" for ch in name):
        raise AccountError("name: 1 to 80 letters, digits or . _ - @")
    return name


# --- users ----------------------------------------------------------------------------------------

def add_user(name: str, role: str, password: str, url: str | None = None) -> Account:
    name = _check_name(name)
    _check_role(role, config.ROLES)
    if len(password or "") < config.MIN_PASSWORD_LENGTH:
        raise AccountError(f"password: at least {config.MIN_PASSWORD_LENGTH} characters")
    with db.session(url) as session:
        if session.scalar(select(User).where(User.name == name)) is not None:
            raise AccountError(f"user {name!r} already exists")
        session.add(User(name=name, role=role, password_hash=generate_password_hash(password),
                         active=True, failed_attempts=0, created_at=_now()))
    log.info("user %s created with role %s", name, role)
    return Account(name, role, True)


def list_users(url: str | None = None) -> list[Account]:
    with db.session(url) as session:
        return [Account(u.name, u.role, u.active) for u in session.scalars(select(User).order_by(User.name))]


def _switch_off(model: type, name: str, attribute: str, value: bool, what: str,
                url: str | None) -> None:
    """Set a user's `active` or a key's `revoked` flag (rows are kept: the log names them)."""
    with db.session(url) as session:
        row = session.scalar(select(model).where(model.name == name))
        if row is None:
            raise AccountError(f"no {what} named {name!r}")
        setattr(row, attribute, value)
    log.info("%s %s switched off (%s=%s)", what, name, attribute, value)


def disable_user(name: str, url: str | None = None) -> None:
    _switch_off(User, name, "active", False, "user", url)


def count_admins(url: str | None = None) -> int:
    with db.session(url) as session:
        return int(session.scalar(select(func.count()).select_from(User).where(
            User.role == "admin", User.active.is_(True))) or 0)


def count_users(url: str | None = None) -> int:
    with db.session(url) as session:
        return int(session.scalar(select(func.count()).select_from(User)) or 0)


def authenticate(name: str, password: str, url: str | None = None) -> tuple[Account | None, str]:
    """(account, "") when the password is right; (None, "invalid" | "locked") otherwise.

    The attempt is counted *before* the password is checked, in one atomic
    `UPDATE ... RETURNING` that also locks the account for `LOCKOUT_MINUTES` when it is the
    `MAX_FAILED_ATTEMPTS`-th in a row: parallel guesses each take a numbered slot, at most
    `MAX_FAILED_ATTEMPTS` of them are ever checked, and an attempt whose check fails
    half-way has been counted already. A right password resets the count. When the count
    cannot be written (database read-only or down) nothing is checked: `DatabaseError`.
    """
    name = (name or "").strip()[:80]
    now = _now()
    reaches_limit = User.failed_attempts + 1 >= config.MAX_FAILED_ATTEMPTS
    counted = (update(User)
               .where(User.name == name, User.active.is_(True),
                      or_(User.locked_until.is_(None), User.locked_until <= now))
               .values(failed_attempts=case((reaches_limit, 0), else_=User.failed_attempts + 1),
                       locked_until=case((reaches_limit, now + timedelta(minutes=config.LOCKOUT_MINUTES)),
                                         else_=None))
               .returning(User.password_hash, User.role, User.session_version, User.locked_until))
    with db.write_lock(url), db.connection(url) as connection:
        slot = connection.execute(counted).first()
    if slot is None:  # unknown, disabled or locked: spend the same time as a check
        check_password_hash(_DUMMY_HASH, password or "")
        with db.session(url) as session:
            user = session.scalar(select(User).where(User.name == name))
        locked = user is not None and user.active and _aware(user.locked_until) is not None
        return None, "locked" if locked else "invalid"
    if check_password_hash(slot.password_hash, password or ""):
        with db.write_lock(url), db.connection(url) as connection:
            connection.execute(update(User).where(User.name == name)
                               .values(failed_attempts=0, locked_until=None))
        return Account(name, slot.role, True, session_version=int(slot.session_version or 0)), ""
    if slot.locked_until is not None:
        log.warning("user %s locked for %d minutes after %d failed sign-ins", name,
                    config.LOCKOUT_MINUTES, config.MAX_FAILED_ATTEMPTS)
        return None, "locked"
    return None, "invalid"


def active_user(name: str, url: str | None = None) -> Account | None:
    """The account behind a session cookie, if it still exists and is active."""
    with db.session(url) as session:
        user = session.scalar(select(User).where(User.name == name))
        if user is None or not user.active:
            return None
        return Account(user.name, user.role, True, session_version=int(user.session_version or 0))


def end_sessions(name: str, url: str | None = None) -> None:
    """Sign-out: every session of `name` opened so far is refused from now on (all devices)."""
    with db.write_lock(url), db.connection(url) as connection:
        connection.execute(update(User).where(User.name == name)
                           .values(session_version=User.session_version + 1))


def create_demo_accounts(url: str | None = None) -> list[tuple[str, str, str]]:
    """On an empty user table: one account per role with a random password (name, role, password)."""
    if count_users(url):
        return []
    created = []
    for name, role in config.DEMO_ACCOUNTS:
        password = secrets.token_urlsafe(12)
        add_user(name, role, password, url)
        created.append((name, role, password))
    return created


# --- API keys -----------------------------------------------------------------------------------------

def create_api_key(name: str, role: str, url: str | None = None) -> str:
    """A new key for `name`; the returned text is the only time it is seen."""
    name = _check_name(name)
    _check_role(role, config.API_KEY_ROLES)
    token = secrets.token_urlsafe(32)
    with db.session(url) as session:
        if session.scalar(select(ApiKey).where(ApiKey.name == name)) is not None:
            raise AccountError(f"API key {name!r} already exists")
        session.add(ApiKey(name=name, role=role, prefix=token[:KEY_PREFIX_LENGTH],
                           key_hash=_key_hash(token), revoked=False, created_at=_now()))
    log.info("API key %s created with role %s", name, role)
    return token


def revoke_api_key(name: str, url: str | None = None) -> None:
    _switch_off(ApiKey, name, "revoked", True, "API key", url)


def list_api_keys(url: str | None = None) -> list[Account]:
    with db.session(url) as session:
        return [Account(k.name, k.role, not k.revoked, "api_key")
                for k in session.scalars(select(ApiKey).order_by(ApiKey.name))]


def check_api_key(token: str, url: str | None = None) -> Account | None:
    """The key's account when `token` is a valid, unrevoked key."""
    token = (token or "").strip()
    if len(token) < KEY_PREFIX_LENGTH or len(token) > 200:
        return None
    with db.session(url) as session:
        key = session.scalar(select(ApiKey).where(ApiKey.key_hash == _key_hash(token)))
        if key is None or key.revoked:
            return None
        return Account(key.name, key.role, True, "api_key")


def _key_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
