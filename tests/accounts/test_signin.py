from contractdesk.accounts.models import SignInFailure
from contractdesk.accounts.signin import MAX_FAILURES_PER_USERNAME


def sign_in(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def test_right_password_signs_in(client, manager):
    response = sign_in(client, "morgan", "a-long-test-password")

    assert response.status_code == 302


def test_repeated_failures_lock_the_username(client, manager):
    for _ in range(MAX_FAILURES_PER_USERNAME):
        assert sign_in(client, "morgan", "wrong").status_code == 200

    response = sign_in(client, "morgan", "a-long-test-password")

    assert response.status_code == 200
    assert b"Too many failed sign-ins" in response.content
    assert "_auth_user_id" not in client.session


def test_lock_is_per_username(client, manager, viewer):
    for _ in range(MAX_FAILURES_PER_USERNAME):
        sign_in(client, "morgan", "wrong")

    assert sign_in(client, "vic", "a-long-test-password").status_code == 302


def test_success_clears_earlier_failures(client, manager):
    for _ in range(MAX_FAILURES_PER_USERNAME - 1):
        sign_in(client, "morgan", "wrong")

    sign_in(client, "morgan", "a-long-test-password")

    assert not SignInFailure.objects.filter(username="morgan").exists()


def test_lock_ignores_username_case(client, manager):
    for _ in range(MAX_FAILURES_PER_USERNAME):
        sign_in(client, "MORGAN", "wrong")

    assert b"Too many failed sign-ins" in sign_in(client, "morgan", "a-long-test-password").content


def test_admin_site_sign_in_is_throttled(client, administrator):
    for _ in range(MAX_FAILURES_PER_USERNAME):
        client.post("/admin/login/", {"username": "ada", "password": "wrong"})

    response = client.post("/admin/login/", {"username": "ada", "password": "a-long-test-password"})

    assert b"Too many failed sign-ins" in response.content
