"""The shared scheduler (``scheduling.engine.Scheduler``) and the delivery engine
(``scheduling.outbox.Outbox``). Never imports ``bots``."""
