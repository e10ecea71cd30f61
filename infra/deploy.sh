#!/usr/bin/env bash
# Deploy one stage of ontime (the Chalice app + infra/template.json) as the CloudFormation stack
# `ontime-STAGE`, with the AWS CLI's current credentials and region. See infra/README.md.
#
#   infra/deploy.sh dev|prod [S3_BUCKET]
#
# Environment:
#   ONTIME_DEPLOY_BUCKET  S3 bucket (same region) for the Lambda zip, unless given as 2nd argument
#   ONTIME_JWT_ISSUER     optional: token issuer, e.g. https://cognito-idp.REGION.amazonaws.com/POOL_ID;
#                         empty: the stack creates a Cognito user pool + hosted login for the terminals
#   ONTIME_SIGN_IN_AUTHORIZE_URL, ONTIME_SIGN_IN_TOKEN_URL, ONTIME_SIGN_IN_CLIENT_ID
#                         required with ONTIME_JWT_ISSUER: that issuer's endpoints and public client
#                         (code + PKCE) the terminals sign in with
#   ONTIME_JWT_AUDIENCE   optional: required `aud` claim (empty: not checked)
#   ONTIME_JWKS_URL       optional: signing keys (empty: ISSUER/.well-known/jwks.json)
#   ONTIME_ALARM_EMAIL    optional: e-mail subscribed to the ops alarm topic
#   ONTIME_PAGE_TOKEN_SECRET_VERSION  optional: the page-token secret's version id after a rotation
#   ONTIME_CORS_ORIGINS   optional: browser origins allowed to call the REST API, comma-separated
#   ONTIME_TURN_URLS      optional: the TURN servers calls relay through, comma-separated (docs/turn.md)
#   ONTIME_TURN_SECRET_VERSION  optional: the TURN secret's version id after a rotation
#   AWS_REGION / AWS_DEFAULT_REGION / AWS_PROFILE  as for the AWS CLI
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "deploy.sh: $*" >&2; exit 1; }

stage=${1:-}
case "$stage" in
  dev) other=prod ;;
  prod) other=dev ;;
  *) die "usage: infra/deploy.sh dev|prod [S3_BUCKET]" ;;
esac
bucket=${2:-${ONTIME_DEPLOY_BUCKET:-}}
[ -n "$bucket" ] || die "give the S3 bucket as 2nd argument or ONTIME_DEPLOY_BUCKET"
if [ -n "${ONTIME_JWT_ISSUER:-}" ]; then
  for name in ONTIME_SIGN_IN_AUTHORIZE_URL ONTIME_SIGN_IN_TOKEN_URL ONTIME_SIGN_IN_CLIENT_ID; do
    [ -n "${!name:-}" ] || die "$name is required with ONTIME_JWT_ISSUER (how the terminals sign in there)"
  done
fi
command -v aws >/dev/null || die "the AWS CLI is required (https://aws.amazon.com/cli/)"

tool() {  # the project venv's tool, else whatever PATH has
  if [ -x ".venv/bin/$1" ]; then echo ".venv/bin/$1"; else command -v "$1"; fi
}
CHALICE=$(tool chalice) || die "chalice not found: run ./dev test once to create .venv"
PYTHON=$(tool python) || die "python not found: run ./dev test once to create .venv"

region=${AWS_REGION:-${AWS_DEFAULT_REGION:-$(aws configure get region || true)}}
[ -n "$region" ] || die "no AWS region: set AWS_REGION"
export AWS_DEFAULT_REGION=$region AWS_REGION=$region
stack="ontime-$stage"
# Keep the stack name short: the functions' log permissions match /aws/lambda/STACK-*, and
# CloudFormation would truncate a long stack name inside the generated function names.

# One stage per account: queue and table names are fixed (Chalice binds the queue by name).
if aws cloudformation describe-stacks --stack-name "ontime-$other" >/dev/null 2>&1; then
  die "stack ontime-$other exists in this account and region; ontime runs one stage per account"
fi

