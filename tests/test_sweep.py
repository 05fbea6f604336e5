"""Tests of sptheory.sweep.run_jobs."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from sptheory.sweep import run_jobs


def power(base, exp=2):
    return base**exp


def fail_on_three(x):
    if x == 3:
        raise ValueError("three")
    return x


def test_serial_job_forms():
    jobs = [(2,), (3, 3), {"base": 4, "exp": 1}, 5]
    assert run_jobs(power, jobs, progress=False) == [4, 27, 4, 25]


def test_executor_keeps_order():
    jobs = [(i,) for i in range(20)]
    with ThreadPoolExecutor(max_workers=4) as ex:
        assert run_jobs(power, jobs, executor=ex, progress=False) == [i**2 for i in range(20)]


def test_errors_propagate():
    with pytest.raises(ValueError, match="three"):
        run_jobs(fail_on_three, range(5), progress=False)
    with ThreadPoolExecutor(max_workers=2) as ex:
        with pytest.raises(ValueError, match="three"):
            run_jobs(fail_on_three, range(5), executor=ex, progress=False)
