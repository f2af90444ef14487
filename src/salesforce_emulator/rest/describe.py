"""Describe results (global, object and field) in the REST API's JSON shape.

Results are those of the calling user: objects they cannot read are left out, fields
hidden by field-level security are left out, and the createable, updateable and
deletable flags reflect their object and field permissions.
"""

import datetime
import hashlib
import json

from ..permissions import UserAccess, is_permissionable
from ..schema import ANY_OBJECT, FieldDef, ObjectDef, Schema
from ..soql.aggregates import is_groupable

_SOAP_TYPES = {
    "id": "tns:ID", "reference": "tns:ID", "boolean": "xsd:boolean", "int": "xsd:int",
    "double": "xsd:double", "currency": "xsd:double", "percent": "xsd:double",
    "date": "xsd:date", "datetime": "xsd:dateTime", "time": "xsd:time",
    "base64": "xsd:base64Binary",
}
# The "Master" record type every object has when no record types are defined.
_MASTER_RECORD_TYPE_ID = "012000000000000AAA"


def object_urls(object_def: ObjectDef, version: str) -> dict:
    """Return the `urls` of an object in describe results."""
    base = f"/services/data/v{version}/sobjects/{object_def.name}"
    return {
        "compactLayouts": f"{base}/describe/compactLayouts",
        "rowTemplate": f"{base}/{{ID}}",
        "approvalLayouts": f"{base}/describe/approvalLayouts",
        "defaultValues": f"{base}/defaultValues?recordTypeId&fields",
        "listviews": f"{base}/listviews",
        "describe": f"{base}/describe",
        "quickActions": f"{base}/quickActions",
        "layouts": f"{base}/describe/layouts",
        "sobject": base,
    }


def object_summary(object_def: ObjectDef, version: str, access: UserAccess) -> dict:
    """Return the short description of an object, as in describeGlobal."""
    granted = access.object_access(object_def)
    return {
        "activateable": False,
        "associateEntityType": None,
        "associateParentEntity": None,
        "createable": object_def.createable and granted.create,
        "custom": object_def.custom,
        "customSetting": False,
        "deepCloneable": False,
        "deletable": object_def.deletable and granted.delete,
        "deprecatedAndHidden": False,
        "feedEnabled": False,
        "hasSubtypes": False,
        "isInterface": False,
        "isSubtype": False,
        "keyPrefix": object_def.key_prefix,
        "label": object_def.label,
        "labelPlural": object_def.label_plural,
        "layoutable": True,
        "mergeable": object_def.name in ("Account", "Contact"),
        "mruEnabled": True,
        "name": object_def.name,
        "queryable": object_def.queryable,
        "replicateable": True,
        "retrieveable": True,
        "searchable": True,
        "triggerable": True,
        "undeletable": object_def.deletable and granted.delete,
        "updateable": object_def.updateable and granted.edit,
        "urls": object_urls(object_def, version),
    }


def describe_global(schema: Schema, version: str, access: UserAccess) -> dict:
    """Return the body of GET /sobjects: the objects the user can read."""
    return {
        "encoding": "UTF-8",
        "maxBatchSize": 200,
        "sobjects": [
            object_summary(object_def, version, access)
            for object_def in sorted(schema.objects.values(), key=lambda item: item.name)
            if access.can_read(object_def)
        ],
    }


