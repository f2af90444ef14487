from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from contractdesk.salesconnect.connection import connect
from contractdesk.salesconnect.errors import SalesforceError
from contractdesk.salesconnect.package_convert import PackageConversionError, convert_source
from contractdesk.salesconnect.package_deploy import (
    DEFAULT_SCHEDULE,
    DeployStatus,
    PackageDeployError,
    PollSchedule,
    deploy_package,
)


class Command(BaseCommand):
    help = (
        "Install the Salesforce package (salesforce/, SFDX source) in the configured org through the "
        "Metadata API: convert it, deploy it and wait for the result. Deploying again is safe."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check-only",
            action="store_true",
            help="Validate the deploy in the org without installing anything.",
        )
        parser.add_argument(
            "--source-dir",
            type=Path,
            default=Path(settings.PROJECT_DIR) / "salesforce",
            help="SFDX project folder with sfdx-project.json (default: %(default)s).",
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=DEFAULT_SCHEDULE.timeout,
            help="Seconds to wait for the org to finish the deploy (default: %(default)s).",
        )

    def handle(self, *args, check_only: bool, source_dir: Path, timeout: float, **options):
        try:
            package = convert_source(source_dir)
        except PackageConversionError as exc:
            raise CommandError(f"Cannot convert the package: {exc}") from exc

        mode = "Validating (check only)" if check_only else "Deploying"
        self.stdout.write(f"{mode} {package.component_count} components from {source_dir} (API {package.api_version}).")
        schedule = PollSchedule(timeout=timeout)
        client = connect()
        try:
            status = deploy_package(
                client, package, check_only=check_only, schedule=schedule, on_status=self._show_progress,
            )
        except PackageDeployError as exc:
            if exc.deploy_status is not None:
                self._show_failures(exc.deploy_status)
            raise CommandError(str(exc)) from exc
        except SalesforceError as exc:
            raise CommandError(f"The deploy could not be started or followed: {exc}") from exc
        finally:
            client.close()

        if check_only:
            self.stdout.write(f"Check-only deploy {status.deploy_id} succeeded; nothing was installed.")
        else:
            self.stdout.write(
                f"Deploy {status.deploy_id} succeeded: {status.components_deployed} components are installed."
            )

    def _show_progress(self, status: DeployStatus) -> None:
        # One line per change, not per poll.
        seen = (status.status, status.components_deployed, status.component_errors)
        if seen == getattr(self, "_last_progress", None):
            return
        self._last_progress = seen
        self.stdout.write(
            f"  {status.status}: {status.components_deployed}/{status.components_total} components, "
            f"{status.component_errors} errors"
        )

    def _show_failures(self, status: DeployStatus) -> None:
        if status.failures:
            self.stderr.write(f"Component failures ({len(status.failures)}):")
        for failure in status.failures:
            self.stderr.write(f"  {failure}")
