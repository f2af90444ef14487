"""Record actions in the audit trail."""

from contractdesk.audit.models import AuditEvent


def record_event(actor, action: str, obj, **data) -> AuditEvent:
    """Add an audit event for ``obj``; call it inside the transaction of the action."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        data=data,
    )
