from django.test import Client


def test_expired_form_gets_readable_page(manager, pending_request):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)

    response = client.post(f"/requests/{pending_request.pk}/decline", {"notes": "No."})

    assert response.status_code == 403
    assert b"This form has expired" in response.content
    pending_request.refresh_from_db()
    assert pending_request.status == "pending"
