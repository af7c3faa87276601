#!/usr/bin/python3
"""Compares two `ruimte score` GeoPackages (helper of the tests/cli/postgis_*.sh tests).

    postgis_compare.py A.gpkg B.gpkg [--exact]

Numbers must agree within 1e-6 relative (plus 1e-9 absolute, for values that are 0 in one
engine and a rounding sliver in the other); with --exact they must be identical, text and
geometry included. Ranks must be equal except between candidates whose scores tie within
1e-9. overlay_areas rows missing on one side count as area 0. Prints what differs and exits 1.
"""
import sqlite3
import sys

REL, ABS = 1e-6, 1e-9


def wkb_of(blob):
    """The WKB inside a GeoPackage geometry blob (header and envelope stripped)."""
    if isinstance(blob, bytes) and blob[:2] == b"GP":
        envelope = (0, 32, 48, 48, 64)[(blob[3] >> 1) & 7]
        return blob[8 + envelope:]
    return blob


def rows(path, table):
    con = sqlite3.connect(path)
    cur = con.execute(f'SELECT * FROM "{table}"')
    names = [d[0] for d in cur.description]
    out = [dict(zip(names, [wkb_of(v) for v in r])) for r in cur.fetchall()]
    con.close()
    return names, out


def close(a, b, exact):
    if exact or not isinstance(a, float) and not isinstance(b, float):
        return a == b
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= REL * max(abs(a), abs(b)) + ABS


def main():
    a_path, b_path = sys.argv[1], sys.argv[2]
    exact = "--exact" in sys.argv[3:]
    problems = []
    names_a, cand_a = rows(a_path, "candidates_scored")
    names_b, cand_b = rows(b_path, "candidates_scored")
    if names_a != names_b:
        problems.append(f"candidates_scored columns differ: {names_a} vs {names_b}")
    by_id_b = {r["candidate_id"]: r for r in cand_b}
    if sorted(r["candidate_id"] for r in cand_a) != sorted(by_id_b):
        problems.append("candidates_scored: different candidate ids")
    score = {r["candidate_id"]: r["score"] for r in cand_a}
    checked = 0
    for ra in cand_a:
        rb = by_id_b.get(ra["candidate_id"])
        if rb is None:
            continue
        for k in names_a:
            if k == "fid" or k not in rb:
                continue
            if k == "rank" and not exact:
                if ra[k] != rb[k]:
                    ties = [i for i, s in score.items() if i != ra["candidate_id"] and abs(s - ra["score"]) <= 1e-9]
                    if not ties:
                        problems.append(f"candidate {ra['candidate_id']}: rank {ra[k]} vs {rb[k]} (no tie)")
                continue
            if k == "reasons" and not exact:
                # reasons quote metric values with 4 significant digits: compare the rule texts
                ra_k = [x.split(" (")[0] for x in (ra[k] or "").split("; ")]
                rb_k = [x.split(" (")[0] for x in (rb[k] or "").split("; ")]
                if ra_k != rb_k:
                    problems.append(f"candidate {ra['candidate_id']}: reasons {ra[k]!r} vs {rb[k]!r}")
                continue
            checked += 1
            if not close(ra[k], rb[k], exact):
                problems.append(f"candidate {ra['candidate_id']}: {k} {ra[k]!r} vs {rb[k]!r}")

    _, areas_a = rows(a_path, "overlay_areas")
    _, areas_b = rows(b_path, "overlay_areas")
    key = lambda r: (r["candidate_id"], r["layer"], r["class"])
    ma = {key(r): r for r in areas_a}
    mb = {key(r): r for r in areas_b}
    zero = {"area_m2": 0.0, "share": 0.0}
    for k in sorted(set(ma) | set(mb), key=str):
        ra, rb = ma.get(k, zero), mb.get(k, zero)
        for col in ("area_m2", "share"):
            checked += 1
            if exact and (k not in ma or k not in mb):
                problems.append(f"overlay_areas {k}: only in one file")
                break
            # a missing row is area 0: allow a sliver of 1e-3 m2 against it
            tol_abs = ABS if (k in ma and k in mb) else (1e-3 if col == "area_m2" else 1e-9)
            if not exact and abs(ra[col] - rb[col]) > REL * max(abs(ra[col]), abs(rb[col])) + tol_abs:
                problems.append(f"overlay_areas {k}: {col} {ra[col]!r} vs {rb[col]!r}")
            elif exact and ra[col] != rb[col]:
                problems.append(f"overlay_areas {k}: {col} {ra[col]!r} vs {rb[col]!r}")
    for p in problems[:30]:
        print("  " + p, file=sys.stderr)
    if problems:
        print(f"postgis_compare: {len(problems)} differences between {a_path} and {b_path}", file=sys.stderr)
        return 1
    print(f"postgis_compare: {len(cand_a)} candidates, {len(ma)} overlay rows, {checked} values agree"
          + (" exactly" if exact else f" within {REL:g} relative"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
