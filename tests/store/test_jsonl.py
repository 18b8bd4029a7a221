"""The shared JSON-lines reader: a torn last line is dropped; a damaged line is refused or skipped."""

from __future__ import annotations

import pytest

from bench.errors import BenchError
from bench.store.jsonl import cut_torn_tail, read_records

REQUIRED = ("id",)


def _write(tmp_path, data: bytes):
    path = tmp_path / "log.jsonl"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("damaged_line", ["refuse", "skip"])
def test_a_torn_last_line_is_dropped_and_the_intact_length_counts_complete_lines(tmp_path, damaged_line):
    path = _write(tmp_path, b'{"id": 1}\n{"id": 2}\n{"id": 3, "va')
    records, intact = read_records(path, REQUIRED, damaged_line=damaged_line)
    assert records == [{"id": 1}, {"id": 2}]
    assert intact == len(b'{"id": 1}\n{"id": 2}\n')


def test_a_missing_file_has_no_records(tmp_path):
    assert read_records(tmp_path / "none.jsonl", damaged_line="refuse") == ([], 0)


def test_refuse_names_a_damaged_middle_line(tmp_path):
    path = _write(tmp_path, b'{"id": 1}\n{"id": 2, "v\n{"id": 3}\n')
    with pytest.raises(BenchError, match="line 2 is not a valid record"):
        read_records(path, REQUIRED, damaged_line="refuse")


def test_refuse_names_a_complete_last_line_without_its_newline(tmp_path):
    path = _write(tmp_path, b'{"id": 1}\n{"id": 2}')
    with pytest.raises(BenchError, match="last line has no newline but is complete"):
        read_records(path, REQUIRED, damaged_line="refuse")


def test_skip_leaves_out_a_damaged_middle_line_and_keeps_a_complete_last_line(tmp_path):
    path = _write(tmp_path, b'{"id": 1}\n{"id": 2, "v\n\n{"id": 3}\n{"id": 4}')
    records, _ = read_records(path, REQUIRED, damaged_line="skip")
    assert records == [{"id": 1}, {"id": 3}, {"id": 4}]


@pytest.mark.parametrize("damaged_line", ["refuse", "skip"])
def test_a_json_line_without_a_required_key_is_refused_in_either_mode(tmp_path, damaged_line):
    path = _write(tmp_path, b'{"id": 1}\n{"other": 2}\n')
    with pytest.raises(BenchError, match="line 2 is not a valid record"):
        read_records(path, REQUIRED, damaged_line=damaged_line)


def test_cut_torn_tail_truncates_to_the_last_newline(tmp_path):
    path = _write(tmp_path, b'{"id": 1}\n{"id": 2, "va')
    cut_torn_tail(path)
    assert path.read_bytes() == b'{"id": 1}\n'
    cut_torn_tail(path)  # nothing torn: unchanged
    assert path.read_bytes() == b'{"id": 1}\n'
