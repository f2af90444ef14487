"""Access tokens, refresh tokens and connected apps, kept in the org's database."""

import secrets
import time
from dataclasses import dataclass

from .errors import invalid_session
from .store import Store

# Salesforce's default session timeout; a session unused this long expires.
DEFAULT_SESSION_TIMEOUT_SECONDS = 2 * 60 * 60


@dataclass(frozen=True)
class Session:
    """Who an access token acts as: a user, through a connected app (None for SOAP login)."""

    token: str
    user_id: str
    client_id: str | None


@dataclass(frozen=True)
class ConnectedApp:
    """A connected app: OAuth client credentials, run-as user and JWT certificate."""

    client_id: str
    client_secret: str
    name: str
    run_as_user_id: str
    certificate_pem: str | None


class SessionService:
    """Issue, check and revoke access tokens."""

    def __init__(self, store: Store, org_id: str) -> None:
        self.store = store
        self.org_id = org_id
        self.timeout_seconds = DEFAULT_SESSION_TIMEOUT_SECONDS

    def issue(self, user_id: str, client_id: str | None) -> Session:
        """Create an access token shaped like Salesforce's (`<org id>!<secret>`)."""
        token = f"{self.org_id[:15]}!{secrets.token_urlsafe(72)}"
        now = time.time()
        with self.store.transaction() as connection:
            connection.execute(
                "INSERT INTO emu_session (token, user_id, client_id, issued_at, last_used) "
                "VALUES (?, ?, ?, ?, ?)",
                (token, user_id, client_id, now, now),
            )
        return Session(token, user_id, client_id)

    def authenticate(self, authorization: str | None) -> Session:
        """Return the session of an `Authorization: Bearer` header, or raise INVALID_SESSION_ID."""
        if not authorization:
            raise invalid_session()
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() not in ("bearer", "oauth") or not token.strip():
            raise invalid_session()
        return self.authenticate_token(token.strip())

    def authenticate_token(self, token: str) -> Session:
        """Return the live session of an access token, or raise INVALID_SESSION_ID.

        A session expires timeout_seconds after it was issued or last extended. As in
        Salesforce, a call extends it only when more than half of the timeout has passed
        since then.
        """
        now = time.time()
        with self.store.transaction() as connection:
            row = connection.execute(
                "SELECT * FROM emu_session WHERE token = ?", (token,),
            ).fetchone()
            if row is None or row["revoked"] or now - row["last_used"] > self.timeout_seconds:
                raise invalid_session()
            if now - row["last_used"] > self.timeout_seconds / 2:
                connection.execute(
                    "UPDATE emu_session SET last_used = ? WHERE token = ?", (now, token),
                )
        return Session(row["token"], row["user_id"], row["client_id"])

    def revoke(self, token: str) -> bool:
        """Revoke one access or refresh token; return whether it existed."""
        with self.store.transaction() as connection:
            sessions = connection.execute(
                "UPDATE emu_session SET revoked = 1 WHERE token = ?", (token,),
            ).rowcount
            refresh = connection.execute(
                "UPDATE emu_refresh_token SET revoked = 1 WHERE token = ?", (token,),
            ).rowcount
        return bool(sessions or refresh)

    def expire_all(self) -> int:
        """Expire every access token, as when an admin ends all sessions; return how many."""
        with self.store.transaction() as connection:
            return connection.execute(
                "UPDATE emu_session SET revoked = 1 WHERE revoked = 0",
            ).rowcount

    # Refresh tokens ------------------------------------------------------------------

    def issue_refresh_token(self, user_id: str, client_id: str) -> str:
        """Create a refresh token for a user of a connected app."""
        token = f"5Aep{secrets.token_urlsafe(64)}"
        with self.store.transaction() as connection:
            connection.execute(
                "INSERT INTO emu_refresh_token (token, user_id, client_id) VALUES (?, ?, ?)",
                (token, user_id, client_id),
            )
        return token

    def refresh_token_owner(self, token: str, client_id: str) -> str | None:
        """Return the user id of a live refresh token issued to client_id, or None."""
        with self.store.read() as connection:
            row = connection.execute(
                "SELECT user_id FROM emu_refresh_token "
                "WHERE token = ? AND client_id = ? AND revoked = 0",
                (token, client_id),
            ).fetchone()
        return row["user_id"] if row else None

    # Connected apps ------------------------------------------------------------------

    def create_app(
        self, name: str, run_as_user_id: str, certificate_pem: str | None,
    ) -> ConnectedApp:
        """Register a connected app with a new consumer key and secret."""
        app = ConnectedApp(
            client_id="3MVG9" + secrets.token_urlsafe(60).replace("-", ".")[:80],
            client_secret=secrets.token_hex(32).upper(),
            name=name,
            run_as_user_id=run_as_user_id,
            certificate_pem=certificate_pem,
        )
        with self.store.transaction() as connection:
            connection.execute(
                "INSERT INTO emu_connected_app (client_id, client_secret, name, "
                "run_as_user_id, certificate_pem, created) VALUES (?, ?, ?, ?, ?, ?)",
                (app.client_id, app.client_secret, app.name, app.run_as_user_id,
                 app.certificate_pem, str(time.time())),
            )
        return app

    def app(self, client_id: str) -> ConnectedApp | None:
        """Return the connected app with this consumer key, or None."""
        with self.store.read() as connection:
            row = connection.execute(
                "SELECT * FROM emu_connected_app WHERE client_id = ?", (client_id,),
            ).fetchone()
        if row is None:
            return None
        return ConnectedApp(
            row["client_id"], row["client_secret"], row["name"], row["run_as_user_id"],
            row["certificate_pem"],
        )
