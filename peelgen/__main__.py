import sys

from peelgen.cli import main

sys.exit(main())
