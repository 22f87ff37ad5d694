"""Exact money of many simulated runs through the engine's pricing and the payment seam.

The engine prices a group of referrals (one council, cohort and funding) from its integer
sums (referrals, sustained weeks, payable weeks and the payment design's unit columns):
``stars.domain.outcomes.engine.money_of_group``, which asks the cohort's payment design
(``PaymentDesign.outcome_payments``). Those prices are linear in the sums (the seam prices
summed units), so the price of one of each sum, asked once per group, prices every run:
a figure of a run is an integer matrix product, exact in units of 10**-scale pounds.
``Pricing.check`` holds the linearity to the seam's own figure on real sums.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from stars.domain.contract.terms import Contract
from stars.domain.money import Money
from stars.domain.outcomes.claims import payable_by_group
from stars.domain.outcomes.engine import WEEKS, money_of_group, unit_columns

Key = tuple[str, str, str]  # (council, cohort, funding)
Ints = npt.NDArray[np.int64]

MONEY = (
    "outcome_payments",
    "guaranteed_funding_payments",
    "cashable_savings",
    "cost_avoidance",
    "savings",
    "net_cash_saving",
    "fund_contributions",
    "council_cost",
)
# figures linear in a group's sums (the funds' contributions are capped over the programme)
LINEAR = tuple(f for f in MONEY if f not in ("fund_contributions", "council_cost"))
COUNTS = ("referrals", "sustained_weeks")
FIGURES = (*COUNTS, *MONEY)
MAX_SCALE = 9
FUND = "fund:"  # the output of one outcome fund: "fund:<name>"


def is_money(output: str) -> bool:
    """Is an output (``figure``, ``figure@scope``, ``fund:<name>``) money, not a count?"""
    return output.split("@")[0] in MONEY or output.startswith(FUND)


def summed_columns(contract: Contract) -> tuple[str, ...]:
    """The integer sums of a group the engine prices, in order."""
    return ("referrals", *WEEKS, *unit_columns(contract))


def _value(m: Money, figure: str) -> Decimal:
    return Decimal(getattr(m, figure))


@dataclass(frozen=True)
class Pricing:
    """Coefficients: figure of a scope = sums (runs × keys·columns) @ ``matrix``."""

    keys: tuple[Key, ...]
    columns: tuple[str, ...]
    outputs: tuple[str, ...]  # "figure" or "figure@la:code" or "figure@cohort:code"
    matrix: Ints
    scale: int  # money outputs are in units of 10**-scale pounds
    caps: tuple[tuple[str, int | None], ...] = ()  # each fund's output and cap (scaled)
    # the contract whose maximum outcome payments (its own, its councils') bind the runs
    contract: Contract | None = None

    def index(self, key: Key) -> int:
        return self.keys.index(key)

    def _linear(self, sums: Ints) -> dict[str, Ints]:
        product = sums @ self.matrix
        return {name: product[:, i] for i, name in enumerate(self.outputs)}

    def apply(self, sums: Ints) -> dict[str, Ints]:
        """Every output of each run from its sums (runs × keys·columns)."""
        out = self._linear(sums)
        if self.contract is not None and self.contract.has_maxima:
            self._within_maxima(self.contract, sums, out)
        # the outcome funds pay their shares of the programme's outcome payments, each up to
        # its cap (Contract.fund_contributions): so the programme's fund contributions and
        # council cost, as the evaluation report has them
        if self.caps:
            total = np.zeros_like(out["outcome_payments"])
            for name, cap in self.caps:
                if cap is not None:
                    out[name] = np.minimum(out[name], cap)
                total = total + out[name]
            out["fund_contributions"] = total
            out["council_cost"] = (
                out["outcome_payments"] + out["guaranteed_funding_payments"] - total
            )
        return out

    def _within_maxima(self, contract: Contract, sums: Ints, out: dict[str, Ints]) -> None:
        """Outcome payments as the contract pays them (``payable_by_group``, as the evaluation
        report and claims have them): each council's up to its maximum outcome payment, then
        the programme's up to the contract's; what was earned above is not paid, so the net
        cash saving is that much higher and the outcome funds pay their shares of what is."""
        col = self.outputs.index("outcome_payments")
        width = len(self.columns)
        councils = sorted({k[0] for k in self.keys})
        earned: dict[str, Ints] = {}
        for code in councils:
            rows = [
                g * width + j for g, k in enumerate(self.keys) if k[0] == code for j in range(width)
            ]
            earned[code] = sums[:, rows] @ self.matrix[rows, col]
        payable = {code: e.copy() for code, e in earned.items()}
        binds = np.zeros(len(sums), dtype=bool)  # the runs where some maximum is passed
        for la in contract.local_authorities:
            if la.maximum_outcome_payment is not None and la.code in earned:
                binds |= earned[la.code] > int(la.maximum_outcome_payment.scaleb(self.scale))
        if contract.maximum_outcome_payment is not None:
            binds |= out["outcome_payments"] > int(
                contract.maximum_outcome_payment.scaleb(self.scale)
            )
        for r in np.flatnonzero(binds):  # the rule itself, run by run
            got = payable_by_group(
                contract, {(c,): Decimal(int(earned[c][r])).scaleb(-self.scale) for c in councils}
            )
            for (c,), amount in got.items():
                payable[c][r] = int(amount.scaleb(self.scale))
        total = sum(payable.values(), np.zeros(len(sums), dtype=np.int64))
        above = out["outcome_payments"] - total
        out["outcome_payments"] = total
        out["net_cash_saving"] = out["net_cash_saving"] + above
        for c in councils:
            if f"outcome_payments@la:{c}" in out:
                out[f"outcome_payments@la:{c}"] = payable[c]
                out[f"net_cash_saving@la:{c}"] = out[f"net_cash_saving@la:{c}"] + (
                    earned[c] - payable[c]
                )
        for fund in contract.funds:
            numerator, denominator = fund.share.as_integer_ratio()
            out[FUND + fund.name] = total * numerator // denominator

    def amount(self, output: str, value: int) -> Decimal:
        """An output's value as exact pounds (counts stay counts)."""
        if is_money(output):
            return Decimal(value).scaleb(-self.scale)
        return Decimal(value)

    def check(self, contract: Contract, key: Key, sums: Mapping[str, int]) -> None:
        """The linear price of ``sums`` equals the engine's: else the design is not linear."""
        engine = money_of_group(contract, key[1], key[2], sums)
        row = np.zeros(len(self.keys) * len(self.columns), dtype=np.int64)
        base = self.index(key) * len(self.columns)
        for j, c in enumerate(self.columns):
            row[base + j] = sums[c]
        got = self._linear(row[None, :])
        for figure in LINEAR:
            if self.amount(figure, int(got[figure][0])) != _value(engine, figure):
                raise ValueError(
                    f"the payment design of cohort {key[1]} does not price summed units "
                    f"linearly ({figure}): the simulator cannot price it"
                )


