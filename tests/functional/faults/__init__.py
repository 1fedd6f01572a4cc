"""Fault injection: "nothing lost, nothing twice" under duplicate deliveries, crashes, failing
AWS calls and redrive, against moto's server with real SQS visibility and redrive semantics."""
