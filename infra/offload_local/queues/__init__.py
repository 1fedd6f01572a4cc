"""The stack's queues as an operator sees them: depths, dead letters, and redrive."""
