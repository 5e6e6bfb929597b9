"""Program declarations: one TOML file per program in programs/ (docs/programs.md).

A declaration names the Debian packages, the command line, how its input is
made, how its success is checked and its sizes; optional [variants.NAME]
tables each make one more workload, NAME-VARIANT, from the same program. A
bad declaration raises DeclarationError naming the file and the key.
"""

from __future__ import annotations

import dataclasses
import pathlib
import re
import string
import tomllib

SIZES = ("quick", "default", "large")
KINDS = ("batch", "server")
CHECKSUM_SOURCES = ("stdout", "output_file", "server")
NAME_RE = re.compile(r"^[a-z][a-z0-9_-]*$")
# Placeholders the worker fills in; the rest must be size parameters.
BUILTIN_FIELDS = ("input", "work", "port", "seed", "output")
TOP_KEYS = {"description", "packages", "executables", "kind", "unit", "command", "stdin",
            "env", "input", "check", "sizes", "variants", "server", "client"}


class DeclarationError(ValueError):
    """A declaration that cannot be used, with the file and key that say why."""


@dataclasses.dataclass
class Program:
    """One workload: a program (or a variant of one) with everything needed to run it."""
    name: str
    source: pathlib.Path
    description: str
    packages: list[str]
    executables: list[str]
    kind: str
    unit: str
    command: list[str]
    stdin: str | None
    env: dict[str, str]
    input: dict
    check: dict
    sizes: dict[str, dict]
    server: dict
    client: dict
    variant: str | None = None

    def fields(self, size: str, **builtin) -> dict:
        """Placeholder values for this size: the size's parameters and the built-in ones."""
        return dict(self.sizes[size], **builtin)


def _fail(path: pathlib.Path, key: str, why: str) -> DeclarationError:
    return DeclarationError(f"{path.name}: {key}: {why}")


def _strings(path, key, value, allow_empty=False) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value) or (
            not value and not allow_empty):
        raise _fail(path, key, "must be a non-empty list of strings")
    return list(value)


def _table(path, key, value) -> dict:
    if not isinstance(value, dict):
        raise _fail(path, key, "must be a table")
    return value


