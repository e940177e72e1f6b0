#!/usr/bin/env bash
# The seed scenario on a real node: the same as ./e2e.sh --node.
exec "$(dirname "$0")/e2e.sh" --node "$@"
