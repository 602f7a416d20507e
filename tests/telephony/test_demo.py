"""The demo calls: a realistic switchboard export, missed calls waiting for a callback."""

from guichet.contacts.services import contact_create
from guichet.interactions.enums import Outcome
from guichet.interactions.models import Interaction
from guichet.telephony.demo import demo_seed
from guichet.telephony.models import SwitchboardCall, SwitchboardImport
from guichet.telephony.querysets import calls_to_call_back


def test_the_demo_fills_the_report_and_the_callback_list(authority, front_desk):
    for n in range(12):
        contact_create(
            actor=None, authority=authority, first_name=f"P{n}", phone=f"05610000{n:02d}"
        )
    demo_seed(authority=authority, actor=front_desk)
    batch = SwitchboardImport.objects.get()
    assert batch.errors == []
    calls = SwitchboardCall.objects.filter(authority=authority)
    assert calls.count() > 500
    rate = calls.filter(answered=True).count() / calls.count()
    assert 0.7 < rate < 0.92
    assert Interaction.objects.filter(outcome=Outcome.CALLED_BACK).count() == 1
    assert len(calls_to_call_back(front_desk, authority)) >= 2
    count = Interaction.objects.count()
    demo_seed(authority=authority, actor=front_desk)
    assert (Interaction.objects.count(), SwitchboardImport.objects.count()) == (count, 1)
