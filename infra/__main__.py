"""`python -m infra`: the local cloud's command line."""

from infra.cli import main

raise SystemExit(main())
