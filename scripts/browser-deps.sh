#!/bin/sh
# What the browser tests need: Debian's chromium, Node.js with npm, and
# playwright-core, axe-core and an OpenAPI validator (pinned in
# tests/browser/package-lock.json) from npm.
set -e
cd "$(dirname "$0")/.."
scripts/install-deps.sh browser chromium
command -v npm > /dev/null || scripts/install-deps.sh browser nodejs npm
if [ ! -f tests/browser/node_modules/playwright-core/package.json ] ||
	[ ! -f tests/browser/node_modules/@seriousme/openapi-schema-validator/package.json ] ||
	[ ! -f tests/browser/node_modules/axe-core/package.json ] ||
	[ ! -f tests/browser/node_modules/ajv/package.json ]; then
	echo "pm25: installing the test packages from npm" >&2
	(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error > /dev/null)
fi
