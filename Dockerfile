# jvfio in a container: QEMU (TCG), the Linux 6.12 guest, a JRE and the jvfio distribution, able to
# run `jvfio demo` and the guest integration suite without VFIO hardware or KVM.
#
#   podman build --network=host -v "$HOME/.cache/jvfio:/root/.cache/jvfio" -v "$HOME/.m2:/root/.m2" -t local/jvfio .
#   podman run --rm local/jvfio                 # the guest integration suite
#   podman run --rm local/jvfio jvfio demo      # the demo
#
# BASE is a Debian 12 image: debian:bookworm where a registry is reachable, or one imported from
# debootstrap (scripts/container/container-test.sh makes local/bookworm). The two volumes are optional caches:
# with them, the guest kernel (about 10 minutes to build) and Maven's downloads come from the host.
ARG BASE=local/bookworm

FROM ${BASE} AS build
# linux-source-6.12 comes from bookworm-security.
RUN printf 'deb http://deb.debian.org/debian bookworm main\ndeb http://deb.debian.org/debian bookworm-updates main\ndeb http://deb.debian.org/debian-security bookworm-security main\n' \
        >/etc/apt/sources.list \
    && apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        openjdk-17-jdk-headless maven gcc make libc6-dev busybox-static linux-source-6.12 \
        bc bison flex libelf-dev libssl-dev cpio xz-utils ca-certificates >/dev/null
WORKDIR /src
COPY . .
# The guest kernel and initramfs (cache hits when the host's ~/.cache/jvfio is mounted), then the
# project with everything the guest suite needs on its class path.
RUN mkdir -p /opt/jvfio/guest /opt/jvfio/lib \
    && cp "$(scripts/guest/build-guest-kernel.sh)" /opt/jvfio/guest/bzImage \
    && cp "$(scripts/guest/make-initramfs.sh)" /opt/jvfio/guest/initramfs.cpio.gz \
    && mvn -B -q -pl java,testing,cli,integration-tests package dependency:copy-dependencies \
        -DskipTests -Djvfio.guest.skip=true -DincludeScope=test -DoutputDirectory=/opt/jvfio/lib \
    && cp cli/target/jvfio.jar /opt/jvfio/jvfio.jar \
    && cp -r integration-tests/target/test-classes /opt/jvfio/test-classes \
    && cp -r scripts /opt/jvfio/scripts \
    && ls /opt/jvfio/lib/jvfio-0.1.0-SNAPSHOT.jar /opt/jvfio/lib/jvfio-testing-0.1.0-SNAPSHOT.jar \
        /opt/jvfio/lib/jvfio-cli-0.1.0-SNAPSHOT.jar >/dev/null

FROM ${BASE}
# QEMU 10.0 from bookworm-backports, as the scripts install it on a Debian 12 host (README, "Which QEMU").
RUN printf 'deb http://deb.debian.org/debian bookworm main\ndeb http://deb.debian.org/debian bookworm-backports main\n' \
        >/etc/apt/sources.list \
    && apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -t bookworm-backports qemu-system-x86 \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /usr/share/doc /usr/share/man
COPY --from=build /opt/jvfio /opt/jvfio
RUN ln -s /opt/jvfio/scripts/jvfio /usr/local/bin/jvfio
ENV JVFIO_HOME=/opt/jvfio \
    JVFIO_JAR=/opt/jvfio/jvfio.jar \
    JVFIO_GUEST_KERNEL=/opt/jvfio/guest/bzImage \
    JVFIO_GUEST_INITRAMFS=/opt/jvfio/guest/initramfs.cpio.gz
WORKDIR /opt/jvfio
CMD ["/opt/jvfio/scripts/container/run-guest-tests.sh"]
