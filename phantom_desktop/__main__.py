"""`python -m phantom_desktop` runs the same command line as `phantom-desktop`."""

import sys

from phantom_desktop.cli import main

sys.exit(main())
