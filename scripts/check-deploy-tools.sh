#!/usr/bin/env bash
# Checks the tools `pulumi preview` and `pulumi up` need: the Pulumi CLI at least as new as the one
# the integration suite deploys with (testenv's pinned v3.274.1, the version of the Go SDK in
# go.mod: an older engine may not know what the SDK asks of it), and besides it, as pulumi-eks v2.8.1
# refuses to run without them (nodejs/eks/dependencies.ts, called from cluster.ts createCore on
# every preview and update): kubectl >= 1.24.0, and the AWS CLI >= 1.24.0 (v1) or >= 2.7.0 (v2),
# which the cluster's kubeconfig also runs (`aws eks get-token`) for every Kubernetes call.
# The offline commands (cmd/synth, go test) need neither.
#
# Usage: scripts/check-deploy-tools.sh   (exit 0 when all three are there and new enough, 1 otherwise)
set -euo pipefail

failed=0
pulumi_minimum=3.274.1

# at_least VERSION MINIMUM: VERSION (x.y.z, optional leading v) is MINIMUM or newer.
at_least() {
  local have=${1#v} want=$2
  [ "$(printf '%s\n%s\n' "$want" "$have" | sort -V | head -n 1)" = "$want" ]
}

if ! command -v pulumi > /dev/null; then
  echo "pulumi: missing; install the Pulumi CLI (https://www.pulumi.com/docs/install/), version $pulumi_minimum or later" >&2
  failed=1
else
  # "v3.274.1" -> 3.274.1
  pulumi_version=$(pulumi version 2> /dev/null | sed -n 's/^v\{0,1\}\([0-9][0-9.]*\).*/\1/p' | head -n 1)
  if [ -z "$pulumi_version" ]; then
    echo "pulumi: cannot read its version from 'pulumi version'" >&2
    failed=1
  elif ! at_least "$pulumi_version" "$pulumi_minimum"; then
    echo "pulumi: $pulumi_version is older than $pulumi_minimum, the version the integration suite deploys with" >&2
    failed=1
  else
    echo "pulumi $pulumi_version ok (>= $pulumi_minimum)"
  fi
fi

if ! command -v kubectl > /dev/null; then
  echo "kubectl: missing; install it (https://kubernetes.io/docs/tasks/tools/), version 1.24.0 or later" >&2
  failed=1
else
  # --output=json is how pulumi-eks reads it; a build suffix such as "-eks-1234" is dropped.
  kubectl_version=$(kubectl version --client=true --output=json 2> /dev/null |
    sed -n 's/.*"gitVersion": *"v\{0,1\}\([0-9][0-9.]*\).*/\1/p' | head -n 1)
  if [ -z "$kubectl_version" ]; then
    echo "kubectl: cannot read its version from 'kubectl version --client=true --output=json'" >&2
    failed=1
  elif ! at_least "$kubectl_version" 1.24.0; then
    echo "kubectl: $kubectl_version is older than 1.24.0, the oldest pulumi-eks accepts" >&2
    failed=1
  else
    echo "kubectl $kubectl_version ok (>= 1.24.0)"
  fi
fi

if ! command -v aws > /dev/null; then
  echo "aws: missing; install the AWS CLI (https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html), v2.7.0 or later" >&2
  failed=1
else
  # "aws-cli/2.15.30 Python/3.11.8 ..." -> 2.15.30
  aws_version=$(aws --version 2>&1 | sed -n 's|^aws-cli/\([0-9][0-9.]*\).*|\1|p' | head -n 1)
  case "$aws_version" in
    1.*) aws_minimum=1.24.0 ;;
    *) aws_minimum=2.7.0 ;;
  esac
  if [ -z "$aws_version" ]; then
    echo "aws: cannot read its version from 'aws --version'" >&2
    failed=1
  elif ! at_least "$aws_version" "$aws_minimum"; then
    echo "aws: $aws_version is older than $aws_minimum, the oldest pulumi-eks accepts for its major version" >&2
    failed=1
  else
    echo "aws-cli $aws_version ok (>= $aws_minimum)"
  fi
fi

exit "$failed"
