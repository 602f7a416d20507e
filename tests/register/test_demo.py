"""The demo entries of the register: real rows through the services, added once."""

from guichet.register.demo import demo_seed
from guichet.register.models import MailItem


def test_demo_seed_fills_the_register_once(authority, category, front_desk, contact, case):
    added = demo_seed(authority=authority, actor=None, count=30)
    assert 20 <= added <= 30
    assert MailItem.objects.incoming().exists() and MailItem.objects.outgoing().exists()
    assert MailItem.objects.exclude(case=None).exists()
    for direction in ("in", "out"):
        numbers = sorted(
            MailItem.objects.filter(direction=direction).values_list("number", flat=True)
        )
        assert numbers == list(range(1, len(numbers) + 1))
    assert demo_seed(authority=authority, actor=front_desk, count=30) == 0
    assert MailItem.objects.count() == added
