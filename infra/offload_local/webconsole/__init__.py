"""The operator's console: a web page on 127.0.0.1 showing what the background work is doing
(tasks by outcome, wait and run times, queues, recent failures, dead letters, alarms), for the
local cloud or a deployed stack, read with the operator's own credentials. Nothing of it is
part of the public API."""
