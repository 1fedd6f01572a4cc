"""The subcommands of `python -m infra`, one module each."""
