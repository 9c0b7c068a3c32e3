"""Workarounds for libraries used by more than one platform: prometheus_client, OpenTelemetry.

Every function here reaches into a library's internals or global state, because the library
offers no public way to get what we need. Each says why, the version it was checked on and
what breaks without it. ``tests/test_workarounds.py`` checks, against the installed versions,
that the internals are still there and that each workaround still takes effect; the upper
bounds in ``pyproject.toml`` keep an untested release out. The per-platform ones are in
``bots/slack/workarounds.py``, ``bots/teams/workarounds.py`` and ``bots/matrix/workarounds.py``.
"""

from __future__ import annotations

CHECKED = {"prometheus-client": "0.26.0", "opentelemetry-api": "1.45.2"}

# The class of OpenTelemetry's placeholder provider (opentelemetry.metrics._internal), the
# one ``get_meter_provider`` returns while nobody set a provider.
OTEL_PLACEHOLDER = "_ProxyMeterProvider"


def reselect_metric_values() -> type:
    """Make prometheus_client write metric values to files (multi-process mode) after all.

    Why: prometheus_client picks its value class (``values.ValueClass``) once, when it is
    imported, from ``PROMETHEUS_MULTIPROC_DIR``. We know whether there are HTTP workers only
    after reading the config, long after the import; so, with the variable now set, we put in
    the class it would have picked at import. Must run before the first metric is created.

    Checked on prometheus-client 0.26.0 (``values.ValueClass``, ``values.get_value_class``).
    Without it, with ``server.workers > 1`` every process counts in its own memory and
    ``/metrics`` shows one random worker's numbers instead of the sum over all processes.
    Returns the value class now in use."""
    from prometheus_client import values

    values.ValueClass = values.get_value_class()
    return values.ValueClass


def bounded_otel_meters() -> bool:
    """Set OpenTelemetry's no-op meter provider when nobody configured one. True when set.

    Why: the Teams SDK asks OpenTelemetry for a meter and a counter on every outbound call.
    Without a configured provider, OpenTelemetry's placeholder (``_ProxyMeterProvider``)
    keeps every meter it ever handed out, so it could connect them to a provider set later:
    a meter, a counter and two locks per reply, never freed. Measured: 10,000 of each after
    10,000 votes, and full garbage collections of 150 ms walking them. The no-op provider
    keeps nothing; a provider someone configured (an OpenTelemetry SDK) is left alone.

    Checked on opentelemetry-api 1.45.2, where the placeholder is recognised by its class
    name (the class is private). If that name changes, this silently does nothing and the
    memory grows again: ``tests/test_workarounds.py`` fails first."""
    from opentelemetry import metrics

    if type(metrics.get_meter_provider()).__name__ != OTEL_PLACEHOLDER:
        return False
    metrics.set_meter_provider(metrics.NoOpMeterProvider())
    return True
