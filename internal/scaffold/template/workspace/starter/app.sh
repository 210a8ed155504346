#!/bin/sh
# A tiny app: says who it runs as, then waits to be stopped.
trap 'echo "bye"; exit 0' TERM INT
echo "hello from uid $(id -u)"
while :; do sleep 1 & wait $!; done
