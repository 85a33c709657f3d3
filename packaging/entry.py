"""PyInstaller entry point: the frozen `phantom-desktop` command (see build.spec)."""

import sys

from phantom_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
