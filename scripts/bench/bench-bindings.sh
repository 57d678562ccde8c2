#!/usr/bin/env bash
# The binding benchmarks: the same three operations through jvfio's JNI shim, JNA (direct mapping),
# jnr-ffi and the FFM API (plain and critical downcalls), measured with JMH on the host. Builds the
# benchmarks with Temurin 25 (so the FFM source set is included; the library itself stays Java 17
# bytecode), runs them and prints a Markdown table, also written to target/bench/bindings.md. Extra
# arguments go to JMH.
#   scripts/bench.sh bindings [JMH ARGS...]
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
cd "$JVFIO_ROOT"

jdk=${JVFIO_BENCH_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}
[ -x "$jdk/bin/java" ] || die "no JDK at $jdk: set JVFIO_BENCH_JDK to a JDK 22+ (the FFM benchmarks need it)"
ensure_kernel_source "$JVFIO_UAPI_KERNEL"
ensure_packages make gcc
log "building the benchmarks with $jdk"
# Maven's own Guava uses sun.misc.Unsafe, which JDK 24+ warns about on every build.
JAVA_HOME=$jdk MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" \
    mvn_retrying -B -q package -pl java,testing,benchmarks -DskipTests >&2
out="$JVFIO_ROOT/target/bench"
mkdir -p "$out"
log "running JMH (about 4 minutes)"
run_logged "JMH" "$jdk/bin/java" -jar benchmarks/target/benchmarks.jar \
    -jvmArgsAppend --enable-native-access=ALL-UNNAMED -rf csv -rff "$out/bindings.csv" "$@" \
    'io.jvfio.bench.bindings' || die "the binding benchmarks failed"
cpu=$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)
machine="Measured $(date -u +%Y-%m-%d) on $cpu, $(nproc) cores, $("$jdk/bin/java" -version 2>&1 | head -n 1); JMH average time, 2 forks x 5 iterations of 1 s, error = 99.9% interval."
"$jdk/bin/java" scripts/bench/BindingsTable.java "$out/bindings.csv" "$machine" | tee "$out/bindings.md"
