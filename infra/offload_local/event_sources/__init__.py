"""The SQS event source mapping emulator: pollers, event records, Lambda's batch-response rules."""
