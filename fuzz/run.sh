#!/usr/bin/env bash
# Builds the libFuzzer targets (part of the "asan" preset: clang, ASan + UBSan, so CI builds them
# once with the sanitizer tests) and runs each one for a bounded time, from a fresh corpus seeded
# with a few valid inputs.
#
#   fuzz/run.sh [seconds-per-target]     (default 60)
#
# Exits non-zero if any target crashes, leaks, times out or breaks a round-trip check; the
# reproducer is kept under build/asan/fuzz-artifacts/<target>/ (replay: <binary> <file>).
set -euo pipefail

seconds="${1:-60}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "usage: $0 [seconds-per-target]" >&2
  exit 2
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
cmake --preset asan >/dev/null
mapfile -t fuzz_targets < <(sed -n 's/^ *keywarden_fuzz_target(\([a-z_]*_fuzz\) .*/\1/p' fuzz/CMakeLists.txt)
cmake --build --preset asan -j2 --target "${fuzz_targets[@]}"

bin_dir="$root/build/asan/fuzz"
work="$(mktemp -d "${TMPDIR:-/tmp}/keywarden-fuzz.XXXXXX")"
trap 'rm -rf "$work"' EXIT

b64() { head -c "$1" /dev/urandom | base64 -w0; }

# A handful of valid inputs of every format the targets read; libFuzzer mutates from there.
seed_corpus() {
  local dir="$1" n=0
  mkdir -p "$dir"
  add() { printf '%s' "$1" > "$dir/seed-$n"; n=$((n + 1)); }
  add "2.$(b64 16)|$(b64 32)|$(b64 32)"
  add "2.$(b64 16)|$(b64 80)|$(b64 32)"
  add "0.$(b64 16)|$(b64 48)"
  add "$(b64 16)|$(b64 16)"
  add "4.$(b64 256)"
  add "3.$(b64 256)"
  add "6.$(b64 256)|$(b64 32)"
  add "pbkdf2:600000"
  add "argon2id:6,32,4"
  add "pbkdf2"
  add "argon2id"
  add "$(b64 64)"
  { printf '\x02'; head -c 80 /dev/urandom; } > "$dir/seed-binary-2"
  { printf '\x00'; head -c 32 /dev/urandom; } > "$dir/seed-binary-0"
  # key_body_fuzz: a selector byte (the Content-Type), then a /user-keys JSON body.
  printf '\x00{"key":"%s"}' "$(b64 32)" > "$dir/seed-key-body-0"
  printf '\x01{"Key":"%s"}' "$(b64 64)" > "$dir/seed-key-body-1"
  # cipher_body_fuzz: a selector byte (cipher, create, share, folder), then a vault body.
  local e1="2.$(b64 16)|$(b64 32)|$(b64 32)" e2="2.$(b64 16)|$(b64 48)|$(b64 32)"
  local guid="8c1a42e6-1b3c-4a5e-9f00-0123456789ab" date="2025-01-31T12:00:00.000Z"
  printf '\x00{"type":1,"name":"%s","favorite":true,"login":{"username":"%s","password":"%s","uris":[{"uri":"%s","match":0}]},"fields":[{"type":1,"name":"%s","value":"%s"}],"passwordHistory":[{"password":"%s","lastUsedDate":"%s"}]}' \
    "$e1" "$e2" "$e1" "$e2" "$e1" "$e2" "$e1" "$date" > "$dir/seed-cipher-login"
  printf '\x00{"type":2,"name":"%s","notes":"%s","secureNote":{"type":0},"lastKnownRevisionDate":"%s"}' \
    "$e1" "$e2" "$date" > "$dir/seed-cipher-note"
  printf '\x00{"type":3,"name":"%s","card":{"number":"%s","code":"%s"},"folderId":"%s"}' \
    "$e1" "$e2" "$e1" "$guid" > "$dir/seed-cipher-card"
  printf '\x00{"type":5,"name":"%s","sshKey":{"privateKey":"%s"},"key":"%s"}' "$e1" "$e2" "$e1" > "$dir/seed-cipher-ssh"
  printf '\x01{"cipher":{"type":4,"name":"%s","organizationId":"%s","identity":{"ssn":"%s"}},"collectionIds":["%s"]}' \
    "$e1" "$guid" "$e2" "$guid" > "$dir/seed-cipher-create"
  printf '\x02{"cipher":{"type":1,"name":"%s","organizationId":"%s","login":{"fido2Credentials":[{"credentialId":"%s","keyType":"%s","keyAlgorithm":"%s","keyCurve":"%s","keyValue":"%s","rpId":"%s","counter":"%s","discoverable":"%s","creationDate":"%s"}]}},"collectionIds":["%s"]}' \
    "$e1" "$guid" "$e2" "$e1" "$e2" "$e1" "$e2" "$e1" "$e2" "$e1" "$date" "$guid" > "$dir/seed-cipher-share"
  printf '\x03{"name":"%s"}' "$e1" > "$dir/seed-folder"
  # token_form_fuzz: a mode byte (even: a raw form body; odd: NUL-separated name/value pairs to
  # encode and read back), then what the official CLI sends for each grant.
  local device="deviceType=8&deviceIdentifier=$guid&deviceName=linux"
  printf '\x00grant_type=password&username=alice%%40example.com&password=%s&scope=api%%20offline_access&client_id=cli&%s&twoFactorToken=123456&twoFactorProvider=0&twoFactorRemember=1' \
    "$(b64 32 | sed 's/+/%2B/g; s/\//%2F/g; s/=/%3D/g')" "$device" > "$dir/seed-form-password"
  printf '\x00grant_type=client_credentials&client_id=user.%s&client_secret=%s&scope=api&%s' \
    "$guid" "$(head -c 30 /dev/urandom | base64 -w0 | tr -dc 'A-Za-z0-9')" "$device" > "$dir/seed-form-api-key"
  printf '\x00grant_type=refresh_token&client_id=cli&refresh_token=%s' \
    "$(b64 32 | tr '+/' '-_' | tr -d '=')" > "$dir/seed-form-refresh"
  printf '\x01\x01grant_type\0password\0Username\0 Alice@Example.com \0twoFactorToken\0ABCD-efgh 1234\0device_identifier\0%s' \
    "$guid" > "$dir/seed-form-pairs"
  # registration_body_fuzz: a selector byte (mod 3: 0 a register/finish body, 1 a KDF, 2 a new
  # master password as recovery and update-temp-password send it), then JSON.
  local spki hash
  spki="$(openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 2>/dev/null | openssl pkey -pubout -outform DER | base64 -w0)"
  hash="$(b64 32)"
  printf '\x00{"email":"bob@example.com","name":"Bob","masterPasswordHint":null,"masterPasswordAuthentication":{"salt":"bob@example.com","kdf":{"kdfType":1,"iterations":3,"memory":64,"parallelism":4},"masterPasswordAuthenticationHash":"%s"},"masterPasswordUnlock":{"salt":"bob@example.com","kdf":{"kdfType":1,"iterations":3,"memory":64,"parallelism":4},"masterKeyWrappedUserKey":"%s"},"userAsymmetricKeys":{"publicKey":"%s","encryptedPrivateKey":"%s"},"emailVerificationToken":"x"}' \
    "$hash" "$e1" "$spki" "$e2" > "$dir/seed-register-2026"
  printf '\x00{"email":" Carol@Example.com","masterPasswordHash":"%s","key":"%s","kdf":0,"kdfIterations":600000,"keys":{"publicKey":"%s","encryptedPrivateKey":"%s"}}' \
    "$hash" "$e1" "$spki" "$e2" > "$dir/seed-register-legacy"
  printf '\x00{"email":"dan@example.com","masterPasswordHash":"%s","userSymmetricKey":"%s","kdf":1,"kdfIterations":2,"kdfMemory":16,"kdfParallelism":1,"accountKeys":{"accountPublicKey":"%s","userKeyEncryptedAccountPrivateKey":"%s"}}' \
    "$hash" "$e1" "$spki" "$e2" > "$dir/seed-register-account-keys"
  printf '\x02{"resetMasterPassword":true,"resetTwoFactor":false,"newMasterPasswordHash":"%s","key":"%s"}' \
    "$hash" "$e1" > "$dir/seed-new-password-legacy"
  printf '\x02{"authenticationData":{"kdf":{"kdfType":0,"iterations":100000},"masterPasswordAuthenticationHash":"%s","salt":"member@example.com"},"unlockData":{"kdf":{"kdfType":0,"iterations":100000},"masterKeyWrappedUserKey":"%s","salt":"member@example.com"}}' \
    "$hash" "$e1" > "$dir/seed-new-password-2026"
  # account_key_body_fuzz: a selector byte (even: set-key-connector-key, odd: a key pair), then JSON.
  printf '\x00{"key":"%s","keys":{"publicKey":"%s","encryptedPrivateKey":"%s"},"kdf":0,"kdfIterations":600000,"orgIdentifier":"Acme"}' \
    "$e1" "$spki" "$e2" > "$dir/seed-key-connector-older"
  printf '\x02{"keyConnectorKeyWrappedUserKey":"%s","accountKeys":{"accountPublicKey":"%s","userKeyEncryptedAccountPrivateKey":"%s"},"orgIdentifier":"acme"}' \
    "$e1" "$spki" "$e2" > "$dir/seed-key-connector-2026"
  printf '\x01{"keys":{"publicKey":"%s","encryptedPrivateKey":"%s"}}' "$spki" "$e2" > "$dir/seed-key-pair"
  # device_body_fuzz: a selector byte (keys, update-trust, untrust), then JSON.
  local rsa_ct="4.$(b64 256)"
  printf '\x00{"encryptedUserKey":"%s","encryptedPublicKey":"%s","encryptedPrivateKey":"%s"}' \
    "$rsa_ct" "$e1" "$e2" > "$dir/seed-device-keys"
  printf '\x01{"masterPasswordHash":"%s","currentDevice":{"encryptedPublicKey":"%s","encryptedUserKey":"%s"},"otherDevices":[{"deviceId":"%s","encryptedPublicKey":"%s","encryptedUserKey":"%s"}]}' \
    "$hash" "$e1" "$rsa_ct" "$guid" "$e2" "$rsa_ct" > "$dir/seed-device-update-trust"
  printf '\x02{"devices":["%s","%s"]}' "$guid" "$(echo "$guid" | tr 'a-f' 'A-F')" > "$dir/seed-device-untrust"
  # rotation_body_fuzz: a selector byte (even: rotate-user-account-keys, odd: rotate-user-keys), then JSON.
  local unlock_lists
  unlock_lists="$(printf '"emergencyAccessUnlockData":[],"passkeyUnlockData":[],"organizationAccountRecoveryUnlockData":[{"organizationId":"%s","resetPasswordKey":"%s"}],"deviceKeyUnlockData":[{"deviceId":"%s","encryptedPublicKey":"%s","encryptedUserKey":"%s"}]' \
    "$guid" "$rsa_ct" "$guid" "$e1" "$rsa_ct")"
  local account_data
  account_data="$(printf '"accountData":{"ciphers":[{"id":"%s","type":1,"name":"%s","login":{"username":"%s"}}],"folders":[{"id":"%s","name":"%s"}],"sends":[]}' \
    "$guid" "$e1" "$e2" "$guid" "$e2")"
  printf '\x00{"oldMasterKeyAuthenticationHash":"%s","accountUnlockData":{"masterPasswordUnlockData":{"kdfType":1,"kdfIterations":3,"kdfMemory":64,"kdfParallelism":4,"email":"bob@example.com","masterKeyAuthenticationHash":"%s","masterKeyEncryptedUserKey":"%s","masterPasswordHint":null,"masterPasswordSalt":"bob@example.com"},%s},"accountKeys":{"userKeyEncryptedAccountPrivateKey":"%s","accountPublicKey":"%s","publicKeyEncryptionKeyPair":null,"signatureKeyPair":null,"securityState":null},%s}' \
    "$hash" "$hash" "$e1" "$unlock_lists" "$e2" "$spki" "$account_data" > "$dir/seed-rotation-password-change"
  printf '\x01{"wrappedAccountCryptographicState":{"publicKeyEncryptionKeyPair":{"wrappedPrivateKey":"%s","publicKey":"%s"},"signatureKeyPair":null,"securityState":null},"unlockData":{%s},%s,"unlockMethodData":{"unlockMethod":1,"masterPasswordUnlockData":{"kdf":{"kdfType":0,"iterations":600000},"masterKeyWrappedUserKey":"%s","salt":"bob@example.com"}}}' \
    "$e2" "$spki" "$unlock_lists" "$account_data" "$e1" > "$dir/seed-rotation-master-password"
  printf '\x01{"wrappedAccountCryptographicState":{"publicKeyEncryptionKeyPair":{"wrappedPrivateKey":"%s","publicKey":"%s"}},"unlockData":{%s},%s,"unlockMethodData":{"unlockMethod":2,"keyConnectorKeyWrappedUserKey":"%s"}}' \
    "$e2" "$spki" "$unlock_lists" "$account_data" "$e1" > "$dir/seed-rotation-key-connector"
  # event_parsers_fuzz: a selector byte (token, position bytes, query, date, collect body).
  printf '\x00000001a21353f93b0f8fad5bd9cb469fa16570867728950e' > "$dir/seed-event-token"
  { printf '\x01'; head -c 24 /dev/urandom; } > "$dir/seed-event-position"
  printf '\x02start=2026-10-26T00:00:00.000Z&end=2026-11-25T23:59:59.999Z&continuationToken=000001a21353f93b0f8fad5bd9cb469fa16570867728950e' \
    > "$dir/seed-event-query"
  printf '\x03%s' "$date" > "$dir/seed-event-date"
  printf '\x04[{"type":1107,"cipherId":"%s","date":"%s","organizationId":"%s"},{"type":1007,"date":"%s"}]' \
    "$guid" "$date" "$guid" "$date" > "$dir/seed-event-collect"
  printf '\x01{"kdfType":0,"iterations":600000}' > "$dir/seed-kdf-pbkdf2"
  printf '\x01{"KdfType":1,"Iterations":3,"Memory":64,"Parallelism":4}' > "$dir/seed-kdf-argon2"
  printf '\x00\x00{"manageUsers":true,"accessEventLogs":false}' > "$dir/seed-permissions"
  printf '\x01\x01{"policy":{"enabled":true,"data":{"minLength":14,"requireUpper":true}},"metadata":{}}' \
    > "$dir/seed-policy-master-password"
  printf '\x01\x08{"enabled":true,"data":{"autoEnrollEnabled":true}}' > "$dir/seed-policy-recovery"
  printf '\x02\x00{"minLength":12}\n{"minComplexity":3,"enforceOnLogin":true}' > "$dir/seed-policy-combined"
  printf '\x03\x00{"enabled":true,"identifier":"Acme","data":{"configType":1,"memberDecryptionType":1,"keyConnectorUrl":"https://kc.example.com","authority":"https://idp.example.com/realms/acme","clientId":"kw","clientSecret":"s","metadataAddress":null,"redirectBehavior":1,"getClaimsFromUserInfoEndpoint":true,"additionalScopes":"groups","additionalUserIdClaimTypes":"oid","additionalEmailClaimTypes":"upn, mail","additionalNameClaimTypes":null,"acrValues":null,"expectedReturnAcrValue":null}}' \
    > "$dir/seed-sso-config"
  # hub_protocol_fuzz: a byte (bit 0: JSON, the rest: where the input is cut), then a handshake
  # and hub messages as the SignalR clients send them.
  { printf '\x00{"protocol":"messagepack","version":1}\x1e\x02\x91\x06\x03\x92\x07\xc0'; } > "$dir/seed-hub-messagepack"
  { printf '\x21{"protocol":"json","version":1}\x1e{"type":6}\x1e{"type":1,"invocationId":"1","target":"X","arguments":[]}\x1e'; } \
    > "$dir/seed-hub-json"
  printf '\x01{"UserId":"%s","Id":"%s","RevisionDate":"%s"}' "$guid" "$guid" "$date" > "$dir/seed-hub-payload"
}

