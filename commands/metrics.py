"""Prometheus metrics of the core, on a registry owned by the app (no global registry).

Labels never carry a user, a channel of an anonymous sender or any text: only names of
commands, actions, platforms and outcomes.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.events = Counter(
            "hartslag_events_total", "Requests handled, by kind and platform",
            ["kind", "platform"], registry=r,
        )
        self.commands = Counter(
            "hartslag_commands_total", "Commands handled, by name", ["name"], registry=r
        )
        self.errors = Counter(
            "hartslag_errors_total", "Unexpected errors caught by the router or a job",
            ["where"], registry=r,
        )
        self.deliveries = Counter(
            "hartslag_deliveries_total", "Outbox deliveries by platform and outcome",
            ["platform", "outcome"], registry=r,
        )
        self.queue_depth = Gauge(
            "hartslag_outbox_queue_depth", "Outbox rows waiting to be sent", registry=r
        )
        self.loop_lag = Histogram(
            "hartslag_event_loop_lag_seconds", "Event-loop lag measured by a ticking task",
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5), registry=r,
        )
