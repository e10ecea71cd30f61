"""The on-site video pipeline's part of the stack, declared for the group-buy `Contribution`
(`wiring.py` passes these in): the video bucket, the queue its uploads notify and that queue's
dead letters, the `process_videos` function the queue feeds with its PyAV layer, and who may do
what on the bucket. Constants only: `wiring.py` (read by every container) and the handler module
import this, so it imports nothing but the declarations' types.

    customer ──presigned POST──▶ VideoBucket uploads/<voucher_id>/<upload_id>.<ext>
                                   │ s3:ObjectCreated:* (prefix uploads/)
                                   ▼
                                 VideoQueue ──(3 receives)──▶ VideoDeadLetterQueue ──▶ alarm
                                   │ one message per invocation
                                   ▼
                                 process_videos (VideoLayer: av, Pillow)
                                   └──▶ VideoBucket videos/<deal_id>/<video_id>.mp4 | .jpg

Memory and timeout: transcoding a 60 s 1080p source to the 30 s 720p H.264 + AAC output takes
≈ 10 CPU-seconds on one core at ≈ 140 MiB RSS (`./dev bench video`), and decoding stops at the
30 s cut, so a longer source costs no more. Lambda gives CPU in proportion to memory (1,769 MB =
1 vCPU); at 3,008 MB (≈ 1.7 vCPU, the largest size every account may configure) the encoder's and
decoder's threads may use the second core for about the same GB-seconds (infra/README.md). The
300 s timeout leaves ×30 for a slow CPU share and moving a 100 MB source in and out of S3; the
queue hides a taken message for 6 × 300 s, as AWS advises for an SQS event source (the poller may
hold it while Lambda throttles), but a running `process_videos` replaces that by a 10 s lease it
renews while it works (`videos.py` LEASE_S): a run that died comes back within the lease, a failed
one after a 5 min back-off. A message that failed 3 receives goes to the dead-letter queue (and
pages ops).
"""

from __future__ import annotations

from typing import Any

from chalicelib.contribution import BROWSER_UPLOADS_CORS, Function, Permission, QueueFunction

VIDEO_QUEUE_NAME = "ontime-videos"
"""Fixed, as `ontime-alarms` is: Chalice binds an SQS event source by the queue's name."""
VIDEO_DEAD_LETTER_QUEUE_NAME = f"{VIDEO_QUEUE_NAME}-dlq"
VIDEO_FUNCTION_NAME = "process_videos"
UPLOADS_PREFIX = "uploads/"
"""Sources: `uploads/<voucher_id>/<upload_id>.<ext>`; only these notify the queue, and they expire."""
VIDEOS_PREFIX = "videos/"
"""Outputs: `videos/<deal_id>/<video_id>.mp4` and its poster `.jpg`."""
UPLOADS_EXPIRE_DAYS = 7
"""A source is kept a week after its upload (to retry a failed processing by hand), then deleted."""
MAX_RECEIVES = 3
TIMEOUT_S = 300
MEMORY_MB = 3008
VIDEO_BUCKET_ENV = "ONTIME_VIDEO_BUCKET"

VIDEO_FUNCTION = QueueFunction(
    name=VIDEO_FUNCTION_NAME,
    module="chalicelib.groupbuy.handlers",
    queue="VideoQueue",
    queue_name=VIDEO_QUEUE_NAME,
    batch_size=1,
    memory_mb=MEMORY_MB,
    timeout_s=TIMEOUT_S,
    layers=("VideoLayer",),
    description="ontime: transcodes an uploaded on-site video (720p H.264, <= 30 s, watermark) and its poster",
    pushes=True,  # video.published / rejected / failed to the buyer, alert.raised to ops
)

# The bucket's name is fixed by the stack (not drawn by CloudFormation) so that the queue's policy
# can name it without referring to the bucket, which refers to the queue: no dependency cycle.
_BUCKET_NAME = {"Fn::Sub": "${AWS::StackName}-videos-${AWS::AccountId}-${AWS::Region}"}
_BUCKET_ARN = {"Fn::Sub": "arn:${AWS::Partition}:s3:::${AWS::StackName}-videos-${AWS::AccountId}-${AWS::Region}"}

