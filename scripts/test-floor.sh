#!/usr/bin/env bash
# test-floor.sh prints the warm `go test -count=1 ./...` beside its floor: one test binary that
# imports exactly the Pulumi AWS, Kubernetes and EKS SDK packages the module's tests import, and
# runs nothing. Linking those SDKs is the least any suite that uses them can cost; the ratio says
# what the module's own tests and their layout add. It also times the pure packages' tests alone
# (those whose test binary does not link pulumi-aws). Each figure is the median of RUNS runs
# (default 3) after one warm-up run of each, so the build cache is warm for all.
#
#	scripts/test-floor.sh [RUNS]
#
# Run it on a quiet machine: a busy one slows both figures, not the same way.
set -euo pipefail

runs=${1:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
module=$(go list -m)

# The SDK packages the module's packages and tests import directly; importing them gives the floor
# binary the same transitive set, and so the same link.
sdk='^github\.com/pulumi/pulumi-(aws/sdk/v6|kubernetes/sdk/v4|eks/sdk/v2)/'
mapfile -t imports < <(go list -test -f '{{join .Imports "\n"}}{{"\n"}}{{join .TestImports "\n"}}{{"\n"}}{{join .XTestImports "\n"}}' ./... |
	grep -E "$sdk" | sort -u)
if [ "${#imports[@]}" -eq 0 ]; then
	echo "test-floor: no test imports a Pulumi SDK package; nothing to compare" >&2
	exit 1
fi

# The floor package lives in the module, so it builds with its go.mod; the trap removes it.
floor=$(mktemp -d "$root/internal/testfloor.XXXXXX")
trap 'rm -rf "$floor"' EXIT
{
	echo "package testfloor"
	echo
	echo "import ("
	echo '	"testing"'
	echo
	for p in "${imports[@]}"; do echo "	_ \"$p\""; done
	echo ")"
	echo
	echo "func TestNothing(t *testing.T) {}"
} > "$floor/floor_test.go"
floorPkg="$module/internal/$(basename "$floor")"

# seconds runs the command and prints its wall time in seconds, to the tenth.
seconds() {
	local start end
	start=$(date +%s.%N)
	"$@" > /dev/null
	end=$(date +%s.%N)
	awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f\n", e - s }'
}

# median of the figures on stdin.
median() {
	sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# The module's own packages, without the floor: it must not count itself.
mapfile -t packages < <(go list ./... | grep -v "^$floorPkg\$")

# The test binaries that link pulumi-aws's ec2 package (each pays most of the floor's link
# again), and the pure rest, whose tests are timed on their own too: they are the quick loop.
heavy=() pure=()
mapfile -t tested < <(go list -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}}{{end}}' "${packages[@]}" | grep .)
for p in "${tested[@]}"; do
	# Read whole, then searched: grep -q stopping at its first match would fail go list with
	# SIGPIPE under pipefail, and the package would not be counted.
	if grep -qx 'github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2' <<< "$(go list -deps -test "$p")"; then
		heavy+=("$p")
	else
		pure+=("$p")
	fi
done

echo "warming the build cache (one run of each, not counted)..." >&2
go test -count=1 "${packages[@]}" > /dev/null
go test -count=1 "$floorPkg" > /dev/null

suite=() floorTimes=() pureTimes=()
for i in $(seq "$runs"); do
	suite+=("$(seconds go test -count=1 "${packages[@]}")")
	floorTimes+=("$(seconds go test -count=1 "$floorPkg")")
	pureTimes+=("$(seconds go test -count=1 "${pure[@]}")")
	echo "run $i: go test ./... ${suite[-1]} s, floor ${floorTimes[-1]} s, pure packages ${pureTimes[-1]} s" >&2
done
s=$(printf '%s\n' "${suite[@]}" | median)
f=$(printf '%s\n' "${floorTimes[@]}" | median)
p=$(printf '%s\n' "${pureTimes[@]}" | median)
echo "go test -count=1 ./...   ${s} s (median of ${runs})"
echo "floor (${#imports[@]} SDK packages, no test)   ${f} s (median of ${runs})"
echo "ratio   $(awk -v s="$s" -v f="$f" 'BEGIN { printf "%.2f", s / f }')x (target: at most 1.5x)"
echo "test binaries linking pulumi-aws ec2   ${#heavy[@]}: ${heavy[*]}"
echo "the ${#pure[@]} pure test packages alone   ${p} s (median of ${runs}; target: under 5 s)"
