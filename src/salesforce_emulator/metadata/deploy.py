"""Run one Metadata API deploy: read the zip, check every component, install what passes.

Installing is one database transaction: new tables and columns, the component rows and
the permission set records commit together or not at all, and the org's live schema is
switched to the new one inside that transaction. With rollbackOnError (what
`sf project deploy start` and SalesConnect send) one failing component stops the whole
deploy. Without it, the components that pass are installed, as Salesforce does, and
components that name a failed one fail in turn.
"""

import copy
from dataclasses import dataclass, field

import structlog

from ..schema import Package, Schema, apply_package, merge_packages
from ..schema.metadata_xml import (
    PackageError,
    field_from_element,
    object_from_element,
    permission_set_from_element,
)
from ..values import now_stamp
from .archive import MANIFEST_NAME, ArchiveError, read_archive
from .checks import check_definition, check_references
from .components import CUSTOM_FIELD, CUSTOM_OBJECT, CUSTOM_TAB, PERMISSION_SET, Component, collect_components
from .persistence import DeployedMetadata, canonical_xml

log = structlog.get_logger(__name__)

# Test levels that run Apex tests; the emulator has no Apex, so they run none.
_TEST_LEVELS_WITH_TESTS = ("RunSpecifiedTests", "RunLocalTests", "RunAllTestsInOrg")


@dataclass
class DeployOptions:
    """The DeployOptions of a deploy call, with the Metadata API's defaults."""

    check_only: bool = False
    rollback_on_error: bool = False
    single_package: bool = False
    allow_missing_files: bool = False
    ignore_warnings: bool = False
    test_level: str | None = None
    run_tests: list[str] = field(default_factory=list)

    @property
    def run_tests_enabled(self) -> bool:
        """True when the options ask for Apex tests (which the emulator does not have)."""
        return self.test_level in _TEST_LEVELS_WITH_TESTS or bool(self.run_tests)


@dataclass
class DeployOutcome:
    """The result of a finished deploy: its component messages and whether it installed anything."""

    successes: list[dict] = field(default_factory=list)
    failures: list[dict] = field(default_factory=list)
    failed_components: int = 0
    deployed_components: int = 0
    total_components: int = 0
    installed: bool = False
    error_status_code: str | None = None
    error_message: str | None = None


def run_deploy(org, deployed: DeployedMetadata, zip_bytes: bytes, options: DeployOptions) -> DeployOutcome:
    """Deploy a zip to org and return the outcome; raises only on a bug in the emulator."""
    stamp = now_stamp()
    try:
        archive = read_archive(zip_bytes, options.single_package)
    except ArchiveError as error:
        return DeployOutcome(
            failures=[_failure_message("", MANIFEST_NAME, error.file_name, error.problem,
                                       error.line, error.column, stamp)],
            failed_components=1,
        )

    components = collect_components(archive, options.allow_missing_files)
    standard_names = {name.lower() for name, object_def in org.schema.objects.items() if not object_def.custom}
    for component in components:
        check_definition(component, standard_names)

    # Without rollbackOnError, components that fail are left out and the rest checked
    # again, because a permission set may name a field that just failed.
    while True:
        passing = [component for component in components if not component.failed]
        candidate, package = _candidate_schema(org.schema, passing)
        tab_names = deployed.names(CUSTOM_TAB) | {c.full_name.lower() for c in passing if c.type == CUSTOM_TAB}
        for component in passing:
            check_references(component, candidate, tab_names)
        if options.rollback_on_error or all(not component.failed for component in passing):
            break

    passing = [component for component in components if not component.failed]
    failing = [component for component in components if component.failed]
    outcome = DeployOutcome(
        failed_components=len(failing),
        deployed_components=len(passing),
        total_components=len(components),
    )
    outcome.successes = [_manifest_success(archive.reported_name(MANIFEST_NAME), stamp)]
    messages = [_success_message(component, deployed, stamp) for component in passing]
    for component in failing:
        outcome.failures.extend(
            _failure_message(component.type, component.full_name, component.file_name, problem.message,
                             problem.line, problem.column, stamp)
            for problem in component.problems
        )

    if passing and not options.check_only and not (failing and options.rollback_on_error):
        _install(org, deployed, candidate, package, passing, messages, stamp)
        outcome.installed = True
    outcome.successes.extend(messages)
    return outcome


