"""Signing in through both steps in page tests, as a browser does (the password form, then the code form)."""

from django.test import Client

from iom.models import User
from tests.iom.factories import PASSWORD
from tests.iom.two_factor import code_for


def password_step(client: Client, user: User, *, next_url: str | None = None, password: str = PASSWORD):
    data = {"username": user.get_username(), "password": password}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/sign-in/", data)


def code_step(client: Client, code: str, *, next_url: str | None = None):
    data = {"code": code} if next_url is None else {"code": code, "next": next_url}
    return client.post("/sign-in/code/", data)


def signed_in_with_code(user: User, device, *, client: Client | None = None) -> Client:
    """A client signed in as ``user`` with their password and a real code from ``device``."""
    client = client or Client()
    assert password_step(client, user)["Location"].startswith("/sign-in/code/")
    response = code_step(client, code_for(device))
    assert response.status_code == 302 and not response["Location"].startswith("/sign-in/"), response
    return client


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session
