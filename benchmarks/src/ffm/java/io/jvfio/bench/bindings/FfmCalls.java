package io.jvfio.bench.bindings;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * The three downcalls of the FFM bindings, linked with the given options. A binding keeps its
 * instance in a static final: record components are trusted finals, so the JIT still sees each
 * handle as a constant. Addresses pass as longs, as in the other bindings.
 */
record FfmCalls(MethodHandle noop, MethodHandle read, MethodHandle write) {
    private static final Linker LINKER = Linker.nativeLinker();

    static FfmCalls link(Linker.Option... options) {
        MethodHandle noop = LINKER.downcallHandle(
                SymbolLookup.libraryLookup(ShimFile.path(), Arena.global()).find("jvfio_noop").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT), options);
        return new FfmCalls(noop, libc("read", options), libc("write", options));
    }

    private static MethodHandle libc(String name, Linker.Option... options) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(),
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG), options);
    }

    int callNoop(int value) {
        try {
            return (int) noop.invokeExact(value);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    long callRead(int fd, long address, long length) {
        return io(read, fd, address, length);
    }

    long callWrite(int fd, long address, long length) {
        return io(write, fd, address, length);
    }

    private static long io(MethodHandle call, int fd, long address, long length) {
        try {
            return (long) call.invokeExact(fd, address, length);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
