"""The Slack harness fixtures, so the audit can drive the Slack path too."""

from tests.slack.conftest import demo, fake_slack, make_slack_app, slack  # noqa: F401
