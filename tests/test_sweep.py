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


def _zs_job(seed, n_pulses):
    """A real sweep job: stochastic zero-shifting of 64 cells, seeded by the job."""
    import numpy as np

    from sptheory import calibration, devices

    dev = devices.SoftBounds(a_up=1.2, a_dn=0.8, dw_min=1e-2)
    res = calibration.zero_shift(dev, np.zeros((2, 64)), n_pulses, rng=seed, schedule="stochastic")
    return res.w


def test_results_do_not_depend_on_the_executor():
    """The same jobs serially, on a process pool and on a local Dask cluster: identical arrays.

    The Dask cluster (2 single-threaded worker processes) is started and stopped here.
    """
    import numpy as np

    from sptheory.sweep import open_executor

    jobs = [(seed, 50 + 10 * seed) for seed in range(6)]
    serial = run_jobs(_zs_job, jobs, progress=False)
    outs = {}
    for spec in ("process", "dask"):
        with open_executor(spec, workers=2) as ex:
            assert ex is not None
            outs[spec] = run_jobs(_zs_job, jobs, executor=ex, progress=False)
    for spec, got in outs.items():
        assert len(got) == len(serial)
        for a, b in zip(serial, got):
            assert np.array_equal(a, b), spec


def test_executor_specs():
    from sptheory.sweep import open_executor, parse_executor

    assert parse_executor(None) == ("process", None)
    assert parse_executor("dask=tcp://127.0.0.1:8786") == ("dask", "tcp://127.0.0.1:8786")
    for bad in ("threads", "process=x", "dask="):
        with pytest.raises(ValueError, match="executor"):
            parse_executor(bad)
    with open_executor("process", workers=1) as ex:
        assert ex is None
    with pytest.raises(ValueError, match="workers"):
        with open_executor("serial", workers=0):
            pass
