package io.jvfio.bench.bindings;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * The JDK's Foreign Function and Memory API (Java 22+): downcall handles in static finals, so the
 * JIT treats them as constants; addresses passed as longs, like the other bindings.
 */
public class FfmBinding extends BindingBenchmark {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle NOOP = LINKER.downcallHandle(
            SymbolLookup.libraryLookup(ShimFile.path(), Arena.global()).find("jvfio_noop").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle READ = libc("read");
    private static final MethodHandle WRITE = libc("write");

    private static MethodHandle libc(String name) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(),
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));
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
