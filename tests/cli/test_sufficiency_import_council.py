"""`stars sufficiency import --council CODE [--programme CODE]` refused: the message says
what is true of the service (no programme yet, a programme without councils, the councils
there are), never "none loaded" where councils are."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from stars import cli
from stars.core.programmes import programme_use
from stars.partnership.models import Programme


def _import(tmp_path, *args: str) -> tuple[int, str]:
    with programme_use(None):  # each command a process of its own, in no programme yet
        got = CliRunner().invoke(cli.app, ["sufficiency", "import", str(tmp_path), *args])
    return got.exit_code, got.stderr


@pytest.mark.django_db
def test_an_empty_service_says_it_holds_no_programme_yet(tmp_path):
    code, err = _import(tmp_path, "--council", "derby")
    assert code == 2
    assert "no such council: the service holds none yet" in err
    assert "stars import-tracker" in err and "none loaded" not in err
    code, err = _import(tmp_path, "--council", "derby", "--programme", "stars")
    assert code == 2
    assert "--programme 'stars': no such programme: the service holds none yet" in err
    assert "none loaded" not in err


def test_a_named_programme_lists_its_own_councils(tmp_path, both_programmes):
    code, err = _import(tmp_path, "--council", "nosuch", "--programme", "stepdown")
    assert code == 2
    assert "--council 'nosuch': no such council in programme 'stepdown'; expected one of" in err
    assert "birmingham" in err and "derby" not in err
    code, err = _import(tmp_path, "--council", "derby", "--programme", "stepdown")
    assert code == 2 and "no such council in programme 'stepdown'" in err
    code, err = _import(tmp_path, "--council", "nosuch")
    assert code == 2 and "derby" in err and "birmingham" in err and "none loaded" not in err


def test_an_unknown_programme_lists_the_programmes(tmp_path, both_programmes):
    code, err = _import(tmp_path, "--council", "derby", "--programme", "nosuch")
    assert code == 2
    assert "--programme 'nosuch': no such programme (one of: " in err
    assert "stepdown" in err and "none loaded" not in err


@pytest.mark.django_db
def test_a_programme_without_councils_says_so(tmp_path):
    Programme.objects.create(code="fresh", name="Fresh")
    code, err = _import(tmp_path, "--council", "derby", "--programme", "fresh")
    assert code == 2
    assert "--council 'derby': programme 'fresh' has no councils" in err
