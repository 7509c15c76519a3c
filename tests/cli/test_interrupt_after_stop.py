"""A second Ctrl-C that lands after the run stopped, while it writes its report, still ends the
process with 130 and says so (it was a KeyboardInterrupt traceback, exit -2, under load)."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import os, signal, time
from kaltura_mm.commands.interrupts import Interrupts

with Interrupts(lambda line: None) as interrupts:
    os.kill(os.getpid(), signal.SIGINT)  # the first Ctrl-C: the run stops
    while not interrupts.stopping:
        time.sleep(0.01)
os.kill(os.getpid(), signal.SIGINT)  # the second, while the report is written
time.sleep(5)
print("the report was written")
"""


def test_a_second_ctrl_c_after_the_run_stopped_exits_130() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 130, done.stderr
    assert "stopping now" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_run_stopped_by_its_max_duration_gives_ctrl_c_back() -> None:
    script = """
import signal
from kaltura_mm.commands.interrupts import Interrupts

before = signal.getsignal(signal.SIGINT)
with Interrupts(lambda line: None, max_duration=0.01) as interrupts:
    interrupts.event.wait(5)
print(signal.getsignal(signal.SIGINT) is before)
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert done.stdout.strip() == "True", done.stderr
