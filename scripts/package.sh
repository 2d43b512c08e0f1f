#!/usr/bin/env bash
# Builds everything users install, into artifacts/ (gitignored), from the version in VERSION:
#   artifacts/native/pgmedic                      the linux-x64 executable (Native AOT; see below)
#   artifacts/pgmedic_<version>_amd64.deb         dpkg-deb: /usr/bin/pgmedic, the pgmedic-serve unit, /etc/pgmedic
#   artifacts/pgmedic-<version>-linux-x64.tar.gz  the same executable, with a .sha256 beside it (sha256sum -c)
#   artifacts/nuget/pgmedic.<version>.nupkg       the framework-dependent .NET tool (macOS, Windows, arm64)
#   artifacts/nuget/PgMedic.Guard[.AspNetCore].<version>.nupkg   the libraries for .NET services
# and checks that samples/PgMedic.Sample.Api builds against those two packages, as a user's service would.
#
# The executable, in this order:
#   1. PGMEDIC_NATIVE_BINARY=/path/to/pgmedic: that file (and any .so beside it) is used as it is;
#   2. artifacts/native/pgmedic when it is newer than every source file (test.sh's Native AOT build);
#   3. dotnet publish -p:PublishAot=true; if the AOT build fails, a self-contained single-file publish,
#      which the script says it is (it bundles the .NET runtime and is larger and slower to start).
# Usage: scripts/package.sh   (needs the .NET SDK, dpkg-deb, objdump; no root needed)
set -euo pipefail
trap 'echo "package.sh: failed (exit $?) at line $LINENO: $BASH_COMMAND" >&2' ERR
cd "$(dirname "$0")/.."
root=$PWD
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

version=$(tr -d '[:space:]' < VERSION)
if ! [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+([.~+-][0-9A-Za-z.~+-]+)?$ ]]; then
  echo "package.sh: VERSION '$version' is not a version like 1.2.3" >&2
  exit 1
fi
for tool in dotnet dpkg-deb objdump sha256sum tar; do
  command -v "$tool" >/dev/null 2>&1 || { echo "package.sh: $tool is missing" >&2; exit 1; }
done

out=$root/artifacts
native=$out/native
nuget=$out/nuget
logs=$out/logs
mkdir -p "$out" "$nuget" "$logs"
work=$(mktemp -d "${TMPDIR:-/tmp}/pgmedic-package-XXXXXX")
trap 'rm -rf "$work"' EXIT
# Reproducible archives: every timestamp is the last commit's.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
started=$SECONDS
step() { echo "== package: $* ($((SECONDS - started)) s)"; }

# Runs a dotnet command with its output in artifacts/logs/<name>.log; on failure shows the errors.
dotnet_logged() {
  local name=$1
  shift
  if dotnet "$@" >"$logs/$name.log" 2>&1; then
    return 0
  fi
  grep -E ': error ' "$logs/$name.log" | sed -E "s# \[[^]]*\]\$##; s#^$root/##" | sort -u | head -n 10 >&2 || true
  echo "($(grep -cE ': error ' "$logs/$name.log" || true) error lines in artifacts/logs/$name.log)" >&2
  return 1
}

# ---------------------------------------------------------------------------------------------------
# 1. The executable
sources_newer_than() {
  find src Directory.Build.props Directory.Packages.props VERSION global.json \
    \( -name bin -o -name obj -o -name node_modules \) -prune -o -type f -newer "$1" -print -quit
}
native_kind() {
  # A single-file bundle carries the .NET host, whose code names its extraction variable; AOT code does not.
  if grep -aq DOTNET_BUNDLE_EXTRACT_BASE_DIR "$1"; then
    echo "self-contained single-file (bundled .NET runtime, not Native AOT)"
  else
    echo "Native AOT"
  fi
}

