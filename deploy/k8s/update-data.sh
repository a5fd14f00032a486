#!/bin/sh
# Bring the served data up to date without touching a serving replica.
#
# Runs in the app's image (it has `python -m dashboard.update` and `python -m dashboard.check`)
# with the shared data volume at $DATA_ROOT (default /data). Copies the data now served (or, the
# first time, the image's own geodata/, $SEED_DATA) into a new release folder, updates and checks
# that copy, then points $DATA_ROOT/current at it in one rename. Replicas keep serving what they
# loaded at start; they pick the new release up when restarted (k8s: `kubectl rollout restart`,
# which the CronJob does next, only after this script exits 0; compose: see deploy/README.md).
# The three newest releases are kept, and always the one `current` points to. Arguments are
# passed on to `python -m dashboard.update` (e.g. --source URL, --until YYYY-MM-DD).
#
# Exit status, by the update's own status:
#   update 0 (every day applied or absent) -> the release is published (if anything changed): 0
#   update 1 (a day rejected, the others accepted) -> the accepted days are published: 0, with a
#            warning line. Not non-zero: that would skip the replicas' restart, and the good
#            days would not be served while the bad day stays bad. The update asks the rejected
#            day again on its next runs (dashboard/update/retry.py).
#   update 3 (stopped early: source unreachable, the run's time bound, absent days in a row) ->
#            the days accepted before that are published (if any): 3, so the Job retries and a
#            source that stays down is seen as a failed Job.
#   update 2, or any other status (a crash, python missing) -> nothing published: 2.
#   The updated copy fails `dashboard.check`, or a copy/rename fails -> nothing published: 4.
#   Another run of this script holds the lock -> nothing done: 5.
# A run that fails removes its own `.STAMP-PID.partial` folder (trap); partials of runs that were
# killed outright (SIGKILL, a node lost) are removed by the next run, under the same lock.
set -u
root=${DATA_ROOT:-/data}
seed=${SEED_DATA:-/app/geodata}
releases="$root/releases"
say() { echo "update-data: $*"; }
mkdir -p "$releases" || { say "cannot create $releases" >&2; exit 4; }

# One run at a time: the lock is released when the process ends, however it ends.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$root/.update-data.lock" || { say "cannot open the lock file" >&2; exit 4; }
  flock -n 9 || { say "another run holds $root/.update-data.lock; nothing done" >&2; exit 5; }
fi
for stale in "$releases"/.*.partial; do
  if [ -e "$stale" ]; then say "removing $stale (left by a run that was killed)"; rm -rf "$stale"; fi
done

stamp=$(date -u +%Y%m%dT%H%M%S.%NZ)   # sorts by time, to the nanosecond
work="$releases/.$stamp-$$.partial"
trap 'rm -rf "$work"' EXIT
trap 'exit 143' TERM   # the EXIT trap runs on a signal too
trap 'exit 130' INT
if [ -e "$root/current" ]; then src="$root/current"; else src="$seed"; fi
mkdir "$work" && cp -R "$src/." "$work" || { say "cannot copy $src to $work; nothing published" >&2; exit 4; }

# dashboard.update reads and writes the data folder the app would use (SITUATION_MAP_DATA)
SITUATION_MAP_DATA="$work" python -m dashboard.update "$@"
status=$?
case $status in
  0|1) done_status=0 ;;
  3) done_status=3 ;;
  *) say "the update failed (status $status); nothing published" >&2; exit 2 ;;
esac
[ "$status" -eq 1 ] && say "warning: a day was rejected (update status 1): the other days are published"

if [ -e "$root/current" ] && diff -rq "$src" "$work" >/dev/null 2>&1; then
  say "nothing new; $root/current stays $(readlink "$root/current")"
  exit "$done_status"
fi
python -m dashboard.check "$work" || { say "the updated copy fails dashboard.check; nothing published" >&2; exit 4; }
name=$stamp
[ -e "$releases/$name" ] && name="$stamp-$$"
mv "$work" "$releases/$name" || { say "cannot rename $work; nothing published" >&2; exit 4; }
rm -f "$root/.current.new"   # left by a run killed between these two lines
ln -s "releases/$name" "$root/.current.new" || exit 4
mv -T "$root/.current.new" "$root/current" || exit 4   # atomic switch
say "$root/current -> releases/$name"
# keep the three newest releases (names sort by time), and whatever `current` points to
now=$(readlink "$root/current")
ls -1 "$releases" | grep -v '^\.' | sort | head -n -3 | while read -r old; do
  [ "releases/$old" = "$now" ] || rm -rf "${releases:?}/$old"
done
exit "$done_status"
