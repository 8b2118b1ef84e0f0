"""README's Quickstart and CI must say the same thing, and every command must explain itself."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import click

from tracker.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _quickstart_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_quickstart_has_exactly_two_commands_and_ci_runs_the_test_one() -> None:
    cmds = _quickstart_commands()
    assert len(cmds) == 2 and all("\n" not in c for c in cmds)
    assert "tracker ingest seeds/" in cmds[0]
    assert "pytest" in cmds[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert cmds[1].replace("python3", "$PYTHON") in ci


def _all_commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    out = []
    for name, cmd in group.commands.items():
        out.append((prefix + name, cmd))
        if isinstance(cmd, click.Group):
            out.extend(_all_commands(cmd, prefix + name + " "))
    return out


def test_every_command_has_help_text() -> None:
    missing = [name for name, cmd in _all_commands(main) if not (cmd.help or "").strip()]
    assert not missing, f"commands without help: {missing}"


def test_help_does_not_import_heavy_modules() -> None:
    code = (
        "import sys; from click.testing import CliRunner; from tracker.cli import main; "
        "r = CliRunner().invoke(main, ['--help']); assert r.exit_code == 0, r.output; "
        "heavy = [m for m in ('sqlalchemy', 'alembic', 'rapidfuzz') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"tracker --help imported {out.stdout.strip()}"
