"""The cyclic collector paused over a bulk step (mutualaid.core.collector): paused inside,
back on after, counted across nested and concurrent steps, and never left off."""

from __future__ import annotations

import gc
import threading

import pytest

from mutualaid.core.collector import collector_paused


@pytest.fixture(autouse=True)
def collector_on():
    gc.enable()
    yield
    gc.enable()


def test_paused_inside_and_on_again_after():
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_on_again_after_the_step_failed():
    with pytest.raises(ZeroDivisionError), collector_paused():
        1 / 0  # noqa: B018
    assert gc.isenabled()


def test_a_nested_step_does_not_switch_it_on_for_the_outer_one():
    with collector_paused():
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_left_off_when_it_was_off_before():
    gc.disable()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_concurrent_steps_in_threads_end_with_it_on():
    """Thread A starts, B starts, A ends (still paused for B), B ends: on. Without the count
    B would have seen it off at its start and switched it off for good."""
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def step_a():
        with collector_paused():
            a_in.set()
            b_in.wait(5)
        a_out.set()

    def step_b():
        a_in.wait(5)
        with collector_paused():
            b_in.set()
            a_out.wait(5)
            seen["after_a"] = gc.isenabled()

    threads = [threading.Thread(target=step_a), threading.Thread(target=step_b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert seen == {"after_a": False}
    assert gc.isenabled()
