"""The Web API client, with retries, and the mapping of Slack errors to DeliveryError.

slack_sdk retries only connection errors by default. We add its rate-limit handler (sleeps
Retry-After plus up to 1 s jitter) and its server-error handler (500/503). When the retries are
used up the error surfaces as ``DeliveryError(retry_after=...)`` so the outbox can back off
per its own budget instead of this client sleeping for minutes.

Posting is different: Slack has no idempotency key, and after a dropped connection or a 5xx
the message may exist. The posting client (``posting=True``) retries only 429s (Slack did not
process the request) and leaves everything else to the outbox, which asks ``find_delivery``
before it posts again.
"""

from __future__ import annotations

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack.settings import SlackSettings
from commands.port import DeliveryError
from scheduling.buckets import RateLimited

# Errors a retry cannot fix: the outbox marks the row failed and reports it.
PERMANENT_ERRORS = frozenset({
    "channel_not_found", "not_in_channel", "is_archived", "channel_is_archived",
    "user_not_found", "users_not_found", "user_disabled", "account_inactive", "cannot_dm_bot",
    "invalid_auth", "not_authed", "token_revoked", "token_expired", "missing_scope",
    "no_permission", "restricted_action", "restricted_action_read_only_channel",
    "restricted_action_thread_only_channel", "restricted_action_non_threadable_channel",
    "team_access_not_granted", "ekm_access_denied", "access_denied", "msg_too_long",
    "no_text", "invalid_blocks", "invalid_blocks_format", "invalid_metadata_format",
    "invalid_metadata_schema", "metadata_too_large", "message_not_found", "cant_update_message",
    "edit_window_closed", "is_inactive", "not_allowed_token_type", "invalid_arguments",
    "too_many_attachments", "channel_type_not_supported", "as_user_not_supported",
    "method_not_supported_for_channel_type",  # conversations.join of a private channel
})


def build_client(settings: SlackSettings, *, posting: bool = False) -> AsyncWebClient:
    handlers: list[AsyncRetryHandler] = [
        AsyncRateLimitErrorRetryHandler(max_retry_count=settings.rate_limit_retries),
    ]
    if not posting:
        handlers += [
            AsyncConnectionErrorRetryHandler(max_retry_count=settings.connection_retries),
            AsyncServerErrorRetryHandler(max_retry_count=settings.server_error_retries),
        ]
    kwargs: dict[str, object] = {}
    if settings.api_base_url:
        base = settings.api_base_url
        kwargs["base_url"] = base if base.endswith("/") else base + "/"
    return AsyncWebClient(
        token=settings.bot_token or None,
        timeout=settings.timeout_seconds,
        retry_handlers=handlers,
        **kwargs,  # type: ignore[arg-type]
    )


def lookup_client(client: AsyncWebClient) -> AsyncWebClient:
    """``client`` without its 429 retries, for reconciliation lookups: a rate-limited
    lookup goes up at once as ``RateLimited`` (conversations.history's own scope) instead of
    sleeping in a delivery slot that posts to other channels could use."""
    handlers = [h for h in client.retry_handlers
                if not isinstance(h, AsyncRateLimitErrorRetryHandler)]
    return AsyncWebClient(token=client.token, base_url=client.base_url, timeout=client.timeout,
                          retry_handlers=handlers)


def _retry_after(error: SlackApiError) -> float | None:
    headers = getattr(error.response, "headers", None) or {}
    for key, value in headers.items():
        if key.lower() == "retry-after":
            raw = value[0] if isinstance(value, list) else value
            try:
                return float(raw)
            except (TypeError, ValueError):
                return 1.0
    return None


def error_code(exc: Exception) -> str:
    """Slack's error code (``channel_not_found``), ``http_<status>`` or the exception name."""
    if isinstance(exc, SlackApiError):
        data = getattr(exc.response, "data", None)
        if isinstance(data, dict) and data.get("error"):
            return str(data["error"])
        return f"http_{getattr(exc.response, 'status_code', 0)}"
    return type(exc).__name__


def refused(exc: Exception) -> bool:
    """True when Slack answered and did not act: ``ok: false`` or a 429 (not a 5xx or a
    dropped connection, after which a post may exist)."""
    if not isinstance(exc, SlackApiError):
        return False
    return int(getattr(exc.response, "status_code", 200) or 200) < 500


def delivery_error(exc: Exception, *, method: str) -> DeliveryError:
    """A Slack failure as the port's DeliveryError (reason ``"slack <method>: <error>"``)."""
    if isinstance(exc, SlackApiError):
        status = int(getattr(exc.response, "status_code", 200) or 200)
        code = error_code(exc)
        if status == 429 or code == "ratelimited":
            # Slack limits each method per workspace: the outbox blocks that method's scope.
            return RateLimited(f"slack {method}: ratelimited",
                               retry_after=_retry_after(exc) or 1.0, scope=f"method:{method}")
        return DeliveryError(f"slack {method}: {code}", permanent=code in PERMANENT_ERRORS)
    if isinstance(exc, SlackClientError):
        return DeliveryError(f"slack {method}: {type(exc).__name__}")
    return DeliveryError(f"slack {method}: {type(exc).__name__}")
