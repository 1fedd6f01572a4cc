"""`make mutate`: mutation testing of functions/offload against the fast tests."""
