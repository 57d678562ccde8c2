package io.jvfio.bench.bindings;

import java.lang.foreign.Linker;

/**
 * {@link FfmBinding} with critical downcalls ({@code Linker.Option.critical}, Java 22+): the thread
 * stays in Java state, with no transition to native and back and no safepoint poll on return. The
 * JDK allows it for calls that neither block nor call back into Java; a fault loop's non-blocking
 * read, write and map are such calls. Measured to know what a cheaper crossing would give the
 * single-record fault loop, which pays one or two transitions per fault under JNI.
 */
public class FfmCriticalBinding extends FfmBinding {
    private static final FfmCalls CALLS = FfmCalls.link(Linker.Option.critical(false));

    @Override
    protected FfmCalls calls() {
        return CALLS;
    }
}
