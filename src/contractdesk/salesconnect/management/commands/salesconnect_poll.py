import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand

from contractdesk.salesconnect.tasks import sync_inbound


class Command(BaseCommand):
    help = "Queue an inbound Salesforce sync every SALESCONNECT_POLL_SECONDS until stopped."

    def handle(self, *args, **options):
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        every = settings.SALESCONNECT["POLL_SECONDS"]
        while not stop.is_set():
            sync_inbound()
            stop.wait(every)
