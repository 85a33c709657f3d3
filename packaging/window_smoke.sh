#!/usr/bin/env bash
# Start the app (installed or bundled) in demo mode on a virtual X screen and check that its
# window appears and that it is still running after the demo has fed it for a while.
#
#     packaging/window_smoke.sh dist/phantom-desktop/phantom-desktop
set -uo pipefail

exe=${1:?usage: window_smoke.sh EXECUTABLE}
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
export PHANTOM_HOME=$home
unset QT_QPA_PLATFORM

xvfb-run -a -s "-screen 0 1400x900x24" bash -c '
    "$0" --demo --http-port 0 >"$1/app.out" 2>&1 &
    app=$!
    for _ in $(seq 1 30); do
        xdotool search --name "Phantom Desktop" >/dev/null 2>&1 && break
        sleep 1
    done
    sleep 8
    if ! kill -0 $app 2>/dev/null; then echo "FAIL: the app exited"; exit 1; fi
    if ! xdotool search --name "Phantom Desktop" >/dev/null; then
        echo "FAIL: no window titled Phantom Desktop"; kill $app; exit 1
    fi
    echo "OK: the window is shown and the app is running"
    kill -TERM $app; wait $app
' "$exe" "$home"
status=$?
if ((status != 0)); then
    cat "$home/app.out" "$home/logs/phantom-desktop.log" 2>/dev/null | tail -40 >&2
fi
exit $status
