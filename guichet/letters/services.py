"""Writes on reply templates: created and changed by the authority's administrators, each
change in the audit log. Filling a template for a case is a read (`reply_template_fill`)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from guichet.core.events import event_record
from guichet.letters.merge import merge_context, merge_errors, merge_render
from guichet.letters.models import ReplyTemplate

EDITABLE_FIELDS = ("name", "category", "subject", "body", "is_active")


def _ensure_admin(actor, authority) -> None:
    # No actor: the software itself (demo data, a command), never a web request.
    if actor is not None and authority.pk not in actor.scope.admin_authority_ids:
        raise PermissionDenied(_("Réservé aux administrateurs de la collectivité."))


def _validate(template: ReplyTemplate) -> None:
    errors: dict[str, list[str]] = {}
    template.name = " ".join((template.name or "").split())
    template.subject = " ".join((template.subject or "").split())
    template.body = (template.body or "").replace("\r\n", "\n").strip()
    if not template.name:
        errors["name"] = [_("Donnez un nom au modèle.")]
    if not template.body:
        errors["body"] = [_("Le texte du modèle est vide.")]
    for field in ("subject", "body"):
        problems = merge_errors(getattr(template, field))
        if problems:
            errors.setdefault(field, []).extend(problems)
    if template.category_id and template.category.authority_id != template.authority_id:
        errors["category"] = [_("Cette catégorie appartient à une autre collectivité.")]
    duplicate = (
        ReplyTemplate.objects.filter(authority_id=template.authority_id, name=template.name)
        .exclude(pk=template.pk)
        .exists()
    )
    if template.name and duplicate:
        errors["name"] = [_("Un autre modèle porte déjà ce nom.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def reply_template_create(
    *,
    actor,
    authority,
    name: str,
    body: str,
    subject: str = "",
    category=None,
    is_active: bool = True,
) -> ReplyTemplate:
    """Create a reply template; unknown merge fields are refused with a French message."""
    _ensure_admin(actor, authority)
    template = ReplyTemplate(
        authority=authority,
        category=category,
        name=name,
        subject=subject,
        body=body,
        is_active=is_active,
    )
    _validate(template)
    template.save()
    event_record(
        actor=actor,
        verb="reply_template.created",
        target=template,
        authority=authority,
        data={"name": template.name, "category": template.category_id},
    )
    return template


@transaction.atomic
def reply_template_update(*, actor, template: ReplyTemplate, **values) -> ReplyTemplate:
    """Change a template's name, category, texts or active flag; the event names what
    changed."""
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable: {', '.join(sorted(unknown))}")
    template = ReplyTemplate.objects.select_for_update().get(pk=template.pk)
    _ensure_admin(actor, template.authority)
    changed = []
    for field, value in values.items():
        current = getattr(template, field)
        if current != value:
            setattr(template, field, value)
            changed.append(field)
    _validate(template)
    if not changed:
        return template
    template.save()
    event_record(
        actor=actor,
        verb="reply_template.updated",
        target=template,
        authority=template.authority,
        data={"fields": changed},
    )
    return template


def reply_template_fill(
    *, template: ReplyTemplate, case, contact, agent, today=None
) -> tuple[str, str]:
    """The subject and body of a template filled for a case, its person and the agent
    writing. The caller has checked that the agent may see the case."""
    if template.authority_id != case.authority_id:
        raise ValidationError(_("Ce modèle appartient à une autre collectivité."))
    context = merge_context(case=case, contact=contact, agent=agent, today=today)
    return merge_render(template.subject, context), merge_render(template.body, context)
