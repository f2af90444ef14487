"""Deployed components and deploy jobs, kept in the org's database.

Each deployed component (an object without its fields, a field, a layout, a permission
set, a tab) is one row holding its canonical XML. At start the org rebuilds the custom
part of its schema from these rows, so what was deployed survives a restart without
the package folder. Deploy jobs are kept too, so checkDeployStatus still returns them after a
restart.
"""

import copy
import json
import sqlite3
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass

import structlog

from .. import ids
from ..schema import Package
from ..schema.metadata_xml import (
    NAMESPACE,
    NS,
    PackageError,
    field_from_element,
    object_from_element,
    permission_set_from_element,
)
from ..store import Store
from .components import CUSTOM_FIELD, CUSTOM_OBJECT, CUSTOM_TAB, PERMISSION_SET

log = structlog.get_logger(__name__)

_DDL = """
CREATE TABLE IF NOT EXISTS emu_metadata_component (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    component_type TEXT NOT NULL,
    full_name TEXT NOT NULL COLLATE NOCASE,
    file_name TEXT NOT NULL,
    content TEXT NOT NULL,
    component_id TEXT NOT NULL,
    created_date TEXT NOT NULL,
    last_modified_date TEXT NOT NULL,
    UNIQUE (component_type, full_name)
);
CREATE TABLE IF NOT EXISTS emu_deploy (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT UNIQUE,
    done INTEGER NOT NULL DEFAULT 0,
    result TEXT NOT NULL
);
"""

# Key prefixes of the ids Salesforce gives metadata components and deploy requests.
DEPLOY_REQUEST_PREFIX = "0Af"
_COMPONENT_PREFIXES = {
    CUSTOM_OBJECT: "01I",
    CUSTOM_FIELD: "00N",
    "Layout": "00h",
    CUSTOM_TAB: "01r",
    PERMISSION_SET: "0PS",
}


@dataclass(frozen=True)
class StoredComponent:
    """A component as the org has it: canonical XML, id and when it was first deployed."""

    content: str
    component_id: str
    created_date: str


def canonical_xml(element: ElementTree.Element, without: tuple[str, ...] = ()) -> str:
    """Serialise an element without insignificant whitespace, leaving out children named in without.

    Two files that differ only in indentation give the same text, so a deploy can tell
    whether a component changed.
    """
    element = copy.deepcopy(element)
    element.tail = None
    for tag in without:
        for child in element.findall(f"md:{tag}", NS):
            element.remove(child)
    text = ElementTree.tostring(element, encoding="unicode", default_namespace=NAMESPACE)
    return ElementTree.canonicalize(text, strip_text=True)


