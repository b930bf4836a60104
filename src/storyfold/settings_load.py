"""Reading the settings: a TOML file and environment variables over the defaults, and
describing the result (`storyfold settings`).

The declarations — sections, fields, their documentation and their checks — are in
`settings`; this module only finds values for them and says where each came from.
"""

from __future__ import annotations

import ast
import io
import os
import tokenize
import tomllib
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

import storyfold.settings as declared
from storyfold.errors import SettingsError
from storyfold.settings import SECTIONS, TYPE_WORDS, Settings, to_dict

SETTINGS_ENV = "STORYFOLD_SETTINGS"  # the settings file, when --settings is not given
ENV_PREFIX = "STORYFOLD_"  # STORYFOLD_<SECTION>__<FIELD>, e.g. STORYFOLD_PLACE__THRESHOLD
ENV_ALIASES: Mapping[str, str] = {"STORYFOLD_EMBED_PRECISION": "fingerprint.precision",
                                  "STORYFOLD_ALLOW_PRIVATE_NETWORKS":
                                      "fetch.allow_private_networks"}
_BOOLS: Mapping[str, bool] = {"true": True, "1": True, "yes": True,
                              "false": False, "0": False, "no": False}


def load(path: Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """The effective settings: defaults < the settings file < environment variables.

    The file is `path`, else `$STORYFOLD_SETTINGS`, else none; it is TOML, one table per
    section (`[place]` / `threshold = 0.3`). A variable `STORYFOLD_<SECTION>__<FIELD>`
    overrides one value (`STORYFOLD_PLACE__THRESHOLD=0.35`); `STORYFOLD_EMBED_PRECISION`
    is kept as another name of `fingerprint.precision`. Unknown sections or fields and values
    that do not fit raise `SettingsError` naming the file or the variable.
    """
    env = os.environ if env is None else env
    values: dict[str, dict[str, Any]] = {name: {} for name in SECTIONS}
    sources: dict[str, str] = {}
    if path is None and env.get(SETTINGS_ENV):
        path = Path(env[SETTINGS_ENV])
    if path is not None:
        for section, key, value in _read_file(path):
            values[section][key] = _convert(section, key, value, str(path))
            sources[f"{section}.{key}"] = str(path)
    for var, (section, key) in _env_keys(env).items():
        values[section][key] = _convert(section, key, env[var], f"${var}")
        sources[f"{section}.{key}"] = f"${var}"
    built: dict[str, Any] = {}
    for section, kind in SECTIONS.items():
        try:
            built[section] = kind(**values[section])
        except SettingsError as exc:
            origin = {sources[f"{section}.{k}"] for k in values[section]}
            raise SettingsError(f"{exc} (set in {', '.join(sorted(origin))})") from None
    try:
        return Settings(**built, sources=sources)
    except SettingsError as exc:
        files = sorted(set(sources.values()))
        raise SettingsError(f"{exc}" + (f" (set in {', '.join(files)})" if files else "")
                            ) from None


def _read_file(path: Path) -> list[tuple[str, str, Any]]:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise SettingsError(f"settings file {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"settings file {path} is not valid TOML: {exc}") from None
    out: list[tuple[str, str, Any]] = []
    for section, table in data.items():
        if section not in SECTIONS:
            raise SettingsError(f"settings file {path}: unknown section [{section}]; known: "
                                f"{', '.join(SECTIONS)}")
        if not isinstance(table, dict):
            raise SettingsError(f"settings file {path}: {section} must be a table "
                                f"([{section}] followed by key = value lines)")
        out.extend((section, key, value) for key, value in table.items())
    return out


def _env_keys(env: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """The variables that set a value, and which (section, field) each sets."""
    out: dict[str, tuple[str, str]] = {}
    for var in sorted(env):
        if var in ENV_ALIASES:
            section, key = ENV_ALIASES[var].split(".")
        elif var.startswith(ENV_PREFIX) and "__" in var:
            section, _, key = var[len(ENV_PREFIX):].lower().partition("__")
            if section not in SECTIONS:
                raise SettingsError(f"${var}: unknown section {section!r}; known: "
                                    f"{', '.join(SECTIONS)}")
        else:
            continue
        out[var] = (section, key)
    # the documented name wins over the alias, whatever the order of the environment
    return dict(sorted(out.items(), key=lambda kv: kv[0] not in ENV_ALIASES))


def _convert(section: str, key: str, value: Any, origin: str) -> Any:
    """`value` (from TOML, or a string from the environment) as the field's type."""
    types = {f.name: str(f.type) for f in fields(SECTIONS[section])}  # type: ignore[arg-type]
    if key not in types:
        raise SettingsError(f"{origin}: unknown setting {section}.{key}; known: "
                            f"{', '.join(types)}")
    kind = types[key]
    if kind not in TYPE_WORDS:
        return value  # a type only its section checks
    text = isinstance(value, str)
    try:
        if kind == "bool":
            if text:
                return _BOOLS[value.strip().lower()]
            if not isinstance(value, bool):
                raise ValueError
            return value
        if kind == "str":
            if not text:
                raise ValueError
            return value
        if isinstance(value, bool):
            raise ValueError
        if kind == "int":
            if isinstance(value, float):
                raise ValueError
            return int(value.strip()) if text else int(value)
        return float(value.strip()) if text else float(value)
    except (TypeError, ValueError, KeyError):
        raise SettingsError(f"{origin}: {section}.{key} must be {TYPE_WORDS[kind]}, "
                            f"not {value!r}") from None


def documentation(source: str | None = None) -> dict[str, str]:
    """"section.field" → the comment on the field's line in `settings`, "" when none.

    Read from the source (the comments are the documentation; Python keeps no trace of
    them), so documenting a setting is writing its comment, nothing else. `source` stands in
    for that module's text (tests).
    """
    if source is None:
        source = Path(declared.__file__).read_text(encoding="utf-8")
    comments = {tok.start[0]: tok.string.lstrip("#").strip()
                for tok in tokenize.generate_tokens(io.StringIO(source).readline)
                if tok.type == tokenize.COMMENT}
    by_class: dict[str, dict[str, str]] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef):
            by_class[node.name] = {
                stmt.target.id: comments.get(stmt.end_lineno or stmt.lineno, "")
                for stmt in node.body
                if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)
            }
    return {f"{section}.{f.name}": by_class.get(kind.__name__, {}).get(f.name, "")
            for section, kind in SECTIONS.items()
            for f in fields(kind)}  # type: ignore[arg-type]


def describe(settings: Settings) -> list[dict[str, Any]]:
    """Every effective setting with its value, where it came from and what it means."""
    docs = documentation()
    return [{"name": f"{section}.{key}", "value": value,
             "source": settings.sources.get(f"{section}.{key}", "default"),
             "doc": docs[f"{section}.{key}"]}
            for section, values in to_dict(settings).items() for key, value in values.items()]
