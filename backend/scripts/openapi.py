"""Write the API's OpenAPI document, from which the front end's types are generated.

The document is read off the app object: no server, database or cache is started, so the output
depends on the code alone (not on what is running or stored).

    python backend/scripts/openapi.py frontend/src/api/openapi.json
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

from sectorlights.api.app import create_app
from sectorlights.settings import Settings


def openapi_document() -> dict[str, object]:
    # Building the app logs that the front end is not built yet; irrelevant to the document.
    logging.disable(logging.WARNING)
    try:
        return create_app(Settings()).openapi()
    finally:
        logging.disable(logging.NOTSET)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: openapi.py OUTPUT.json", file=sys.stderr)
        return 2
    target = Path(argv[0])
    target.parent.mkdir(parents=True, exist_ok=True)
    # Sorted keys and a final newline: regenerating an unchanged API gives the same bytes.
    target.write_text(json.dumps(openapi_document(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