account=$(aws sts get-caller-identity --query Account --output text)
echo "deploy.sh: $stack to account $account, region $region, artifacts in s3://$bucket/ontime/$stage/"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$CHALICE" package --stage "$stage" --merge-template infra/template.json "$work/package"
# Bytecode in, unused botocore data out: what a cold start would otherwise pay for (infra/package.py).
"$PYTHON" -m infra.package "$work/package/deployment.zip"
# The template's layers (PyAV for process_videos), built for the runtime next to sam.json (infra/layer.py).
"$PYTHON" -m infra.layer "$work/package"

aws cloudformation package \
  --template-file "$work/package/sam.json" \
  --s3-bucket "$bucket" \
  --s3-prefix "ontime/$stage" \
  --use-json \
  --output-template-file "$work/packaged.json"

# Every parameter is passed, empty ones too, so that clearing one takes effect on update.
aws cloudformation deploy \
  --stack-name "$stack" \
  --template-file "$work/packaged.json" \
  --capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND \
  --no-fail-on-empty-changeset \
  --tags project=ontime "stage=$stage" \
  --parameter-overrides \
    "JwtIssuer=${ONTIME_JWT_ISSUER:-}" \
    "JwtAudience=${ONTIME_JWT_AUDIENCE:-}" \
    "JwksUrl=${ONTIME_JWKS_URL:-}" \
    "AlarmEmail=${ONTIME_ALARM_EMAIL:-}" \
    "PageTokenSecretVersion=${ONTIME_PAGE_TOKEN_SECRET_VERSION:-}" \
    "CorsOrigins=${ONTIME_CORS_ORIGINS:-}" \
    "TurnUrls=${ONTIME_TURN_URLS:-}" \
    "TurnSecretVersion=${ONTIME_TURN_SECRET_VERSION:-}" \
    "SignInAuthorizeUrl=${ONTIME_SIGN_IN_AUTHORIZE_URL:-}" \
    "SignInTokenUrl=${ONTIME_SIGN_IN_TOKEN_URL:-}" \
    "SignInClientId=${ONTIME_SIGN_IN_CLIENT_ID:-}"

output() {
  aws cloudformation describe-stacks --stack-name "$stack" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}
aws cloudformation describe-stacks --stack-name "$stack" --query "Stacks[0].Outputs" --output table

# Smoke check: the app answers, and API Gateway's own 404 has the problem shape.
api=$(output EndpointURL)
curl -fsS --max-time 30 "${api}health" >/dev/null || die "GET ${api}health failed"
headers=$(curl -sS --max-time 30 -o /dev/null -D - "${api}no-such-route")
grep -q '^HTTP/[0-9.]* 404' <<<"$headers" || die "an unknown route did not answer 404"
grep -qi '^content-type: application/problem+json' <<<"$headers" \
  || die "an unknown route did not answer application/problem+json"

# The terminals: their files, then this stage's config.json (from the outputs), then CloudFront
# forgets what it cached. Every file is `no-cache` (browsers revalidate): the ES modules import
# each other by plain names, so a browser must never mix two deploys' files.
aws cloudformation describe-stacks --stack-name "$stack" --query "Stacks[0].Outputs" --output json \
  >"$work/outputs.json"
"$PYTHON" -m infra.site_config "$work/outputs.json" >"$work/config.json"
site=$(output TerminalsBucketName)
aws s3 sync terminals/ "s3://$site/terminals/" --delete --exclude config.json --cache-control no-cache
aws s3 cp "$work/config.json" "s3://$site/terminals/config.json" \
  --content-type application/json --cache-control no-store
aws cloudfront create-invalidation --distribution-id "$(output TerminalsDistributionId)" \
  --paths "/terminals/*" >/dev/null
echo "deploy.sh: $stack deployed; REST ${api}, WebSocket $(output WebsocketConnectEndpointURL)"
echo "deploy.sh: terminals $(output TerminalsURL) (sign-in: $(output SignInAuthorizeURL))"
echo "deploy.sh: dashboard $(output DashboardURL)"
