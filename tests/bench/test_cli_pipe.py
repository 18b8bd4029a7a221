"""`bench list | head`: a reader that leaves early gets no traceback on the terminal."""

import subprocess
import sys


def test_closed_stdout_ends_quietly():
    process = subprocess.Popen([sys.executable, "-m", "bench", "list"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    process.stdout.close()  # the reader is gone before bench prints its first line
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141, stderr
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr, stderr