if [ -n "${PGMEDIC_NATIVE_BINARY:-}" ]; then
  step "executable: $PGMEDIC_NATIVE_BINARY (PGMEDIC_NATIVE_BINARY)"
  [ -x "$PGMEDIC_NATIVE_BINARY" ] || { echo "package.sh: PGMEDIC_NATIVE_BINARY=$PGMEDIC_NATIVE_BINARY is not an executable" >&2; exit 1; }
  given_version=$("$PGMEDIC_NATIVE_BINARY" --version)
  [[ "$given_version" == "$version"* ]] || { echo "package.sh: $PGMEDIC_NATIVE_BINARY says version '$given_version', VERSION says '$version'" >&2; exit 1; }
  source_dir=$(cd "$(dirname "$PGMEDIC_NATIVE_BINARY")" && pwd)
  if [ "$source_dir/$(basename "$PGMEDIC_NATIVE_BINARY")" != "$native/pgmedic" ]; then
    rm -rf "$native" && mkdir -p "$native"
    cp "$PGMEDIC_NATIVE_BINARY" "$native/pgmedic"
    find "$source_dir" -maxdepth 1 -name '*.so' -exec cp {} "$native/" \;
  fi
elif [ -x "$native/pgmedic" ] && [ -z "$(sources_newer_than "$native/pgmedic")" ]; then
  step "executable: artifacts/native/pgmedic is newer than every source file, reused"
else
  step "executable: dotnet publish -p:PublishAot=true (linux-x64)"
  rm -rf "$native"
  if dotnet_logged publish-aot publish src/PgMedic.Cli -c Release -r linux-x64 -p:PublishAot=true -o "$native" -nologo; then
    echo "Native AOT build succeeded"
  else
    echo "package.sh: the Native AOT build failed ($(grep -cE ': error ' "$logs/publish-aot.log" || true) error lines, see artifacts/logs/publish-aot.log);"
    echo "package.sh: FALLING BACK to a self-contained single-file executable (bundled .NET runtime, not AOT)"
    rm -rf "$native"
    dotnet_logged publish-single-file publish src/PgMedic.Cli -c Release -r linux-x64 --self-contained \
      -p:PublishSingleFile=true -o "$native" -nologo
  fi
fi
kind=$(native_kind "$native/pgmedic")
reported=$("$native/pgmedic" --version)
if [[ "$reported" != "$version"* ]]; then
  echo "package.sh: artifacts/native/pgmedic says version '$reported', VERSION says '$version': rebuild it" >&2
  exit 1
fi
# What ships: the executable and the native libraries it loads from its own folder (symbols and pdbs stay).
payload=(pgmedic)
while IFS= read -r lib; do payload+=("$lib"); done < <(cd "$native" && find . -maxdepth 1 -name '*.so' -printf '%f\n' | sort)
echo "executable: $kind, $(du -h "$native/pgmedic" | cut -f1), shipped with: ${payload[*]}"

# ---------------------------------------------------------------------------------------------------
# 2. Package dependencies, from what the shipped files link and load
elf_files=()
for f in "${payload[@]}"; do elf_files+=("$native/$f"); done
declare -A packages=()
glibc=$(objdump -T "${elf_files[@]}" 2>/dev/null | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n 1)
ldconfig_cache=$(ldconfig -p)
for soname in $(objdump -p "${elf_files[@]}" | awk '/NEEDED/ { print $2 }' | sort -u); do
  case "$soname" in ld-linux*) continue ;; esac
  [ -e "$native/$soname" ] && continue
  # (awk reads to the end: an early exit would break the pipe, which pipefail and set -e turn into an abort)
  path=$(awk -v s="$soname" '$1 == s && /x86-64/ && !found { print $NF; found = 1 }' <<<"$ldconfig_cache")
  [ -n "$path" ] || { echo "package.sh: $soname (needed by the executable) is not on this system" >&2; exit 1; }
  package=""
  for candidate in "$path" "$(readlink -f "$path")" "${path#/usr}" "/usr$path"; do
    package=$(dpkg -S "$candidate" 2>/dev/null | awk -F: 'NR == 1 { print $1 }') && [ -n "$package" ] && break
  done
  [ -n "$package" ] || { echo "package.sh: no Debian package owns $path" >&2; exit 1; }
  packages[$package]=1
