"""The org's schema: sObjects and their fields, as describe calls present them.

Field types use the names of the REST describe call (`string`, `picklist`, `reference`,
`datetime`, ...), so a FieldDef converts to describe JSON without renaming anything.
"""

import re
from dataclasses import dataclass, field

# Describe types whose values are text, stored in SQLite with case-insensitive collation
# because SOQL compares and sorts text without regard to case.
TEXT_TYPES = frozenset({
    "string", "textarea", "picklist", "multipicklist", "combobox", "url", "email",
    "phone", "encryptedstring",
})
NUMBER_TYPES = frozenset({"int", "double", "currency", "percent"})
ID_TYPES = frozenset({"id", "reference"})

# Every sObject has these; they are added by the schema loader, never declared per object.
SYSTEM_FIELD_NAMES = (
    "Id", "IsDeleted", "CreatedDate", "CreatedById", "LastModifiedDate",
    "LastModifiedById", "SystemModstamp",
)

# Long text areas (more than 255 characters) can be selected but not filtered, grouped
# or sorted in SOQL, as in Salesforce.
FILTERABLE_TEXTAREA_MAX = 255

# Relationship target that stands for "any sObject", used by polymorphic lookups such as
# ContentDocumentLink.LinkedEntityId.
ANY_OBJECT = "*"


@dataclass
class PicklistValue:
    """One value of a picklist field."""

    value: str
    label: str
    default: bool = False
    active: bool = True
    # Extra facts some standard picklists carry, such as an opportunity stage's default
    # probability; stored as given in the standard objects file.
    attributes: dict = field(default_factory=dict)


@dataclass
class FieldDef:
    """One field of an sObject."""

    name: str
    label: str
    type: str
    length: int = 0
    precision: int = 0
    scale: int = 0
    digits: int = 0
    nillable: bool = True
    createable: bool = True
    updateable: bool = True
    custom: bool = False
    unique: bool = False
    case_sensitive: bool = False
    external_id: bool = False
    id_lookup: bool = False
    name_field: bool = False
    auto_number: bool = False
    # Auto-number pattern such as "CR-{0000}"; None for other fields.
    display_format: str | None = None
    calculated: bool = False
    default_value: object = None
    defaulted_on_create: bool = False
    picklist_values: list[PicklistValue] = field(default_factory=list)
    restricted_picklist: bool = False
    reference_to: list[str] = field(default_factory=list)
    relationship_name: str | None = None
    relationship_label: str | None = None
    # Name of the child relationship on the parent object ("Contacts" on Account for
    # Contact.AccountId); None when the parent cannot traverse to this object.
    child_relationship_name: str | None = None
    cascade_delete: bool = False
    restricted_delete: bool = False
    extra_type_info: str | None = None
    html_formatted: bool = False
    inline_help_text: str | None = None
    visible_lines: int = 0
    # Fields whose values make up this one (Contact.Name from FirstName and LastName).
    compound_of: list[str] = field(default_factory=list)

    @property
    def is_text(self) -> bool:
        """True when values of this field are text compared without case."""
        return self.type in TEXT_TYPES

    @property
    def filterable(self) -> bool:
        """True when SOQL may use this field in WHERE and ORDER BY."""
        if self.type == "base64":
            return False
        return not (self.type == "textarea" and self.length > FILTERABLE_TEXTAREA_MAX)

    @property
    def required_on_create(self) -> bool:
        """True when a create call must give this field a value."""
        return (
            not self.nillable
            and self.createable
            and not self.defaulted_on_create
            and self.type != "boolean"
        )

    @property
    def polymorphic(self) -> bool:
        """True when the field can refer to records of more than one object."""
        return len(self.reference_to) != 1


@dataclass
class ChildRelationship:
    """A parent-to-children path usable in SOQL subqueries and describe."""

    relationship_name: str
    child_object: str
    field: str
    cascade_delete: bool = False
    restricted_delete: bool = False


