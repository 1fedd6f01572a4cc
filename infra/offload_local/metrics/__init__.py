"""Metrics as CloudWatch gets them on AWS: the functions' embedded metric format log lines."""
