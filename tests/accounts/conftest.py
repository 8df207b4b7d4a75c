"""Personas of delegated administration, on top of the shared ones (tests/conftest.py):
  street_admin: 管理员 on 街道A      district_admin: 管理员 on 城关区
  auditor: 审计员 on 城关区           security: 安全管理员 on 城关区
Each has its home division where its role is."""

from dataclasses import dataclass

import pytest

from accounts.policy import profile_of
from core.models import Role
from tests.conftest import _user


def homed(user, node):
    profile = profile_of(user)
    profile.node = node
    profile.save()
    return user


@dataclass
class Admins:
    street_admin: object
    district_admin: object
    auditor: object
    security: object


@pytest.fixture
def admins(tree, personas) -> Admins:
    # The shared personas' accounts live where their roles are.
    homed(personas.street_clerk, tree.street_a)
    homed(personas.community_clerk, tree.community_a1)
    homed(personas.neighbour_clerk, tree.street_b)
    homed(personas.district_reviewer, tree.district)
    homed(personas.viewer, tree.district)
    return Admins(
        street_admin=homed(_user("street_admin", tree.street_a, Role.ADMIN), tree.street_a),
        district_admin=homed(_user("district_admin", tree.district, Role.ADMIN), tree.district),
        auditor=homed(_user("auditor", tree.district, Role.AUDITOR), tree.district),
        security=homed(_user("security", tree.district, Role.SECURITY), tree.district),
    )
