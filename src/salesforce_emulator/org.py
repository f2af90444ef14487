"""One emulated org: its schema, storage, users, connected app and credentials file."""

import json
import secrets
from dataclasses import dataclass
from pathlib import Path

import structlog
from cryptography.hazmat.primitives import serialization

from .bulk_jobs import BulkQueryService
from .content import ContentService
from .errors import SalesforceError
from .faults import Faults
from .files import FileStore, StoredBlob
from .metadata import DeployedMetadata, MetadataService
from .oauth import OAuthService
from .permission_records import PermissionRecords
from .permissions import PermissionService
from .records import RecordService
from .schema import Package, build_schema
from .sessions import SessionService
from .soql import QueryService
from .store import Store
from .tls import TlsFiles, ensure_tls_files, new_rsa_key, self_signed_certificate, write_private_key
from .usage import DEFAULT_DAILY_API_LIMIT, ApiUsage
from .users import UserDirectory

log = structlog.get_logger(__name__)

ADMIN_USERNAME = "admin@contractdesk.emulator"
ORG_NAME = "ContractDesk Emulator"


@dataclass(frozen=True)
class Credentials:
    """What a client needs to reach the org; written to `<data_dir>/credentials.json`."""

    login_url: str
    instance_url: str
    client_id: str
    client_secret: str
    username: str
    password: str
    security_token: str
    jwt_private_key_file: str


