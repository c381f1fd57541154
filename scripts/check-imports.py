#!/usr/bin/env python3
"""Every module imports only what Package.swift declares for it (directly), and the layering
holds: Reports depends on neither Store nor GRDB, Store not on Scorecard, CallQAModel only
on CallAnalysis and Analytics. Run by `make test`; exit 1 with the offending lines."""
import json, os, re, subprocess, sys
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
pkg = json.loads(subprocess.run(["swift", "package", "dump-package"], cwd=root, check=True, capture_output=True, text=True).stdout)
system = {"Foundation", "FoundationEssentials", "Glibc", "Dispatch", "Testing", "XCTest", "Synchronization", "Darwin", "os"}
bad = []
declared_of = {}
for t in pkg["targets"]:
    name = t["name"]
    deps = set()
    for d in t.get("dependencies", []):
        for kind in ("byName", "target", "product"):
            if kind in d:
                deps.add(d[kind][0])
    declared_of[name] = deps
    base = t.get("path") or (("Tests/" if t["type"] == "test" else "Sources/") + name)
    folder = os.path.join(root, base)
    for dirpath, _, files in os.walk(folder):
        for f in files:
            if not f.endswith(".swift"):
                continue
            p = os.path.join(dirpath, f)
            for i, line in enumerate(open(p, encoding="utf-8"), 1):
                m = re.match(r"\s*(?:@testable\s+|@_exported\s+|@preconcurrency\s+)?import\s+(?:struct\s+|enum\s+|class\s+|func\s+)?([A-Za-z0-9_]+)", line)
                if m and m.group(1) not in system and m.group(1) not in deps and m.group(1) != name:
                    bad.append(f"{os.path.relpath(p, root)}:{i}: {name} imports {m.group(1)}, which Package.swift does not declare for it")
rules = [("Reports", {"Store", "GRDB", "Scorecard", "Pipeline"}), ("Store", {"Scorecard", "Reports", "Pipeline", "Watch"}),
         ("Pipeline", {"Watch", "Workspace"}), ("Watch", {"Workspace"}), ("Workspace", {"Watch"}),
         ("CallQAModel", set(declared_of) - {"CallAnalysis", "Analytics"} | {"GRDB", "Yams"})]
for target, forbidden in rules:
    for d in declared_of.get(target, set()) & forbidden:
        bad.append(f"Package.swift: {target} depends on {d}")
# whisper.cpp's C API is Transcription's alone (its tests may not reach past it either).
for target, deps in declared_of.items():
    if "CWhisper" in deps and target != "Transcription":
        bad.append(f"Package.swift: {target} depends on CWhisper (only Transcription may)")
if declared_of.get("CallQAModel", set()) - {"CallAnalysis", "Analytics"}:
    bad.append(f"Package.swift: CallQAModel depends on {sorted(declared_of['CallQAModel'] - {'CallAnalysis', 'Analytics'})}")
for b in bad:
    print(b, file=sys.stderr)
print(f"check-imports: {len(pkg['targets'])} targets, {'ok' if not bad else str(len(bad)) + ' problems'}")
sys.exit(1 if bad else 0)
