"""Every promise of SECURITY.md S-01…S-27 and S-37 is proved by at least one named test
(issue 15). A test claims a promise with the marker ``@pytest.mark.security("S-04")`` (on the
test or in a module's ``pytestmark``); tests written before the marker existed are claimed in
CLAIMS below by their node id. This test fails when a promise has no test, or a claim names a
test that does not exist. The README's table lists the same claims.

S-15 is not a promise of its own: SECURITY.md's boundary promise is S-15b.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
SECURITY_MD = TESTS.parent.parent / "shared" / "SECURITY.md"  # beside the worktrees, if present

PROMISED = [f"S-{n:02d}" for n in range(1, 28) if n != 15] + ["S-15b", "S-37"]

# Claims by node id, for tests that predate the marker (file::function).
CLAIMS: dict[str, list[str]] = {
    "S-01": [
        "office/test_auth.py::test_five_failures_lock_the_user_name_from_that_address_for_fifteen_minutes"
    ],
    "S-04": [
        "office/test_second_factor.py::test_a_code_is_never_accepted_twice",
        "office/test_second_factor.py::test_a_leader_enrols_at_the_first_sign_in_and_is_signed_in_only_by_the_code",
    ],
    "S-05": [
        "office/test_auth.py::test_thirty_idle_minutes_end_the_session",
        "office/test_auth.py::test_eight_hours_end_the_session_however_active",
    ],
    "S-06": [
        "office/test_auth.py::test_sign_in_rotates_the_session_key",
        "office/test_second_factor.py::test_the_password_step_rotates_the_session_key",
        "office/test_shell.py::test_check_deploy_reports_nothing_in_production_settings",
    ],
    "S-07": [
        "office/test_shell.py::test_security_headers",
        "office/test_shell.py::test_pages_load_nothing_from_outside",
    ],
    "S-09": ["test_access_table.py::test_access"],
    "S-10": ["test_access_table.py::test_access"],
    "S-11": [
        "documents/test_permissions.py::test_each_person_sees_exactly_what_was_routed_to_them_in_one_query",
        "documents/test_permissions.py::test_people_with_no_role_and_anonymous_visitors_see_nothing",
    ],
    "S-13": [
        "petitions/test_views.py::test_the_decision_view_ignores_extra_fields",
        "portal/test_evaluation.py::test_extra_fields_are_ignored",
    ],
    "S-14": ["office/test_roles.py::test_forbidden_role_combinations_are_refused"],
    "S-17": [
        "petitions/test_privacy.py::test_the_raw_columns_hold_ciphertext_and_keyed_hashes",
        "petitions/test_privacy.py::test_a_reveal_needs_a_purpose_and_writes_an_audit_entry",
        "petitions/test_privacy.py::test_a_transfer_strips_identity_by_default",
    ],
    "S-18": [
        "petitions/test_public.py::test_not_found_and_wrong_digits_look_the_same",
        "petitions/test_public.py::test_wrong_guesses_are_rate_limited",
    ],
    "S-19": [
        "petitions/test_public.py::test_a_double_submission_makes_one_petition",
        "petitions/test_public.py::test_field_sizes_are_bounded",
        "petitions/test_public.py::test_submissions_are_rate_limited",
    ],
    "S-20": [
        "petitions/test_public.py::test_script_from_the_public_is_text_on_staff_pages_in_emails_and_pdfs",
        "documents/test_pdf.py::test_slip_escapes_text_and_audits_restricted",
    ],
    "S-21": [
        "documents/test_files.py::test_allowed_types_are_accepted",
        "documents/test_files.py::test_mismatched_or_unlisted_files_are_refused",
    ],
    "S-22": [
        "documents/test_files.py::test_size_limit",
        "documents/test_files.py::test_zip_bomb_ratio_is_refused",
        "documents/test_files.py::test_zip_with_too_many_entries_is_refused",
        "documents/test_files.py::test_path_traversal_entry_is_refused",
    ],
    "S-23": ["documents/test_files.py::test_macro_enabled_office_file_is_refused"],
    "S-24": ["documents/test_files.py::test_attachment_is_stored_under_a_generated_name"],
    "S-25": [
        "documents/test_files.py::test_content_disposition_encodes_the_name",
        "documents/test_files.py::test_download_refused_to_others",
        "documents/test_files.py::test_inline_view_headers",
    ],
    "S-26": [
        "documents/test_pdf.py::test_hostile_html_makes_no_connection_and_embeds_nothing",
        "documents/test_pdf.py::test_fetcher_reads_only_inside_its_roots",
    ],
    "S-27": [
        "documents/test_pdf.py::test_render_time_is_bounded",
        "documents/test_pdf.py::test_oversized_source_is_refused",
    ],
    "S-37": [
        "office/test_audit.py::test_a_changed_row_is_detected",
        "office/test_audit.py::test_the_database_refuses_updates_and_recent_deletes",
    ],
}

_ID = re.compile(r"S-\d\d[a-z]?")


def _test_functions(path: Path) -> dict[str, ast.FunctionDef]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}


def _marker_ids(node: ast.AST) -> set[str]:
    """The ids in every ``security(...)`` call inside ``node``."""
    found = set()
    for call in ast.walk(node):
        if isinstance(call, ast.Call) and getattr(call.func, "attr", "") == "security":
            found |= {a.value for a in call.args if isinstance(a, ast.Constant)}
    return found


def marker_claims() -> dict[str, list[str]]:
    """S-id → the tests that carry ``pytest.mark.security`` with it."""
    claims: dict[str, list[str]] = {}
    for path in sorted(TESTS.rglob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        relative = path.relative_to(TESTS).as_posix()
        module_ids: set[str] = set()
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(
                getattr(t, "id", "") == "pytestmark" for t in node.targets
            ):
                module_ids |= _marker_ids(node.value)
        for name, func in _test_functions(path).items():
            if not name.startswith("test_"):
                continue
            ids = module_ids | set().union(*(_marker_ids(d) for d in func.decorator_list))
            for sid in ids:
                claims.setdefault(sid, []).append(f"{relative}::{name}")
    return claims


def all_claims() -> dict[str, list[str]]:
    claims = marker_claims()
    for sid, nodes in CLAIMS.items():
        claims.setdefault(sid, []).extend(nodes)
    return claims


def test_every_promise_is_claimed_by_at_least_one_test():
    claims = all_claims()
    missing = [sid for sid in PROMISED if not claims.get(sid)]
    assert not missing, f"promises without a test: {missing}"


@pytest.mark.parametrize(
    "node", sorted({n for nodes in CLAIMS.values() for n in nodes}), ids=lambda n: n
)
def test_each_claimed_test_exists(node):
    relative, name = node.split("::")
    assert name in _test_functions(TESTS / relative), f"{node} does not exist"


def test_marker_ids_are_promises():
    unknown = sorted(set(marker_claims()) - set(PROMISED) - {f"S-{n}" for n in range(28, 41)})
    assert not unknown, f"markers naming no promise: {unknown}"


@pytest.mark.skipif(not SECURITY_MD.exists(), reason="the developers' guide is not beside the repo")
def test_the_list_follows_security_md():
    ids = set(_ID.findall(SECURITY_MD.read_text(encoding="utf-8")))
    wanted = {
        i for i in ids if i == "S-37" or i == "S-15b" or (i[-1].isdigit() and int(i[2:]) <= 27)
    }
    assert wanted == set(PROMISED)
