from typing import Any

from django.contrib.auth.backends import ModelBackend


class PersonModelBackend(ModelBackend):
    """Loads the user with their person in one query: every page shows the person's name."""

    def get_user(self, user_id: Any) -> Any:
        from grassroots.accounts.models import User

        user = User._default_manager.select_related("person").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
