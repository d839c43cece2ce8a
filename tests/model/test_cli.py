"""Every stage answers `--help` and bad input ends with a message, not a traceback."""
from __future__ import annotations

import subprocess
import sys

import pytest

from model.__main__ import main, make_parser

COMMANDS = ("synth", "features", "train", "drift", "build", "score", "monitor")


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        make_parser().parse_args([command, "--help"])
    assert exit_info.value.code == 0
    assert f"python -m model {command}" in capsys.readouterr().out


def test_build_on_a_folder_without_data_fails_with_a_message(tmp_path, caplog):
    assert main(["build", "--data", str(tmp_path / "nowhere"), "--out", str(tmp_path / "a")]) == 2
    assert "nowhere does not exist" in caplog.text
    assert not (tmp_path / "a").exists()


def test_module_runs_as_a_program():
    done = subprocess.run([sys.executable, "-m", "model", "--help"], capture_output=True, text=True)
    assert done.returncode == 0
    assert all(command in done.stdout for command in COMMANDS)
