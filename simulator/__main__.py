"""`python -m simulator`: the same as `phantom-sim`."""

from simulator.cli import main

raise SystemExit(main())
