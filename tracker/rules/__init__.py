"""Word lists and tables the extractors and the linker read (see README.md here)."""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any


def read(name: str) -> str:
    """The text of rules file ``name``."""
    return resources.files("tracker.rules").joinpath(name).read_text(encoding="utf-8")


def load_toml(name: str) -> dict[str, Any]:
    return tomllib.loads(read(name))


def lines(name: str) -> list[str]:
    """Non-empty lines of a word list, without comment lines (``#``)."""
    return [ln.strip() for ln in read(name).splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
