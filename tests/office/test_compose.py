"""The production shape (Dockerfile, docker-compose.yml) runs only commands that exist here.

No Docker engine runs on the development machines, so nothing is built or started: the files are
read, and every command they run is checked against the project the way the real program would
resolve it (Django's command registry and parser, Celery's app finder and CLI, gunicorn's
parser and app loader). PyYAML is not a dependency: when it is missing, `read_yaml` reads the
small block-style subset the compose file uses and refuses anything else, so the file cannot
outgrow the reader silently; when PyYAML is present the two must agree.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import secrets
import shlex
import subprocess
import sys
import warnings
from fnmatch import fnmatch
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import get_commands, load_command_class
from django.urls import resolve

ROOT = Path(settings.BASE_DIR)
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
APP_SERVICES = ("web", "worker", "beat")


# --- A reader for the block-style YAML subset of docker-compose.yml -------------------------


class YamlSubsetError(ValueError):
    pass


_KEY = re.compile(r"^(?P<key><<|[A-Za-z0-9_][A-Za-z0-9_.\-/]*):(?:\s+(?P<rest>.*))?$")
_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
# Plain scalars on which YAML 1.1 (PyYAML) and YAML 1.2 (Compose) disagree: quote them.
_AMBIGUOUS = re.compile(
    r"^(?:[-+]?[0-9][0-9_:.eE+-]*|\.(?:inf|nan)|y|n|yes|no|on|off|true|false|null|~)$",
    re.IGNORECASE,
)


class _Reader:
    """Block mappings and sequences, one-line flow sequences, plain and quoted scalars, comments,
    anchors, aliases, `<<` merges, and `>`/`|` block scalars (with `-` chomping)."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.i = 0
        self.anchors: dict[str, object] = {}

    def fail(self, message: str) -> YamlSubsetError:
        return YamlSubsetError(f"line {self.i + 1}: {message}")

    # Lines -------------------------------------------------------------------------------
    def peek(self) -> tuple[int, str] | None:
        """(indent, text) of the next line with content, skipping blanks and comments."""
        while self.i < len(self.lines):
            raw = self.lines[self.i]
            stripped = raw.lstrip(" ")
            if "\t" in raw[: len(raw) - len(stripped)]:
                raise self.fail("tab in indentation")
            if stripped and not stripped.startswith("#"):
                if stripped.startswith(("---", "...", "%")):
                    raise self.fail("document markers and directives are not supported")
                return len(raw) - len(stripped), stripped.rstrip()
            self.i += 1
        return None

    @staticmethod
    def is_item(text: str) -> bool:
        return text == "-" or text.startswith("- ")

    def document(self) -> object:
        first = self.peek()
        if first is None:
            return None
        value = self.block(first[0])
        if self.peek() is not None:
            raise self.fail("unexpected content after the document")
        return value

    def block(self, indent: int) -> object:
        _, text = self.peek()
        return self.sequence(indent) if self.is_item(text) else self.mapping(indent)

    def mapping(self, indent: int) -> dict:
        result: dict = {}
        merged: list[dict] = []
        while (line := self.peek()) is not None and line[0] == indent:
            text = line[1]
            if self.is_item(text):
                raise self.fail("a sequence item where a mapping key was expected")
            match = _KEY.match(text)
            if not match:
                raise self.fail(f"not a simple `key: value` line: {text!r}")
            key = match["key"]
            self.i += 1
            value = self.value(match["rest"] or "", indent, in_mapping=True)
            if key == "<<":
                sources = value if isinstance(value, list) else [value]
                if not all(isinstance(s, dict) for s in sources):
                    raise self.fail("`<<` needs an alias of a mapping")
                merged.extend(sources)
            elif key in result:
                raise self.fail(f"duplicate key {key!r}")
            else:
                result[key] = value
        if line is not None and line[0] > indent:
            raise self.fail("unexpected indentation")
        for source in merged:  # explicit keys win, then earlier merges
            for key, value in source.items():
                result.setdefault(key, value)
        return result

    def sequence(self, indent: int) -> list:
        result = []
        while (line := self.peek()) is not None and line[0] == indent and self.is_item(line[1]):
            rest = line[1][2:]
            if _KEY.match(rest.strip()):
                raise self.fail("mappings inside sequence items are not supported")
            self.i += 1
            result.append(self.value(rest, indent, in_mapping=False))
        if line is not None and line[0] > indent:
            raise self.fail("unexpected indentation")
        return result

    # Values ------------------------------------------------------------------------------
    def value(self, rest: str, indent: int, *, in_mapping: bool) -> object:
        rest = rest.strip()
        anchor = None
        if rest.startswith("&"):
            anchor, _, rest = rest[1:].partition(" ")
            rest = rest.strip()
        if not rest or rest.startswith("#"):
            nxt = self.peek()
            if nxt is not None and (
                nxt[0] > indent or (in_mapping and nxt[0] == indent and self.is_item(nxt[1]))
            ):
                value = self.block(nxt[0])
            else:
                value = None
        elif rest.startswith("*"):
            name = self.strip_comment(rest)[1:]
            if anchor or name not in self.anchors:
                raise self.fail(f"unknown alias *{name}")
            value = self.anchors[name]
        elif rest[0] in ">|":
            value = self.block_scalar(self.strip_comment(rest), indent)
        elif rest[0] == "[":
            value = self.flow_sequence(rest)
        elif rest[0] in "\"'":
            value, end = self.quoted(rest, 0)
            self.only_comment(rest[end:])
        elif rest[0] in "{!?@`%,]}":
            raise self.fail(f"unsupported YAML: {rest!r}")
        else:
            value = self.plain(self.strip_comment(rest))
        if anchor:
            self.anchors[anchor] = value
        return value

    def strip_comment(self, text: str) -> str:
        return re.split(r"\s#", text, maxsplit=1)[0].strip()

    def only_comment(self, text: str) -> None:
        text = text.strip()
        if text and not text.startswith("#"):
            raise self.fail(f"unexpected text after a value: {text!r}")

    def plain(self, text: str, *, flow: bool = False) -> object:
        if ": " in text or text.endswith(":") or (flow and any(c in text for c in "[]{},")):
            raise self.fail(f"quote this value: {text!r}")
        if text == "~" or text.lower() == "null":
            return None
        if text in ("true", "false"):
            return text == "true"
        if _INT.match(text):
            return int(text)
        if _AMBIGUOUS.match(text):
            raise self.fail(f"YAML 1.1 and 1.2 read {text!r} differently: quote it")
        return text

    def quoted(self, text: str, start: int) -> tuple[str, int]:
        quote = text[start]
        i = start + 1
        while i < len(text):
            if quote == '"' and text[i] == "\\":
                i += 2
                continue
            if text[i] == quote:
                if quote == "'" and text[i + 1 : i + 2] == "'":
                    i += 2
                    continue
                body = text[start + 1 : i]
                if quote == "'":
                    return body.replace("''", "'"), i + 1
                try:
                    return json.loads(f'"{body}"'), i + 1
                except json.JSONDecodeError as exc:
                    raise self.fail(f"unsupported escape in {body!r}") from exc
            i += 1
        raise self.fail("a quoted value must close on its line")

    def flow_sequence(self, text: str) -> list:
        items: list = []
        i = 1
        while True:
            while i < len(text) and text[i] == " ":
                i += 1
            if i >= len(text):
                raise self.fail("a flow sequence must close on its line")
            if text[i] == "]" and not items:
                self.only_comment(text[i + 1 :])
                return items
            if text[i] in "\"'":
                item, i = self.quoted(text, i)
            else:
                end = i
                while end < len(text) and text[end] not in ",]":
                    end += 1
                item, i = self.plain(text[i:end].strip(), flow=True), end
            items.append(item)
            while i < len(text) and text[i] == " ":
                i += 1
            if text[i : i + 1] == "]":
                self.only_comment(text[i + 1 :])
                return items
            if text[i : i + 1] != ",":
                raise self.fail(f"expected `,` or `]` in {text!r}")
            i += 1

    def block_scalar(self, header: str, indent: int) -> str:
        if header not in (">", ">-", "|", "|-"):
            raise self.fail(f"unsupported block scalar header {header!r}")
        lines: list[str] = []
        body_indent = None
        while self.i < len(self.lines):
            raw = self.lines[self.i]
            if raw.strip():
                own = len(raw) - len(raw.lstrip(" "))
                if own <= indent:
                    break
                if body_indent is None:
                    body_indent = own
                if own < body_indent:
                    raise self.fail("block scalar line indented less than its first line")
                if own > body_indent and header[0] == ">":
                    raise self.fail("more-indented lines in a folded scalar are not supported")
                lines.append(raw[body_indent:])
            else:
                lines.append("")
            self.i += 1
        while lines and not lines[-1]:
            lines.pop()
        if header[0] == ">" and "" in lines:
            raise self.fail("blank lines in a folded scalar are not supported")
        text = (" " if header[0] == ">" else "\n").join(lines)
        return text if header.endswith("-") or not text else text + "\n"


