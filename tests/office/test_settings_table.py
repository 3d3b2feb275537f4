"""Every setting the README's configuration table documents is read from the environment in
office/settings.py, and every variable settings read is documented (issue 14: PETITION_SECTION_CODE,
the SUPERVISION_* and PORTAL_* variables were documented but never read)."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _documented() -> set[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("| variable | default | meaning |")
    rows = []
    for line in readme[start:].splitlines()[2:]:
        if not line.startswith("|"):
            break
        rows.append(line.split("|")[1])
    return {name for cell in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", cell)}


def _read_by_settings() -> set[str]:
    source = (ROOT / "office" / "settings.py").read_text(encoding="utf-8")
    return set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]+)"', source))


def test_the_readme_table_and_the_settings_read_the_same_variables():
    documented, read = _documented(), _read_by_settings()
    assert documented - read == set(), "documented but never read from the environment"
    assert read - documented == set(), "read from the environment but not in the README"


def test_a_documented_variable_reaches_the_setting(monkeypatch):
    """Read for real: the environment's value becomes the setting."""
    import office.settings as settings_module

    values = {
        "PETITION_SECTION_CODE": ("petition_desk", "petition_desk"),
        "SUPERVISION_WARNING_DAYS": ("5", 5),
        "SUPERVISION_ORANGE_WORKDAYS": ("4", 4),
        "SUPERVISION_RED_WORKDAYS": ("1", 1),
        "PORTAL_DISCLOSURE_SECTION": ("open_gov", "open_gov"),
        "PORTAL_EVALUATIONS_PER_HOUR": ("9", 9),
        "PORTAL_DISCLOSURES_PER_DAY": ("7", 7),
        "TRUSTED_PROXY_COUNT": ("2", 2),
    }
    for name, (raw, _value) in values.items():
        monkeypatch.setenv(name, raw)
    try:
        reloaded = importlib.reload(settings_module)
        for name, (_raw, value) in values.items():
            assert getattr(reloaded, name) == value, name
    finally:
        for name in values:
            monkeypatch.delenv(name)
        importlib.reload(settings_module)
