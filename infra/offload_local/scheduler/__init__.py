"""EventBridge Scheduler, locally: moto stores schedules and groups; this package fires them when
due (moto never does), with the same envelope on the same queue."""
