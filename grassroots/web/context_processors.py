from typing import Any

from django.http import HttpRequest


def shell(request: HttpRequest) -> dict[str, Any]:
    """What the base layout needs on every page: the count of unread notifications."""
    unread = 0
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from grassroots.accounts.models import Notification

        unread = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
    return {"product_name": "grassroots", "unread_notifications": unread}
