"""Demo users have names of their own: two key workers are never both "Demo Key worker"."""

from __future__ import annotations

from stars.core.roles import Role
from stars.demo.programme import demo_users, demo_users_create
from stars.partnership.models import User

COUNCILS = ("derby", "nottingham", "nottinghamshire")


def test_every_demo_user_has_a_distinct_full_name(contract):
    demo_users_create(COUNCILS)
    users = list(User.objects.all())
    names = [u.get_full_name() for u in users]
    assert all(n.strip() for n in names)
    assert len(set(names)) == len(users) == len(demo_users(COUNCILS))
    key_workers = {str(u) for u in users if u.role == Role.KEY_WORKER}
    assert len(key_workers) == 3 and not any("Key worker" in n for n in key_workers)


def test_names_stay_distinct_for_many_councils():
    many = tuple(f"council{i}" for i in range(40))
    names = [(u.first_name, u.last_name) for u in demo_users(many)]
    assert len(set(names)) == len(names)
