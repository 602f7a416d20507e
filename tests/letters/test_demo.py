"""Demo reply templates: valid, filled for a real case, and created once."""

from guichet.letters.demo import DEMO_TEMPLATES, demo_seed
from guichet.letters.models import ReplyTemplate
from guichet.letters.services import reply_template_fill


def test_demo_templates_are_created_once(authority, admin_user):
    created = demo_seed(authority=authority, actor=admin_user)
    assert len(created) == len(DEMO_TEMPLATES)
    assert demo_seed(authority=authority, actor=admin_user) == []
    assert ReplyTemplate.objects.filter(authority=authority).count() == len(DEMO_TEMPLATES)


def test_demo_templates_fill_a_case(authority, case, citizen_contact, agent):
    for template in demo_seed(authority=authority, actor=None):
        subject, body = reply_template_fill(
            template=template, case=case, contact=citizen_contact, agent=agent
        )
        assert case.reference in subject
        assert body.startswith("Jeanne Durand,\n\n")
        assert "{{" not in body and "{%" not in body
