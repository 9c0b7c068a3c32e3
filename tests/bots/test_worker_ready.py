"""The primary waits for its HTTP workers to report ready before it says it runs
(bots/workers.py): the public socket queues connections from the moment it is bound, so a
worker still importing would leave the first requests waiting (18 s was seen on a busy
machine). Stand-in workers here are tiny interpreters that report after a pause, never, or
die first; no HTTP involved."""

from __future__ import annotations

import socket
import sys
import textwrap
import time
from collections.abc import Iterator

import pytest

from bots.workers import WorkerPool

REPORTS_AFTER = """
import os, time
from bots.workers import WorkerEnv
time.sleep({pause})
WorkerEnv.from_environ().report_ready()
time.sleep(30)
"""


@pytest.fixture
def public() -> Iterator[socket.socket]:
    sock = socket.create_server(("127.0.0.1", 0))
    try:
        yield sock
    finally:
        sock.close()


def pool(public: socket.socket, code: str, count: int = 2) -> WorkerPool:
    argv = [sys.executable, "-c", textwrap.dedent(code)]
    return WorkerPool(count, argv=argv, public=public, primary_port=1, metrics_dir=None)


async def test_start_returns_once_every_worker_reported_ready(public: socket.socket) -> None:
    workers = pool(public, REPORTS_AFTER.format(pause=1.0))
    began = time.monotonic()
    try:
        await workers.start(ready_within=60)
        assert time.monotonic() - began >= 1.0  # it waited for the slow import
        assert workers.health() == []
    finally:
        await workers.stop()


async def test_a_worker_that_never_reports_is_not_counted_as_running(
        public: socket.socket) -> None:
    workers = pool(public, "import time; time.sleep(30)", count=1)
    try:
        await workers.start(ready_within=0.5)  # goes on after the time is up
        assert workers.health() == ["http workers: 1 of 1 not running"]
    finally:
        await workers.stop()


async def test_a_worker_that_dies_before_reporting_does_not_hold_up_start(
        public: socket.socket) -> None:
    workers = pool(public, "raise SystemExit(3)", count=1)
    began = time.monotonic()
    try:
        await workers.start(ready_within=60)
        assert time.monotonic() - began < 30  # the closed pipe ended the wait, not the timeout
        assert workers.health() == ["http workers: 1 of 1 not running"]
    finally:
        await workers.stop()
