#!/usr/bin/env bash
# Output integrity (issue 27 sections 2 and 4, issue 25 'Data loss'), through the real binary:
# 1. fsync failures (an LD_PRELOAD shim built here with cc makes fsync/fdatasync fail with EIO
#    for one file or for folders): exit 5, nothing renamed into place, earlier outputs intact.
# 2. Leftover temporary files are judged by their lock file, not by a PID: a live run's files
#    stay, also for a run in another PID namespace (unshare --pid), a dead run's go.
# 3. A shapefile's other files (.dbf, .shx, .qix, ...) are inputs: never written.
# 4. Two outputs of one run are compared by identity (./x, a hard link), also for check's
#    --report and claims' --csv folder.
# 5. A failed run commits no output (a missing --qgis-context file, a QGIS project that cannot
#    be committed): the GeoPackage is not written, an earlier one not replaced.
# 6. Two runs writing the same -o without --overwrite: the second to finish fails, exit 5.
# 7. A dangling symlink, a FIFO, a device or a folder at -o is refused, also with --overwrite.
# And a full disk while writing the sensitivity chart (the shim again) names the chart.
set -uo pipefail
ruimte=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") src=$(cd "$2" && pwd)  # absolute: some cases run in another folder
tmp=$(mktemp -d)
holders=()
cleanup() {
    for p in "${holders[@]}"; do kill -CONT "$p" 2> /dev/null; kill "$p" 2> /dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT
S="$src/data-samples"
base=(score --candidates "$S/kandidaten.shp" --profile "$S/woningbouw.toml" -q)
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
sha() { [ -e "$1" ] || [ -L "$1" ] && { sha256sum < "$1" 2> /dev/null || echo unreadable; } || echo none; }
temps() { ls -A "$1" | grep '\.tmp-' | tr '\n' ' '; }  # temporary and lock files in a folder

# Reference outputs, the "earlier results" the failing runs must leave alone.
"$ruimte" "${base[@]}" -o "$tmp/ref.gpkg" --csv "$tmp/ref.csv" > /dev/null || { echo "FAIL: the reference run failed"; exit 1; }

# ---- 1. fsync failures --------------------------------------------------------------------
if ! command -v cc > /dev/null; then
    echo "skip: fsync failures (no C compiler for the LD_PRELOAD shim)"
else
    cat > "$tmp/fail_fsync.c" << 'EOF'
/* fsync and fdatasync fail with EIO for descriptors of folders (FAIL_FSYNC=dir) or of files
   whose path holds FAIL_FSYNC; fwrite fails with ENOSPC (a full disk) for files whose path
   holds FAIL_FWRITE; otherwise the real calls. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
static int should_fail_for(int fd, const char* what) {
    struct stat st;
    char link[64], path[4096];
    ssize_t n;
    if (!what || !*what || fstat(fd, &st) != 0) return 0;
    if (strcmp(what, "dir") == 0) return S_ISDIR(st.st_mode);
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    n = readlink(link, path, sizeof path - 1);
    if (n < 0) return 0;
    path[n] = 0;
    return strstr(path, what) != NULL;
}
static int should_fail(int fd) { return should_fail_for(fd, getenv("FAIL_FSYNC")); }
size_t fwrite(const void* p, size_t size, size_t n, FILE* f) {
    static size_t (*real)(const void*, size_t, size_t, FILE*);
    const char* what = getenv("FAIL_FWRITE");
    if (what && *what && strcmp(what, "dir") != 0 && should_fail_for(fileno(f), what)) { errno = ENOSPC; return 0; }
    if (!real) real = (size_t (*)(const void*, size_t, size_t, FILE*))dlsym(RTLD_NEXT, "fwrite");
    return real(p, size, n, f);
}
int fsync(int fd) {
    static int (*real)(int);
    if (should_fail(fd)) { errno = EIO; return -1; }
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    return real(fd);
}
int fdatasync(int fd) {
    static int (*real)(int);
    if (should_fail(fd)) { errno = EIO; return -1; }
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    return real(fd);
}
EOF
    if ! cc -shared -fPIC -O1 -o "$tmp/fail_fsync.so" "$tmp/fail_fsync.c" -ldl 2> "$tmp/cc.err"; then
        echo "skip: fsync failures (the shim does not compile: $(head -c 300 "$tmp/cc.err"))"
    else
        # The shim itself changes nothing when no fsync fails.
        mkdir -p "$tmp/fsync-none"
        if LD_PRELOAD="$tmp/fail_fsync.so" FAIL_FSYNC=no-such-path "$ruimte" "${base[@]}" -o "$tmp/fsync-none/s.gpkg" \
            --csv "$tmp/fsync-none/s.csv" > /dev/null 2>&1 && [ -s "$tmp/fsync-none/s.csv" ]; then
            ok "fsync: with the shim loaded and no fsync failing, exit 0"
        else
            bad "fsync: the run with the shim and no fsync failing did not succeed"
        fi
        # fsync_case NAME FAIL_FSYNC-VALUE earlier|none
        fsync_case() {
            local d="$tmp/fsync-$1" code
            mkdir -p "$d"
            if [ "$3" = earlier ]; then cp "$tmp/ref.gpkg" "$d/s.gpkg"; echo "earlier csv" > "$d/s.csv"; fi
            local g0 c0; g0=$(sha "$d/s.gpkg") c0=$(sha "$d/s.csv")
            local fail_what=$2
            [ "$fail_what" = dir ] || fail_what="$d/$2"
            LD_PRELOAD="$tmp/fail_fsync.so" FAIL_FSYNC="$fail_what" "$ruimte" "${base[@]}" -o "$d/s.gpkg" --csv "$d/s.csv" \
                --overwrite > /dev/null 2> "$d.err"
            code=$?
            if [ "$code" != 5 ]; then bad "fsync $1: exit $code, want 5: $(cat "$d.err")"
            elif ! grep -q "fsync: Input/output error" "$d.err" || ! grep -q "file '$d/s\.\(gpkg\|csv\)'" "$d.err" ||
                 ! grep -q "Fix: " "$d.err"; then
                bad "fsync $1: the message names no fsync error, output or fix: $(cat "$d.err")"
            elif [ "$(sha "$d/s.gpkg")" != "$g0" ] || [ "$(sha "$d/s.csv")" != "$c0" ]; then
                bad "fsync $1: an output was put in place: $(ls -A "$d")"
            elif [ -n "$(temps "$d")" ]; then bad "fsync $1: temporary files left: $(temps "$d")"
            else ok "fsync $1: exit 5, outputs as before ($3): $(head -c 240 "$d.err")"; fi
        }
        fsync_case csv-file .s.csv.tmp- none
        fsync_case gpkg-file .s.gpkg.tmp- earlier
        fsync_case folder dir none
        fsync_case folder-earlier dir earlier
        # A full disk while the sensitivity chart is written: the message names the chart.
        d="$tmp/chart"; mkdir -p "$d"
        LD_PRELOAD="$tmp/fail_fsync.so" FAIL_FWRITE="$d/.c.svg.tmp-" "$ruimte" sensitivity --candidates "$S/kandidaten.shp" \
            --profile "$S/woningbouw.toml" -o "$d/s.gpkg" --draws 50 --top 10 --chart "$d/c.svg" -q > /dev/null 2> "$d.err"
        code=$?
        if [ "$code" != 5 ] || ! grep -q "^ruimte sensitivity: error: file '$d/c.svg': cannot write the chart" "$d.err"; then
            bad "full disk writing the chart: exit $code (want 5), the message does not name '$d/c.svg': $(cat "$d.err")"
        elif [ -n "$(ls -A "$d")" ]; then bad "full disk writing the chart: files left: $(ls -A "$d")"
        else ok "full disk writing the chart: exit 5, $(head -c 200 "$d.err")"; fi
    fi
fi

# ---- 2. Leftovers: a lock, not a PID --------------------------------------------------------
d="$tmp/lock"; mkdir -p "$d"
sleep 0 & gone=$!; wait "$gone"
dead=".s.gpkg.tmp-$gone-0badcafe" live=".s.gpkg.tmp-$gone-1badcafe"
touch "$d/$dead" "$d/$dead-journal" "$d/$dead-lock" "$d/$live" "$d/$live-lock" "$d/.s.gpkg.tmp-$gone"
exec 9< "$d/$live-lock"; flock -x 9  # the live run's lock, held by this shell (its PID is gone)
"$ruimte" "${base[@]}" -o "$d/s.gpkg" > /dev/null 2>&1 9<&-
exec 9<&-
left=$(temps "$d")
if [ "$left" = "$live $live-lock " ]; then
    ok "leftovers: a run whose lock is held kept (its PID gone), an unlocked one and an old PID-named one removed"
else
    bad "leftovers after a run: '$left', want '$live $live-lock '"
fi

# A real run stopped (SIGSTOP) while its temporary files exist: start_stopped DIR ARGS... sets
# $stopped to its PID, or returns 1 when every try ended before it was caught.
start_stopped() {
    local d=$1 try; shift
    for try in 1 2 3 4 5 6; do
        "$ruimte" "$@" > "$d.a.out" 2> "$d.a.err" &
        stopped=$!
        local n=0
        while kill -0 "$stopped" 2> /dev/null && ! compgen -G "$d/.s.gpkg.tmp-*" > /dev/null && [ "$n" -lt 3000 ]; do
            sleep 0.005; n=$((n + 1))
        done
        if kill -STOP "$stopped" 2> /dev/null && compgen -G "$d/.s.gpkg.tmp-*" > /dev/null; then
            holders+=("$stopped")
            return 0
        fi
        kill -CONT "$stopped" 2> /dev/null; wait "$stopped" 2> /dev/null
        rm -f "$d/s.gpkg" "$d/s.csv" "$d/s.qgz"
    done
    return 1
}

if ! unshare --pid --fork true 2> /dev/null; then
    echo "skip: leftovers across PID namespaces (unshare --pid not permitted here)"
else
    d="$tmp/pidns"; mkdir -p "$d"
    if ! start_stopped "$d" "${base[@]}" -o "$d/s.gpkg" --csv "$d/s.csv" --overwrite; then
        bad "pidns: could not stop a run while it wrote"
    else
        before=$(temps "$d")
        unshare --pid --fork "$ruimte" "${base[@]}" -o "$d/s.gpkg" --csv "$d/s.csv" --overwrite > /dev/null 2> "$d.b.err"
        code_b=$?
        after=$(temps "$d")
        kill -CONT "$stopped"; wait "$stopped"; code_a=$?
        if [ "$code_b" != 0 ]; then bad "pidns: the run in another PID namespace exited $code_b: $(cat "$d.b.err")"
        elif [ "$after" != "$before" ]; then bad "pidns: the run in another PID namespace removed a live run's files: '$before' became '$after'"
        elif [ "$code_a" != 0 ]; then bad "pidns: the live run failed after the other ran (exit $code_a): $(cat "$d.a.err")"
        elif [ -n "$(temps "$d")" ]; then bad "pidns: temporary files left: $(temps "$d")"
        else ok "pidns: a run in another PID namespace left a live run's files ($before) alone; both exit 0"; fi
    fi
fi

# ---- 3. A shapefile's other files are inputs ----------------------------------------------------
d="$tmp/shp"; mkdir -p "$d"
cp "$S"/kandidaten.* "$d/"
shp=(score --candidates "$d/kandidaten.shp" --profile "$S/woningbouw.toml" -q)
sums=$(cd "$d" && sha256sum kandidaten.*)
# sidecar NAME EXPECTED-FILE ARGS...: exit 5 naming the input, no file written
sidecar() {
    local name=$1 target=$2; shift 2
    "$ruimte" "${shp[@]}" "$@" > /dev/null 2> "$d.err"; local code=$?
    if [ "$code" != 5 ] || ! grep -q "is a file of the input .*kandidaten.shp" "$d.err"; then
        bad "sidecar $name: exit $code, want 5 naming the input: $(cat "$d.err")"
    elif [ "$(cd "$d" && sha256sum kandidaten.*)" != "$sums" ] || [ -e "$target" ]; then
        bad "sidecar $name: the shapefile's files changed: $(ls -A "$d")"
    else ok "sidecar $name: exit 5, $(head -c 200 "$d.err")"; fi
}
sidecar dbf "$d/none" -o "$d/kandidaten.dbf" --overwrite
sidecar shx "$d/x.gpkg" -o "$d/x.gpkg" --csv "$d/kandidaten.shx" --overwrite
sidecar qix-new "$d/kandidaten.qix" -o "$d/kandidaten.qix"
sidecar cpg-upper "$d/KANDIDATEN.CPG" -o "$d/x.gpkg" --csv "$d/kandidaten.CPG"
if "$ruimte" "${shp[@]}" -o "$d/kandidaten.gpkg" > /dev/null 2>&1 && [ -s "$d/kandidaten.gpkg" ]; then
    ok "sidecar: -o kandidaten.gpkg beside kandidaten.shp is allowed (not a file of the shapefile)"
else
    bad "sidecar: -o kandidaten.gpkg beside kandidaten.shp was refused"
fi

# ---- 4. Two outputs of one run compared by identity ---------------------------------------------
d="$tmp/same"; mkdir -p "$d/cc"
cp "$tmp/ref.gpkg" "$d/same.gpkg"; ln "$d/same.gpkg" "$d/hard.gpkg"
g0=$(sha "$d/same.gpkg")
same_case() {  # same_case NAME ARGS... (run in $d): exit 2, no file changed
    local name=$1; shift
    (cd "$d" && "$ruimte" "$@" > /dev/null 2> "$d.err"); local code=$?
    if [ "$code" != 2 ] || ! grep -q "same file\|one of the CSV files" "$d.err"; then bad "same $name: exit $code, want 2: $(cat "$d.err")"
    elif [ "$(sha "$d/same.gpkg")" != "$g0" ] || [ -n "$(temps "$d")" ] || [ -e "$d/r.html" ] || [ -e "$d/cc/claim_totals.csv" ] || [ -e "$d/x.gpkg" ] || [ -e "$d/p.qgz" ]; then
        bad "same $name: files changed: $(ls -A "$d")"
    else ok "same $name: exit 2, $(head -c 160 "$d.err")"; fi
}
same_case "-o x --csv ./x" "${base[@]}" -o same.gpkg --csv ./same.gpkg --overwrite
same_case "-o x --csv dir/../x" "${base[@]}" -o same.gpkg --csv cc/../same.gpkg --overwrite
same_case "-o x --csv hard link of x" "${base[@]}" -o same.gpkg --csv hard.gpkg --overwrite
same_case "--csv p.qgz --qgis-project ./p.qgz" "${base[@]}" -o x.gpkg --csv p.qgz --qgis-project ./p.qgz
same_case "check -o r.html --report ./r.html" check --locations "$S/kandidaten.shp" --wbs "$S/wbs.gpkg:wbs" -q -o r.html --report ./r.html
C="$S/claims/claims.gpkg"
same_case "claims -o cc/claim_totals.csv --csv cc" claims --claim "wonen=$C:wonen" --claim "werken=$C:werken" -q \
    -o cc/claim_totals.csv --csv cc

# ---- 5. A failed run commits no output --------------------------------------------------------
d="$tmp/failed"; mkdir -p "$d"
"$ruimte" "${base[@]}" -o "$d/s.gpkg" --qgis-project "$d/s.qgz" --qgis-context "$d/missing.gpkg" > /dev/null 2> "$d.err"
code=$?
if [ "$code" != 4 ] || [ -n "$(ls -A "$d")" ]; then bad "missing --qgis-context: exit $code (want 4), files: $(ls -A "$d")"
else ok "missing --qgis-context: exit 4 and no output: $(head -c 160 "$d.err")"; fi
cp "$tmp/ref.gpkg" "$d/s.gpkg"; echo "earlier csv" > "$d/s.csv"
g0=$(sha "$d/s.gpkg") c0=$(sha "$d/s.csv")
"$ruimte" "${base[@]}" -o "$d/s.gpkg" --csv "$d/s.csv" --qgis-project "$d/s.qgz" --qgis-context "$d/missing.gpkg" --overwrite \
    > /dev/null 2> "$d.err"
code=$?
if [ "$code" != 4 ] || [ "$(sha "$d/s.gpkg")" != "$g0" ] || [ "$(sha "$d/s.csv")" != "$c0" ] || [ -e "$d/s.qgz" ] || [ -n "$(temps "$d")" ]; then
    bad "missing --qgis-context with --overwrite: exit $code (want 4), earlier outputs replaced or files left: $(ls -A "$d")"
else ok "missing --qgis-context with --overwrite: exit 4, the earlier GeoPackage and CSV untouched"; fi
# A QGIS project that cannot be committed (its name taken while the run worked): exit 5, and
# neither the GeoPackage nor the CSV is committed.
d="$tmp/project"; mkdir -p "$d"
if ! start_stopped "$d" "${base[@]}" -o "$d/s.gpkg" --csv "$d/s.csv" --qgis-project "$d/s.qgz"; then
    bad "project: could not stop a run while it wrote"
else
    echo "someone else's project" > "$d/s.qgz"
    kill -CONT "$stopped"; wait "$stopped"; code=$?
    if [ "$code" != 5 ] || [ -e "$d/s.gpkg" ] || [ -e "$d/s.csv" ] || [ "$(cat "$d/s.qgz")" != "someone else's project" ] ||
       [ -n "$(temps "$d")" ]; then
        bad "project: exit $code (want 5), files: $(ls -A "$d"): $(cat "$d.a.err")"
    else ok "project: its name taken meanwhile: exit 5, no GeoPackage or CSV committed: $(head -c 200 "$d.a.err")"; fi
fi

# ---- 6. Two runs, one -o, no --overwrite --------------------------------------------------------
d="$tmp/race"; mkdir -p "$d"
if ! start_stopped "$d" "${base[@]}" -o "$d/s.gpkg" --csv "$d/s.csv"; then
    bad "race: could not stop a run while it wrote"
else
    "$ruimte" score --candidates "$S/kandidaten.shp" --profile "$S/woningbouw.toml" -q -o "$d/s.gpkg" --csv "$d/s.csv" \
        > /dev/null 2> "$d.b.err"
    code_b=$?
    g_b=$(sha "$d/s.gpkg") c_b=$(sha "$d/s.csv")
    kill -CONT "$stopped"; wait "$stopped"; code_a=$?
    if [ "$code_b" != 0 ]; then bad "race: the second run exited $code_b: $(cat "$d.b.err")"
    elif [ "$code_a" != 5 ] || ! grep -q "appeared while this run was working" "$d.a.err"; then
        bad "race: the run finishing last exited $code_a (want 5, 'appeared'): $(cat "$d.a.err")"
    elif [ "$(sha "$d/s.gpkg")" != "$g_b" ] || [ "$(sha "$d/s.csv")" != "$c_b" ] || [ -n "$(temps "$d")" ]; then
        bad "race: the first result was replaced or files left: $(ls -A "$d")"
    else ok "race: the run finishing last without --overwrite: exit 5, the other's GeoPackage and CSV kept: $(head -c 200 "$d.a.err")"; fi
fi

# ---- 7. Only a regular file is replaced -----------------------------------------------------------
d="$tmp/special"; mkdir -p "$d/dir.gpkg"
ln -s "$d/nowhere.gpkg" "$d/dangling.gpkg"
ln -s "$tmp/ref.gpkg" "$d/link.gpkg"
mkfifo "$d/fifo.gpkg" "$d/fifo.csv"
special() {  # special NAME PATH TEST-FLAG ARGS...
    local name=$1 path=$2 flag=$3; shift 3
    timeout 300 "$ruimte" "${base[@]}" "$@" --overwrite > /dev/null 2> "$d.err"; local code=$?
    if [ "$code" != 5 ] || ! grep -q "not a regular file\|is a folder" "$d.err"; then bad "special $name: exit $code, want 5: $(cat "$d.err")"
    elif ! test "$flag" "$path" || [ -e "$d/nowhere.gpkg" ] || [ -e "$d/x.gpkg" ] || [ -n "$(temps "$d")" ]; then
        bad "special $name: replaced or files left: $(ls -lA "$d")"
    else ok "special $name: exit 5, $(head -c 200 "$d.err")"; fi
}
special "dangling symlink" "$d/dangling.gpkg" -L -o "$d/dangling.gpkg"
special "symlink to a file" "$d/link.gpkg" -L -o "$d/link.gpkg"
special FIFO "$d/fifo.gpkg" -p -o "$d/fifo.gpkg"
special "FIFO as --csv" "$d/fifo.csv" -p -o "$d/x.gpkg" --csv "$d/fifo.csv"
special folder "$d/dir.gpkg" -d -o "$d/dir.gpkg"
if mknod "$d/null" c 1 3 2> /dev/null; then
    special "character device" "$d/null" -c -o "$d/null"
else
    echo "skip: a device node at -o (mknod not permitted here)"
fi
[ "$(sha "$tmp/ref.gpkg")" != none ] || bad "special: the symlink's target was removed"

[ "$fail" = 0 ] && echo "outputs_integrity: all cases as expected"
exit $fail
