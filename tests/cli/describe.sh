#!/usr/bin/env bash
# `ruimte --describe` (issue 26): the JSON parses; it lists every command that `ruimte --help`
# lists, and for each command exactly the options and positionals that `ruimte COMMAND --help`
# shows (so the QGIS plugin built from it cannot drift from the command line); every option has
# a known type, English help and a Dutch slot; every command has a Dutch summary; `ruimte
# COMMAND --describe` gives that command alone; an unknown command is a usage error (exit 2).
# Dutch (issue 26): every option has Dutch help ("nl" not null, not a copy of the English), and
# the table in cli/describe_nl.cpp has exactly one row per command summary and per option that
# --describe lists: a row for an option that no longer exists fails as a missing one does.
set -uo pipefail
ruimte=$1 src=${2:?usage: describe.sh RUIMTE SOURCE_DIR}
table=$src/cli/describe_nl.cpp
[ -f "$table" ] || { echo "FAIL: no Dutch table $table"; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$ruimte" --describe > "$tmp/all.json" || { echo "FAIL: ruimte --describe exited $?"; exit 1; }
"$ruimte" --help > "$tmp/help.txt"
for c in $(/usr/bin/python3 -c 'import json,sys; print(" ".join(c["name"] for c in json.load(open(sys.argv[1]))["commands"]))' "$tmp/all.json"); do
  "$ruimte" "$c" --help > "$tmp/help_$c.txt" || { echo "FAIL: ruimte $c --help"; exit 1; }
  "$ruimte" "$c" --describe > "$tmp/one_$c.json" || { echo "FAIL: ruimte $c --describe"; exit 1; }
done
"$ruimte" nosuchcommand --describe > /dev/null 2>&1; rc=$?
[ $rc = 2 ] || { echo "FAIL: ruimte nosuchcommand --describe exited $rc, not 2"; exit 1; }
/usr/bin/python3 - "$tmp" "$table" <<'PY'
import json, os, re, sys
tmp, table = sys.argv[1], sys.argv[2]
d = json.load(open(os.path.join(tmp, "all.json")))
fail = []
# The commands `ruimte --help` lists (the Subcommands: section).
help_top = open(os.path.join(tmp, "help.txt")).read()
section = help_top.split("Subcommands:")[1].split("\n\n")[0]
listed = sorted(re.findall(r"^  (\S+)", section, re.M))
described = sorted(c["name"] for c in d["commands"])
if listed != described:
    fail.append(f"commands: --help lists {listed}, --describe {described}")
for must in ["score", "check", "claims", "select", "sensitivity", "explain", "compare", "map"]:
    if must not in described:
        fail.append(f"command {must} missing")
types = {"file", "layer", "field", "number", "enum", "flag", "repeatable", "text", "output"}
for c in d["commands"]:
    name = c["name"]
    text = open(os.path.join(tmp, f"help_{name}.txt")).read()
    # Options: the lines of the Options: section that start with a switch; positionals: the
    # names in the Positionals: section. CLI11 prints "-o,--output TEXT REQUIRED ...".
    opts_part = text.split("Options:")[1].split("\n\n")[0] if "Options:" in text else ""
    help_opts = set()
    for line in opts_part.splitlines():
        m = re.match(r"^  (-\S+)", line)
        if m:
            switches = m.group(1).split(",")
            longs = [s[2:] for s in switches if s.startswith("--")]
            help_opts.add(longs[0] if longs else switches[0])
    help_opts.discard("help")
    pos_part = text.split("Positionals:")[1].split("\n\n")[0] if "Positionals:" in text else ""
    help_pos = {m.group(1) for m in re.finditer(r"^  (\w\S*)", pos_part, re.M)}
    desc_opts = {o["name"] for o in c["options"] if not o["positional"]}
    desc_pos = {o["name"] for o in c["options"] if o["positional"]}
    if help_opts != desc_opts:
        fail.append(f"{name}: options differ: only in --help {sorted(help_opts - desc_opts)}, only in --describe {sorted(desc_opts - help_opts)}")
    if help_pos != desc_pos:
        fail.append(f"{name}: positionals differ: --help {sorted(help_pos)}, --describe {sorted(desc_pos)}")
    if not c["summary"]["en"] or not c["summary"]["nl"]:
        fail.append(f"{name}: summary lacks en or nl: {c['summary']}")
    for o in c["options"]:
        if o["type"] not in types or (o["type"] == "repeatable" and o.get("item") not in types):
            fail.append(f"{name} {o['name']}: unknown type {o['type']}/{o.get('item')}")
        if not o["help"]["en"] or "nl" not in o["help"]:
            fail.append(f"{name} {o['name']}: help lacks en text or nl slot")
        if o["type"] == "enum" and not o.get("choices"):
            fail.append(f"{name} {o['name']}: enum without choices")
        nl = o["help"].get("nl")
        if not nl:
            fail.append(f"{name} {o['name']}: no Dutch help (add a row {{\"{name}\", \"{o['name']}\", \"...\"}} to cli/describe_nl.cpp)")
        elif nl == o["help"]["en"]:
            fail.append(f"{name} {o['name']}: the Dutch help is the English text")
    for w in c["writes"]:
        if not any(o["name"] == w and o["type"] == "output" for o in c["options"]):
            fail.append(f"{name}: writes {w}, which is no output option")
    one = json.load(open(os.path.join(tmp, f"one_{name}.json")))
    if [x["name"] for x in one["commands"]] != [name] or one["commands"][0] != c:
        fail.append(f"ruimte {name} --describe is not the {name} entry of ruimte --describe")
# The Dutch table: one row per (command, "") summary and (command, option), none twice, none
# for a command or option that --describe does not list. Rows are {"command", "option", "text"}.
source = open(table, encoding="utf-8").read()
body = source.split("dutch_rows[] = {", 1)[1].split("\n};", 1)[0] if "dutch_rows[] = {" in source else ""
rows = re.findall(r'\{\s*"([^"\\]*)",\s*"([^"\\]*)",\s*"', body)
if not rows:
    fail.append(f"no rows found in the dutch_rows table of {table}")
want = {(c["name"], "") for c in d["commands"]} | {(c["name"], o["name"]) for c in d["commands"] for o in c["options"]}
seen = set()
for row in rows:
    if row in seen:
        fail.append(f"cli/describe_nl.cpp: row {row} is there twice")
    seen.add(row)
for row in sorted(seen - want):
    what = "a command" if not row[1] else "an option"
    fail.append(f"cli/describe_nl.cpp: row {row} names {what} ruimte --describe does not list (remove it)")
for row in sorted(want - seen):
    fail.append(f"cli/describe_nl.cpp: no row for {row}")
# Spot checks of the inferred types on options whose meaning is known.
cmds = {c["name"]: {o["name"]: o for o in c["options"]} for c in d["commands"]}
expect = [("score", "candidates", "layer"), ("score", "profile", "file"), ("score", "output", "output"),
          ("score", "overwrite", "flag"), ("score", "threads", "number"), ("score", "engine", "enum"),
          ("score", "id-field", "field"), ("score", "layer", "repeatable"), ("map", "context", "repeatable"),
          ("map", "input", "layer"), ("check", "report", "output"), ("claims", "csv", "output")]
for c, o, t in expect:
    if cmds[c][o]["type"] != t:
        fail.append(f"{c} --{o}: type {cmds[c][o]['type']}, expected {t}")
if cmds["score"]["engine"].get("choices") != ["embedded", "postgis"] or cmds["score"]["engine"]["default"] != "embedded":
    fail.append(f"score --engine: {cmds['score']['engine']}")
if cmds["map"]["output"].get("formats") != ["pdf", "png", "svg"]:
    fail.append(f"map --output formats: {cmds['map']['output'].get('formats')}")
for f in fail:
    print("FAIL:", f)
if fail:
    sys.exit(1)
print(f"describe: {len(d['commands'])} commands, {sum(len(c['options']) for c in d['commands'])} options, all as --help shows them; {len(rows)} Dutch rows, one per summary and option")
PY
