#!/usr/bin/env bash
# Smoke-test a built bundle: run `--self-test` with both executables, headless and in a
# throw-away PHANTOM_HOME, then fail on a non-zero exit or on the signs of a broken freeze
# (a Qt platform plugin that cannot load, a module left out) in the output or the log file.
#
#     packaging/smoke_bundle.sh [dist/phantom-desktop]
set -uo pipefail

bundle=${1:-dist/phantom-desktop}
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
export PHANTOM_HOME=$home QT_QPA_PLATFORM=offscreen

broken='cannot load Qt platform plugin|could not load the Qt platform plugin|no Qt platform plugin could be initialized|ModuleNotFoundError|Failed to execute script'
failed=0
output=$home/output.txt

for name in phantom-desktop-cli phantom-desktop; do
    exe=$bundle/$name
    [[ -f $exe.exe ]] && exe=$exe.exe  # Windows
    if [[ ! -x $exe ]]; then
        echo "FAIL: no executable $exe" >&2
        failed=1
        continue
    fi
    "$exe" --self-test >"$home/$name.out" 2>&1
    status=$?
    echo "--- $name --self-test (exit $status)"
    cat "$home/$name.out"
    cat "$home/$name.out" >>"$output"
    if ((status != 0)); then
        echo "FAIL: $name --self-test exited with $status" >&2
        failed=1
    fi
done

log=$home/logs/phantom-desktop.log
if [[ -f $log ]]; then
    cat "$log" >>"$output"
else
    echo "FAIL: the bundle wrote no log file at $log" >&2
    failed=1
fi
if grep -i -E "$broken" "$output" >&2; then
    echo "FAIL: the lines above show a broken bundle" >&2
    failed=1
fi

if ((failed)); then
    echo "--- log file" >&2
    [[ -f $log ]] && cat "$log" >&2
    exit 1
fi
echo "OK: $bundle passed its self-test"
