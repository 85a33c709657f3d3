import sys

from simulator.serial_meter.cli import main

sys.exit(main())
