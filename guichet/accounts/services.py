from django.db import transaction

from guichet.accounts.models import User
from guichet.core.events import event_record


@transaction.atomic
def user_register(*, email: str, password: str, first_name: str, last_name: str) -> User:
    """Create a citizen account (no membership: not an agent)."""
    user = User.objects.create_user(
        email=email, password=password, first_name=first_name.strip(), last_name=last_name.strip()
    )
    event_record(actor=user, verb="user.registered", target=user)
    return user
