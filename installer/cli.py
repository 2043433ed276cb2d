"""`python -m installer`: build the installers for one site, check a site file, redo icons."""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from sfa_desktop.site_config import SiteConfigError

PARTS = ("bundle", "deb", "windows", "macos")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m installer", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="bundle + .deb here, Windows/macOS recipes")
    build.add_argument("--site", type=Path, required=True, help="the site file (TOML)")
    build.add_argument("--out", type=Path, default=Path("dist"), help="output folder")
    build.add_argument("--bundle", type=Path, help="reuse this PyInstaller folder")
    for part in PARTS:
        build.add_argument(f"--skip-{part}", action="store_true", help=f"do not make the {part}")
    check = commands.add_parser("check-site", help="check a site file and print what it sets")
    check.add_argument("site", type=Path)
    commands.add_parser("icons", help="render resources/sfa-desktop.svg to PNG/ICO/ICNS")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "check-site":
            from installer.site import Site

            print(Site.read(args.site).config.describe())
            return 0
        if args.command == "icons":
            from installer.icons import render

            for path in render():
                print(path)
            return 0
        return _build(args)
    except SiteConfigError as error:
        print(f"error: invalid site file\n{error}", file=sys.stderr)
        return 2
    except subprocess.CalledProcessError as error:
        print(f"error: {shlex.join(error.cmd)} failed:\n{error.stderr or ''}", file=sys.stderr)
        return 1
    except RuntimeError as error:  # PyInstaller's failure, with the tail of its log
        print(f"error: {error}", file=sys.stderr)
        return 1


def _build(args: argparse.Namespace) -> int:
    from installer import bundle, deb, recipes
    from installer.site import Site

    site = Site.read(args.site)
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    print(f"site: {site.config.describe()}; version {site.package_version}")
    started = time.monotonic()
    folder: Path | None = args.bundle
    if folder is None and not args.skip_bundle:
        folder = bundle.build(out, site.version)
    if not args.skip_deb:
        if folder is None:
            print("error: the .deb needs a bundle (drop --skip-bundle or pass --bundle)")
            return 2
        if sys.platform != "linux":
            print("deb: skipped (build it on Linux)")
        else:
            deb.build(site, folder, out)
    if not args.skip_windows:
        print(f"windows recipe: {recipes.write_windows(site, out / 'windows')}")
    if not args.skip_macos:
        print(f"macos recipe: {recipes.write_macos(site, out / 'macos')}")
    print(f"done in {time.monotonic() - started:.0f} s")
    return 0
