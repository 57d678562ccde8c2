# jvfio in a container: QEMU (TCG), the guests of both kernel lanes (Linux 6.12 and 7.2), a JRE and the
# jvfio distribution, able to run `jvfio demo` and the guest integration suite without VFIO hardware
# or KVM. JVFIO_KERNEL picks the lane a run boots: 6.12 (the default) or 7.2.
#
#   export CONTAINERS_CONF=$PWD/scripts/container/containers.conf   # only where podman says "error setting rlimit"
#   mkdir -p ~/.cache/jvfio ~/.m2                                     # podman refuses a volume that is not there
#   podman build --network=host -v "$HOME/.cache/jvfio:/root/.cache/jvfio" -v "$HOME/.m2:/root/.m2" -t local/jvfio .
#   (behind a TLS-inspecting proxy, add -v /etc/ssl/certs/java/cacerts:/run/jvfio/cacerts:ro, the host
#   Java's trust store, so that the build's Maven trusts the proxy's CA)
#   podman run --rm local/jvfio                              # the guest integration suite on Linux 6.12
#   podman run --rm -e JVFIO_KERNEL=7.2 local/jvfio          # the same suite on Linux 7.2
#   podman run --rm local/jvfio jvfio demo                   # the demo (add -e JVFIO_KERNEL=7.2 for 7.2)
#
# BASE is a Debian 12 image: debian:bookworm from a registry, or one imported from debootstrap where
# none is reachable (scripts/container/container-test.sh makes local/bookworm and passes
# --build-arg BASE=local/bookworm). The two volumes are optional caches: with them, the guest kernels
# (about 10 minutes each to build) and Maven's downloads come from the host.
ARG BASE=debian:bookworm

FROM ${BASE} AS build
# Labelled, so that container-test.sh can prune the layers it leaves and no other image of the user's.
LABEL io.jvfio.stage=build
# linux-source-6.12 comes from bookworm-security, linux-source-7.2 from trixie-backports, with the
# source and the pin scripts/lib.sh installs on a host: nothing else is taken from trixie.
COPY scripts/apt/trixie-backports.sources /etc/apt/sources.list.d/jvfio-trixie-backports.sources
COPY scripts/apt/trixie-backports.pref /etc/apt/preferences.d/jvfio-trixie-backports
RUN printf 'deb http://deb.debian.org/debian bookworm main\ndeb http://deb.debian.org/debian bookworm-updates main\ndeb http://deb.debian.org/debian-security bookworm-security main\n' \
        >/etc/apt/sources.list \
    && apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        openjdk-17-jdk-headless maven gcc make libc6-dev busybox-static linux-source-6.12 linux-source-7.2 \
        bc bison flex libelf-dev libssl-dev cpio xz-utils rsync ca-certificates >/dev/null
WORKDIR /src
COPY . .
# Each lane's guest kernel and the one initramfs both lanes boot (cache hits when the host's
# ~/.cache/jvfio is mounted), then the project with everything the guest suite needs on its class path.
# On a fresh machine this is the first Maven run, downloading everything: mvn_retrying runs it again
# when a download failed (scripts/lib.sh says which failures .mvn/maven.config's HTTP retries miss).
# A trust store mounted at /run/jvfio/cacerts (container-test.sh mounts the host Java's) is Maven's:
# behind a TLS-inspecting proxy the image's CA list lacks the proxy's CA.
RUN if [ -s /run/jvfio/cacerts ]; then export MAVEN_OPTS="-Djavax.net.ssl.trustStore=/run/jvfio/cacerts"; fi \
    && mkdir -p /opt/jvfio/guest/6.12 /opt/jvfio/guest/7.2 /opt/jvfio/lib \
    && cp "$(JVFIO_KERNEL=6.12 scripts/guest/build-guest-kernel.sh)" /opt/jvfio/guest/6.12/bzImage \
    && cp "$(JVFIO_KERNEL=7.2 scripts/guest/build-guest-kernel.sh)" /opt/jvfio/guest/7.2/bzImage \
    && cp "$(scripts/guest/make-initramfs.sh)" /opt/jvfio/guest/initramfs.cpio.gz \
    && bash -c '. scripts/lib.sh && mvn_retrying -B -q -pl java,testing,cli,integration-tests package \
        dependency:copy-dependencies -DskipTests -Djvfio.guest.skip=true -DincludeScope=test \
        -DoutputDirectory=/opt/jvfio/lib' \
    && cp cli/target/jvfio.jar /opt/jvfio/jvfio.jar \
    && cp -r integration-tests/target/test-classes /opt/jvfio/test-classes \
    && cp -r scripts /opt/jvfio/scripts \
    && ls /opt/jvfio/lib/jvfio-0.1.0-SNAPSHOT.jar /opt/jvfio/lib/jvfio-testing-0.1.0-SNAPSHOT.jar \
        /opt/jvfio/lib/jvfio-cli-0.1.0-SNAPSHOT.jar >/dev/null

FROM ${BASE}
LABEL io.jvfio.stage=image
# QEMU 10.0 from bookworm-backports, as the scripts install it on a Debian 12 host (README, "Which QEMU").
RUN printf 'deb http://deb.debian.org/debian bookworm main\ndeb http://deb.debian.org/debian bookworm-updates main\ndeb http://deb.debian.org/debian-security bookworm-security main\ndeb http://deb.debian.org/debian bookworm-backports main\n' \
        >/etc/apt/sources.list \
    && apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -t bookworm-backports qemu-system-x86 \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /usr/share/doc /usr/share/man
COPY --from=build /opt/jvfio /opt/jvfio
RUN ln -s /opt/jvfio/scripts/jvfio /usr/local/bin/jvfio
# scripts/guest/guest-exec.sh boots JVFIO_GUEST_DIR/LANE/bzImage for the lane JVFIO_KERNEL names;
# JVFIO_GUEST_KERNEL, if set, overrides it with any other image.
ENV JVFIO_HOME=/opt/jvfio \
    JVFIO_JAR=/opt/jvfio/jvfio.jar \
    JVFIO_GUEST_DIR=/opt/jvfio/guest \
    JVFIO_KERNEL=6.12
WORKDIR /opt/jvfio
CMD ["/opt/jvfio/scripts/container/run-guest-tests.sh"]