def describe_field(
    field_def: FieldDef, schema: Schema, object_def: ObjectDef, access: UserAccess,
) -> dict:
    """Return one entry of a describe result's `fields`."""
    reference_to = field_def.reference_to
    if ANY_OBJECT in reference_to:
        reference_to = sorted(schema.objects)
    is_text = field_def.is_text or field_def.type in ("id", "reference")
    editable = access.field_editable(object_def, field_def)
    return {
        "aggregatable": field_def.filterable,
        "aiPredictionField": False,
        "autoNumber": field_def.auto_number,
        "byteLength": field_def.length * 3 if is_text else 0,
        "calculated": field_def.calculated,
        "calculatedFormula": None,
        "cascadeDelete": field_def.cascade_delete,
        "caseSensitive": field_def.case_sensitive,
        "compoundFieldName": None,
        "controllerName": None,
        "createable": field_def.createable and editable,
        "custom": field_def.custom,
        "defaultValue": field_def.default_value,
        "defaultValueFormula": None,
        "defaultedOnCreate": field_def.defaulted_on_create,
        "dependentPicklist": False,
        "deprecatedAndHidden": False,
        "digits": field_def.digits,
        "displayLocationInDecimal": False,
        "encrypted": field_def.type == "encryptedstring",
        "externalId": field_def.external_id,
        "extraTypeInfo": field_def.extra_type_info,
        "filterable": field_def.filterable,
        "filteredLookupInfo": None,
        "formulaTreatNullNumberAsZero": False,
        "groupable": is_groupable(field_def),
        "highScaleNumber": False,
        "htmlFormatted": field_def.html_formatted,
        "idLookup": field_def.id_lookup,
        "inlineHelpText": field_def.inline_help_text,
        "label": field_def.label,
        "length": field_def.length if is_text else 0,
        "mask": None,
        "maskType": None,
        "name": field_def.name,
        "nameField": field_def.name_field,
        "namePointing": field_def.polymorphic and field_def.type == "reference",
        "nillable": field_def.nillable,
        "permissionable": is_permissionable(field_def),
        "picklistValues": [
            {
                "active": value.active,
                "defaultValue": value.default,
                "label": value.label,
                "validFor": None,
                "value": value.value,
            }
            for value in field_def.picklist_values
        ],
        "polymorphicForeignKey": field_def.type == "reference" and field_def.polymorphic,
        "precision": field_def.precision,
        "queryByDistance": False,
        "referenceTargetField": None,
        "referenceTo": reference_to,
        "relationshipName": field_def.relationship_name,
        "relationshipOrder": None,
        "restrictedDelete": field_def.restricted_delete,
        "restrictedPicklist": field_def.restricted_picklist,
        "scale": field_def.scale,
        "searchPrefilterable": False,
        "soapType": _SOAP_TYPES.get(field_def.type, "xsd:string"),
        "sortable": field_def.filterable,
        "type": field_def.type,
        "unique": field_def.unique,
        "updateable": field_def.updateable and editable,
        "writeRequiresMasterRead": False,
    }


def describe_object(object_def: ObjectDef, schema: Schema, version: str, access: UserAccess) -> dict:
    """Return the body of GET /sobjects/{object}/describe."""
    body = object_summary(object_def, version, access)
    body.update({
        "actionOverrides": [],
        "childRelationships": [
            {
                "cascadeDelete": relationship.cascade_delete,
                "childSObject": relationship.child_object,
                "deprecatedAndHidden": False,
                "field": relationship.field,
                "junctionIdListNames": [],
                "junctionReferenceTo": [],
                "relationshipName": relationship.relationship_name,
                "restrictedDelete": relationship.restricted_delete,
            }
            for relationship in object_def.child_relationships
            if access.can_read(schema.get(relationship.child_object))
        ],
        "compactLayoutable": True,
        "fields": [
            describe_field(field_def, schema, object_def, access)
            for field_def in access.readable_fields(object_def)
        ],
        "listviewable": None,
        "lookupLayoutable": None,
        "namedLayoutInfos": [],
        "networkScopeFieldName": None,
        "recordTypeInfos": [{
            "active": True,
            "available": True,
            "defaultRecordTypeMapping": True,
            "developerName": "Master",
            "master": True,
            "name": "Master",
            "recordTypeId": _MASTER_RECORD_TYPE_ID,
            "urls": {
                "layout": f"/services/data/v{version}/sobjects/{object_def.name}"
                          f"/describe/layouts/{_MASTER_RECORD_TYPE_ID}",
            },
        }],
        "searchLayoutable": True,
        "supportedScopes": [
            {"label": "All " + object_def.label_plural.lower(), "name": "everything"},
        ],
        "urls": object_urls(object_def, version),
    })
    return body


def describe_last_modified(org, object_def: ObjectDef) -> datetime.datetime:
    """Return when the object's metadata last changed, as If-Modified-Since compares it.

    The emulator keeps a digest of each object's full describe in the org's settings, so
    a deploy or a new package that changes the object moves the time forward, even
    across restarts. The first describe of an object counts as its first change.
    """
    body = describe_object(object_def, org.schema, "0.0", UserAccess.full())
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
    key = f"describe_modified:{object_def.name}"
    stored = org.store.get_setting(key)
    if stored is not None:
        stored_digest, _, stamp = stored.partition(" ")
        if stored_digest == digest:
            return datetime.datetime.fromisoformat(stamp)

    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    org.store.set_setting(key, f"{digest} {now.isoformat()}")
    return now
