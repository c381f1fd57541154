#!/usr/bin/env bash
# `make serve`: the sample day in the workspace. Builds callqa, runs SampleAudio/ into
# demo-workspace.sqlite and transcribes it (once), gives the demo accounts new generated passwords (printed
# here, never stored in clear), makes a one-day API token for qa (printed with a curl line),
# and serves on http://127.0.0.1:${PORT:-8080}/ until Ctrl-C.
# There is no default password: every start prints fresh ones.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product callqa
bin=.build/release/callqa
db=${CALLQA_DEMO_DB:-demo-workspace.sqlite}
port=${PORT:-8080}
if [ ! -f "$db" ]; then
    "$bin" run SampleAudio --db "$db" --scorecards Scorecards --out demo-report >/dev/null || true
    # Transcripts for the call pages and the search (English sample calls; the base model).
    if ! "$bin" transcribe --db "$db" --language en >/dev/null 2>/tmp/callqa-demo-transcribe.$$; then
        echo "serve-demo: transcription failed; the call pages will show no transcript:" >&2
        cat /tmp/callqa-demo-transcribe.$$ >&2
    fi
    rm -f /tmp/callqa-demo-transcribe.$$
fi
echo
echo "Demo accounts (passwords generated now; run make serve again for new ones):"
printf '  %-12s %-11s %-37s %s\n' user role password sees
while read -r name role extra sees; do
    if "$bin" users list --db "$db" | awk 'NR > 2 {print $1}' | grep -qx "$name"; then
        out=$("$bin" users password "$name" --db "$db")
    else
        out=$("$bin" users add "$name" --role "$role" $( [ "$extra" = - ] || echo "$extra" ) --db "$db")
    fi
    printf '  %-12s %-11s %-37s %s\n' "$name" "$role" "$(sed -n 's/^password: //p' <<<"$out")" "${sees//_/ }"
done <<'ACCOUNTS'
qa qa - every_call,_evaluates
supervisor supervisor --team=Blue team_Blue
agent-a1 agent --agent-id=a1 own_calls_of_agent_a1
admin admin - everything,_users,_audit_log
ACCOUNTS
# An API token for qa, valid one day (earlier demo tokens of qa are revoked first).
"$bin" tokens revoke --user qa --db "$db" >/dev/null
token=$("$bin" tokens add --user qa --expires 1 --label "make serve demo" --db "$db" | tail -n 1)
echo
echo "API token of qa (one day): $token"
echo "  curl -H 'Authorization: Bearer $token' 'http://127.0.0.1:$port/api/v1/calls?period=all&limit=5'"
echo
echo "Open http://127.0.0.1:$port/ and log in (Ctrl-C stops the server)."
exec "$bin" serve --db "$db" --port "$port"
