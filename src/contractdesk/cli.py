"""The ``contractdesk`` command: ``run`` starts everything; anything else is a Django management command."""

import os
import sys


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contractdesk.settings")
    if sys.argv[1:2] == ["run"]:
        import django

        django.setup()
        from contractdesk.runner import main as run

        return run(sys.argv[2:])

    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