def pricing(
    contract: Contract, keys: Sequence[Key], scopes: Mapping[str, Sequence[str]]
) -> Pricing:
    """The coefficients of every figure for the groups ``keys``; ``scopes`` names the
    councils and cohorts whose own figures are wanted (``{"la": [...], "cohort": [...]}``)."""
    columns = summed_columns(contract)
    zero = {c: 0 for c in columns}
    coef: dict[tuple[int, int, str], Decimal] = {}
    for g, (_la, cohort, funding) in enumerate(keys):
        base = money_of_group(contract, cohort, funding, zero)
        for j, c in enumerate(columns):
            m = money_of_group(contract, cohort, funding, {**zero, c: 1})
            for figure in FIGURES:
                if figure == "referrals":
                    value = Decimal(int(c == "referrals"))
                else:
                    value = _value(m, figure) - _value(base, figure)
                if value:
                    coef[(g, j, figure)] = value
            outcome = _value(m, "outcome_payments") - _value(base, "outcome_payments")
            for fund in contract.funds:
                if outcome * fund.share:
                    coef[(g, j, FUND + fund.name)] = outcome * fund.share
    # a maximum outcome payment (the contract's, a council's) may be what is paid, and the
    # funds pay their shares of it: exact in the units too
    maxima = [contract.maximum_outcome_payment] + [
        la.maximum_outcome_payment for la in contract.local_authorities
    ]
    amounts = [
        v for (_, _, figure), v in coef.items() if figure in MONEY or figure.startswith(FUND)
    ]
    amounts += [m for m in maxima if m is not None]
    amounts += [m * f.share for m in maxima if m is not None for f in contract.funds]
    scale = 0
    for v in amounts:
        exp = v.normalize().as_tuple().exponent
        scale = max(scale, -exp if isinstance(exp, int) else 0)
    if scale > MAX_SCALE:
        raise ValueError(f"contract prices need {scale} decimal places; at most {MAX_SCALE}")

    outputs: list[tuple[str, str | None, str | None]] = [(f, None, None) for f in FIGURES]
    outputs += [(FUND + fund.name, None, None) for fund in contract.funds]
    for part, codes in scopes.items():
        outputs += [(f, part, code) for code in codes for f in FIGURES]
    matrix = np.zeros((len(keys) * len(columns), len(outputs)), dtype=np.int64)
    for o, (figure, kind, scope) in enumerate(outputs):
        unit = 10**scale if figure in MONEY or figure.startswith(FUND) else 1
        for (g, j, f), v in coef.items():
            if f != figure:
                continue
            la, cohort, _ = keys[g]
            if kind == "la" and la != scope or kind == "cohort" and cohort != scope:
                continue
            matrix[g * len(columns) + j, o] = int(v * unit)
    names = tuple(f if k is None else f"{f}@{k}:{c}" for f, k, c in outputs)
    caps = tuple(
        (FUND + f.name, None if f.cap is None else int(f.cap.scaleb(scale))) for f in contract.funds
    )
    return Pricing(tuple(keys), columns, names, matrix, scale, caps, contract)
