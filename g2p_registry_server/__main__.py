"""`python -m g2p_registry_server`: the registry's command line."""

import sys

from .cli import main

sys.exit(main())