@dataclass
class ObjectDef:
    """One sObject: its identity, its behaviour flags and its fields in describe order."""

    name: str
    label: str
    label_plural: str
    key_prefix: str | None
    custom: bool = False
    createable: bool = True
    updateable: bool = True
    deletable: bool = True
    queryable: bool = True
    fields: dict[str, FieldDef] = field(default_factory=dict)
    child_relationships: list[ChildRelationship] = field(default_factory=list)
    # Lower-cased field name -> canonical name, so lookups ignore case as Salesforce does.
    _lower: dict[str, str] = field(default_factory=dict, repr=False)

    def add_field(self, field_def: FieldDef) -> None:
        """Add a field, or replace the field of the same name."""
        self.fields[field_def.name] = field_def
        self._lower[field_def.name.lower()] = field_def.name

    def field(self, name: str) -> FieldDef | None:
        """Return the field with this API name, ignoring case, or None."""
        canonical = self._lower.get(name.lower())
        return self.fields[canonical] if canonical else None

    def relationship(self, name: str) -> FieldDef | None:
        """Return the reference field whose relationship name is `name`, ignoring case."""
        lowered = name.lower()
        for field_def in self.fields.values():
            if field_def.relationship_name and field_def.relationship_name.lower() == lowered:
                return field_def
        return None

    def child_relationship(self, name: str) -> ChildRelationship | None:
        """Return the child relationship called `name`, ignoring case, or None."""
        lowered = name.lower()
        for relationship in self.child_relationships:
            if relationship.relationship_name.lower() == lowered:
                return relationship
        return None

    @property
    def name_field(self) -> FieldDef | None:
        """The field shown as the record's name, if the object has one."""
        for field_def in self.fields.values():
            if field_def.name_field:
                return field_def
        return None


class Schema:
    """All sObjects of the org, looked up by API name without regard to case."""

    def __init__(self) -> None:
        self.objects: dict[str, ObjectDef] = {}
        self._lower: dict[str, str] = {}

    def add(self, object_def: ObjectDef) -> None:
        """Add an sObject, replacing one of the same name."""
        self.objects[object_def.name] = object_def
        self._lower[object_def.name.lower()] = object_def.name

    def get(self, name: str) -> ObjectDef | None:
        """Return the sObject with this API name, ignoring case, or None."""
        canonical = self._lower.get(name.lower())
        # get() rather than [], because replace_with() on another thread may have
        # swapped one of the two dicts but not yet the other.
        return self.objects.get(canonical) if canonical else None

    def replace_with(self, other: "Schema") -> None:
        """Take over other's objects, as a Metadata API deploy does once it is installed.

        Readers on other threads keep iterating the dicts they already hold, so they see
        the old schema or the new one, never a half-changed one.
        """
        self.objects, self._lower = other.objects, other._lower

    def by_key_prefix(self, key_prefix: str) -> ObjectDef | None:
        """Return the sObject whose ids start with key_prefix, or None."""
        for object_def in self.objects.values():
            if object_def.key_prefix == key_prefix:
                return object_def
        return None

    def link_relationships(self) -> None:
        """Build every object's child relationships from the reference fields pointing at it."""
        for object_def in self.objects.values():
            object_def.child_relationships = []

        # Named targets first, so a polymorphic lookup (any object) never hides a
        # specific relationship of the same name on one parent.
        for polymorphic_pass in (False, True):
            for child in self.objects.values():
                for field_def in child.fields.values():
                    self._link_field(child, field_def, polymorphic_pass)

    def _link_field(self, child: ObjectDef, field_def: FieldDef, polymorphic_pass: bool) -> None:
        if field_def.type != "reference" or not field_def.child_relationship_name:
            return
        if (ANY_OBJECT in field_def.reference_to) != polymorphic_pass:
            return

        targets = list(self.objects) if polymorphic_pass else field_def.reference_to
        for target in targets:
            parent = self.get(target)
            if parent is None:
                continue
            if parent.child_relationship(field_def.child_relationship_name):
                continue
            parent.child_relationships.append(ChildRelationship(
                relationship_name=field_def.child_relationship_name,
                child_object=child.name,
                field=field_def.name,
                cascade_delete=field_def.cascade_delete,
                restricted_delete=field_def.restricted_delete,
            ))


def label_from_name(api_name: str) -> str:
    """Turn an API name into a readable label ("BillingPostalCode" -> "Billing Postal Code")."""
    base = re.sub(r"__c$|__r$", "", api_name)
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", base).replace("_", " ").strip()
    if spaced.endswith(" Id"):
        spaced = spaced[:-3] + " ID"
    return spaced or api_name
