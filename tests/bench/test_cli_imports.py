"""`bench list` and `bench --help` answer without importing Ray or torch (seconds of start-up)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("argv", [["list"], ["--help"], ["run", "--help"]])
def test_light_commands_import_neither_ray_nor_torch(argv):
    script = (
        "import sys\n"
        "from bench.cli import main\n"
        "try:\n"
        f"    code = main({argv!r})\n"
        "except SystemExit as exit:\n"
        "    code = exit.code\n"
        "heavy = sorted(m for m in ('ray', 'torch', 'pandas') if m in sys.modules)\n"
        "print('HEAVY', ','.join(heavy), 'CODE', code)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "HEAVY  CODE 0"


def test_a_replay_on_a_machine_without_gpu_device_files_never_imports_torch(tmp_path):
    """A replay trains nothing; it imported torch only to ask for GPUs (1.3-1.7 s of its start)."""
    from bench.environment import certainly_no_gpu

    if not certainly_no_gpu():
        pytest.skip("this machine has GPU device files: torch is asked, as it must be")
    script = (
        "import sys\n"
        "from bench.cli import main\n"
        f"code = main(['run', '--strategy', 'asha', '--replay', '--samples', '4', '--quiet',\n"
        f"             '--out', {str(tmp_path)!r}])\n"
        "print('TORCH', 'torch' in sys.modules, 'CODE', code)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "TORCH False CODE 0"
    manifest = next(tmp_path.glob("*/manifest.json")).read_text()
    assert '"gpus": []' in manifest and '"gpu_count": 0' in manifest


def test_gpu_device_files_send_the_question_to_torch(monkeypatch):
    """"No GPU" is said without torch only where torch sees none; with a GPU's device files torch is asked."""
    import torch

    from bench import environment

    assert not (environment.certainly_no_gpu() and torch.cuda.is_available())
    seen_by_torch = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    assert environment.gpu_names() == seen_by_torch
    monkeypatch.setattr(environment, "LINUX_GPU_DEVICE_FILES", (__file__,))  # a file that exists
    if sys.platform.startswith("linux"):
        assert environment.certainly_no_gpu() is False
