"""The loop-lag probe runs during every in-process e-mail and Telegram fault test.

The bot runs on the test's event loop there, so a probe task on that loop feels every stall
the bot causes while the test drives it; a test fails when any lasted more than
``LIMIT_SECONDS`` (issue 16). Only the test body counts: starting the bot (migrations, FAQ
index) happens once per process in production, not per input. The subprocess tests (kill -9,
scale-out) run the bot elsewhere and are left out.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Iterator

import pytest

from tests.support.loop_lag import LIMIT_SECONDS, LoopLagProbe

#: Test modules whose bot runs in this process.
IN_PROCESS_MODULES = frozenset({"test_network_faults", "test_relay_down", "test_db_restart"})
_PROBE = pytest.StashKey[LoopLagProbe]()


@pytest.fixture(autouse=True)
async def loop_lag(request: pytest.FixtureRequest) -> AsyncIterator[LoopLagProbe | None]:
    module = request.node.module.__name__.rpartition(".")[2]
    if module not in IN_PROCESS_MODULES:
        yield None
        return
    async with LoopLagProbe() as probe:
        probe.disarm()
        request.node.stash[_PROBE] = probe
        yield probe


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    probe = item.stash.get(_PROBE, None)
    if probe is None:
        return (yield)
    # What earlier tests left on the heap is not this bot's: collected and frozen, so a
    # full collection during the test walks only what the test made.
    gc.collect()
    gc.freeze()
    probe.arm()
    try:
        result = yield
    finally:
        probe.disarm()
        gc.unfreeze()
    probe.assert_below(LIMIT_SECONDS)
    return result
