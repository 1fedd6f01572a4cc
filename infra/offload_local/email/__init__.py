"""What the local SES does with an email: the configuration set it went through, the outbox."""
