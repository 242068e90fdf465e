"""Login and logout, each audited."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response

from grassroots.accounts.services import login_blocked
from grassroots.audit.models import Action
from grassroots.audit.services import record


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        blocked = login_blocked(str(request.POST.get("username", ""))[:150], request.META.get("REMOTE_ADDR"))
        if blocked:
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, blocked)
            response = self.render_to_response(self.get_context_data(form=form))
            response.status_code = 429
            return response
        return super().post(request, *args, **kwargs)

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


class TokenView(ObtainAuthToken):
    """An API token for a username and password; failures are audited and throttled like
    the login page's."""

    def post(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        if not hasattr(request.data, "get"):  # a JSON list or a bare value
            return Response({"detail": "Send username and password."}, status=400)
        username = str(request.data.get("username", ""))[:150]
        blocked = login_blocked(username, request.META.get("REMOTE_ADDR"))
        if blocked:
            return Response({"detail": blocked}, status=429)
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            with transaction.atomic():
                record(Action.LOGIN_FAILED, actor=None, target_type="accounts.user", target_repr=username)
            return Response(serializer.errors, status=400)
        user = serializer.validated_data["user"]
        token, _created = Token.objects.get_or_create(user=user)
        with transaction.atomic():
            record(Action.LOGIN, actor=user, target=user, detail={"via": "api token"})
        return Response({"token": token.key})


class LogoutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            with transaction.atomic():
                record(Action.LOGOUT, actor=request.user, target=request.user)
        return super().post(request, *args, **kwargs)