mapfile -t targets < <(find "$bin_dir" -maxdepth 1 -type f -name '*_fuzz' -perm -u+x | sort)
if [ "${#targets[@]}" -eq 0 ]; then
  echo "no fuzz targets found in $bin_dir" >&2
  exit 1
fi

failed=()
for target in "${targets[@]}"; do
  name="$(basename "$target")"
  corpus="$work/$name"
  artifacts="$root/build/asan/fuzz-artifacts/$name"
  seed_corpus "$corpus"
  mkdir -p "$artifacts"
  args=(-max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1
        -artifact_prefix="$artifacts/")
  dict="$root/fuzz/dictionary/${name%_fuzz}.dict"
  [ -f "$dict" ] && args+=(-dict="$dict")

  echo "== $name: ${seconds}s"
  if "$target" "${args[@]}" "$corpus" > "$work/$name.log" 2>&1; then
    grep -E '^(Done|stat::number_of_executed_units|stat::new_units_added)' "$work/$name.log" || true
  else
    failed+=("$name")
    tail -n 60 "$work/$name.log"
    echo "!! $name failed; reproducer(s) in $artifacts" >&2
  fi
done

if [ "${#failed[@]}" -ne 0 ]; then
  echo "fuzzing FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "fuzzing passed: ${#targets[@]} target(s), ${seconds}s each"