def _candidate_schema(live: Schema, passing: list[Component]) -> tuple[Schema, Package]:
    """Return the schema the org would have with the passing components, and their package."""
    package = Package()
    objects = {}
    loose_fields = []
    for component in passing:
        try:
            if component.type == CUSTOM_OBJECT and component.full_name.endswith("__c"):
                objects[component.full_name.lower()] = object_from_element(component.element, component.full_name)
            elif component.type == PERMISSION_SET:
                package.permission_sets.append(permission_set_from_element(component.element, component.full_name))
        except PackageError as error:
            component.fail(str(error))

    for component in passing:
        if component.type != CUSTOM_FIELD or component.failed:
            continue
        try:
            field_def = field_from_element(component.element, component.full_name.split(".", 1)[1])
        except PackageError as error:
            component.fail(str(error))
            continue
        owner = objects.get(component.object_name.lower())
        if owner is not None:
            owner.add_field(field_def)
        else:
            loose_fields.append((component.object_name, field_def))

    package.custom_objects = list(objects.values())
    candidate = copy.deepcopy(live)
    apply_package(candidate, package)
    for object_name, field_def in loose_fields:
        # A field deployed without its object joins the object the org already has;
        # check_references fails it when there is none.
        object_def = candidate.get(object_name)
        if object_def is not None:
            object_def.add_field(field_def)
            if not object_def.custom:
                package.standard_object_fields.setdefault(object_def.name, []).append(field_def)
    candidate.link_relationships()
    return candidate, package


def _install(org, deployed, candidate: Schema, package: Package, passing, messages, stamp: str) -> None:
    """Create tables and columns, store the components and their records, switch the schema."""
    previous = Schema()
    previous.replace_with(org.schema)

    with org.store.transaction() as connection:
        org.store.sync_schema(candidate)
        org.schema.replace_with(candidate)
        try:
            org.install_permission_sets(merge_packages([org.package, package]))
            for component, message in zip(passing, messages, strict=True):
                message["id"] = deployed.save(
                    connection, component.type, component.full_name, component.file_name,
                    _content(component), stamp, _record_id(connection, component),
                )
        except BaseException:
            org.schema.replace_with(previous)
            raise

    objects = [component.full_name for component in passing if component.type == CUSTOM_OBJECT]
    log.info("metadata deployed", components=len(passing), objects=objects)


def _record_id(connection, component: Component) -> str | None:
    # A permission set component's id is the id of its PermissionSet record.
    if component.type != PERMISSION_SET:
        return None
    row = connection.execute(
        'SELECT "Id" FROM "sobj_PermissionSet" WHERE "Name" = ? AND "IsDeleted" = 0', (component.full_name,),
    ).fetchone()
    return row["Id"] if row else None


def _content(component: Component) -> str:
    without = ("fields",) if component.type == CUSTOM_OBJECT else ()
    return canonical_xml(component.element, without)


def _success_message(component: Component, deployed: DeployedMetadata, stamp: str) -> dict:
    stored = deployed.component(component.type, component.full_name)
    created = stored is None and not (component.type == CUSTOM_OBJECT and not component.full_name.endswith("__c"))
    changed = stored is None or stored.content != _content(component)
    return {
        "changed": changed,
        "componentType": component.type,
        "created": created,
        "createdDate": stored.created_date if stored else stamp,
        "deleted": False,
        "fileName": component.file_name,
        "fullName": component.full_name,
        "id": stored.component_id if stored else None,
        "success": True,
    }


def _manifest_success(file_name: str, stamp: str) -> dict:
    # Salesforce lists package.xml itself among the successes, with an empty type.
    return {
        "changed": True, "componentType": "", "created": False, "createdDate": stamp, "deleted": False,
        "fileName": file_name, "fullName": MANIFEST_NAME, "id": None, "success": True,
    }


def _failure_message(component_type, full_name, file_name, problem, line, column, stamp) -> dict:
    return {
        "changed": False,
        "columnNumber": column,
        "componentType": component_type,
        "created": False,
        "createdDate": stamp,
        "deleted": False,
        "fileName": file_name,
        "fullName": full_name,
        "lineNumber": line,
        "problem": problem,
        "problemType": "Error",
        "success": False,
    }
