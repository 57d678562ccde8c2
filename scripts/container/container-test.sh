#!/usr/bin/env bash
# QEMU in a container, for real: installs podman (Debian's), points it at the committed
# scripts/container/containers.conf, builds the Debian base image (debootstrap + podman import) and
# the project image when they are missing (the project image is tagged with a hash of the files git
# does not ignore), starts podman's Docker-compatible API service on a private socket, runs COMMAND with
# DOCKER_HOST pointing at it, and stops the service by its PID. Where no engine can run, COMMAND runs
# anyway and the container tests skip, saying why; under CI=true that is a failure instead.
#   scripts/container/container-test.sh [COMMAND ARGS...]   (default: only the Testcontainers test)
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
cd "$JVFIO_ROOT"
export CONTAINERS_CONF="$JVFIO_ROOT/scripts/container/containers.conf"
[ $# -gt 0 ] || set -- mvn -B verify -pl java,testing,cli,integration-tests -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
    -Djvfio.guest.skip=true

# The Debian root file system the base image is made of, under the cache's lock: two runs sharing
# the cache would otherwise debootstrap into one directory at once.
bootstrap_rootfs() {
    local rootfs=$1
    [ -f "$rootfs/.jvfio-complete" ] && return 0
    log "debootstrapping a Debian 12 base image (about a minute)"
    rm -rf "$rootfs" "$rootfs.tmp"
    mkdir -p "$(dirname "$rootfs")"
    run_logged "debootstrap" debootstrap --variant=minbase bookworm "$rootfs.tmp" http://deb.debian.org/debian \
        || return 1
    touch "$rootfs.tmp/.jvfio-complete" && mv "$rootfs.tmp" "$rootfs"
}

base_image() {
    podman image exists local/bookworm && return 0
    local rootfs="$JVFIO_CACHE/images/bookworm-rootfs" start=$SECONDS
    # || return 1: called under `elif !`, where set -e does not stop a failed step.
    with_lock bookworm-rootfs bootstrap_rootfs "$rootfs" || return 1
    tar -C "$rootfs" --exclude=./.jvfio-complete -c . | podman import - local/bookworm >/dev/null || return 1
    log "base image local/bookworm ready in $((SECONDS - start)) s"
}

# A hash of the files `COPY . .` puts in the image that git knows of: the tracked files and the
# untracked ones git does not ignore, as they are on disk (.dockerignore leaves out what .gitignore
# does). Fails (rather than hashing nothing) when git cannot list them: no .git, or a checkout git
# refuses as another user's.
tree_key() {
    local list f files=()
    list=$(mktemp) || return 1
    if ! git ls-files -z -co --exclude-standard --deduplicate >"$list"; then
        rm -f "$list"
        return 1
    fi
    # A tracked file deleted from the disk is not copied either.
    while IFS= read -r -d '' f; do
        if [ -f "$f" ]; then files+=("$f"); fi
    done <"$list"
    rm -f "$list"
    [ ${#files[@]} -gt 0 ] || return 1
    printf '%s\0' "${files[@]}" | xargs -0 sha256sum | sha256sum | cut -c1-12
}

project_image() {
    local key start=$SECONDS
    key=$(tree_key) || { log "git cannot list the checkout's files in $JVFIO_ROOT"; return 1; }
    if ! podman image exists "local/jvfio:$key"; then
        log "building the project image local/jvfio:$key (the guest kernel and Maven downloads come from the host caches)"
        mkdir -p "$JVFIO_CACHE" "$HOME/.m2"
        # Maven in the build trusts what the host's Java trusts: behind a TLS-inspecting proxy, the
        # image's own CA list lacks the proxy's CA and every download fails with "PKIX path building".
        local trust=() cacerts
        cacerts=$(readlink -f "$(path_java_home)/lib/security/cacerts" || true)
        if [ -s "$cacerts" ]; then trust=(-v "$cacerts:/run/jvfio/cacerts:ro"); fi
        run_logged "image build" podman build --network=host --build-arg BASE=local/bookworm \
            -v "$JVFIO_CACHE:/root/.cache/jvfio" -v "$HOME/.m2:/root/.m2" ${trust[@]+"${trust[@]}"} \
            -t "local/jvfio:$key" . || return 1
        log "project image built in $((SECONDS - start)) s ($(podman image inspect --format '{{.Size}}' "local/jvfio:$key" | numfmt --to=si)B)"
    fi
    # The tests use this checkout's image by its key (JVFIO_CONTAINER_IMAGE); "latest" is for people
    # and for their own tests (README), and another checkout's run may move it meanwhile.
    project_image_name="local/jvfio:$key"
    podman tag "local/jvfio:$key" local/jvfio:latest || return 1
    # Older project images and the build stage's image are not used again; keep the disk. Only
    # jvfio's (the user's own dangling images are not this script's to prune), and only those made
    # over two hours ago: another checkout's run on this machine may still be using a newer one.
    podman images --filter until=2h --format '{{.Repository}}:{{.Tag}}' | grep '^localhost/local/jvfio:' \
        | grep -v -e ":$key\$" -e ':latest$' | xargs -r podman rmi >/dev/null 2>&1 || true
    # Housekeeping, not a condition of the test: a build stopped half-way (a cancelled run) leaves
    # buildah's working container on its stage image, and the prune refuses that image.
    podman image prune -f --filter label=io.jvfio.stage >/dev/null 2>&1 \
        || log "warning: the build stage's image is still in use (an interrupted build's container?); not pruned"
}

reason=
if ! (ensure_packages podman runc conmon netavark aardvark-dns iptables debootstrap); then
    reason="podman could not be installed"
elif ! podman info >/dev/null 2>&1; then
    reason="podman does not run here: $(podman info 2>&1 | tail -n 1)"
elif ! base_image; then
    reason="the Debian base image could not be built"
elif ! project_image; then
    reason="the project image could not be built"
fi
if [ -n "$reason" ]; then
    # CI must run the container test: a skip there would hide a broken image or engine.
    [ "${CI:-}" = true ] && die "CI=true and the container test cannot run: $reason"
    log "container tests will be skipped: $reason"
    exec "$@"
fi

sock="$JVFIO_CACHE/podman-$$.sock"
service_log=$(mktemp "${TMPDIR:-/tmp}/jvfio-podman-service.XXXXXX.log")
rm -f "$sock"
podman system service --time=0 "unix://$sock" >"$service_log" 2>&1 &
service=$!
# The service's log only matters when something failed: keep it then, drop it otherwise.
stop_service() {
    local status=$?
    kill "$service" 2>/dev/null
    wait "$service" 2>/dev/null
    rm -f "$sock"
    if [ "$status" -eq 0 ]; then
        rm -f "$service_log"
    else
        log "podman API service log kept in $service_log"
    fi
}
trap stop_service EXIT
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || die "podman's API service did not start"
log "podman API service $service on $sock"
# Ryuk's image cannot be pulled here; this machine looks like a container to Testcontainers.
export DOCKER_HOST="unix://$sock" TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=localhost
export JVFIO_CONTAINER_IMAGE=$project_image_name
set +e
"$@"
status=$?
set -e
exit "$status"
