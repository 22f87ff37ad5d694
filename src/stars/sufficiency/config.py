"""Placement sufficiency configuration (TOML): weekly unit costs per placement group, each
council's child population by year, comparator rates and targets. Errors name file and key."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from stars.domain.sufficiency.codes import PLACEMENT_GROUPS
from stars.domain.toml_positions import toml_loads

ONS_CODE = re.compile(r"^[EWSN]\d{8}$")


class ConfigError(ValueError):
    """The configuration file is unreadable; the message names the file and key."""


@dataclass(frozen=True)
class SufficiencyConfig:
    """The configuration, each council's tables keyed by its code in lower case: a council's
    code is one in any case (``derby`` and ``Derby``, as the contract and the configuration
    may write it), so look a council up with ``of_council``."""

    weekly_cost: dict[str, Decimal]
    population: dict[str, dict[int, int]] = field(default_factory=dict)  # council -> year -> n
    comparators: dict[str, dict[int, Decimal]] = field(default_factory=dict)  # name -> rates
    targets: dict[str, dict[str, int]] = field(default_factory=dict)  # council -> target -> n
    local_authority: dict[str, str] = field(default_factory=dict)  # council -> ONS code

    def of_council(self, code: str) -> CouncilConfig:
        """The population, targets and ONS code given for the council ``code`` (in any case)."""
        key = code.strip().lower()
        return CouncilConfig(
            self.population.get(key, {}), self.targets.get(key, {}), self.local_authority.get(key)
        )


@dataclass(frozen=True)
class CouncilConfig:
    """What the configuration gives for one council (empty, or None, where it gives none)."""

    population: dict[int, int]
    targets: dict[str, int]
    ons_code: str | None


def _by_council(path: Path, table: str, given: dict[str, Any]) -> dict[str, Any]:
    """``given`` keyed by council codes in lower case; a council given twice (its code in
    two cases, ``derby`` and ``Derby``) is refused naming both."""
    out: dict[str, Any] = {}
    first: dict[str, str] = {}
    for code, value in given.items():
        key = code.lower()
        if key in first:
            raise ConfigError(
                f"{path}: {table}.{code}: the council is given twice, as {first[key]!r} and "
                f"{code!r} (a council's code is one in any case); expected it once"
            )
        first[key] = code
        out[key] = value
    return out


def _years(path: Path, key: str, table: Any, kind: type) -> dict[int, Any]:
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: {key}: expected a table of YEAR = number")
    out: dict[int, Any] = {}
    for year, value in table.items():
        try:
            out[int(year)] = kind(str(value))
        except (ValueError, InvalidOperation) as exc:
            raise ConfigError(f"{path}: {key}.{year}: {value!r} is not a number") from exc
    return out


def load_config(path: Path) -> SufficiencyConfig:
    try:
        data = toml_loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: no such file (STARS_SUFFICIENCY_CONFIG)") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    table = data.get("weekly_cost")
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: expected a [weekly_cost] table")
    costs: dict[str, Decimal] = {}
    for group, value in table.items():
        if group not in PLACEMENT_GROUPS:
            known = ", ".join(PLACEMENT_GROUPS)
            raise ConfigError(f"{path}: weekly_cost.{group!r}: unknown group; expected {known}")
        try:
            costs[group] = Decimal(str(value))
        except InvalidOperation as exc:
            raise ConfigError(f"{path}: weekly_cost.{group!r}: {value!r} is not an amount") from exc
    population = {
        council: _years(path, f"population.{council}", t, int)
        for council, t in data.get("population", {}).items()
    }
    comparators = {
        name: _years(path, f"comparators.{name}", t, Decimal)
        for name, t in data.get("comparators", {}).items()
    }
    targets: dict[str, dict[str, int]] = {}
    for council, t in data.get("targets", {}).items():
        if not isinstance(t, dict) or not all(isinstance(v, int) for v in t.values()):
            raise ConfigError(f"{path}: targets.{council}: expected whole numbers")
        targets[council] = dict(t)
    codes = data.get("local_authority", {})
    if not isinstance(codes, dict) or not all(
        isinstance(v, str) and ONS_CODE.match(v) for v in codes.values()
    ):
        raise ConfigError(
            f'{path}: local_authority: expected council = "ONS code", e.g. derby = "E06000015"'
        )
    return SufficiencyConfig(
        costs,
        _by_council(path, "population", population),
        comparators,
        _by_council(path, "targets", targets),
        _by_council(path, "local_authority", codes),
    )


def weekly_costs(path: Path) -> dict[str, Decimal]:
    return load_config(path).weekly_cost
