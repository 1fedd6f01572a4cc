"""Who calls the local API: users of the template's Cognito user pool, and their tokens."""
