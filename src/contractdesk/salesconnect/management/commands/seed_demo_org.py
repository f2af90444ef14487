from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from contractdesk.salesconnect.connection import connect
from contractdesk.salesconnect.demo import seed_demo_org
from contractdesk.salesconnect.errors import SalesforceError


class Command(BaseCommand):
    help = "Load the configured Salesforce org with sample data and submitted contract requests (demos only)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=settings.SAMPLE_DATA_DIR,
            help="Folder with salesforce-sample/ and contracts/ (default: %(default)s).",
        )

    def handle(self, *args, data_dir: Path, **options):
        if not (data_dir / "salesforce-sample").is_dir():
            raise CommandError(
                f"No Salesforce sample data in {data_dir / 'salesforce-sample'}. Pass --data-dir, or set "
                "CONTRACTDESK_SAMPLE_DATA_DIR to the folder that holds salesforce-sample/ and contracts/."
            )
        client = connect()
        try:
            added = seed_demo_org(client, data_dir)
        except SalesforceError as exc:
            raise CommandError(f"Seeding the org failed: {exc}") from exc
        finally:
            client.close()
        self.stdout.write(
            f"Seeded the org: {added['records']} sample records, {added['contract_types']} contract types, "
            f"{added['requests']} submitted requests."
        )
