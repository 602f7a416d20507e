"""What an agent may see, derived once from their memberships.

Sector separation (RGPD): an agent sees the cases of the services they belong to; a manager
those of every service under theirs; front desk agents see the contact directory and a
summary of other services' cases; administrators and the DPO see their whole authority.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from guichet.authorities.enums import Role


@dataclass(frozen=True)
class AgentScope:
    user_id: int | None
    authority_ids: frozenset[int] = field(default_factory=frozenset)
    service_ids: frozenset[int] = field(default_factory=frozenset)
    own_service_ids: frozenset[int] = field(default_factory=frozenset)
    full_authority_ids: frozenset[int] = field(default_factory=frozenset)
    front_desk_authority_ids: frozenset[int] = field(default_factory=frozenset)
    admin_authority_ids: frozenset[int] = field(default_factory=frozenset)
    dpo_authority_ids: frozenset[int] = field(default_factory=frozenset)
    managed_service_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_agent(self) -> bool:
        return bool(self.authority_ids)

    @property
    def directory_authority_ids(self) -> frozenset[int]:
        """Authorities whose whole contact directory this agent may search."""
        return self.full_authority_ids | self.front_desk_authority_ids

    @classmethod
    def for_user(cls, user) -> AgentScope:
        from guichet.authorities.models import Membership, Service

        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return cls(user_id=None)
        memberships = list(
            Membership.objects.filter(user=user, authority__is_active=True).values_list(
                "authority_id", "service_id", "role"
            )
        )
        if not memberships:
            return cls(user_id=user.pk)
        authority_ids = {a for a, _, _ in memberships}
        own = {
            s for _, s, r in memberships if s and r in (Role.AGENT, Role.MANAGER, Role.FRONT_DESK)
        }
        managed_roots = {s for _, s, r in memberships if s and r == Role.MANAGER}
        services = set(own)
        managed = set()
        if managed_roots:
            children: dict[int, list[int]] = {}
            for sid, parent in Service.objects.filter(authority_id__in=authority_ids).values_list(
                "id", "parent_id"
            ):
                children.setdefault(parent, []).append(sid)
            stack = list(managed_roots)
            while stack:
                sid = stack.pop()
                if sid in managed:
                    continue
                managed.add(sid)
                stack.extend(children.get(sid, []))
            services |= managed
        return cls(
            user_id=user.pk,
            authority_ids=frozenset(authority_ids),
            service_ids=frozenset(services),
            own_service_ids=frozenset(own),
            full_authority_ids=frozenset(
                a for a, _, r in memberships if r in (Role.ADMIN, Role.DPO)
            ),
            front_desk_authority_ids=frozenset(
                a for a, _, r in memberships if r == Role.FRONT_DESK
            ),
            admin_authority_ids=frozenset(a for a, _, r in memberships if r == Role.ADMIN),
            dpo_authority_ids=frozenset(a for a, _, r in memberships if r == Role.DPO),
            managed_service_ids=frozenset(managed),
        )
