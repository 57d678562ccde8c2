package io.jvfio.testing;

/** Natives of native/testing/thread_signal.c; {@link ThreadSignals} is their public face. Natives only (JNI_OnLoad registers them). */
final class ThreadSignalsNative {
    private ThreadSignalsNative() {}

    static native int signalMeAfter(int delayMillis);

    static native int signalsHandled();
}
