#!/usr/bin/env bash
# Write the secret files compose.yaml mounts (deploy/secrets/, never committed): the replica
# set's keyfile, the MongoDB passwords, the registry's connection string, master key and
# metrics token. Refuses to overwrite: the master key must never change under existing data.
#
#   deploy/make-secrets.sh [DIR]     DIR defaults to deploy/secrets
set -euo pipefail
dir="${1:-$(dirname "${BASH_SOURCE[0]}")/secrets}"
if [ -e "$dir/master_key" ]; then
    echo "$dir/master_key exists: not overwriting any secret" >&2
    exit 1
fi
mkdir -p "$dir"
chmod 0700 "$dir"
umask 077
random() { python3 -c "import base64, secrets; print(base64.b64encode(secrets.token_bytes($1)).decode())"; }
random 756 | tr -d '\n' >"$dir/mongo_keyfile"
random 24 | tr '+/' '-_' >"$dir/mongo_admin_password"
random 24 | tr '+/' '-_' >"$dir/mongo_registry_password"
random 32 >"$dir/master_key"
random 32 | tr '+/' '-_' >"$dir/metrics_token"
options="replicaSet=rs0&authSource=admin&w=majority&journal=true&retryWrites=true&retryReads=true&readPreference=primary&readConcernLevel=majority&maxPoolSize=50&serverSelectionTimeoutMS=5000"
printf 'mongodb://registry:%s@mongo1:27017,mongo2:27017,mongo3:27017/?%s\n' \
    "$(cat "$dir/mongo_registry_password")" "$options" >"$dir/mongodb_uri"
# The registry runs as uid 10001 and reads its three; the mongo containers read theirs as root.
chmod 0400 "$dir"/*
if [ "$(id -u)" = 0 ]; then
    chown 10001:10001 "$dir/mongodb_uri" "$dir/master_key" "$dir/metrics_token"
else
    echo "not root: chown 10001 $dir/{mongodb_uri,master_key,metrics_token} before starting" >&2
fi
echo "wrote $dir; back up master_key apart from the database (docs/operations.md)"
