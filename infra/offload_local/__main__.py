"""`offload-local`: the local cloud's command line."""

from offload_local.cli import main

raise SystemExit(main())