class Org:
    """The emulated org behind the HTTP server, usable directly from tests as well."""

    def __init__(
        self,
        data_dir: Path,
        package_dir: Path | None,
        daily_api_limit: int = DEFAULT_DAILY_API_LIMIT,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.tls: TlsFiles = ensure_tls_files(self.data_dir)

        # Components deployed through the Metadata API are kept in the database, so the
        # store opens first and the schema is rebuilt from them.
        self.store = Store(self.data_dir / "org.sqlite3")
        self.deployed = DeployedMetadata(self.store)
        self.schema, self.package = build_schema(package_dir, self.deployed.load_package())
        self.store.sync_schema(self.schema)
        self.store.refresh_statistics()
        self.records = RecordService(self.store, self.schema)
        self.queries = QueryService(self.store, self.schema)
        self.files = FileStore(self.data_dir / "files")
        self.content = ContentService(self.records, self.files)
        self.users = UserDirectory(self.store)
        self.usage = ApiUsage(self.store, daily_api_limit)
        self.permissions = PermissionService(self.store, self.schema)
        self.permission_records = PermissionRecords(self.records)

        if self.store.get_setting("org_id") is None:
            self._create_org()
        self.org_id = self.store.get_setting("org_id")
        self.admin_id = self.store.get_setting("admin_id")
        self.sessions = SessionService(self.store, self.org_id)
        self.oauth = OAuthService(self.sessions, self.users, self.org_id)
        self.faults = Faults(self.usage, self.sessions)
        self.permission_records.ensure_profile_permission_sets(self.admin_id)
        self._sync_permission_sets()
        self.metadata = MetadataService(self, self.deployed)
        self.bulk = BulkQueryService(
            self.store, self.queries, self.permissions, self.faults, self.data_dir / "bulk",
        )

    def close(self) -> None:
        """Stop the deploy and Bulk API workers and close the database."""
        self.metadata.close()
        self.bulk.close()
        self.store.close()

    def install_permission_sets(self, package: Package) -> None:
        """Make package the org's package and create or update its permission sets' records.

        A Metadata API deploy calls this inside its transaction, after the schema has the
        deployed objects and fields.
        """
        self.package = package
        self._sync_permission_sets()

    # Writes used by the REST layer ---------------------------------------------------

    def create(
        self, object_name: str, values: dict, user_id: str, blob: StoredBlob | None = None,
    ) -> str:
        """Create a record, sending Files objects through their special handling."""
        object_def = self.records.object_for_write(object_name)
        if object_def.name == "ContentVersion":
            return self.content.create_version(values, user_id, blob)
        if object_def.name == "ContentDocumentLink":
            return self.content.create_link(values, user_id)
        return self.records.create(object_def.name, values, user_id)

    # Credentials ---------------------------------------------------------------------

    @property
    def jwt_private_key_file(self) -> Path:
        """The private key whose certificate the default connected app trusts for JWT."""
        return self.data_dir / "jwt-private-key.pem"

    def credentials(self, base_url: str) -> Credentials:
        """Return the default credentials for an org served at base_url."""
        return Credentials(
            login_url=base_url,
            instance_url=base_url,
            client_id=self.store.get_setting("default_client_id"),
            client_secret=self.sessions.app(
                self.store.get_setting("default_client_id"),
            ).client_secret,
            username=ADMIN_USERNAME,
            password=self.store.get_setting("admin_password"),
            security_token=self.store.get_setting(f"security_token:{self.admin_id}"),
            jwt_private_key_file=str(self.jwt_private_key_file),
        )

    def write_credentials(self, base_url: str) -> Path:
        """Write credentials.json for an org served at base_url and return its path."""
        path = self.data_dir / "credentials.json"
        document = self.credentials(base_url).__dict__
        document["ca_file"] = str(self.tls.ca_cert)
        path.write_text(json.dumps(document, indent=2) + "\n", "utf-8")
        path.chmod(0o600)
        return path

    # First start ---------------------------------------------------------------------

    def _create_org(self) -> None:
        with self.store.transaction() as connection:
            admin_id = self.store.next_id(connection, "User")

            org_id = self.records.create("Organization", {}, admin_id, computed={
                "Name": ORG_NAME, "OrganizationType": "Developer Edition",
                "InstanceName": "EM1", "IsSandbox": 0, "DefaultLocaleSidKey": "en_US",
                "LanguageLocaleKey": "en_US", "TimeZoneSidKey": "GMT",
            })
            admin_profile = self.records.create("Profile", {
                "Name": "System Administrator",
                "PermissionsModifyAllData": True,
                "PermissionsViewAllData": True,
                "PermissionsApiEnabled": True,
                "PermissionsManageUsers": True,
            }, admin_id, computed={"UserType": "Standard"})
            self.records.create("Profile", {
                "Name": "Standard User", "PermissionsApiEnabled": True,
            }, admin_id, computed={"UserType": "Standard"})
            self.records.create("User", {
                "Username": ADMIN_USERNAME,
                "FirstName": "Emulator",
                "LastName": "Admin",
                "Email": ADMIN_USERNAME,
                "Alias": "admin",
                "CommunityNickname": "admin",
                "ProfileId": admin_profile,
                "TimeZoneSidKey": "GMT",
                "LocaleSidKey": "en_US",
                "LanguageLocaleKey": "en_US",
                "EmailEncodingKey": "UTF-8",
            }, admin_id, computed={"UserType": "Standard"}, record_id=admin_id)

            password = secrets.token_urlsafe(18)
            self.users.set_password(admin_id, password)
            self.store.set_setting("admin_password", password)
            self.store.set_setting("org_id", org_id)
            self.store.set_setting("admin_id", admin_id)

            key = new_rsa_key()
            write_private_key(self.jwt_private_key_file, key)
            certificate = self_signed_certificate(key, "contractdesk-emulator-jwt")
            certificate_pem = certificate.public_bytes(serialization.Encoding.PEM).decode()
            app = SessionService(self.store, org_id).create_app(
                "ContractDesk Emulator App", admin_id, certificate_pem,
            )
            self.store.set_setting("default_client_id", app.client_id)

        log.info("org created", org_id=org_id, admin_id=admin_id, data_dir=str(self.data_dir))

    def _sync_permission_sets(self) -> None:
        """Create or update the records of each permission set in the package."""
        for permission_set in self.package.permission_sets:
            try:
                self.permission_records.install_permission_set(permission_set, self.admin_id)
            except SalesforceError as error:
                log.error(
                    "permission set from package not loaded", name=permission_set.name,
                    error=error.message,
                )
