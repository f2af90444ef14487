"""Add the contract types most contract teams start with.

Their codes are what a Salesforce Contract_Type__c record names in its
ContractDesk_Code__c field. Administrators may rename or deactivate them.
"""

from django.db import migrations

DEFAULT_TYPES = [
    ("mutual-nda", "Mutual NDA", "Mutual non-disclosure agreement."),
    ("cloud-service-agreement", "Cloud Service Agreement", "Master agreement for a hosted service."),
    ("order-form", "Order Form", "Order under a master agreement."),
    ("data-processing-agreement", "Data Processing Agreement", "Terms for processing personal data."),
    ("professional-services", "Professional Services Agreement", "Master agreement for services."),
    ("statement-of-work", "Statement of Work", "Scope of work under a services agreement."),
    ("amendment", "Amendment", "Change to an existing agreement."),
]


def add_default_types(apps, schema_editor):
    ContractType = apps.get_model("contracts", "ContractType")
    for code, name, description in DEFAULT_TYPES:
        ContractType.objects.get_or_create(code=code, defaults={"name": name, "description": description})


class Migration(migrations.Migration):
    dependencies = [("contracts", "0001_initial")]

    operations = [migrations.RunPython(add_default_types, migrations.RunPython.noop)]
