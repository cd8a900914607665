"""Command line: ``python -m geo check | export | validate-assignments``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from geo import export, tables
from geo.bundle import Bundle, load_bundle
from geo.config import CHRISTIANSOE, CONFIDENCE_LEVELS
from geo.errors import KlyngekortError, ValidationError
from geo.model import unassigned_kommuner


def cmd_check(_args: argparse.Namespace, out) -> int:
    bundle = load_bundle()
    a = bundle.assignments
    print(f"Source data: {bundle.sources_dir}", file=out)
    print(f"Kommuner: {len(bundle.kommuner)} (Christiansø {CHRISTIANSOE} is not a kommune: "
          "left out of statistics and memberships)", file=out)
    print(f"København bydele: {len(bundle.sub_areas)}", file=out)
    print(f"Population years: {sorted(int(y) for y in bundle.population['year'].unique())}; "
          f"indicator series: {bundle.indicators['series_id'].nunique()}", file=out)
    print("Layers:", file=out)
    for _, layer in bundle.layers.iterrows():
        rows = a[a["layer"] == layer["layer"]]
        n_units = (bundle.units["layer"] == layer["layer"]).sum()
        per_kommune = rows.groupby("kommune_kode")["unit_id"].count()
        split = sorted(per_kommune[per_kommune > 1].index)
        conf = rows["confidence"].value_counts()
        confs = ", ".join(f"{c} {int(conf.get(c, 0))}" for c in CONFIDENCE_LEVELS)
        line = (f"  {layer['layer']}: {n_units} units, {rows['kommune_kode'].nunique()} kommuner, "
                f"{len(rows)} rows ({confs}); split kommuner: {', '.join(split) or 'none'}")
        missing = unassigned_kommuner(bundle.kommuner, a, layer)
        if len(missing):
            names = ", ".join(f"{r.kommune_kode} {r.kommune_navn}" for r in missing.itertuples())
            line += f"; not assigned (source does not name them): {names}"
        print(line, file=out)
    sites = bundle.sites
    print(f"Sites: {len(sites)} ({(sites['kind'] == 'akutsygehus').sum()} acute hospitals; "
          f"{(sites['lat'] != '').sum()} with coordinates)", file=out)
    print("OK: everything loaded and validated.", file=out)
    return 0


def cmd_export(args: argparse.Namespace, out) -> int:
    bundle = load_bundle()
    frame = export.frame_for(bundle, args.layer, args.what, args.year)
    text = export.render(frame, args.format)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"Wrote {len(frame)} {args.what} of {args.layer} to {args.out}", file=sys.stderr)
    else:
        out.write(text)
    return 0


def validate_file(path: Path, bundle: Bundle) -> tuple[list[str], str]:
    """Problems in a user's assignment table and, when valid, a one-line summary per layer."""
    table = path.name
    try:
        raw = tables.read_csv_table(path, table)
    except ValidationError as exc:
        return exc.problems, ""
    prepared, problems = tables.prepare_assignments(raw, table)
    problems += tables.validate_assignments(
        prepared, table=table, kommuner=bundle.kommuner, layers=bundle.layers,
        units=bundle.units, sub_areas=bundle.sub_areas,
    )
    summary = []
    if problems:
        return problems, ""
    for layer, rows in prepared.groupby("layer"):
        summary.append(f"{layer}: {rows['kommune_kode'].nunique()} kommuner, "
                       f"{rows['unit_id'].nunique()} units, {len(rows)} rows")
    return problems, "; ".join(summary)


def cmd_validate(args: argparse.Namespace, out) -> int:
    path = Path(args.file)
    if not path.is_file():
        print(f"error: {path} is not a file", file=sys.stderr)
        return 1
    problems, summary = validate_file(path, load_bundle())
    if problems:
        print(f"{path}: {len(problems)} problem(s)", file=sys.stderr)
        for p in problems:
            print(f"  - {p}", file=sys.stderr)
        return 1
    print(f"{path}: valid ({summary})", file=out)
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m geo", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("check", help="load and validate everything; print counts")
    e = sub.add_parser("export", help="export a layer as GeoJSON or CSV")
    e.add_argument("--layer", required=True)
    e.add_argument("--what", choices=export.WHATS, required=True)
    e.add_argument("--format", choices=export.FORMATS, default="geojson")
    e.add_argument("--year", type=int, help="population year (default: the latest)")
    e.add_argument("--out", help="file to write (default: standard output)")
    v = sub.add_parser("validate-assignments", help="check a user's assignment table (CSV)")
    v.add_argument("file")
    return p


def main(argv: Sequence[str] | None = None, out=None) -> int:
    args = parser().parse_args(argv)
    out = out or sys.stdout
    commands = {"check": cmd_check, "export": cmd_export, "validate-assignments": cmd_validate}
    try:
        return commands[args.command](args, out)
    except KlyngekortError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
