package io.jvfio.bench;

/**
 * One C run, then one Java run on the same fault source, each after a garbage collection
 * ({@link JvmActivity#settled}), with what the JVM did during each. The warm-up rounds and the
 * measured rounds are both made of these, so the measured ones run no code the warm-up did not.
 */
record PairedRun<R>(R c, JvmActivity cActivity, R java, JvmActivity javaActivity) {
    /** One timed run of a loop. */
    interface Run<R> {
        R run() throws Exception;
    }

    static <R> PairedRun<R> of(Run<R> c, Run<R> java) throws Exception {
        JvmActivity beforeC = JvmActivity.settled();
        R cRun = c.run();
        JvmActivity cActivity = JvmActivity.now().since(beforeC);
        JvmActivity beforeJava = JvmActivity.settled();
        R javaRun = java.run();
        return new PairedRun<>(cRun, cActivity, javaRun, JvmActivity.now().since(beforeJava));
    }
}
