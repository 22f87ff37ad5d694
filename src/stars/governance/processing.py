"""Records of processing: data-sharing agreements per council (with their warnings), the
DPIA's location and date, the privacy notice's contacts, and the thresholds of the access
review and of the agreements' warnings (all in ``config/privacy.toml``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from stars.domain.governance.agreements import AgreementState, agreement_state, agreement_warning
from stars.domain.governance.thresholds import GovernanceThresholds, parse_thresholds
from stars.domain.toml_positions import toml_loads
from stars.governance.models import DataSharingAgreement
from stars.partnership.models import Council
from stars.partnership.selectors import programme_councils


@dataclass(frozen=True)
class Privacy:
    dpia_location: str
    dpia_date: dt.date
    dpia_next_review: dt.date
    controller: str
    contact: str


def privacy(path: Path | None = None) -> Privacy:
    """The DPIA and privacy notice settings; a missing key names the file and key."""
    source = Path(path or settings.STARS_PRIVACY_CONFIG)
    data = toml_loads(source.read_text(encoding="utf-8"))
    try:
        dpia, notice = data["dpia"], data["privacy_notice"]
        return Privacy(
            str(dpia["location"]),
            dpia["date"],
            dpia["next_review"],
            str(notice["controller"]),
            str(notice["contact"]),
        )
    except KeyError as exc:
        raise ImproperlyConfigured(f"{source}: {exc.args[0]} is missing") from exc


def thresholds(path: Path | None = None) -> GovernanceThresholds:
    """The access review's thresholds and the agreements' warning days, from the same file
    (raises ``RetentionError`` naming file, line and column)."""
    source = Path(path or settings.STARS_PRIVACY_CONFIG)
    return parse_thresholds(source.read_text(encoding="utf-8"), str(source))


@dataclass(frozen=True)
class AgreementRow:
    agreement: DataSharingAgreement
    state: AgreementState


def agreements(today: dt.date) -> tuple[list[AgreementRow], list[str]]:
    """Every agreement of the councils of the programme worked in with where it stands, and
    the warnings: agreements about to lapse, due for review or lapsed, and its councils whose
    data is held without one in force (another programme's councils are that programme's)."""
    warn_days = thresholds().warn_days
    councils = programme_councils(Council.objects.all())  # of the programme worked in
    rows = [
        AgreementRow(
            a,
            agreement_state(
                start=a.start, review=a.review, end=a.end, today=today, warn_days=warn_days
            ),
        )
        for a in DataSharingAgreement.objects.filter(council__in=councils).select_related("council")
    ]
    warnings = [
        agreement_warning(r.agreement.council.name, r.agreement.title, r.state.message)
        for r in rows
        if r.state.warning
    ]
    covered = {r.agreement.council_id for r in rows if r.state.in_force}
    for council in councils.exclude(pk__in=covered):
        warnings.append(f"{council.name}: no data-sharing agreement in force")
    return rows, warnings


def lawful_bases() -> list[Any]:
    """The lawful bases the agreements in force name (for the privacy notice)."""
    return sorted({a.get_lawful_basis_display() for a in DataSharingAgreement.objects.all()})
