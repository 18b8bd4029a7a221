"""The cifar10 workload on small CIFAR-10 folders written in the real on-disk format."""

from __future__ import annotations

import io
import math
import subprocess
import sys

import numpy as np
import pytest
import torch

from bench import cli
from bench.errors import BenchError
from workloads import Workload, get
from workloads import _cifar_data as data
from workloads.base import TrainerContext
from workloads.cifar10 import crop_and_flip

CIFAR10 = get("cifar10")
SMALL_CONFIG = {"learning_rate": 0.05, "momentum": 0.9, "weight_decay": 5e-4, "batch_size": 16, "width": 16}


@pytest.fixture
def offline(monkeypatch, tmp_path):
    """No downloads, and a default data folder inside tmp_path."""
    monkeypatch.setenv(data.DOWNLOAD_ENV, "0")
    monkeypatch.delenv(data.DATA_DIR_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def _context(root, seed=0) -> TrainerContext:
    return TrainerContext(device="cpu", cpu_threads=1, seed=seed, options={"data_dir": str(root)})


def test_space_has_five_dimensions_three_grid_values_each():
    assert CIFAR10.space.names == ["learning_rate", "momentum", "weight_decay", "batch_size", "width"]
    assert all(len(hp.grid) == 3 for hp in CIFAR10.space)
    assert CIFAR10.space.grid_size() == 243 and CIFAR10.max_epochs == 9
    assert CIFAR10.space["learning_rate"].log and CIFAR10.space["weight_decay"].log
    assert CIFAR10.space["batch_size"].integer and CIFAR10.space["batch_size"].log
    assert CIFAR10.space["width"].integer and not CIFAR10.space["width"].mutable
    assert CIFAR10.prefers_gpu and CIFAR10.num_classes == 10


def test_importing_the_workload_does_not_import_torch():
    code = "import sys, workloads.cifar10; sys.exit('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_loader_reads_the_written_files_as_torchvision_does(cifar_root, monkeypatch):
    import torchvision.datasets.cifar as tv_cifar

    train_x, train_y, test_x, test_y = data.load_arrays(str(cifar_root / data.FOLDER))
    assert train_x.shape == (40, 3, 32, 32) and train_x.dtype == np.uint8
    assert test_x.shape == (20, 3, 32, 32) and train_y.dtype == np.int64
    # torchvision's own reader of the same files; its md5 check only accepts the official files.
    monkeypatch.setattr(tv_cifar, "check_integrity", lambda *args, **kwargs: True)
    for train, (images, labels) in ((True, (train_x, train_y)), (False, (test_x, test_y))):
        reference = tv_cifar.CIFAR10(str(cifar_root), train=train, download=False)
        assert np.array_equal(reference.data, images.transpose(0, 2, 3, 1))
        assert reference.targets == labels.tolist()
    assert data.read_meta(cifar_root / data.FOLDER / data.META_FILE)[0] == "airplane"


def test_data_dir_may_be_the_batches_folder_itself(cifar_root, offline):
    assert data.ensure_data(cifar_root) == cifar_root / data.FOLDER
    assert data.ensure_data(cifar_root / data.FOLDER) == cifar_root / data.FOLDER


def test_missing_and_corrupt_files_are_one_line_errors(cifar_root, offline):
    folder = cifar_root / data.FOLDER
    (folder / "data_batch_3").unlink()
    with pytest.raises(BenchError, match="missing: data_batch_3") as missing:
        CIFAR10.check_ready({"data_dir": str(cifar_root)})
    (folder / "data_batch_3").write_bytes(b"not a pickle")
    with pytest.raises(BenchError, match="data_batch_3: not a CIFAR-10 batch file") as corrupt:
        CIFAR10.check_ready({"data_dir": str(cifar_root)})
    for error in (missing, corrupt):
        assert "\n" not in str(error.value)


def test_unknown_option_is_refused(cifar_root):
    with pytest.raises(BenchError, match="unknown option.*bogus.*accepted: data_dir, device"):
        CIFAR10.check_ready({"data_dir": str(cifar_root), "bogus": 1})


def test_missing_data_exits_2_with_one_line_and_writes_nothing(tmp_path, offline, capsys):
    out = tmp_path / "results"
    given = tmp_path / "nowhere"
    assert cli.main(["run", "--strategy", "asha", "--workload", "cifar10", "--data-dir", str(given),
                     "--out", str(out)]) == 2
    assert cli.main(["run", "--strategy", "asha", "--workload", "cifar10", "--out", str(out)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 2
    assert str(given) in lines[0] and str(tmp_path / "cache" / "bench" / "cifar10") in lines[1]
    for line in lines:
        assert "cifar-10-batches-py" in line and "data_batch_1" in line and "test_batch" in line
    assert not out.exists() and not given.exists() and not (tmp_path / "cache").exists()


def test_data_dir_is_refused_for_a_workload_without_data(tmp_path, capsys):
    assert cli.main(["run", "--strategy", "asha", "--data-dir", str(tmp_path), "--out",
                     str(tmp_path / "r")]) == 2
    assert "reads no data files" in capsys.readouterr().err
    assert CIFAR10.check_ready is not Workload.check_ready


def test_crop_and_flip_is_a_seeded_batched_crop_of_the_padded_images():
    x = torch.randn(64, 3, 32, 32)
    out = crop_and_flip(x, torch.Generator().manual_seed(1))
    assert out.shape == x.shape
    assert torch.equal(out, crop_and_flip(x, torch.Generator().manual_seed(1)))
    assert not torch.equal(out, crop_and_flip(x, torch.Generator().manual_seed(2)))
    padded = torch.nn.functional.pad(x, (4, 4, 4, 4))
    flipped = 0
    for i in range(len(x)):  # every output is one of the 81 crops of its padded image, maybe mirrored
        crops = {(top, left, flip) for top in range(9) for left in range(9) for flip in (False, True)
                 if torch.equal(out[i], (lambda c: c.flip(-1) if flip else c)(padded[i, :, top:top + 32,
                                                                                     left:left + 32]))}
        assert crops, f"image {i} is not a crop of its padded input"
        flipped += all(flip for _, _, flip in crops)
    assert 0 < flipped < len(x)


@pytest.mark.slow  # trains a model
def test_two_epochs_report_finite_metrics_and_resume_exactly(cifar_root):
    straight = CIFAR10.make_trainer(SMALL_CONFIG, _context(cifar_root))
    straight_metrics = [straight.train_epoch() for _ in range(2)]
    for metrics in straight_metrics:
        assert math.isfinite(metrics.train_loss) and math.isfinite(metrics.val_loss)
        assert 0.0 <= metrics.val_accuracy <= 1.0 and metrics.train_flops > 0

    first = CIFAR10.make_trainer(SMALL_CONFIG, _context(cifar_root))
    resumed = [first.train_epoch()]
    buffer = io.BytesIO()
    torch.save(first.state_dict(), buffer)
    buffer.seek(0)
    second = CIFAR10.make_trainer(SMALL_CONFIG, _context(cifar_root))
    second.load_state_dict(torch.load(buffer))
    resumed.append(second.train_epoch())
    assert resumed == straight_metrics


def test_cli_run_on_written_files_reports_every_field_within_budget(ray_session, cifar_root, tmp_path,
                                                                    capsys):
    from bench.store.results import BASE_COLUMNS, OUTCOMES, load_run

    out = tmp_path / "results"
    code = cli.main(["run", "--strategy", "grid", "--workload", "cifar10", "--data-dir", str(cifar_root),
                     "--budget-epochs", "2", "--workers", "1", "--out", str(out), "--quiet"])
    assert code == 0
    assert "hardware: no GPU" in capsys.readouterr().err
    (folder,) = [p for p in out.iterdir() if p.is_dir()]
    run = load_run(folder)
    epochs = run.epochs
    assert 1 <= len(epochs) <= 2 + 1  # the budget plus at most one epoch per worker
    for column in (*BASE_COLUMNS, *CIFAR10.space.names):
        assert epochs[column].notna().all(), column
    assert (epochs["workload"] == "cifar10").all() and (epochs["train_flops"] > 0).all()
    assert (epochs["epoch_compute_s"] > 0).all() and epochs["val_accuracy"].between(0, 1).all()
    assert set(epochs["outcome"]) <= set(OUTCOMES)
    assert run.manifest["workload"]["options"] == {"data_dir": str(cifar_root)}
    assert run.manifest["trial_resources"]["cpu"] >= 1 and "gpu" not in run.manifest["trial_resources"]


@pytest.mark.skipif(not torch.cuda.is_available(),
                    reason="needs CUDA (bf16 autocast and channels-last; "
                           "scripts/gpu_throughput.py covers them)")
def test_cuda_epoch_uses_bf16_autocast_and_channels_last(cifar_root):
    trainer = CIFAR10.make_trainer(SMALL_CONFIG, TrainerContext(device="cuda", seed=0,
                                                               options={"data_dir": str(cifar_root)}))
    metrics = trainer.train_epoch()
    assert math.isfinite(metrics.train_loss) and metrics.train_flops > 0
    assert trainer.train_x.is_cuda
    conv = trainer.model.stem[0].weight
    assert conv.is_contiguous(memory_format=torch.channels_last)
    with trainer._autocast():
        batch = trainer.val_x[:4].contiguous(memory_format=torch.channels_last)
        assert trainer.model(batch).dtype == torch.bfloat16
