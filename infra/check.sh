#!/usr/bin/env bash
# CI step: package the app for every AWS stage exactly as infra/deploy.sh does (Chalice's SAM
# output merged with infra/template.json, the zip completed by infra/package.py: bytecode in,
# unused botocore data out) and run cfn-lint on the merged template. Any cfn-lint finding,
# informational ones included, fails the run. ONTIME_KEEP_ZIP=1 keeps build/infra/STAGE/deployment.zip
# (for `python -m bench.cold_start --package`).
#
# Needs no AWS account or credentials: `chalice package` only reads the region (to build ARNs)
# and downloads Lambda wheels from PyPI (cached in .chalice/deployments after the first run).
# The merged templates stay in build/infra/STAGE/sam.json for tests/integration/test_infra_*.py, and
# what each deployment zip holds in build/infra/STAGE/deployment.json.
set -euo pipefail
cd "$(dirname "$0")/.."

STAGES=${ONTIME_CHECK_STAGES:-"dev prod"}
OUT=build/infra
# A region is required to package, any will do: the template itself is region-agnostic.
export AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-us-east-1}

tool() {  # the project venv's tool, else whatever PATH has
  if [ -x ".venv/bin/$1" ]; then echo ".venv/bin/$1"; else command -v "$1"; fi
}
CHALICE=$(tool chalice) || { echo "check.sh: chalice not found (run ./dev test)" >&2; exit 1; }
CFN_LINT=$(tool cfn-lint) || { echo "check.sh: cfn-lint not found (run ./dev test)" >&2; exit 1; }
PYTHON=$(tool python) || { echo "check.sh: python not found (run ./dev test)" >&2; exit 1; }

started=$SECONDS
for stage in $STAGES; do
  t0=$SECONDS
  rm -rf "${OUT:?}/$stage"
  mkdir -p "$OUT/$stage"
  # Quiet on success; on failure show what Chalice said.
  if ! log=$("$CHALICE" package --stage "$stage" --merge-template infra/template.json "$OUT/$stage" 2>&1); then
    echo "$log" >&2
    echo "check.sh: chalice package --stage $stage failed" >&2
    exit 1
  fi
  "$PYTHON" -m infra.package "$OUT/$stage/deployment.zip" >/dev/null
  # ~20 MB: keep what it holds and how big it is (tests/integration/test_deployment_package.py
  # reads it), not the zip itself.
  python3 - "$OUT/$stage" <<'PY'
import json, sys, zipfile
from pathlib import Path
out = Path(sys.argv[1])
with zipfile.ZipFile(out / "deployment.zip") as package:
    entries = [{"name": i.filename, "size": i.file_size} for i in package.infolist()]
(out / "deployment.json").write_text(json.dumps({
    "zip_bytes": (out / "deployment.zip").stat().st_size,
    "unpacked_bytes": sum(e["size"] for e in entries), "entries": entries}) + "\n")
PY
  [ "${ONTIME_KEEP_ZIP:-}" = 1 ] || rm -f "$OUT/$stage/deployment.zip"
  resources=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["Resources"]))' \
    "$OUT/$stage/sam.json")
  # --non-zero-exit-code informational: warnings and informational findings fail too.
  if ! "$CFN_LINT" --non-zero-exit-code informational -- "$OUT/$stage/sam.json"; then
    echo "check.sh: cfn-lint found problems in the merged $stage template ($OUT/$stage/sam.json)" >&2
    exit 1
  fi
  echo "infra/check.sh: stage $stage: chalice package + infra/template.json -> $OUT/$stage/sam.json" \
       "($resources resources): cfn-lint $("$CFN_LINT" --version | awk '{print $2}'), no findings" \
       "($((SECONDS - t0)) s)"
done

# Chalice keeps one ~30 MB zip per distinct app source in .chalice/deployments; keep the newest few.
if [ -d .chalice/deployments ]; then
  # shellcheck disable=SC2012  # names are Chalice's hex hashes: no spaces or newlines
  ls -1t .chalice/deployments/*.zip 2>/dev/null | tail -n +4 | xargs -r rm -f
fi
echo "infra/check.sh: ok in $((SECONDS - started)) s"
