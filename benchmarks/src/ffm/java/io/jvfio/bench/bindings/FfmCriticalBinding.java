package io.jvfio.bench.bindings;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * {@link FfmBinding} with critical downcalls ({@code Linker.Option.critical}, Java 22+): the thread
 * stays in Java state, with no transition to native and back and no safepoint poll on return. The
 * JDK allows it for calls that neither block nor call back into Java; a fault loop's non-blocking
 * read, write and map are such calls. Measured to know what a cheaper crossing would give the
 * single-record fault loop, which pays two transitions per fault under JNI.
 */
public class FfmCriticalBinding extends BindingBenchmark {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option CRITICAL = Linker.Option.critical(false);
    private static final MethodHandle NOOP = LINKER.downcallHandle(
            SymbolLookup.libraryLookup(ShimFile.path(), Arena.global()).find("jvfio_noop").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT), CRITICAL);
    private static final MethodHandle READ = libc("read");
    private static final MethodHandle WRITE = libc("write");

    private static MethodHandle libc(String name) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(),
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG), CRITICAL);
    }

    @Override
    protected int noop(int value) {
        try {
            return (int) NOOP.invokeExact(value);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    protected long read(int fd, long address, long length) {
        try {
            return (long) READ.invokeExact(fd, address, length);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    protected long write(int fd, long address, long length) {
        try {
            return (long) WRITE.invokeExact(fd, address, length);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
