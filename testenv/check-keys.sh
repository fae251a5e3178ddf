#!/usr/bin/env bash
# Checks that build.sh's cache keys follow the recipes: changing one tool's recipe changes that
# tool's key and no other, so exactly that tool is rebuilt. Builds nothing. Run by .ci/run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -R "$here" "$work/testenv"
keys() { OPENWAN_TESTENV_CACHE=$work/cache bash "$work/testenv/build.sh" --keys; }
mapfile -t before < <(keys)
[ "${#before[@]}" -gt 0 ] || { echo "check-keys: build.sh --keys printed nothing" >&2; exit 1; }
mapfile -t recipes < <(grep -o '^recipe_[a-z0-9_]*' "$here/build.sh")
[ "${#recipes[@]}" = "${#before[@]}" ] || { echo "check-keys: ${#recipes[@]} recipes, ${#before[@]} keys" >&2; exit 1; }
for tool in "${recipes[@]}"; do
  cp "$here/build.sh" "$work/testenv/build.sh"
  # A new command in the recipe's body: a change bash prints back in declare -f.
  sed -i "/^$tool() {/a\\  : changed recipe" "$work/testenv/build.sh"
  mapfile -t after < <(keys)
  changed=()
  for i in "${!before[@]}"; do
    [ "${before[$i]}" = "${after[$i]}" ] || changed+=("$(basename "${before[$i]}")")
  done
  name=${tool#recipe_}
  name=${name//_/-}
  if [ "${#changed[@]}" != 1 ] || [[ "${changed[0]}" != "$name-"* ]]; then
    echo "check-keys: changing $tool changed the keys of: ${changed[*]:-nothing}" >&2
    exit 1
  fi
  echo "check-keys: a change of $tool rebuilds $name only"
done