done
# Loaded with dlopen, so not in NEEDED: OpenSSL (TLS to PostgreSQL), zlib, and SQLite (the monitor's history)
# unless it is compiled into a shipped file.
if grep -aq 'libssl\.so\.3' "${elf_files[@]}"; then packages[libssl3]=1; fi
if grep -aq 'libz\.so\.1' "${elf_files[@]}"; then packages[zlib1g]=1; fi
if ! grep -aq 'SQLite format 3' "${elf_files[@]}"; then packages[libsqlite3-0]=1; fi
unset 'packages[libc6]'
depends="libc6 (>= $glibc)"
for package in $(printf '%s\n' "${!packages[@]}" | sort); do depends+=", $package"; done
echo "Depends: $depends"

# ---------------------------------------------------------------------------------------------------
# 3. The tarball and its checksum
step "tarball"
tar_name=pgmedic-$version-linux-x64
tarball=$out/$tar_name.tar.gz
mkdir -p "$work/tar/$tar_name"
for f in "${payload[@]}"; do install -m 0755 "$native/$f" "$work/tar/$tar_name/$f"; done
install -m 0644 README.md "$work/tar/$tar_name/README.md"
install -m 0644 docs/install.md "$work/tar/$tar_name/INSTALL.md"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" \
  -C "$work/tar" -cf - "$tar_name" | gzip -n -6 > "$tarball"
(cd "$out" && sha256sum "$tar_name.tar.gz" > "$tar_name.tar.gz.sha256")

# ---------------------------------------------------------------------------------------------------
# 4. The .deb
step "deb"
deb_root=$work/deb
deb=$out/pgmedic_${version}_amd64.deb
install -d -m 0755 "$deb_root/DEBIAN" "$deb_root/usr/bin" "$deb_root/etc/pgmedic" \
  "$deb_root/usr/lib/systemd/system" "$deb_root/usr/share/doc/pgmedic"
if [ "${#payload[@]}" -eq 1 ]; then
  install -m 0755 "$native/pgmedic" "$deb_root/usr/bin/pgmedic"
else
  # Native libraries are loaded from the executable's own (resolved) folder: keep them together.
  install -d -m 0755 "$deb_root/usr/lib/pgmedic"
  for f in "${payload[@]}"; do install -m 0755 "$native/$f" "$deb_root/usr/lib/pgmedic/$f"; done
  ln -s ../lib/pgmedic/pgmedic "$deb_root/usr/bin/pgmedic"
fi
install -m 0644 packaging/deb/pgmedic-serve.service "$deb_root/usr/lib/systemd/system/pgmedic-serve.service"
install -m 0640 packaging/deb/pgmedic.json "$deb_root/etc/pgmedic/pgmedic.json"
install -m 0644 README.md "$deb_root/usr/share/doc/pgmedic/README.md"
install -m 0644 docs/install.md "$deb_root/usr/share/doc/pgmedic/install.md"
install -m 0644 docs/commands/serve.md "$deb_root/usr/share/doc/pgmedic/serve.md"
install -m 0644 docs/alerts.md "$deb_root/usr/share/doc/pgmedic/alerts.md"
for script in postinst prerm postrm; do install -m 0755 "packaging/deb/$script" "$deb_root/DEBIAN/$script"; done
echo /etc/pgmedic/pgmedic.json > "$deb_root/DEBIAN/conffiles"
installed_size=$(du -sk --exclude=DEBIAN "$deb_root" | cut -f1)
cat > "$deb_root/DEBIAN/control" <<EOF
Package: pgmedic
Version: $version
Architecture: amd64
Maintainer: ${PGMEDIC_MAINTAINER:-PgMedic <pgmedic@localhost>}
Installed-Size: $installed_size
Depends: $depends
Recommends: ca-certificates
Section: database
Priority: optional
Description: find, fix and prevent PostgreSQL connection failures
 pgmedic turns the on-call runbook for PostgreSQL connection incidents into
 commands: probe (is the server accepting, refusing or full), diagnose, activity,
 heal and terminate behind guardrails, check for Nagios/Icinga, and serve, a
 monitor with history, alerts, /metrics and a dashboard.
 .
 The pgmedic-serve systemd unit runs the monitor as the pgmedic system user with
 its state in /var/lib/pgmedic; configure /etc/pgmedic/pgmedic.json, then
 systemctl enable --now pgmedic-serve.
