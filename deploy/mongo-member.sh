#!/bin/sh
# One replica-set member: mongod refuses a keyfile readable by others or owned by another user,
# and a compose secret keeps the host file's owner and mode; so copy it first (as root), then
# start mongod through the image's entrypoint, which drops to the mongodb user.
set -eu
install -m 0400 -o mongodb -g mongodb /run/secrets/mongo_keyfile /tmp/keyfile
exec docker-entrypoint.sh mongod "$@"