def _placeholders(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def _check_placeholders(path, key, texts, known: set[str]) -> None:
    for text in texts:
        try:
            unknown = _placeholders(text) - known
        except ValueError as e:
            raise _fail(path, key, f"bad placeholder in {text!r}: {e}") from e
        if unknown:
            raise _fail(path, key, f"unknown placeholder {{{sorted(unknown)[0]}}} in {text!r}; "
                        f"known: {', '.join(sorted(known))}")


def _sizes(path, raw) -> dict[str, dict]:
    sizes = _table(path, "sizes", raw)
    missing = [s for s in SIZES if s not in sizes]
    extra = [s for s in sizes if s not in SIZES]
    if missing or extra:
        raise _fail(path, "sizes", f"needs exactly {', '.join(SIZES)} "
                    f"(missing: {', '.join(missing) or '-'}; unknown: {', '.join(extra) or '-'})")
    keys = None
    for size in SIZES:
        params = _table(path, f"sizes.{size}", sizes[size])
        for k, v in params.items():
            if not NAME_RE.match(k) or k in BUILTIN_FIELDS:
                raise _fail(path, f"sizes.{size}.{k}", "not a usable parameter name")
            if not isinstance(v, (int, str)) or isinstance(v, bool):
                raise _fail(path, f"sizes.{size}.{k}", "must be an integer or a string")
        if keys is not None and set(params) != keys:
            raise _fail(path, f"sizes.{size}", "must set the same parameters as sizes.quick")
        keys = set(params)
    return {s: dict(sizes[s]) for s in SIZES}


def _input(path, raw, inputs_dir: pathlib.Path) -> dict:
    spec = _table(path, "input", raw)
    kinds = [k for k in ("generator", "file") if k in spec]
    if len(kinds) != 1 or set(spec) - {"generator", "file", "args"}:
        raise _fail(path, "input", "needs exactly one of generator = 'SCRIPT' or file = 'FILE' "
                    "(and optional args)")
    name = spec[kinds[0]]
    if not isinstance(name, str) or "/" in name or not (inputs_dir / name).is_file():
        raise _fail(path, f"input.{kinds[0]}", f"no file {name!r} in {inputs_dir}")
    return {"kind": kinds[0], "path": inputs_dir / name,
            "args": _strings(path, "input.args", spec.get("args", []), allow_empty=True)}


def _check(path, raw, kind) -> dict:
    spec = _table(path, "check", raw)
    unknown = set(spec) - {"exit_status", "checksum", "output_file", "expect"}
    if unknown:
        raise _fail(path, f"check.{sorted(unknown)[0]}", "unknown key")
    source = spec.get("checksum", "server" if kind == "server" else "stdout")
    if source not in CHECKSUM_SOURCES or (source == "server") != (kind == "server"):
        raise _fail(path, "check.checksum", f"must be one of {', '.join(CHECKSUM_SOURCES)} "
                    "('server' exactly for servers)")
    if source == "output_file" and not isinstance(spec.get("output_file"), str):
        raise _fail(path, "check.output_file", "needed with checksum = 'output_file'")
    status = spec.get("exit_status", 0)
    if not isinstance(status, int) or isinstance(status, bool) or not 0 <= status <= 255:
        raise _fail(path, "check.exit_status", "must be an exit status 0..255")
    expect = spec.get("expect")
    if expect is not None:
        try:
            re.compile(expect)
        except (re.error, TypeError) as e:
            raise _fail(path, "check.expect", f"not a regular expression: {e}") from e
    return {"exit_status": status, "checksum": source, "output_file": spec.get("output_file"),
            "expect": expect}


def _env(path, key, raw) -> dict[str, str]:
    env = _table(path, key, raw)
    for k, v in env.items():
        if not re.match(r"^[A-Z_][A-Z0-9_]*$", k) or not isinstance(v, str):
            raise _fail(path, f"{key}.{k}", "must be NAME = 'string'")
        if k.startswith("LD_") or k.startswith("MMBENCH_SHIM"):
            raise _fail(path, f"{key}.{k}", "the worker sets the dynamic loader's variables")
    return dict(env)


def _server_tables(path, raw: dict, kind: str) -> tuple[dict, dict]:
    if kind != "server":
        for key in ("server", "client"):
            if key in raw:
                raise _fail(path, key, "only for kind = 'server'")
        return {}, {}
    server = _table(path, "server", raw.get("server"))
    client = _table(path, "client", raw.get("client"))
    if server.get("protocol") not in ("redis", "memcached"):
        raise _fail(path, "server.protocol", "must be 'redis' or 'memcached'")
    if client.get("driver") not in ("redis-benchmark", "memcached-text"):
        raise _fail(path, "client.driver", "must be 'redis-benchmark' or 'memcached-text'")
    if client["driver"] == "redis-benchmark":
        _strings(path, "client.command", client.get("command"))
    return dict(server), dict(client)


def _variant(path, base: dict, name: str, raw) -> dict:
    """The base declaration with a variant's changes: args appended to the command,
    env added, description replaced, size parameters overridden."""
    spec = _table(path, f"variants.{name}", raw)
    unknown = set(spec) - {"description", "args", "env", "sizes"}
    if unknown:
        raise _fail(path, f"variants.{name}.{sorted(unknown)[0]}", "unknown key")
    merged = dict(base)
    merged["command"] = list(base["command"]) + _strings(
        path, f"variants.{name}.args", spec.get("args", []), allow_empty=True)
    merged["env"] = dict(base.get("env", {}), **_env(path, f"variants.{name}.env",
                                                     spec.get("env", {})))
    if "description" in spec:
        merged["description"] = spec["description"]
    if "sizes" in spec:
        extra = _table(path, f"variants.{name}.sizes", spec["sizes"])
        merged["sizes"] = {s: dict(base["sizes"].get(s, {}), **_table(
            path, f"variants.{name}.sizes.{s}", extra.get(s, {}))) for s in SIZES}
    return merged


def _program(path: pathlib.Path, name: str, raw: dict, inputs_dir, variant=None) -> Program:
    unknown = set(raw) - TOP_KEYS
    if unknown:
        raise _fail(path, sorted(unknown)[0], f"unknown key (known: {', '.join(sorted(TOP_KEYS))})")
    for key in ("description", "packages", "command", "sizes"):
        if key not in raw:
            raise _fail(path, key, "missing")
    if not isinstance(raw["description"], str) or not raw["description"]:
        raise _fail(path, "description", "must be a non-empty string")
    kind = raw.get("kind", "batch")
    if kind not in KINDS:
        raise _fail(path, "kind", f"must be one of {', '.join(KINDS)}")
    command = _strings(path, "command", raw["command"])
    sizes = _sizes(path, raw["sizes"])
    stdin = raw.get("stdin")
    if stdin is not None and not isinstance(stdin, str):
        raise _fail(path, "stdin", "must be a string")
    known = set(BUILTIN_FIELDS) | set(sizes["quick"])
    _check_placeholders(path, "command", command + ([stdin] if stdin else []), known)
    server, client = _server_tables(path, raw, kind)
    if client.get("command"):
        _check_placeholders(path, "client.command", client["command"], known)
    executables = _strings(path, "executables", raw.get("executables", [command[0]]))
    return Program(
        name=name, source=path, description=raw["description"],
        packages=_strings(path, "packages", raw["packages"]), executables=executables,
        kind=kind, unit=str(raw.get("unit", "request" if kind == "server" else "run")),
        command=command, stdin=stdin, env=_env(path, "env", raw.get("env", {})),
        input=_input(path, raw.get("input", {}), inputs_dir) if "input" in raw else {},
        check=_check(path, raw.get("check", {}), kind), sizes=sizes, server=server,
        client=client, variant=variant)


def load_file(path: pathlib.Path) -> list[Program]:
    """The workloads one declaration makes: the program itself, or one per variant."""
    path = pathlib.Path(path)
    name = path.stem
    if not NAME_RE.match(name):
        raise DeclarationError(f"{path.name}: the file name must be a workload name "
                               "(lower case letters, digits, '-', '_')")
    try:
        raw = tomllib.loads(path.read_text())
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise DeclarationError(f"{path.name}: not readable TOML: {e}") from e
    variants = raw.pop("variants", None)
    inputs_dir = path.parent / "inputs"
    if variants is None:
        return [_program(path, name, raw, inputs_dir)]
    variants = _table(path, "variants", variants)
    if not variants:
        raise _fail(path, "variants", "must name at least one variant")
    programs = []
    for vname, spec in variants.items():
        if not NAME_RE.match(vname):
            raise _fail(path, f"variants.{vname}", "not a usable variant name")
        programs.append(_program(path, f"{name}-{vname}", _variant(path, raw, vname, spec),
                                 inputs_dir, variant=vname))
    return programs


def load_folder(folder: pathlib.Path) -> dict[str, Program]:
    """Every declaration in folder (*.toml), by workload name, in name order."""
    programs: dict[str, Program] = {}
    for path in sorted(pathlib.Path(folder).glob("*.toml")):
        for program in load_file(path):
            if program.name in programs:
                raise DeclarationError(f"{path.name}: workload {program.name} is also declared "
                                       f"by {programs[program.name].source.name}")
            programs[program.name] = program
    return programs
