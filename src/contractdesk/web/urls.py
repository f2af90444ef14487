"""URLs of the web UI, under the "web" namespace."""

from django.urls import path

from contractdesk.web.views import records, requests, sync

app_name = "web"

urlpatterns = [
    path("", requests.queue, name="queue"),
    path("requests/<int:pk>/", requests.request_detail, name="request"),
    path("requests/<int:pk>/approve", requests.approve, name="approve"),
    path("requests/<int:pk>/decline", requests.decline, name="decline"),
    path("requests/<int:pk>/files/<int:file_pk>", requests.request_file, name="request_file"),
    path("companies/", records.companies, name="companies"),
    path("companies/<int:pk>/", records.company, name="company"),
    path("contracts/", records.contracts, name="contracts"),
    path("contracts/<int:pk>/", records.contract, name="contract"),
    path("documents/versions/<int:pk>/download", records.document_version_download, name="document_version"),
    path("sync/", sync.sync_monitor, name="sync"),
    path("sync/run", sync.sync_now, name="sync_now"),
    path("sync/outbox/<int:pk>/retry", sync.retry, name="retry_message"),
]
