#!/usr/bin/env bash
# Makes sure the programs the integration tests drive are installed: docker-registry (CNCF
# distribution), skopeo (the second opinion), htpasswd and openssl (registry auth fixtures),
# tmux (a real terminal for the in-place progress test), nginx, haproxy and apache2 (real front
# proxies, as most self-hosted registries, OpenShift's quay and many corporate registries run
# behind), squid (a real corporate forward proxy), podman and containerd's ctr (clients pulling through `regmirror serve`) and chromium
# (renders its stats page). With program names as arguments it checks only those (the demo needs
# docker-registry, skopeo, htpasswd and openssl alone).
set -euo pipefail

declare -A package_of=([docker-registry]=docker-registry [skopeo]=skopeo [htpasswd]=apache2-utils [openssl]=openssl [tmux]=tmux [nginx]=nginx [haproxy]=haproxy [apache2]=apache2 [squid]=squid [podman]=podman [ctr]=containerd [chromium]=chromium)
wanted=("$@")
[ ${#wanted[@]} -eq 0 ] && wanted=(docker-registry skopeo htpasswd openssl tmux nginx haproxy apache2 squid podman ctr chromium)
missing=()
# nginx, haproxy, apache2 and squid live in /usr/sbin, which a user's PATH often lacks.
installed() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }
for program in "${wanted[@]}"; do
  installed "$program" || missing+=("$program")
done
[ ${#missing[@]} -eq 0 ] && exit 0

packages=()
for program in "${missing[@]}"; do packages+=("${package_of[$program]}"); done
apt_command="apt-get install -y ${packages[*]}"

if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-deps: missing ${missing[*]}; install them with: sudo apt-get update && sudo $apt_command" >&2
  exit 1
fi

echo "ensure-deps: installing ${packages[*]}" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null

# Debian's docker-registry package starts a system service on :5000; tests start their own
# registries on random ports, so stop it whether the host runs systemd or SysV init (or neither).
if [[ " ${packages[*]} " == *" docker-registry "* ]]; then
  systemctl disable --now docker-registry >/dev/null 2>&1 || true
  service docker-registry stop >/dev/null 2>&1 || true
fi
# So do nginx's and apache2's (on :80, apache2's with its cache cleaner), haproxy's and squid's
# (on :3128); tests start their own with a config file of their own.
for service in nginx haproxy apache2 apache-htcacheclean squid; do
  if [[ " ${packages[*]} " == *" ${service/apache-htcacheclean/apache2} "* ]]; then
    systemctl disable --now "$service" >/dev/null 2>&1 || true
    service "$service" stop >/dev/null 2>&1 || true
  fi
done

for program in "${missing[@]}"; do
  installed "$program" || { echo "ensure-deps: $program still missing after apt-get install" >&2; exit 1; }
done
