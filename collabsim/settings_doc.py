"""``collabsim settings``: every setting, from ``collabsim/config.py``'s own metadata.

    collabsim settings               # every setting, grouped by section
    collabsim settings aid trust     # those whose dotted name starts with aid or trust

Each setting shows its default, unit, valid range and meaning, as ``param(...)`` declares
them in ``collabsim/config.py`` (and ``bounded(...)`` in a policy's ``Params`` for
``policy.params.*``), so this list cannot drift from what the config loader checks.
"""

from __future__ import annotations

import dataclasses
import textwrap
import types
import typing
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from collabsim.config import Config, NetworkConfig, _describe
from collabsim.errors import CollabsimError


@dataclass(frozen=True)
class Setting:
    name: str  # dotted, e.g. "sim.days"; items of a list of settings as "demand.shocks[].days"
    section: str  # "run" for the top-level settings, else the first part of the name
    default: Any
    unit: str
    allowed: str  # "a number in (0, 36525]", "one of ...", or the type
    doc: str


def _type_text(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return f"null or {_type_text(args[0])}"
    if origin is list:
        (item,) = typing.get_args(tp)
        if dataclasses.is_dataclass(item):
            return "a list of settings, each with the fields listed below"
        return f"a list of {_type_text(item).removeprefix('a ')}"
    if origin is dict:
        return "a mapping"
    return {bool: "true or false", int: "a whole number", float: "a number", str: "text"}.get(
        tp, getattr(tp, "__name__", str(tp))
    )


def _allowed(tp: Any, meta: dict[str, Any]) -> str:
    """What config.py accepts (its own ``_describe``), whole numbers written out whole."""
    if int in (tp, *typing.get_args(tp)):
        meta = {**meta, **{k: _Whole(meta[k]) for k in ("lo", "hi") if meta.get(k) is not None}}
        text = _describe(meta)
        return text.replace("a number", "a whole number", 1)
    text = _describe(meta)
    return _type_text(tp) if text == "a valid value" else text


class _Whole(int):
    """An int that ``_describe``'s ``:g`` writes out in full (2**63 - 1, not 9.22337e+18)."""

    def __format__(self, spec: str) -> str:
        return f"{int(self):,}" if spec == "g" else super().__format__(spec)


def _walk(cls: type, obj: Any, prefix: str, section: str) -> Iterator[Setting]:
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        name, tp = f"{prefix}{f.name}", hints[f.name]
        value = getattr(obj, f.name)
        if dataclasses.is_dataclass(tp):
            yield from _walk(tp, value, f"{name}.", section or f.name)
            continue
        meta = dict(f.metadata)
        doc = meta.get("doc", "")
        if value is None and cls is NetworkConfig:  # config.py: None is the preset's value
            doc = f"{doc} (null: the preset's value)".lstrip()
        yield Setting(name, section or "run", value, meta.get("unit", ""), _allowed(tp, meta),
                      doc)  # fmt: skip
        item = typing.get_args(tp)[0] if typing.get_origin(tp) is list else None
        if item is not None and dataclasses.is_dataclass(item):
            yield from _walk(item, item(), f"{name}[].", section or f.name)


def _policy_params() -> Iterator[Setting]:
    """``policy.params.<name>`` of every registered policy (``bounded`` fields)."""
    from collabsim.policies import available, make_policy

    for policy in available():
        for f in dataclasses.fields(make_policy(policy).Params):
            meta = dict(f.metadata)
            doc = meta.get("doc", "")
            yield Setting(f"policy.params.{f.name}", "policy", f.default, "",
                          f"a number in [{meta['lo']:g}, {meta['hi']:g}]; policy={policy}",
                          doc)  # fmt: skip


def all_settings() -> list[Setting]:
    """Every setting of :class:`collabsim.config.Config`, in the order config.py declares
    them, with each policy's own parameters after ``policy.params``."""
    out = []
    for s in _walk(Config, Config(), "", ""):
        out.append(s)
        if s.name == "policy.params":
            out.extend(_policy_params())
    return out


def _value(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, str):
        return repr(v) if v == "" else v
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {_value(x)}" for k, x in v.items()) + "}"
    return str(v)


def _section_docs() -> dict[str, str]:
    hints = typing.get_type_hints(Config)
    docs = {"run": "The run itself: its seed, label and replications."}
    for f in dataclasses.fields(Config):
        tp = hints[f.name]
        if dataclasses.is_dataclass(tp):
            docs[f.name] = " ".join((tp.__doc__ or "").split("\n\n")[0].split())
    return docs


def format_settings(prefixes: Sequence[str] = (), width: int = 96) -> str:
    """The settings whose dotted name starts with one of ``prefixes`` (all by default),
    grouped by section: ``name = default  (unit; allowed values)`` then the meaning."""
    chosen = [
        s for s in all_settings() if not prefixes or any(s.name.startswith(p) for p in prefixes)
    ]
    if not chosen:
        sections = ", ".join(dict.fromkeys(s.section for s in all_settings() if s.section != "run"))
        raise CollabsimError(
            f"settings: no setting starts with {' or '.join(map(repr, prefixes))}; sections: "
            f"{sections}"
        )
    docs, out, section = _section_docs(), [], None
    for s in chosen:
        if s.section != section:
            section = s.section
            out += ["" if out else None, f"[{section}] {docs.get(section, '')}".rstrip()]
        unit = f"{s.unit}; " if s.unit else ""
        out.append(f"  {s.name} = {_value(s.default)}  ({unit}{s.allowed})")
        if s.doc:
            out += textwrap.wrap(s.doc, width, initial_indent="      ", subsequent_indent="      ")
    out.append("")
    out += textwrap.wrap(
        "Set any of them on the command line (collabsim sim.days=730), in a scenario or "
        "experiment file, or with collabsim.load_config([...]); lists as "
        "'demand.weekly=[...]'.",
        width,
    )
    return "\n".join(line for line in out if line is not None)


def main(args: Sequence[str]) -> None:
    """``collabsim settings [PREFIX ...]``."""
    from collabsim.commands import _Parser

    parser = _Parser(
        prog="collabsim settings",
        description="Every setting with its default, unit, valid range and meaning, grouped "
        "by section (from collabsim/config.py).",
    )
    parser.add_argument(
        "prefixes", nargs="*", metavar="PREFIX", help="only settings starting with it, e.g. aid"
    )
    ns = parser.parse_args(list(args))
    print(format_settings(ns.prefixes))
