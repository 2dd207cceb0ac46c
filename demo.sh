#!/usr/bin/env bash
# Quick start: installs missing Debian packages, builds pushgate, then shows it at work on a real
# bare repository: a clean push lands, a push that brings an AWS key is refused.
set -euo pipefail
cd "$(dirname "$0")"
src=$(pwd)
install/debian-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target pushgate
pushgate="$src/build/pushgate"

demo=$(mktemp -d "${TMPDIR:-/tmp}/pushgate-demo-XXXXXX")
export HOME="$demo/home" GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME"
git config --global user.name "Demo User"
git config --global user.email demo@example.com
git config --global init.defaultBranch main
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "A bare repository with pushgate installed as its pre-receive and update hooks"
git init -q --bare "$demo/server.git"
cat >"$demo/server.git/pushgate.yaml" <<'YAML'
version: 1
policies:
  protected_refs:
    - pattern: refs/heads/main
  forbidden_paths: ["*.tfstate", "**/*.pem", ".env"]
YAML
"$pushgate" install --bare "$demo/server.git"
"$pushgate" config check "$demo/server.git/pushgate.yaml"

git clone -q "$demo/server.git" "$demo/work" 2>/dev/null
cd "$demo/work"

say "A clean push lands"
mkdir -p deploy
printf 'replicas: 2\nimage: registry.example.com/app:1.4.2\n' >deploy/app.yaml
git add deploy/app.yaml
git commit -q -m "deploy app 1.4.2"
git push origin main

say "A push that brings an AWS key is refused"
printf 'aws:\n  access_key_id: AKIAQX7T2LMPZ4KD9WRB\n  secret_access_key: q8Jd2kLx0Vn5Rt7Yb3Hc9Wf1Zp6Ms4Ge8Ua2NoPi\n' >deploy/creds.yaml
git add deploy/creds.yaml
git commit -q -m "add credentials"
if git push origin main; then
  echo "demo: the push with a secret was accepted; that is a bug" >&2
  exit 1
fi

say "The server still has only the clean commit"
git -C "$demo/server.git" log --oneline main
echo
echo "demo files are in $demo"
