"""Every page needs a signed-in user, and the login and logout pages work."""

import pytest
from django.urls import reverse

# The password tests/conftest.py gives every user it creates.
PASSWORD = "a-long-test-password"

PAGES = [
    ("web:queue", []),
    ("web:request", [1]),
    ("web:request_file", [1, 1]),
    ("web:companies", []),
    ("web:company", [1]),
    ("web:contracts", []),
    ("web:contract", [1]),
    ("web:document_version", [1]),
    ("web:sync", []),
]

ACTIONS = [
    ("web:approve", [1]),
    ("web:decline", [1]),
    ("web:sync_now", []),
    ("web:retry_message", [1]),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "args"), PAGES)
def test_page_redirects_anonymous_to_login(client, name, args):
    url = reverse(name, args=args)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "args"), ACTIONS)
def test_action_redirects_anonymous_to_login(client, name, args):
    url = reverse(name, args=args)

    response = client.post(url)

    assert response.status_code == 302
    assert response["Location"].startswith(f"{reverse('login')}?next=")


@pytest.mark.parametrize(("name", "args"), ACTIONS)
def test_action_rejects_get(client_as, manager, name, args):
    response = client_as(manager).get(reverse(name, args=args))

    assert response.status_code == 405


def test_login_page_signs_in_and_goes_to_queue(client, viewer):
    page = client.get(reverse("login"))
    assert page.status_code == 200
    assert b'name="username"' in page.content

    response = client.post(reverse("login"), {"username": "vic", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("web:queue")


def test_login_with_wrong_password_shows_error(client, viewer):
    response = client.post(reverse("login"), {"username": "vic", "password": "wrong"})

    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content


def test_nav_shows_user_role_and_logout(client_as, manager):
    response = client_as(manager).get(reverse("web:queue"))

    assert b"morgan (Contract Manager)" in response.content
    assert f'action="{reverse("logout")}"'.encode() in response.content


def test_nav_sync_link_for_admins_only(client, administrator, manager, viewer):
    sync_link = f'href="{reverse("web:sync")}"'.encode()

    client.force_login(administrator)
    assert sync_link in client.get(reverse("web:queue")).content

    for user in (manager, viewer):
        client.force_login(user)
        assert sync_link not in client.get(reverse("web:queue")).content


def test_logout_signs_out(client_as, viewer):
    client = client_as(viewer)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert client.get(reverse("web:queue")).status_code == 302
