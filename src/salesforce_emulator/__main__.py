"""Allow `python -m salesforce_emulator serve ...`."""

import sys

from .cli import main

sys.exit(main())
