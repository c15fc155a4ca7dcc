#!/bin/sh
# Creates the namespace txtc-bridge runs in once the server answers, then registers the search attributes
# listed in TEMPORAL_SEARCH_ATTRIBUTES ("Name=Type Name=Type"; existing ones are left alone).
set -eu
ADDRESS=${TEMPORAL_ADDRESS:-temporal:7233}
NAMESPACE=${TEMPORAL_NAMESPACE:-default}
tries=0
until temporal operator cluster health --address "$ADDRESS"; do
  tries=$((tries + 1))
  [ "$tries" -ge 60 ] && { echo "Temporal at $ADDRESS is not healthy"; exit 1; }
  sleep 2
done
temporal operator namespace describe --address "$ADDRESS" -n "$NAMESPACE" >/dev/null 2>&1 ||
  temporal operator namespace create --address "$ADDRESS" -n "$NAMESPACE" --retention 30d
for attribute in ${TEMPORAL_SEARCH_ATTRIBUTES:-}; do
  name=${attribute%%=*}
  type=${attribute#*=}
  temporal operator search-attribute create --address "$ADDRESS" -n "$NAMESPACE" --name "$name" --type "$type" ||
    echo "search attribute $name exists"
done
echo "namespace $NAMESPACE ready"
