import sys

from wgs_east.cli import main

sys.exit(main())
