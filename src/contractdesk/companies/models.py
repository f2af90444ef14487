"""Company Profiles: the organisations that contractdesk has contracts with."""

from django.db import models


class Company(models.Model):
    """A Company Profile.

    A company made from a Salesforce Account keeps the Account Id, so a second
    contract request for the same Account finds it again instead of creating a
    duplicate. Contracts point at their company.
    """

    name = models.CharField(max_length=255)
    salesforce_account_id = models.CharField(
        max_length=18, unique=True, null=True, blank=True, verbose_name="Salesforce Account Id"
    )
    billing_street = models.CharField(max_length=255, blank=True)
    billing_city = models.CharField(max_length=40, blank=True)
    billing_state = models.CharField(max_length=80, blank=True)
    billing_postal_code = models.CharField(max_length=20, blank=True)
    billing_country = models.CharField(max_length=80, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    website = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "companies"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def billing_address_lines(self) -> list[str]:
        city_line = " ".join(part for part in (self.billing_city, self.billing_state, self.billing_postal_code) if part)
        lines = [self.billing_street, city_line, self.billing_country]
        return [line for line in lines if line]
