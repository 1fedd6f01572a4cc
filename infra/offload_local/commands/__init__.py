"""The subcommands of `offload-local`, one module each."""
