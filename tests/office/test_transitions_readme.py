"""The README shows each app's transition table exactly as the app declares it."""

from __future__ import annotations

import re
from pathlib import Path

import documents.transitions  # noqa: F401  (each declares its table)
import petitions.transitions  # noqa: F401
from office.transitions import tables

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_declared_table_is_in_the_readme_as_declared():
    text = README.read_text(encoding="utf-8")
    declared = {t.model: t for t in tables()}
    assert declared, "no app declares its transitions"
    for model, table in declared.items():
        found = re.search(
            rf"<!-- transitions:{re.escape(model)} -->\n.*?\n\n(.*?)\n<!-- /transitions:",
            text,
            re.S,
        )
        assert found, f"the README has no table for {model}"
        assert found.group(1).strip() == table.markdown().strip(), model
