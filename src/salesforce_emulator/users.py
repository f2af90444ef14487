"""Users of the org as the login flows see them: lookup, passwords and last login."""

import hashlib
import hmac
import secrets
import sqlite3

from .store import Store
from .values import now_stamp

_PBKDF2_ROUNDS = 100_000


class UserDirectory:
    """Find users and check their passwords (stored as PBKDF2 hashes in settings)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def by_id(self, user_id: str) -> sqlite3.Row | None:
        """Return the live User row with this id, or None."""
        with self.store.read() as connection:
            return connection.execute(
                'SELECT * FROM "sobj_User" WHERE "Id" = ? AND "IsDeleted" = 0', (user_id,),
            ).fetchone()

    def by_username(self, username: str) -> sqlite3.Row | None:
        """Return the active User with this username (compared without case), or None."""
        with self.store.read() as connection:
            return connection.execute(
                'SELECT * FROM "sobj_User" WHERE "Username" = ? AND "IsDeleted" = 0 '
                'AND "IsActive" = 1',
                (username,),
            ).fetchone()

    def record_login(self, user_id: str) -> None:
        """Set the user's LastLoginDate to now."""
        with self.store.transaction() as connection:
            connection.execute(
                'UPDATE "sobj_User" SET "LastLoginDate" = ? WHERE "Id" = ?',
                (now_stamp(), user_id),
            )

    def set_password(self, user_id: str, password: str) -> str:
        """Set a user's password and return a new security token for it."""
        salt = secrets.token_bytes(16)
        digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, _PBKDF2_ROUNDS)
        security_token = secrets.token_urlsafe(18)[:24]
        self.store.set_setting(f"password:{user_id}", f"{salt.hex()}:{digest.hex()}")
        self.store.set_setting(f"security_token:{user_id}", security_token)
        return security_token

    def check_password(self, username: str, password: str) -> sqlite3.Row | None:
        """Return the user if password is right, with or without its security token appended."""
        user = self.by_username(username)
        if user is None:
            return None
        stored = self.store.get_setting(f"password:{user['Id']}")
        if stored is None:
            return None

        salt_hex, digest_hex = stored.split(":")
        token = self.store.get_setting(f"security_token:{user['Id']}") or ""
        candidates = [password]
        if token and password.endswith(token):
            candidates.append(password[: -len(token)])
        for candidate in candidates:
            digest = hashlib.pbkdf2_hmac(
                "sha256", candidate.encode(), bytes.fromhex(salt_hex), _PBKDF2_ROUNDS,
            )
            if hmac.compare_digest(digest.hex(), digest_hex):
                return user
        return None
