"""Where the Hydra configs live, and composing them into a validated ``Config``.

The configs are the top-level ``configs/`` folder of the source tree; a wheel
carries a copy as ``collabsim/configs``. ``load_config`` composes them with
Hydra's compose API, so notebooks and tests get exactly what the command line gets.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from collabsim.config import Config, from_dict, retired, to_dict
from collabsim.errors import ConfigError

_PACKAGE = Path(__file__).resolve().parent


def config_dir() -> Path:
    """The directory holding ``config.yaml`` and the config groups."""
    for candidate in (_PACKAGE / "configs", _PACKAGE.parent / "configs"):
        if (candidate / "config.yaml").is_file():
            return candidate
    raise ConfigError(f"cannot find collabsim's configs next to {_PACKAGE}")


def to_config(cfg: Any) -> Config:
    """A composed Hydra/OmegaConf config -> validated ``Config`` (``hydra`` key dropped)."""
    from omegaconf import OmegaConf

    refuse_resolvers(cfg)
    data = OmegaConf.to_container(cfg, resolve=True)
    assert isinstance(data, dict)
    data.pop("hydra", None)
    return from_dict(data)


def resolvers_in(text: str) -> list[str]:
    """The resolvers an OmegaConf interpolation in ``text`` calls (``${oc.env:HOME}`` ->
    ``["oc.env"]``); a plain reference to another setting (``${sim.days}``) calls none."""
    from omegaconf.errors import GrammarParseError
    from omegaconf.grammar.gen.OmegaConfGrammarParser import OmegaConfGrammarParser
    from omegaconf.grammar_parser import parse

    if "${" not in text:
        return []
    try:
        tree = parse(text)
    except GrammarParseError:
        return []  # not an interpolation OmegaConf can run; it reports it itself
    found, todo = [], [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, OmegaConfGrammarParser.InterpolationResolverContext):
            found.append(node.resolverName().getText())
        todo.extend(getattr(node, "children", None) or [])
    return found


def refuse_resolvers(value: Any, path: str = "") -> None:
    """Refuse, in one line, a setting whose interpolation calls a resolver (``oc.env``,
    ``oc.decode``, ...): settings may refer to other settings, but a config or override
    must not read the environment (a scenario file from someone else could copy a secret
    into the results). ``value``: a composed config (its ``hydra`` node is Hydra's own and
    is skipped), or plain data; ``path``: where it sits."""
    from omegaconf import DictConfig, ListConfig, OmegaConf

    if isinstance(value, DictConfig | ListConfig):
        value = OmegaConf.to_container(value, resolve=False)
        if isinstance(value, dict) and not path:
            value.pop("hydra", None)
    if isinstance(value, dict):
        for key, item in value.items():
            refuse_resolvers(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            refuse_resolvers(item, f"{path}[{i}]")
    elif isinstance(value, str) and (names := resolvers_in(value)):
        raise ConfigError(
            f"{path}: {value!r} calls the resolver {names[0]!r}; a setting may refer to other "
            "settings (${sim.days}) but not read the environment or call resolvers "
            "(see Security in the README)"
        )


_COMPOSING = threading.Lock()


def register_base() -> None:
    """Make the dataclass defaults Hydra's ``collabsim_base`` node (one source of truth)."""
    from hydra.core.config_store import ConfigStore

    ConfigStore.instance().store(name="collabsim_base", node=to_dict(Config()))


def compose(overrides: Sequence[str] = (), validate: bool = False, with_hydra: bool = False) -> Any:
    """The composed Hydra config of these overrides (a one-line ConfigError if Hydra
    cannot compose them); with ``validate``, also checked as a ``Config``; with
    ``with_hydra``, Hydra's own node (sweeper, launcher) included."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    register_base()
    try:
        # Hydra's global state holds one config directory at a time: the dashboard builds
        # models in several threads (a room opening the page at once), so one at a time
        with _COMPOSING, initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
            cfg = hydra_compose(
                config_name="config", overrides=list(overrides), return_hydra_config=with_hydra
            )
    except (HydraException, OmegaConfBaseException) as exc:
        raise ConfigError(one_line(str(exc))) from None
    if validate:
        to_config(cfg)
    return cfg


def load_config(overrides: Sequence[str] = ()) -> Config:
    """Compose the configs with command-line style ``overrides`` and validate them."""
    return to_config(compose(overrides))


def one_line(text: str) -> str:
    """A library's (Hydra's) multi-line error message as one line."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if not lines:
        return "invalid configuration"
    key = re.match(r"Could not override '([^']+)'", lines[0])
    if key:
        return retired(key.group(1)) or (
            f"unknown setting {key.group(1)!r}; `collabsim --cfg job` lists every setting"
        )
    if len(lines) > 1 and lines[1].startswith("Available options"):
        options = []
        for line in lines[2:]:
            if line.startswith("Config search path"):
                break
            options.append(line)
        return f"{lines[0]}; {lines[1]} {', '.join(options)}"
    return lines[0]
