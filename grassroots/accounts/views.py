"""Login and logout, each audited."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.db import transaction
from django.http import HttpRequest, HttpResponse

from grassroots.audit.models import Action
from grassroots.audit.services import record


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        with transaction.atomic():
            record(Action.LOGIN, actor=form.get_user(), target=form.get_user())
        return response

    def form_invalid(self, form: Any) -> HttpResponse:
        username = str(form.data.get("username", ""))[:150]
        with transaction.atomic():
            record(Action.LOGIN_FAILED, actor=None, target_type="accounts.user", target_repr=username)
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            with transaction.atomic():
                record(Action.LOGOUT, actor=request.user, target=request.user)
        return super().post(request, *args, **kwargs)