VIDEO_RESOURCES: dict[str, Any] = {
    "VideoBucket": {
        "Type": "AWS::S3::Bucket",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        # S3 sends a test event to the queue when the configuration is set: the policy must be in place.
        "DependsOn": ["VideoQueuePolicy"],
        "Properties": {
            "BucketName": _BUCKET_NAME,
            "BucketEncryption": {"ServerSideEncryptionConfiguration": [
                {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
            "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                               "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
            "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
            # The customer's web page posts the video straight here (the presigned POST).
            "CorsConfiguration": BROWSER_UPLOADS_CORS,
            "LifecycleConfiguration": {"Rules": [
                {"Id": "AbortIncompleteUploads", "Status": "Enabled",
                 "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}},
                {"Id": "ExpireSources", "Status": "Enabled", "Prefix": UPLOADS_PREFIX,
                 "ExpirationInDays": UPLOADS_EXPIRE_DAYS},
            ]},
            "NotificationConfiguration": {"QueueConfigurations": [{
                "Event": "s3:ObjectCreated:*",
                "Filter": {"S3Key": {"Rules": [{"Name": "prefix", "Value": UPLOADS_PREFIX}]}},
                "Queue": {"Fn::GetAtt": ["VideoQueue", "Arn"]},
            }]},
        },
    },
    "VideoDeadLetterQueue": {"Type": "AWS::SQS::Queue", "Properties": {
        "QueueName": VIDEO_DEAD_LETTER_QUEUE_NAME, "MessageRetentionPeriod": 1_209_600, "SqsManagedSseEnabled": True}},
    "VideoQueue": {"Type": "AWS::SQS::Queue", "Properties": {
        "QueueName": VIDEO_QUEUE_NAME, "VisibilityTimeout": 6 * TIMEOUT_S, "MessageRetentionPeriod": 345_600,
        "SqsManagedSseEnabled": True,
        "RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": ["VideoDeadLetterQueue", "Arn"]},
                          "maxReceiveCount": MAX_RECEIVES}}},
    "VideoQueuePolicy": {"Type": "AWS::SQS::QueuePolicy", "Properties": {
        "Queues": [{"Ref": "VideoQueue"}],
        "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
            "Sid": "VideoBucketNotifies", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
            "Action": "sqs:SendMessage", "Resource": {"Fn::GetAtt": ["VideoQueue", "Arn"]},
            "Condition": {"ArnEquals": {"aws:SourceArn": _BUCKET_ARN},
                          "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}}]}}},
    "VideoLayer": {
        "Type": "AWS::Serverless::LayerVersion",
        "Metadata": {"Why": "PyAV (with its FFmpeg) and Pillow for process_videos only: ~110 MB the API "
                            "functions must not carry. infra/layer.py builds the zip next to sam.json "
                            "(infra/deploy.sh), `aws cloudformation package` uploads it.",
                     "Requirements": "requirements-video.txt"},
        "Properties": {
            "LayerName": {"Fn::Sub": "${AWS::StackName}-video"},
            "Description": "ontime: av, Pillow (requirements-video.txt) for process_videos",
            "ContentUri": "./video-layer.zip",
            "CompatibleRuntimes": ["python3.11"],
            "CompatibleArchitectures": ["x86_64"],
            "RetentionPolicy": "Delete",
        },
    },
}

VIDEO_PERMISSIONS: tuple[Permission, ...] = (
    # The customer's presigned POST is signed with the REST function's role.
    Permission("VideoUploads", (Function.API,), ("s3:PutObject",),
               ({"Fn::Sub": f"${{VideoBucket.Arn}}/{UPLOADS_PREFIX}*"},)),
    # HEAD of an upload (the buyer's retry) and the deal page's presigned GETs of published videos.
    Permission("ReadVideos", (Function.API,), ("s3:GetObject",),
               ({"Fn::Sub": f"${{VideoBucket.Arn}}/{UPLOADS_PREFIX}*"},
                {"Fn::Sub": f"${{VideoBucket.Arn}}/{VIDEOS_PREFIX}*"})),
    # The buyer's retry of a failed processing hands the upload's notification to the queue again.
    Permission("RetryVideoUploads", (Function.API,), ("sqs:SendMessage",), ({"Fn::GetAtt": ["VideoQueue", "Arn"]},)),
    Permission("ReadVideoSources", (VIDEO_FUNCTION_NAME,), ("s3:GetObject",),
               ({"Fn::Sub": f"${{VideoBucket.Arn}}/{UPLOADS_PREFIX}*"},)),
    Permission("WriteVideos", (VIDEO_FUNCTION_NAME,), ("s3:PutObject",),
               ({"Fn::Sub": f"${{VideoBucket.Arn}}/{VIDEOS_PREFIX}*"},)),
    # The lease on the message being processed (videos.py LEASE_S), and its back-off after a failure.
    Permission("HoldVideoMessages", (VIDEO_FUNCTION_NAME,), ("sqs:ChangeMessageVisibility",),
               ({"Fn::GetAtt": ["VideoQueue", "Arn"]},)),
)

VIDEO_ENVIRONMENT: dict[str, Any] = {VIDEO_BUCKET_ENV: {"Ref": "VideoBucket"},
                                     "ONTIME_VIDEO_QUEUE_URL": {"Ref": "VideoQueue"}}

VIDEO_OUTPUTS: dict[str, Any] = {
    "VideoBucketName": {"Description": "On-site videos: sources under uploads/ (presigned POST), outputs under videos/",
                        "Value": {"Ref": "VideoBucket"}},
    "VideoQueueURL": {"Value": {"Ref": "VideoQueue"}},
    "VideoDeadLetterQueueURL": {"Description": f"Upload notifications that failed {MAX_RECEIVES} processings",
                                "Value": {"Ref": "VideoDeadLetterQueue"}},
}
