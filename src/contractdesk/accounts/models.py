"""Users of contractdesk and the roles that decide what they may do."""

from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", "Administrator"
    CONTRACT_MANAGER = "contract_manager", "Contract Manager"
    VIEWER = "viewer", "Viewer"


class User(AbstractUser):
    """A person who signs in to contractdesk.

    The role is the coarse permission: Contract Managers approve and decline
    contract requests, Administrators also connect and configure Salesforce,
    Viewers only read.
    """

    role = models.CharField(max_length=32, choices=Role.choices, default=Role.VIEWER)

    @property
    def can_decide_requests(self) -> bool:
        return self.is_active and self.role in {Role.ADMINISTRATOR, Role.CONTRACT_MANAGER}

    @property
    def is_contractdesk_admin(self) -> bool:
        return self.is_active and self.role == Role.ADMINISTRATOR


class SignInFailure(models.Model):
    """A failed sign-in, kept for a while to slow down password guessing."""

    username = models.CharField(max_length=150)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["username", "at"], name="signin_failure_user"),
            models.Index(fields=["ip_address", "at"], name="signin_failure_ip"),
        ]

    def __str__(self) -> str:
        return f"{self.username} from {self.ip_address} at {self.at:%Y-%m-%d %H:%M}"
