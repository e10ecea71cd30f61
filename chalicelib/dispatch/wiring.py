"""What installer dispatch (workflow 02) contributes: installation requests on the engine with
their two-stage escalation, the workforce (areas, installers, ledgers), the customer's, the
installer app's and the console's routes, five tables, the photo bucket, the installer app's
pending dispatches, and the escalation graphs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.contribution import (
    ALL_INDEXES,
    BROWSER_UPLOADS_CORS,
    READ,
    SCAN,
    WRITE,
    AccessPattern,
    Contribution,
    Function,
    Grant,
    Permission,
    Platform,
    Table,
    WaitingKind,
    Widget,
    Wired,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from chalicelib.contribution import SeedClient
    from chalicelib.dispatch.service import DispatchServices
    from chalicelib.http.routing import Routes
    from chalicelib.push.messages import Message
    from chalicelib.settings import Settings

API, FIRE = Function.API, Function.FIRE_ALARMS


def build(platform: Platform) -> Wired[DispatchServices]:
    from chalicelib.dispatch.installation_store import DynamoInstallationStore
    from chalicelib.dispatch.installer_store import DynamoInstallerStore
    from chalicelib.dispatch.photo_store import s3_photo_store
    from chalicelib.dispatch.photos import PhotoStore
    from chalicelib.dispatch.ports import InstallationStore, InstallerStore
    from chalicelib.dispatch.service import DispatchServices, InstallationService, installation_workflow
    from chalicelib.dispatch.settings import DispatchSettings
    from chalicelib.dispatch.workforce import Workforce

    settings = DispatchSettings.of(platform.settings)
    shards, region = platform.settings.due_shards, platform.settings.region
    workforce = Workforce(platform.port(InstallerStore, DynamoInstallerStore), platform.clock, settings)
    store = platform.port(InstallationStore, lambda: DynamoInstallationStore(shards))
    photos = platform.port(PhotoStore, lambda: s3_photo_store(settings.photo_bucket, region,
                                                              platform.settings.s3_endpoint_url))
    installations = InstallationService(
        platform.engine, store, workforce, photos, platform.notifier, platform.clock, platform.metrics,
        retry_s=settings.installer_retry_s, photo_max_bytes=settings.photo_max_bytes)
    return Wired(DispatchServices(installations, workforce), workflows=(installation_workflow(installations),),
                 pending_work={"installer": installations.pending_work})


def routes() -> tuple[Routes[Any], ...]:
    from chalicelib.dispatch import routes_customer, routes_installer, routes_ops

    return routes_customer.routes, routes_installer.routes, routes_ops.routes


def messages() -> tuple[Message, ...]:
    from chalicelib.dispatch.messages import MESSAGES

    return MESSAGES


def tables() -> tuple[Table, ...]:
    from chalicelib.dispatch.tables import AreaModel, CoverageModel, InstallationModel, InstallerModel, LedgerModel

    return (
        Table(InstallationModel, (
            Grant((API,), (*READ, *WRITE, *SCAN), ALL_INDEXES),
            Grant((Function.WS_MESSAGE,), ("dynamodb:Query",), ("by_installer",)),
        ), (
            AccessPattern("installation request by id (every action, every alarm)", "`ontime-installations`",
                          "`id = :id`", "strongly consistent read; every write conditioned on `version`"),
            AccessPattern("an installer's dispatches, newest first", "`installations.by_installer`",
                          "`assigned_installer_id = :i`", "current (or last) installer; open ones by status filter"),
            AccessPattern("an area's requests, newest first (console)", "`installations.by_area`", "`area_id = :a`",
                          "other filters as filter expressions"),
            AccessPattern("an area's requests waiting for an installer, oldest first",
                          "`installations.awaiting_installer`", "`pending_area_id = :a`",
                          "sparse: only while `pending`; offered when an installer frees up"),
            AccessPattern("a customer's requests", "`installations.by_customer`", "`customer_id = :u`"),
            AccessPattern("console list without filter", "`ontime-installations`", "`Scan` (paginated)",
                          "a console, not a hot path"),
        )),
        Table(InstallerModel, (
            Grant((API,), (*READ, *WRITE, *SCAN)),
            Grant((FIRE,), ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:UpdateItem")),
        ), (
            AccessPattern("installer profile, workload, location", "`ontime-installers`", "`installer_id = :i`",
                          "`open_jobs` moved only in dispatch transactions"),
        )),
        Table(CoverageModel, (
            Grant((API,), (*READ, *WRITE)),
            Grant((FIRE,), ("dynamodb:Query",)),
        ), (
            AccessPattern("installers covering an area (choice)", "`ontime-coverage`",
                          "`area_id = :a` → `BatchGetItem` installers",
                          "one item per (area, installer), written with the installer in one transaction"),
        )),
        Table(AreaModel, (
            Grant((API,), (*READ, *WRITE, *SCAN)),
            Grant((FIRE,), ("dynamodb:GetItem",)),
        ), (
            AccessPattern("area settings (periods, deduction)", "`ontime-areas`", "`area_id = :a`"),
        )),
        Table(LedgerModel, (
            Grant((API,), ("dynamodb:Query", "dynamodb:PutItem")),
            Grant((FIRE,), ("dynamodb:PutItem",)),
        ), (
            AccessPattern("an installer's deductions, newest first", "`ontime-ledger`",
                          "`installer_id = :i`, sort `entry_id` desc",
                          "`entry_id = remind_at#request#attempt`: one per dispatch"),
        )),
    )


def waiting() -> tuple[WaitingKind, ...]:
    from chalicelib.dispatch.tables import INSTALLATION_KIND, InstallationModel

    return (WaitingKind(INSTALLATION_KIND, InstallationModel,
                         "installer escalation alarms (reminders, revocations, retries)"),)


def settings(config: Settings) -> object:
    from chalicelib.dispatch.settings import DispatchSettings

    return DispatchSettings.of(config)


def seed(client: SeedClient) -> Iterable[str]:
    from chalicelib.dispatch.seed import seed as demo_data

    return demo_data(client)


DISPATCH = Contribution(
    name="dispatch",
    summary="installer dispatch (workflow 02): reminder with deduction, revocation, reassignment, completion",
    build=build,
    load_routes=routes,
    load_messages=messages,
    settings=settings,
    load_tables=tables,
    load_waiting=waiting,
    pending_roles=("installer",),
    widgets=(
        Widget("Installer dispatch: confirmations and revocations (count per 5 min)", (
            ({"expression": "SEARCH('{ontime,outcome} MetricName=\"DispatchOutcome\"', 'Sum', 300)",
              "id": "dispatch", "label": "${PROP('Dim.outcome')}"},),), stacked=True),
        Widget("Installer dispatch: alerts raised to the console (count per 5 min, by kind)", (
            ({"expression": "SEARCH('{ontime,kind} MetricName=\"DispatchAlert\"', 'Sum', 300)",
              "id": "alerts", "label": "${PROP('Dim.kind')}"},),), stacked=True),
    ),
    permissions=(
        # Presigned uploads are signed with the function's role; completion checks what arrived.
        Permission("CompletionPhotos", (API,), ("s3:PutObject", "s3:GetObject"),
                   ({"Fn::Sub": "${PhotoBucket.Arn}/installations/*"},)),
        Permission("ListCompletionPhotos", (API,), ("s3:ListBucket",), ({"Fn::GetAtt": ["PhotoBucket", "Arn"]},),
                   {"StringLike": {"s3:prefix": ["installations/*"]}}),
    ),
    resources={"PhotoBucket": {
        "Type": "AWS::S3::Bucket",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": {
            "BucketEncryption": {"ServerSideEncryptionConfiguration": [
                {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
            "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                               "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
            "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
            "LifecycleConfiguration": {"Rules": [{"Id": "AbortIncompleteUploads", "Status": "Enabled",
                                                  "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}}]},
            # The installer app in a browser POSTs each photo here (presigned).
            "CorsConfiguration": BROWSER_UPLOADS_CORS,
        },
    }},
    environment={"ONTIME_PHOTO_BUCKET": {"Ref": "PhotoBucket"}},
    outputs={"PhotoBucketName": {"Description": "Where installers' completion photos are uploaded (presigned POST)",
                                 "Value": {"Ref": "PhotoBucket"}}},
    seed=seed,
    data_notes="creating a request = a choice (1 coverage query, 1 batch read, 1 area read) + 1 transaction "
               "(request + installer counter) + 1 SQS send. Reminder = 1 read + 1 transaction (request + ledger "
               "entry); revocation = 1 read + 1 transaction (request + counter) and the next choice. Transactions "
               "cost twice the write units of a put; only decisions that move a counter or a ledger pay for one.",
)
