#!/bin/sh
# Started as root (the image's default), give the data and key folders to the service's user,
# which a bind mount from the host may not have done, then run the command as that user.
# Started as another user (docker run --user), run the command as it is.
set -eu
if [ "$(id -u)" = 0 ]; then
  for dir in /srv/var /srv/keys; do
    if [ "$(stat -c %u "$dir")" != 10001 ]; then
      chown -R xqb:xqb "$dir"
    fi
  done
  chmod 700 /srv/keys
  exec setpriv --reuid=xqb --regid=xqb --init-groups -- "$@"
fi
exec "$@"