EOF
(cd "$deb_root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\n' | sort | xargs md5sum) > "$deb_root/DEBIAN/md5sums"
find "$deb_root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
dpkg-deb --root-owner-group -Zxz --build "$deb_root" "$deb" >/dev/null

# ---------------------------------------------------------------------------------------------------
# 5. NuGet: the .NET tool and the Guard libraries
step "dotnet pack: the pgmedic .NET tool, PgMedic.Guard, PgMedic.Guard.AspNetCore"
rm -f "$nuget"/*.nupkg "$nuget"/*.snupkg
for project in src/PgMedic.Cli src/PgMedic.Guard src/PgMedic.Guard.AspNetCore; do
  dotnet_logged "pack-$(basename "$project")" pack "$project" -c Release -o "$nuget" -nologo -warnaserror
done

# ---------------------------------------------------------------------------------------------------
# 6. The sample API against the packed packages, outside the repository, with its own NuGet.config
step "samples/PgMedic.Sample.Api against the packed PgMedic.Guard packages"
sample=$work/sample
mkdir -p "$sample/samples" "$sample/packages"
cp -r samples/PgMedic.Sample.Api "$sample/samples/"
rm -rf "$sample/samples/PgMedic.Sample.Api/bin" "$sample/samples/PgMedic.Sample.Api/obj"
cp Directory.Build.props Directory.Packages.props global.json VERSION "$sample/"
cat > "$sample/NuGet.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <config>
    <!-- A fresh folder for the packages just packed (an older build of the same version must not be used);
         everything else comes from the machine's usual cache. -->
    <add key="globalPackagesFolder" value="$sample/packages" />
  </config>
  <fallbackPackageFolders>
    <add key="machine" value="${NUGET_PACKAGES:-$HOME/.nuget/packages}" />
  </fallbackPackageFolders>
  <packageSources>
    <clear />
    <add key="artifacts" value="$nuget" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
</configuration>
EOF
dotnet_logged sample-from-packages build "$sample/samples/PgMedic.Sample.Api" -c Release -nologo -warnaserror -p:PgMedicFromPackages=true
for id in pgmedic.guard pgmedic.guard.aspnetcore; do
  [ -d "$sample/packages/$id/$version" ] || { echo "package.sh: the sample did not restore $id $version from artifacts/nuget" >&2; exit 1; }
done

# ---------------------------------------------------------------------------------------------------
step "done"
size() { du -h "$1" | cut -f1; }
cat <<EOF
version $version, executable: $kind
  artifacts/native/pgmedic                        $(size "$native/pgmedic")
  artifacts/$(basename "$deb")        $(size "$deb")   Depends: $depends
  artifacts/$tar_name.tar.gz   $(size "$tarball")   sha256 $(cut -d' ' -f1 "$tarball.sha256")
$(for p in "$nuget"/*.nupkg; do printf '  artifacts/nuget/%-36s %s\n' "$(basename "$p")" "$(size "$p")"; done)
  the sample API built against the PgMedic.Guard packages
package.sh took $((SECONDS - started)) s
EOF
