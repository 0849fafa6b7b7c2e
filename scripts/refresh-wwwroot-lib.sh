#!/usr/bin/env bash
# Refreshes the vendored browser libraries under wwwroot/lib/ from npm.
#
# The built files are committed, so `dotnet run` / `dotnet publish` never need Node or npm.
# Run this only to change a version (edit package.json, then run with --update) or to re-create the files.
#
#   scripts/refresh-wwwroot-lib.sh            npm ci (npm install if there is no package-lock.json), then copy
#   scripts/refresh-wwwroot-lib.sh --update   npm install (rewrites package-lock.json after a package.json edit), then copy
#   scripts/refresh-wwwroot-lib.sh --check    npm ci, then compare with the committed files; exit 1 if they differ
#
# Only the browser builds we load are copied (no source maps, no ES modules, no typings), plus each package's license.
# Works from any working directory.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

mode=copy
case "${1:-}" in
  "") ;;
  --update) mode=update ;;
  --check) mode=check ;;
  -h|--help) sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "unknown argument: $1 (try --help)" >&2; exit 2 ;;
esac

for tool in node npm; do
  command -v "$tool" >/dev/null 2>&1 || { echo "error: '$tool' not found; install Node.js 20+ (Debian: apt-get install nodejs npm)" >&2; exit 1; }
done

npm_flags=(--no-audit --no-fund --ignore-scripts)
if [[ "$mode" == update || ! -f package-lock.json ]]; then
  echo "npm install ..."
  npm install "${npm_flags[@]}"
else
  echo "npm ci ..."
  npm ci "${npm_flags[@]}"
fi

lib_dir="$repo_root/wwwroot/lib"
staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT

# Directories under wwwroot/lib/ that this script owns (anything else there, e.g. README.md, is left alone).
managed=()
versions=()

pkg_version() { node -p "require('./node_modules/$1/package.json').version"; }

# vendor NPM_NAME DEST_DIR FILE... : copy FILEs (paths inside the package) flat into wwwroot/lib/DEST_DIR/, plus the license.
vendor() {
  local pkg="$1" dest="$2"; shift 2
  local src="node_modules/$pkg"
  [[ -d "$src" ]] || { echo "error: $src missing after npm install" >&2; exit 1; }
  mkdir -p "$staging/$dest"
  local f
  for f in "$@"; do
    [[ -f "$src/$f" ]] || { echo "error: $pkg has no $f (did its layout change?)" >&2; exit 1; }
    cp "$src/$f" "$staging/$dest/"
  done
  local license
  license="$(find "$src" -maxdepth 1 -type f \( -iname 'LICENSE*' -o -iname 'LICENCE*' \) | sort | head -n 1)"
  if [[ -n "$license" ]]; then
    cp "$license" "$staging/$dest/$(basename "$license")"
  else
    write_missing_license "$pkg" "$staging/$dest/LICENSE.txt"
  fi
  managed+=("$dest")
  versions+=("$pkg@$(pkg_version "$pkg")")
}

# Some packages declare a license in package.json but ship no license file.
write_missing_license() {
  local pkg="$1" out="$2"
  case "$pkg" in
    @microsoft/signalr)
      # @microsoft/signalr declares "license": "MIT" and ships no license file; its sources say
      # "The .NET Foundation licenses this file to you under the MIT license". This is the MIT text of the
      # dotnet/aspnetcore repository (the same text as the .NET SDK's LICENSE.txt).
      cat > "$out" <<'LICENSE_TEXT'
@microsoft/signalr is licensed under the MIT license (package.json "license": "MIT");
the npm package ships no license file. Text of the dotnet/aspnetcore repository's license:

The MIT License (MIT)

Copyright (c) .NET Foundation and Contributors

All rights reserved.

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
LICENSE_TEXT
      ;;
    *)
      echo "error: $pkg ships no LICENSE file; add its license text to write_missing_license in $0" >&2
      exit 1 ;;
  esac
}

vendor @xterm/xterm         xterm              lib/xterm.js css/xterm.css
vendor @xterm/addon-fit     xterm-addon-fit    lib/addon-fit.js
vendor @xterm/addon-search  xterm-addon-search lib/addon-search.js
vendor @microsoft/signalr   signalr            dist/browser/signalr.min.js

{
  echo "# Vendored by scripts/refresh-wwwroot-lib.sh from the npm registry (versions pinned in package.json / package-lock.json). Do not edit."
  printf '%s\n' "${versions[@]}"
} > "$staging/VERSIONS.txt"

if [[ "$mode" == check ]]; then
  status=0
  for d in "${managed[@]}"; do
    diff -r "$staging/$d" "$lib_dir/$d" || status=1
  done
  diff "$staging/VERSIONS.txt" "$lib_dir/VERSIONS.txt" || status=1
  if [[ $status -eq 0 ]]; then echo "wwwroot/lib is up to date."; else echo "wwwroot/lib differs from package-lock.json: run $0" >&2; fi
  exit $status
fi

mkdir -p "$lib_dir"
for d in "${managed[@]}"; do
  rm -rf "${lib_dir:?}/$d"
  cp -R "$staging/$d" "$lib_dir/$d"
done
cp "$staging/VERSIONS.txt" "$lib_dir/VERSIONS.txt"

echo "Refreshed wwwroot/lib:"
sed -n '2,$p' "$lib_dir/VERSIONS.txt" | sed 's/^/  /'
du -sh "$lib_dir" | awk '{print "  total " $1}'