def read_yaml(text: str) -> object:
    return _Reader(text).document()


def load_compose() -> dict:
    try:
        import yaml
    except ImportError:
        return read_yaml(COMPOSE.read_text(encoding="utf-8"))
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


# --- Commands ---------------------------------------------------------------------------------

_SHELL_SEPARATORS = {"&&", "||", ";", "|", "&"}


def shell_commands(script: str) -> list[list[str]]:
    """The simple commands of a plain `sh -c` script: `a && b; c | d` → [a, b, c, d]."""
    lexer = shlex.shlex(script, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    commands: list[list[str]] = [[]]
    for token in lexer:
        if token in _SHELL_SEPARATORS:
            commands.append([])
        elif set(token) <= set("();<>|&") or "$(" in token or "`" in token:
            raise AssertionError(f"too much shell for this check, keep it simple: {script!r}")
        else:
            commands[-1].append(token)
    result = []
    for argv in filter(None, commands):
        while argv and (argv[0] == "exec" or re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", argv[0])):
            argv = argv[1:]
        if argv:
            result.append(argv)
    return result


def argv_commands(argv: list[str]) -> list[list[str]]:
    if len(argv) >= 3 and Path(argv[0]).name in ("sh", "bash") and argv[1] == "-c":
        return shell_commands(argv[2])
    return [argv]


def compose_commands(service: dict) -> list[tuple[str, list[str]]]:
    """(where, argv) for the service's command and its health check."""
    found: list[tuple[str, list[str]]] = []
    command = service.get("command")
    if isinstance(command, str):
        argv = shlex.split(command)
        assert not _SHELL_SEPARATORS & set(argv), (
            f"`command: {command}` is not run by a shell; use [sh, -c, ...]"
        )
        found += [("command", a) for a in argv_commands(argv)]
    elif command is not None:
        found += [("command", a) for a in argv_commands([str(c) for c in command])]
    test = (service.get("healthcheck") or {}).get("test")
    if isinstance(test, str):
        found += [("healthcheck", a) for a in shell_commands(test)]
    elif test:
        kind, *rest = (str(t) for t in test)
        assert kind in ("CMD", "CMD-SHELL", "NONE"), f"healthcheck.test starts with {kind!r}"
        if kind == "CMD":
            found += [("healthcheck", a) for a in argv_commands(rest)]
        elif kind == "CMD-SHELL":
            found += [("healthcheck", a) for a in shell_commands(" ".join(rest))]
    return found


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("#") or (not line.strip() and not pending):
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        word, _, args = (pending + line).strip().partition(" ")
        instructions.append((word.upper(), args.strip()))
        pending = ""
    assert not pending, "the Dockerfile ends inside a continued line"
    return instructions


def exec_form(args: str) -> list[str]:
    if args.startswith("["):
        return json.loads(args)
    return ["sh", "-c", args]


def check_manage_py(argv: list[str]) -> None:
    assert (ROOT / "manage.py").is_file()
    assert len(argv) >= 3, f"{argv}: no management command"
    name = argv[2]
    commands = get_commands()
    assert name in commands, f"`manage.py {name}` is not a management command"
    parser = load_command_class(commands[name], name).create_parser("manage.py", name)
    parser.parse_args(argv[3:])  # CommandError on an unknown option


def check_celery(argv: list[str]) -> str:
    from celery import Celery
    from celery.app.utils import find_app
    from celery.bin.base import CLIContext
    from celery.bin.celery import celery as celery_cli

    group = celery_cli.make_context("celery", argv[1:])
    assert group.params.get("app") == "office", f"{argv}: runs another app than -A office"
    module = importlib.import_module("office.celery")
    assert isinstance(module.app, Celery)
    app = find_app("office")
    assert app is module.app, "celery -A office finds another app than office.celery.app"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        rest = [*getattr(group, "protected_args", ()), *group.args]
    name, *options = rest
    assert name in ("worker", "beat"), f"{argv}: unexpected celery subcommand {name!r}"
    context = celery_cli.commands[name].make_context(
        name, options, parent=group, obj=CLIContext(app=app, no_color=True, workdir=None)
    )  # click raises on an unknown option
    return "beat" if name == "beat" or context.params.get("beat") else name


def check_gunicorn(argv: list[str]) -> int:
    from gunicorn.config import Config
    from gunicorn.util import import_app

    options = Config().parser().parse_args(argv[1:])
    assert options.args == ["office.wsgi"], f"{argv}: gunicorn serves {options.args}"
    assert callable(import_app(options.args[0])), "office.wsgi has no `application`"
    (bind,) = options.bind
    return int(bind.rsplit(":", 1)[1])


def check_python_code(code: str) -> list[str]:
    compile(code, "<healthcheck>", "exec")
    paths = re.findall(r"https?://[^/\"'\s]+(/[^\"'\s]*)", code)
    for path in paths:
        resolve(path)  # Resolver404 if the URL is not the project's
    return paths


def check_argv(argv: list[str], *, image: str = "") -> str:
    """Check one command; returns what it is ('manage.py', 'worker', 'beat', 'gunicorn', ...)."""
    program = Path(argv[0]).name
    if program in ("python", "python3") and argv[1:2] == ["manage.py"]:
        check_manage_py(argv)
        return "manage.py"
    if program in ("python", "python3") and argv[1:2] == ["-c"]:
        check_python_code(argv[2])
        return "python -c"
    if program == "celery":
        return check_celery(argv)
    if program == "gunicorn":
        check_gunicorn(argv)
        return "gunicorn"
    if program == "pg_isready" and image.startswith("postgres:"):
        return program
    if program == "redis-cli" and image.startswith("redis:"):
        return program
    raise AssertionError(f"{argv}: not a command this project or the service's image provides")


# --- The reader itself ------------------------------------------------------------------------

SAMPLE = """\
# comment
x-base: &base
  image: "app:1"   # trailing comment
  env: &env
    A: 'it''s'
    B: "x #1"
svc:
  <<: *base
  image: app:2
  list:
  - a
  - "b: c"
  flow: [CMD, "x y", 'z', 3]
  env2: *env
  folded: >-
    one;
    two
  literal: |
    a
      b
  empty:
"""


def test_the_reader_reads_the_subset_the_compose_file_uses():
    assert read_yaml(SAMPLE) == {
        "x-base": {"image": "app:1", "env": {"A": "it's", "B": "x #1"}},
        "svc": {
            "image": "app:2",
            "env": {"A": "it's", "B": "x #1"},
            "list": ["a", "b: c"],
            "flow": ["CMD", "x y", "z", 3],
            "env2": {"A": "it's", "B": "x #1"},
            "folded": "one; two",
            "literal": "a\n  b\n",
            "empty": None,
        },
    }


@pytest.mark.parametrize(
    "text",
    [
        "a: {b: 1}",
        "a:\n  - b: 1",
        "a: 1\na: 2",
        "a: yes",
        "a: 8000:8000",
        "a: [b,\n  c]",
        "a: !tag b",
        "a: *missing",
        "a: b: c",
    ],
)
def test_the_reader_refuses_what_it_does_not_understand(text):
    with pytest.raises(YamlSubsetError):
        read_yaml(text)


def test_the_reader_agrees_with_pyyaml():
    yaml = pytest.importorskip("yaml", reason="PyYAML is not installed (not a dependency)")
    text = COMPOSE.read_text(encoding="utf-8")
    assert read_yaml(text) == yaml.safe_load(text)
    assert read_yaml(SAMPLE) == yaml.safe_load(SAMPLE)


# --- docker-compose.yml -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict:
    return load_compose()


def test_the_compose_file_has_the_production_services(compose):
    assert set(compose["services"]) == {"db", "redis", "web", "worker", "beat"}
    assert compose["services"]["db"]["image"].startswith("postgres:16")
    assert compose["services"]["redis"]["image"].startswith("redis:7")


def test_every_command_the_compose_file_runs_exists(compose):
    kinds: dict[str, list[str]] = {}
    for name, service in compose["services"].items():
        commands = compose_commands(service)
        if name in APP_SERVICES:
            assert any(where == "command" for where, _ in commands), f"{name} has no command"
        for where, argv in commands:
            try:
                kind = check_argv(argv, image=service.get("image", ""))
            except Exception as exc:
                raise AssertionError(f"service {name}, {where}: {argv}: {exc}") from exc
            kinds.setdefault(name, []).append(kind)
    assert kinds["web"] == ["manage.py", "gunicorn", "python -c"]
    assert kinds["worker"] == ["worker", "manage.py"]  # the heartbeat health check
    assert kinds["beat"] == ["beat"]


def test_exactly_one_beat(compose):
    beats = [
        name
        for name, service in compose["services"].items()
        for where, argv in compose_commands(service)
        if where == "command" and Path(argv[0]).name == "celery" and check_celery(argv) == "beat"
    ]
    assert beats == ["beat"], f"Celery beat runs in {beats}; exactly one must"
    beat = compose["services"]["beat"]
    assert (beat.get("deploy") or {}).get("replicas", 1) == 1
    assert beat.get("scale", 1) == 1


def test_the_web_runs_migrations_then_the_same_gunicorn_as_the_image(compose):
    web = [
        argv for where, argv in compose_commands(compose["services"]["web"]) if where == "command"
    ]
    assert web[0][:4] == ["python", "manage.py", "migrate", "--noinput"]
    (cmd,) = (exec_form(args) for word, args in dockerfile_instructions() if word == "CMD")
    assert web[1] == cmd
    port = check_gunicorn(cmd)
    exposed = [args for word, args in dockerfile_instructions() if word == "EXPOSE"]
    assert exposed == [str(port)]
    (code,) = (
        argv[2]
        for where, argv in compose_commands(compose["services"]["web"])
        if where == "healthcheck"
    )
    assert check_python_code(code) == ["/healthz"]
    assert f"127.0.0.1:{port}/" in code


def test_services_that_build_use_the_dockerfile(compose):
    for name, service in compose["services"].items():
        assert "build" in service or "image" in service, f"{name}: neither build nor image"
        if "build" not in service:
            continue
        build = service["build"]
        build = {"context": build} if isinstance(build, str) else build
        context = ROOT / build.get("context", ".")
        assert context.resolve() == ROOT, f"{name} builds from {context}, not the project"
        assert (context / build.get("dockerfile", "Dockerfile")).resolve() == DOCKERFILE
        assert DOCKERFILE.is_file()
    assert {n for n, s in compose["services"].items() if "build" in s} == set(APP_SERVICES)


def test_health_checks_and_start_order(compose):
    services = compose["services"]
    for name, service in services.items():
        for other, condition in (service.get("depends_on") or {}).items():
            assert other in services, f"{name} depends on an unknown service {other}"
            if condition["condition"] == "service_healthy":
                assert (services[other].get("healthcheck") or {}).get("test"), (
                    f"{name} waits for {other} to be healthy, but {other} has no health check"
                )
    assert set(services["web"]["depends_on"]) == {"db", "redis"}
    for name in ("db", "redis", "web", "worker"):
        assert services[name]["healthcheck"]["test"], f"{name} has no health check"
    for name in services:
        assert services[name].get("restart") in ("always", "unless-stopped"), (
            f"{name} is not restarted when it exits"
        )


def test_volumes_are_declared_and_media_is_shared(compose):
    declared = set(compose.get("volumes") or {})
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if not source.startswith((".", "/", "~")):
                assert source in declared, f"{name} uses the undeclared volume {source}"
    assert "pgdata:/var/lib/postgresql/data" in compose["services"]["db"]["volumes"]
    for name in APP_SERVICES:
        service = compose["services"][name]
        media_root = service["environment"]["MEDIA_ROOT"]
        assert f"media:{media_root}" in service["volumes"], f"{name} lacks the media volume"


def test_the_app_environment_is_shared_and_read_by_the_settings(compose):
    services = compose["services"]
    env = services["web"]["environment"]
    assert all(services[name]["environment"] == env for name in APP_SERVICES)
    assert env["DATABASE_URL"] == (
        "postgres://zhengban:${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}@db:5432/zhengban"
    )
    assert env["CELERY_BROKER_URL"] == "redis://redis:6379/0"
    assert env["SECRET_KEY"].startswith("${SECRET_KEY:?")
    assert env["PETITION_DATA_KEY"].startswith("${PETITION_DATA_KEY:?")
    assert env["BEHIND_TLS_PROXY"] == "1"
    assert "ALLOWED_HOSTS" in env
    settings_source = (ROOT / "office" / "settings.py").read_text(encoding="utf-8")
    for key, value in env.items():
        assert f'"{key}"' in settings_source, f"{key} is not a setting office/settings.py reads"
        if re.search(r"SECRET|PASSWORD", key):
            assert str(value).startswith("${"), f"{key}: a literal secret in the compose file"


def _interpolate(value: str, given: dict[str, str]) -> str:
    """Compose's `${VAR}`, `${VAR:-default}`, `${VAR:?error}`, with `given` as the operator's."""

    def one(match: re.Match) -> str:
        name, op, arg = match["name"], match["op"], match["arg"] or ""
        if name in given:
            return given[name]
        assert op != ":?", f"the test gives no value for the required ${{{name}}}"
        return arg if op == ":-" else ""

    value = re.sub(r"\$\{(?P<name>\w+)(?:(?P<op>:-|:\?)(?P<arg>[^}]*))?\}", one, value)
    return value.replace("$$", "$")


def test_the_settings_load_and_pass_the_deploy_check_with_the_compose_environment(
    compose, tmp_path
):
    """In a fresh interpreter, as in the container: the compose environment only (no .env, no
    DEBUG), `manage.py check --deploy` finds nothing, and the web health check, run against the
    app, gets its 200 rather than an HTTPS redirect or a bad-host answer."""
    given = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "PETITION_DATA_KEY": secrets.token_urlsafe(48),
        "AUDIT_CHAIN_KEY": secrets.token_urlsafe(48),
        "POSTGRES_PASSWORD": "test-password",
        "ALLOWED_HOSTS": "zhengban.example.gov.cn,10.0.0.5",
        "SITE_URL": "https://zhengban.example.gov.cn",
    }
    env = {
        key: _interpolate(str(value), given)
        for key, value in compose["services"]["web"]["environment"].items()
    }
    env |= {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "office.settings",
        "STATIC_ROOT": str(tmp_path / "static"),  # the image's var/static, collected at build
    }
    (code,) = (
        argv[2]
        for where, argv in compose_commands(compose["services"]["web"])
        if where == "healthcheck"
    )
    script = """\
import sys, urllib.error, urllib.request
import environ
environ.Env.read_env = classmethod(lambda cls, *a, **k: None)  # the image has no .env
from django.core.management import execute_from_command_line
execute_from_command_line(["manage.py", "check", "--deploy", "--fail-level", "WARNING"])
execute_from_command_line(["manage.py", "collectstatic", "--noinput", "-v0"])  # as at build
from django.test import Client

class Answer:
    def __init__(self, response):
        self.status = response.status_code

def urlopen(request, timeout=None):
    path = "/" + request.full_url.split("/", 3)[3]
    response = Client().get(path, headers=dict(request.header_items()))
    if response.status_code >= 300:
        raise urllib.error.HTTPError(request.full_url, response.status_code,
            f"{response.status_code} {response.get('Location', '')}", None, None)
    return Answer(response)

urllib.request.urlopen = urlopen
try:
    exec(sys.argv[1])
except SystemExit as exit:
    sys.exit(exit.code)
"""
    result = subprocess.run(
        [sys.executable, "-c", script, code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- Dockerfile -------------------------------------------------------------------------------


def test_the_dockerfile_copies_what_exists_and_runs_real_commands():
    instructions = dockerfile_instructions()
    assert instructions[0] == ("FROM", "python:3.13-slim-bookworm")
    ignored = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for required in (".venv", "var", ".env", ".git"):
        assert required in ignored, f".dockerignore must keep {required} out of the image"
    copied = []
    for word, args in instructions:
        if word == "COPY":
            parts = [
                p
                for p in (json.loads(args) if args.startswith("[") else args.split())
                if not p.startswith("--")
            ]
            assert len(parts) >= 2, f"COPY {args}"
            for source in parts[:-1]:
                assert (ROOT / source).exists(), f"COPY {source}: no such file in the project"
                assert not any(fnmatch(source, pattern) for pattern in ignored), (
                    f"COPY {source}: excluded by .dockerignore"
                )
                copied.append(source)
        if word == "RUN" and "manage.py" in args:
            for argv in shell_commands(args):
                if "manage.py" in argv:
                    check_argv(argv)
                    copied.append(f"manage.py {argv[2]}")
    assert copied == [
        "pyproject.toml",
        "uv.lock",
        ".",
        "manage.py compilemessages",
        "manage.py collectstatic",
    ]
    users = [args for word, args in instructions if word == "USER"]
    assert users and users[-1] not in ("root", "0"), "the image must not run as root"
    (cmd,) = (exec_form(args) for word, args in instructions if word == "CMD")
    assert check_argv(cmd) == "gunicorn"
    assert cmd[:6] == ["gunicorn", "office.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]
    # Imported once before forking, and a timeout for requests rather than for imports.
    assert "--preload" in cmd and int(cmd[cmd.index("--timeout") + 1]) >= 60
