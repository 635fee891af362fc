#!/bin/sh
# The runtime image's whole file tree, made in the Containerfile's build
# stage: scripts/image-root.sh ROOT BINARY. ROOT gets
# - BINARY as /usr/bin/pm25;
# - every shared library it needs: ldd of the binary and of each soname
#   that `pm25 version --libs` says is loaded on first use, found with
#   ldconfig, copied under its soname at the path the loader searches;
# - the CA bundle, the zoneinfo of Asia/Bangkok, UTC and each timezone
#   named in deployments.yaml;
# - /etc/passwd and /etc/group with the user pm25 (65532), its home
#   /var/lib/pm25 (the volume) and an empty /tmp (a tmpfs when run);
# - the bundled data that pm25 server --seed /usr/share/pm25 loads: the
#   history export, and of each recorded feed its last snapshot (every
#   station's name and place, in a seventieth of the bytes).
# Binary and libraries are stripped of what the loader does not need.
# Nothing else: no shell, no package manager. Run from the source tree.
set -eu
root=$1
bin=$2
mkdir -p "$root/usr/bin" "$root/etc/ssl/certs" "$root/usr/share/zoneinfo" \
	"$root/var/lib/pm25" "$root/tmp" "$root/usr/share/pm25/data/air4thai"
install -m 755 "$bin" "$root/usr/bin/pm25"
strip --strip-unneeded "$root/usr/bin/pm25"

# a library path for each soname that ldd lists (and the loader itself)
libs() {
	ldd "$1" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\/.*ld-linux/ { print $1 }'
}
list=$(mktemp)
libs "$bin" > "$list"
for so in $("$bin" version --libs); do
	path=$(ldconfig -p | awk -v so="$so" '$1 == so { print $NF; exit }')
	[ -n "$path" ] || { echo "image-root: $so not found by ldconfig" >&2; exit 1; }
	echo "$path" >> "$list"
	libs "$path" >> "$list"
done
sort -u "$list" | while read -r lib; do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
	strip --strip-unneeded "$root$lib"
done
rm -f "$list"
# /lib64 and /lib are symlinks on Debian 12 (merged /usr): keep them so
mkdir -p "$root/usr/lib64"
for d in lib lib64; do
	if [ -d "$root/$d" ] && [ ! -L "$root/$d" ]; then
		cp -a "$root/$d/." "$root/usr/$d/"
		rm -rf "${root:?}/$d"
	fi
	ln -s "usr/$d" "$root/$d"
done

cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
zones=$(sed -n 's/.*timezone: *\([A-Za-z_/+-]*\).*/\1/p' deployments.yaml | sort -u)
for z in Asia/Bangkok UTC Etc/UTC $zones; do
	mkdir -p "$root/usr/share/zoneinfo/$(dirname "$z")"
	cp -L "/usr/share/zoneinfo/$z" "$root/usr/share/zoneinfo/$z"
done

printf 'root:x:0:0:root:/root:/nonexistent\npm25:x:65532:65532:pm25:/var/lib/pm25:/nonexistent\n' > "$root/etc/passwd"
printf 'root:x:0:\npm25:x:65532:\n' > "$root/etc/group"
chown 65532:65532 "$root/var/lib/pm25"
chmod 1777 "$root/tmp"

cp -r data/history "$root/usr/share/pm25/data/"
for f in data/air4thai/*_flattened_*.csv; do
	# rows start with their timestamp; the newest hour's rows are kept
	last=$(tail -n 1 "$f" | cut -c1-19)
	awk -v d="$last" 'NR == 1 || substr($0, 1, 19) == d' "$f" \
		> "$root/usr/share/pm25/data/air4thai/$(basename "$f")"
done
cp data/README.md "$root/usr/share/pm25/data/"
cp deployments.yaml "$root/usr/share/pm25/"
