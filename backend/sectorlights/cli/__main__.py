"""`python -m sectorlights.cli`, for when the console script is not on PATH."""

import sys

from sectorlights.cli.main import main

sys.exit(main())
