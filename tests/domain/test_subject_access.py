"""Third parties named in a child's records, listed for redaction."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stars.domain.governance.subject_access import ThirdParty, third_parties


def test_worked_example():
    found = third_parties(
        named=[
            ("Pat Carer", "Foster carer", "referral R1, team"),
            ("Sam Subject", "Young person", "referral R1, team"),  # the child: not a third party
            ("", "Social worker", "enquiry E1"),
        ],
        free_text=[
            ("referral R1, meeting notes", "Sam met JO  BLOGGS at school; Jon Bloggsworth too."),
            ("enquiry E1, why now", "nothing"),
        ],
        other_children=[("C-2", "Jo Bloggs"), ("C-3", "Jon Bloggs"), ("C-4", "")],
        subject_names=["Sam Subject"],
    )
    assert found == [
        ThirdParty("Jo Bloggs", "Another child (C-2)", "referral R1, meeting notes"),
        ThirdParty("Pat Carer", "Foster carer", "referral R1, team"),
    ]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.from_regex(r"[A-Z][a-z]{1,8} [A-Z][a-z]{1,8}", fullmatch=True),
    before=st.text(alphabet=" .,abc", max_size=10),
    after=st.text(alphabet=" .,xyz", max_size=10),
)
def test_a_name_written_in_free_text_is_found_and_the_child_is_never_listed(name, before, after):
    text = f"{before} {name.upper()} {after}"
    found = third_parties(named=[], free_text=[("n", text)], other_children=[("C", name)])
    assert [t.name for t in found] == [name]
    assert (
        third_parties(
            named=[(name, "Young person", "t")],
            free_text=[("n", text)],
            other_children=[("C", name)],
            subject_names=[name.lower()],
        )
        == []
    )
