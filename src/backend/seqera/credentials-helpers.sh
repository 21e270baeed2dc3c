say() { printf 'credentials.sh: %s\n' "$*" >&2; }

# tw prints "Tower CLI version 0.33.0 (build abc1234)"; older ones print no External ID.
check_tw() {
  local version have min i
  if ! command -v tw >/dev/null 2>&1; then
    say "tw not found: install tw $tw_min or later (https://github.com/seqeralabs/tower-cli/releases)"
    exit 1
  fi
  version="$(tw --version 2>&1 || true)"
  if [[ ! $version =~ ([0-9]+)\.([0-9]+)\.([0-9]+) ]]; then
    say "cannot read tw's version from: $version"
    exit 1
  fi
  have=("${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" "${BASH_REMATCH[3]}")
  IFS=. read -r -a min <<<"$tw_min"
  for i in 0 1 2; do
    if ((10#${have[i]} > 10#${min[i]})); then return; fi
    if ((10#${have[i]} < 10#${min[i]})); then
      say "tw ${have[0]}.${have[1]}.${have[2]} is too old: install tw $tw_min or later"
      exit 1
    fi
  done
}

check_platform() {
  if [[ -z ${TOWER_ACCESS_TOKEN:-} ]]; then
    say "TOWER_ACCESS_TOKEN is not set: create an access token in Platform (Your tokens) and export it"
    exit 1
  fi
  if [[ -z ${TOWER_API_ENDPOINT:-} ]]; then
    say "TOWER_API_ENDPOINT is not set, so tw uses Seqera Cloud (https://api.cloud.seqera.io); for Seqera Enterprise, export TOWER_API_ENDPOINT=https://<your Platform host>/api"
  fi
}

# An External ID as AWS takes it: 2 to 1224 of [A-Za-z0-9_+=,.@:/-]. The ID files are
# written with it unescaped, so nothing else may pass.
valid_id() {
  [[ $1 =~ ^[A-Za-z0-9_+=,.@:/-]+$ ]] && ((${#1} >= 2 && ${#1} <= 1224))
}

# Prints the ID recorded for credential $2 of workspace $1 ("-" for none); fails if
# there is no record of it.
recorded() {
  local workspace name id
  [[ -f $record ]] || return 1
  while read -r workspace name id _; do
    if [[ $workspace == "$1" && $name == "$2" ]]; then
      printf '%s\n' "$id"
      return 0
    fi
  done <"$record"
  return 1
}

remember() {
  if [[ ! -f $record ]]; then
    printf '%s\n' "# Seqera Platform credentials created by credentials.sh: workspace, name, External ID." \
      "# A rerun skips each one listed here. rolegraph never writes or deletes this file." >"$record"
  fi
  printf '%s %s %s\n' "$1" "$2" "$3" >>"$record"
}

# Creates credential $2 in workspace $1 for role $3, unless it is recorded, and sets
# external_id. tw's JSON is matched with a pattern rather than read with a JSON tool:
# "externalId" with plain quotes cannot occur inside a string value, where JSON escapes
# every quote (setupSnippet holds a policy).
add_credential() {
  local workspace=$1 name=$2 role=$3 out
  local pattern='"externalId"[[:space:]]*:[[:space:]]*"([^"\]*)"'
  if external_id="$(recorded "$workspace" "$name")"; then
    if [[ -n $role_mode ]] && ! valid_id "$external_id"; then
      say "$workspace $name: $record holds '$external_id', which is not an External ID"
      failed=1
      return
    fi
    say "$workspace $name: recorded in $record, not created again"
    return
  fi
  external_id=
  if [[ -z $role_mode ]]; then
    if ! tw credentials add aws -n "$name" -w "$workspace" -r "$role" >/dev/null; then
      say "$workspace $name: tw could not create it (above); if it exists already, add the line \"$workspace $name -\" to $record and run this again"
      failed=1
      return
    fi
    remember "$workspace" "$name" -
    say "$workspace $name: created"
    return
  fi
  if ! out="$(tw -o json credentials add aws -n "$name" -w "$workspace" -r "$role" --mode role)"; then
    say "$workspace $name: tw could not create it (above). If it exists already, add the line \"$workspace $name <its External ID>\" to $record (copy the ID from the credential in Platform) and run this again; tw's --overwrite would delete it and make one with a new External ID"
    failed=1
    return
  fi
  if [[ ! $out =~ $pattern ]]; then
    say "$workspace $name: created, but Platform returned no External ID (it needs Enterprise 26.1 or later, with instance credentials off): delete the credential, fix that, and run this again"
    failed=1
    return
  fi
  external_id=${BASH_REMATCH[1]}
  if ! valid_id "$external_id"; then
    say "$workspace $name: created, but its External ID '$external_id' is not one AWS takes"
    failed=1
    return
  fi
  remember "$workspace" "$name" "$external_id"
  say "$workspace $name: created; its External ID is recorded in $record"
}

stop_if_failed() {
  if [[ -n $failed ]]; then
    say "no ID file written: fix the credentials above and run this again"
    exit 1
  fi
}

# Writes standard input to $1 through a temporary file beside it, so that a failure
# leaves the previous version whole.
write_file() {
  local tmp
  tmp="$(mktemp "$1.XXXXXX")"
  cat >"$tmp"
  mv -f "$tmp" "$1"
  say "wrote $1"
}
