#!/bin/sh
# Install the Debian packages named after the first argument (a label)
# when any is missing. Runs apt-get only as root and only when needed.
label=$1
shift
missing=
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "pm25: missing $label packages:$missing (run as root, or install them)" >&2
	exit 1
fi
echo "pm25: installing $label packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q $missing >/dev/null 2>&1 ||
	{ apt-get update -q >/dev/null 2>&1 && apt-get install -y -q $missing >/dev/null; } ||
	{ echo "pm25: apt-get install failed:$missing" >&2; exit 1; }
