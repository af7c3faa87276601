#!/usr/bin/env bash
# `ruimte --describe` (issue 26): the JSON parses; it lists every command that `ruimte --help`
# lists, and for each command exactly the options and positionals that `ruimte COMMAND --help`
# shows (so the QGIS plugin built from it cannot drift from the command line); every option has
# a known type, English help and a Dutch slot; every command has a Dutch summary; `ruimte
# COMMAND --describe` gives that command alone; an unknown command is a usage error (exit 2).
set -uo pipefail
ruimte=$1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$ruimte" --describe > "$tmp/all.json" || { echo "FAIL: ruimte --describe exited $?"; exit 1; }
"$ruimte" --help > "$tmp/help.txt"
for c in $(/usr/bin/python3 -c 'import json,sys; print(" ".join(c["name"] for c in json.load(open(sys.argv[1]))["commands"]))' "$tmp/all.json"); do
  "$ruimte" "$c" --help > "$tmp/help_$c.txt" || { echo "FAIL: ruimte $c --help"; exit 1; }
  "$ruimte" "$c" --describe > "$tmp/one_$c.json" || { echo "FAIL: ruimte $c --describe"; exit 1; }
done
"$ruimte" nosuchcommand --describe > /dev/null 2>&1; rc=$?
[ $rc = 2 ] || { echo "FAIL: ruimte nosuchcommand --describe exited $rc, not 2"; exit 1; }
/usr/bin/python3 - "$tmp" <<'PY'
import json, os, re, sys
tmp = sys.argv[1]
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
    for w in c["writes"]:
        if not any(o["name"] == w and o["type"] == "output" for o in c["options"]):
            fail.append(f"{name}: writes {w}, which is no output option")
    one = json.load(open(os.path.join(tmp, f"one_{name}.json")))
    if [x["name"] for x in one["commands"]] != [name] or one["commands"][0] != c:
        fail.append(f"ruimte {name} --describe is not the {name} entry of ruimte --describe")
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
print(f"describe: {len(d['commands'])} commands, {sum(len(c['options']) for c in d['commands'])} options, all as --help shows them")
PY
