"""``collabsim settings`` lists every setting of collabsim/config.py; ``--version``, ``--help``
(issue 15)."""

from __future__ import annotations

import dataclasses
import tomllib
import typing
from collections.abc import Iterator
from pathlib import Path

import pytest

import collabsim
from collabsim import config as config_module
from collabsim.cli import main
from collabsim.config import Config
from tests.helpers import run

ROOT = Path(__file__).resolve().parents[1]


def dotted(cls: type, prefix: str, seen: set[type]) -> Iterator[str]:
    """Every setting's dotted name under ``cls``, walking nested dataclasses (and the items
    of lists of them, as ``name[].field``); ``seen`` collects the dataclasses reached."""
    seen.add(cls)
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        tp, name = hints[f.name], f"{prefix}{f.name}"
        if dataclasses.is_dataclass(tp):
            yield from dotted(tp, f"{name}.", seen)
            continue
        yield name
        args = typing.get_args(tp)
        if typing.get_origin(tp) is list and args and dataclasses.is_dataclass(args[0]):
            yield from dotted(args[0], f"{name}[].", seen)


def command(args: list[str], capsys: pytest.CaptureFixture) -> tuple[int, str, str]:
    try:
        main(args)
        status = 0
    except SystemExit as exc:
        status = exc.code
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_every_field_of_config_is_listed(capsys):
    status, out, _ = command(["settings"], capsys)
    assert status == 0
    seen: set[type] = set()
    names = list(dotted(Config, "", seen))
    missing = [n for n in names if f"\n  {n} = " not in out]
    assert not missing, missing
    # every dataclass of config.py is reached from Config
    defined = {
        v
        for v in vars(config_module).values()
        if dataclasses.is_dataclass(v) and v.__module__ == config_module.__name__
    }
    assert defined <= seen, defined - seen
    # grouped by section, with default, unit, range and meaning from the metadata
    assert "[sim] Time: how long" in out
    assert "  sim.days = 365  (days; a number in (0, 36525])\n      simulated time" in out
    assert "  aid.kinds = transfers  (one of transfers, loans, both)" in out
    assert "  network.regions = null  (a whole number in [1, 10,000])" in out
    assert "  demand.shocks[].multiplier = 1.5  (x demand; a number >= 0)" in out


def test_every_policy_parameter_is_listed(capsys):
    from collabsim.policies import available, make_policy

    _, out, _ = command(["settings", "policy"], capsys)
    for name in available():
        for f in dataclasses.fields(make_policy(name).Params):
            assert f"  policy.params.{f.name} = {f.default:g}  (" in out
            assert f"policy={name})" in out


def test_a_prefix_filters(capsys):
    status, out, _ = command(["settings", "aid"], capsys)
    assert status == 0 and "  aid.delay_days = 2  (days;" in out
    listed = [
        line.split()[0] for line in out.splitlines() if line.startswith("  ") and " = " in line
    ]
    assert listed and all(name.startswith("aid") for name in listed)
    assert "  sim.days = " not in out and "[sim]" not in out


def test_an_unknown_prefix_is_one_line(capsys):
    status, out, err = command(["settings", "nowhere"], capsys)
    assert status == 2 and out == "" and err.count("\n") == 1
    assert "no setting starts with 'nowhere'" in err


def test_version(capsys):
    status, out, _ = command(["--version"], capsys)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert status == 0 and out == f"collabsim {collabsim.__version__}\n"
    assert collabsim.__version__ == project["version"]


@pytest.mark.slow
def test_help_names_the_commands(tmp_path):
    done = run(["--help"], tmp_path)
    assert done.returncode == 0
    for name in ("check", "settings", "collect", "report"):
        assert f"collabsim {name} " in done.stdout
    assert "--version" in done.stdout
    assert "collabsim is powered by Hydra" in done.stdout  # Hydra's own help follows
    assert not (tmp_path / "outputs").exists()