class DeployedMetadata:
    """The components deployed to the org and the org's deploy jobs."""

    def __init__(self, store: Store) -> None:
        self.store = store
        # One statement at a time: executescript() would commit the store's transaction.
        with store.transaction() as connection:
            for statement in _statements():
                connection.execute(statement)

    # Components ---------------------------------------------------------------------

    def component(self, component_type: str, full_name: str) -> StoredComponent | None:
        """Return a deployed component, or None when the org does not have it."""
        with self.store.read() as connection:
            row = connection.execute(
                "SELECT content, component_id, created_date FROM emu_metadata_component "
                "WHERE component_type = ? AND full_name = ?",
                (component_type, full_name),
            ).fetchone()
        return StoredComponent(row["content"], row["component_id"], row["created_date"]) if row else None

    def names(self, component_type: str) -> set[str]:
        """Return the lower-cased full names of the deployed components of one type."""
        with self.store.read() as connection:
            rows = connection.execute(
                "SELECT full_name FROM emu_metadata_component WHERE component_type = ?", (component_type,),
            ).fetchall()
        return {row["full_name"].lower() for row in rows}

    def save(
        self, connection: sqlite3.Connection, component_type: str, full_name: str, file_name: str,
        content: str, stamp: str, component_id: str | None = None,
    ) -> str:
        """Insert or replace a component inside the caller's transaction; return its id.

        component_id is given for components whose id is a record's (permission sets);
        other components get an id of their type's key prefix the first time.
        """
        row = connection.execute(
            "SELECT seq, component_id FROM emu_metadata_component WHERE component_type = ? AND full_name = ?",
            (component_type, full_name),
        ).fetchone()
        if row is not None:
            component_id = component_id or row["component_id"]
            connection.execute(
                "UPDATE emu_metadata_component SET file_name = ?, content = ?, component_id = ?, "
                "last_modified_date = ? WHERE seq = ?",
                (file_name, content, component_id, stamp, row["seq"]),
            )
            return component_id

        seq = connection.execute(
            "INSERT INTO emu_metadata_component (component_type, full_name, file_name, content, "
            "component_id, created_date, last_modified_date) VALUES (?, ?, ?, ?, '', ?, ?)",
            (component_type, full_name, file_name, content, stamp, stamp),
        ).lastrowid
        component_id = component_id or ids.make_id(_COMPONENT_PREFIXES.get(component_type, "000"), seq)
        connection.execute(
            "UPDATE emu_metadata_component SET component_id = ? WHERE seq = ?", (component_id, seq),
        )
        return component_id

    def load_package(self) -> Package:
        """Rebuild the custom objects, fields and permission sets deployed to the org.

        A field whose object name does not end in __c belongs to a standard object.
        """
        with self.store.read() as connection:
            rows = connection.execute(
                "SELECT component_type, full_name, content FROM emu_metadata_component ORDER BY seq",
            ).fetchall()

        package = Package()
        objects = {}
        for row in rows:
            # The content was written by canonical_xml above, not taken from a client as is.
            element = ElementTree.fromstring(row["content"])  # noqa: S314
            full_name = row["full_name"]
            try:
                if row["component_type"] == CUSTOM_OBJECT and full_name.endswith("__c"):
                    objects[full_name.lower()] = object_from_element(element, full_name)
                elif row["component_type"] == CUSTOM_FIELD:
                    self._add_field(package, objects, full_name, element)
                elif row["component_type"] == PERMISSION_SET:
                    package.permission_sets.append(permission_set_from_element(element, full_name))
            except PackageError as error:
                log.error("deployed component not loaded", type=row["component_type"], name=full_name, error=str(error))

        package.custom_objects = list(objects.values())
        return package

    @staticmethod
    def _add_field(package: Package, objects: dict, full_name: str, element: ElementTree.Element) -> None:
        object_name, field_name = full_name.split(".", 1)
        field_def = field_from_element(element, field_name)
        if object_name.lower() in objects:
            objects[object_name.lower()].add_field(field_def)
        elif object_name.endswith("__c"):
            log.error("deployed field not loaded: its object is not deployed", name=full_name)
        else:
            package.standard_object_fields.setdefault(object_name, []).append(field_def)

    # Deploy jobs --------------------------------------------------------------------

    def create_job(self, result: dict) -> str:
        """Store a new deploy job and return its id (key prefix 0Af)."""
        with self.store.transaction() as connection:
            seq = connection.execute(
                "INSERT INTO emu_deploy (result) VALUES (?)", (json.dumps(result),),
            ).lastrowid
            deploy_id = ids.make_id(DEPLOY_REQUEST_PREFIX, seq)
            result["id"] = deploy_id
            connection.execute(
                "UPDATE emu_deploy SET id = ?, result = ? WHERE seq = ?",
                (deploy_id, json.dumps(result), seq),
            )
        return deploy_id

    def save_job(self, result: dict) -> None:
        """Store the current state of a deploy job."""
        with self.store.transaction() as connection:
            connection.execute(
                "UPDATE emu_deploy SET result = ?, done = ? WHERE id = ?",
                (json.dumps(result), int(result["done"]), result["id"]),
            )

    def job(self, deploy_id: str) -> dict | None:
        """Return a deploy job's result, or None when the org has no deploy with this id."""
        with self.store.read() as connection:
            row = connection.execute("SELECT result FROM emu_deploy WHERE id = ?", (deploy_id,)).fetchone()
        return json.loads(row["result"]) if row else None

    def unfinished_jobs(self) -> list[dict]:
        """Return the jobs that were queued or running when the org last stopped."""
        with self.store.read() as connection:
            rows = connection.execute("SELECT result FROM emu_deploy WHERE done = 0 ORDER BY seq").fetchall()
        return [json.loads(row["result"]) for row in rows]


def _statements() -> list[str]:
    return [statement.strip() for statement in _DDL.split(";") if statement.strip()]
