"""Salesforce API errors and the JSON bodies Salesforce sends for them."""


class SalesforceError(Exception):
    """An error the REST API reports as `[{"message", "errorCode", "fields"}]`.

    status is the HTTP status of the response. fields lists the API names of the fields
    the error is about; None leaves the key out, as Salesforce does for session errors.
    """

    def __init__(
        self,
        error_code: str,
        message: str,
        status: int = 400,
        fields: list[str] | None = None,
    ) -> None:
        super().__init__(f"{error_code}: {message}")
        self.error_code = error_code
        self.message = message
        self.status = status
        self.fields = fields

    def to_rest(self) -> dict:
        """Return the error as one element of a REST error list."""
        body: dict = {"message": self.message, "errorCode": self.error_code}
        if self.fields is not None:
            body["fields"] = self.fields
        return body

    def to_save_result(self) -> dict:
        """Return the error as it appears in the `errors` of a save result (statusCode)."""
        return {
            "statusCode": self.error_code,
            "message": self.message,
            "fields": self.fields or [],
        }


def not_found() -> SalesforceError:
    """Build the error for a resource or record that does not exist."""
    return SalesforceError("NOT_FOUND", "The requested resource does not exist", status=404)


def invalid_session() -> SalesforceError:
    """Build the error for a missing, unknown or expired access token."""
    return SalesforceError("INVALID_SESSION_ID", "Session expired or invalid", status=401)


def invalid_field(object_name: str, field_name: str) -> SalesforceError:
    """Build the error for a write naming a field the object does not have."""
    return SalesforceError(
        "INVALID_FIELD",
        f"No such column '{field_name}' on sobject of type {object_name}",
        fields=[],
    )


def invalid_type(object_name: str) -> SalesforceError:
    """Build the error for a write or query naming an sObject the org does not have."""
    return SalesforceError(
        "INVALID_TYPE",
        f"sObject type '{object_name}' is not supported. If you are attempting to use a "
        "custom object, be sure to append the '__c' after the entity name. Please "
        "reference your WSDL or the describe call for the appropriate names.",
        fields=[],
    )


def malformed_id(value: object, label: str = "ID") -> SalesforceError:
    """Build the error for a value that is not a 15- or 18-character id."""
    return SalesforceError("MALFORMED_ID", f"{label}: malformed id {value}", fields=[])
