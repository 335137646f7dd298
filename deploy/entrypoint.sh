#!/bin/sh
# The image's entrypoint: `registry "$@"`, with secrets read from files.
#
# For every REGISTRY_<NAME>_FILE in the environment, REGISTRY_<NAME> is set to the file's
# contents (compose and Kubernetes mount secrets as files, so no secret is an environment
# literal of the deployment). REGISTRY_MASTER_KEY_FILE is left alone: the service reads that
# file itself and the key never enters the environment. Setting both REGISTRY_<NAME> and its
# _FILE is refused, as is a file that cannot be read.
set -eu
for name in $(env | sed -n 's/^\(REGISTRY_[A-Z0-9_]*\)_FILE=.*/\1/p'); do
    [ "$name" = REGISTRY_MASTER_KEY ] && continue
    file=$(printenv "${name}_FILE")
    if [ -n "$(printenv "$name" || true)" ]; then
        echo "registry-entrypoint: set $name or ${name}_FILE, not both" >&2
        exit 64
    fi
    if [ ! -r "$file" ]; then
        echo "registry-entrypoint: ${name}_FILE names $file, which cannot be read" >&2
        exit 66
    fi
    value=$(cat "$file")
    export "$name=$value"
    unset "${name}_FILE"
done
exec registry "$@"
