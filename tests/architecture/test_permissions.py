"""Who may do what is decided by the access policy alone (``stars.core.permissions``, reading
``access-policy.toml``): a page, a service, a background job or a command asks
``allowed(user, "name")``; none compares a user's role with a role of its own choosing, which
would let the table say one thing and the code do another.

A comparison with a role (``user.role == Role.ADMIN``, ``role in (Role.SPOC, ...)``,
``role in COUNCIL_ROLES``, ``user.role != "admin"``) outside the policy is refused unless it is
listed below with the reason it is not a permission decision. Every API operation asks the
policy for a page before anything else (the pages' URLs: test_structure.py)."""

from __future__ import annotations

import ast
import inspect
import textwrap
from pathlib import Path

from django.urls import get_resolver

from stars.core.api import api
from stars.core.permissions import ACTIONS, PAGES
from stars.core.roles import Role

SRC = Path(__file__).resolve().parents[2] / "src" / "stars"
POLICY = "core/permissions.py"  # the policy: every role's rule, scope_of
ROLE_VALUES = frozenset(Role.values)

# (module, function): why its comparison with a role decides no permission. A listed function
# that no longer compares a role fails the test too, so the list stays exact.
NOT_PERMISSIONS = {
    # presentation: which lists of today's work a role's home page shows; each list's
    # records come through its selector's scope, each link is shown as `allowed` says
    ("web/today.py", "today_work"): "which lists the home page shows each role",
    # a data rule: the person allocated must hold the key worker role (who may allocate
    # is the case_allocate page's row)
    ("referrals/services.py", "referral_allocate"): "the one allocated must be a key worker",
    # creating a user: an administrator is Django's staff and superuser (the admin site's
    # own check), a council role needs a council; who may create users is who may run
    # `stars createuser` on the server
    ("partnership/services.py", "user_create"): "an administrator is Django staff",
    # the access review judges reads already made (a council user's read of another
    # council's record is a finding), it grants nothing; a pure rule of the domain
    ("domain/governance/access_review.py", "review_access"): "which past reads look unusual",
}


def _is_role(node: ast.AST) -> bool:
    """A role named in code: ``Role.ADMIN``, ``COUNCIL_ROLES``, or a tuple, list or set of them."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return node.value.id == "Role" and node.attr.isupper()
    if isinstance(node, ast.Name | ast.Attribute):
        return (node.id if isinstance(node, ast.Name) else node.attr) == "COUNCIL_ROLES"
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return any(_is_role(e) for e in node.elts)
    return False


def _reads_role(node: ast.AST) -> bool:
    """A user's role read: ``user.role``, ``role``, ``getattr(user, "role", None)``."""
    if isinstance(node, ast.Attribute):
        return node.attr == "role"
    if isinstance(node, ast.Name):
        return node.id == "role"
    if isinstance(node, ast.Call) and ast.unparse(node.func) == "getattr" and len(node.args) > 1:
        return isinstance(node.args[1], ast.Constant) and node.args[1].value == "role"
    return False


def _is_role_text(node: ast.AST) -> bool:
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return any(_is_role_text(e) for e in node.elts)
    return isinstance(node, ast.Constant) and node.value in ROLE_VALUES


def role_comparisons(source: str) -> list[tuple[str, int, str]]:
    """(enclosing function, line, the comparison) for each comparison with a role."""
    found = []

    def visit(node: ast.AST, func: str) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            func = node.name
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(_is_role(s) for s in sides) or (
                any(_reads_role(s) for s in sides) and any(_is_role_text(s) for s in sides)
            ):
                found.append((func, node.lineno, ast.unparse(node)))
        for child in ast.iter_child_nodes(node):
            visit(child, func)

    visit(ast.parse(source), "")
    return found


def test_no_module_but_the_policy_compares_a_users_role():
    offenders, used = [], set()
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if rel == POLICY or "migrations" in path.parts:
            continue
        for func, line, text in role_comparisons(path.read_text(encoding="utf-8")):
            if (rel, func) in NOT_PERMISSIONS:
                used.add((rel, func))
            else:
                offenders.append(f"{rel}:{line} ({func}): {text}")
    assert offenders == [], (
        "a role compared outside stars.core.permissions: ask allowed(user, NAME) with a row "
        "of access-policy.toml's [pages] or [actions] (or list here why it is no permission):\n"
        + "\n".join(offenders)
    )
    stale = sorted(set(NOT_PERMISSIONS) - used)
    assert stale == [], f"listed but comparing no role any more, take them off: {stale}"


def test_the_check_finds_each_way_of_comparing_a_role():
    source = """
def a(user):
    return user.role == Role.ADMIN
def b(user):
    return getattr(user, "role", None) != Role.COMMISSIONER
def c(role):
    return role in (Role.SPOC, Role.COMMISSIONER)
def d(user):
    return user.role in COUNCIL_ROLES
def e(user):
    return user.role != "admin"
def fine(member, user):
    return member.role == TeamRole.KEY_WORKER or user.role in Role.values or x == "admin"
"""
    assert [f for f, _, _ in role_comparisons(source)] == ["a", "b", "c", "d", "e"]


def test_every_action_of_the_policy_is_asked_somewhere():
    """An action no code asks for would be a row of the table that decides nothing."""
    code = "\n".join(
        p.read_text(encoding="utf-8") for p in SRC.rglob("*.py") if p.name != "permissions.py"
    )
    unasked = sorted(a for a in ACTIONS if f'"{a}"' not in code)
    assert unasked == [], f"actions of access-policy.toml that no code asks: {unasked}"
    assert set(ACTIONS).isdisjoint(PAGES)


def _first_require(func) -> str | None:
    """The page an API operation asks ``require`` for before anything else, if it does."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    body = tree.body[0].body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    call = body[0].value if body and isinstance(body[0], ast.Assign | ast.Expr) else None
    if not (isinstance(call, ast.Call) and ast.unparse(call.func) == "require"):
        return None
    page = call.args[1] if len(call.args) > 1 else None
    return page.value if isinstance(page, ast.Constant) else None


def test_every_api_operation_first_asks_the_policy_for_a_page():
    """The pages' URLs are checked by test_structure.py (each is a @page); the API's
    operations each begin with ``require(request, PAGE)``, a row of the policy, so none
    answers before the role and the programme are checked."""
    assert get_resolver().url_patterns  # the root URLconf adds each router to the API
    unguarded, operations = [], 0
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                operations += 1
                page = _first_require(operation.view_func)
                if page not in PAGES:
                    where = f"{'/'.join(operation.methods)} /api{prefix}{path}"
                    unguarded.append(f"{where}: require(request, {page!r})")
    assert operations > 0
    assert unguarded == [], "API operations not first asking require() for a page:\n" + (
        "\n".join(unguarded)
    )


def test_the_api_check_finds_an_operation_without_require():
    def guarded(request):
        """Docstring."""
        user = require(request, "referral_list")  # noqa: F821
        return user

    def late(request):
        print(request)
        return require(request, "referral_list")  # noqa: F821

    def unknown(request):
        require(request, "no_such_page")  # noqa: F821

    assert [_first_require(f) for f in (guarded, late, unknown)] == [
        "referral_list",
        None,
        "no_such_page",
    ]
