/* A signal sent to one thread while it waits in a system call, as a profiler's or JFR's sampler
 * sends one: for tests that the shim's waits are not cut short by it. The signal has a handler that
 * does nothing and no SA_RESTART, so a wait it lands in fails with EINTR. Natives of
 * io.jvfio.testing.ThreadSignalsNative. */
#include "testing.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

/* A real-time signal HotSpot does not use (glibc keeps those below SIGRTMIN for itself). */
#define TEST_SIGNAL (SIGRTMIN + 3)

static volatile sig_atomic_t handled;

static void on_signal(int sig) { handled++; }

struct later {
    pthread_t target;
    int delay_ms;
};

static void *send_later(void *arg)
{
    struct later *l = arg;

    usleep((useconds_t)l->delay_ms * 1000);
    pthread_kill(l->target, TEST_SIGNAL);
    free(l);
    return NULL;
}

/* Sends the test signal to the calling thread `delay_ms` from now, from a thread of its own.
 * Returns 0 or -errno. */
static jint signal_me_after(JNIEnv *env, jclass cls, jint delay_ms)
{
    struct sigaction sa = { .sa_handler = on_signal };
    struct later *l;
    pthread_t t;
    int rc;

    sigemptyset(&sa.sa_mask);
    if (sigaction(TEST_SIGNAL, &sa, NULL))
        return JVFIO_ERR();
    l = malloc(sizeof(*l));
    if (!l)
        return -ENOMEM;
    l->target = pthread_self();
    l->delay_ms = delay_ms;
    rc = pthread_create(&t, NULL, send_later, l);
    if (rc) {
        free(l);
        return -rc;
    }
    pthread_detach(t);
    return 0;
}

/* How many test signals the handler has run for so far. */
static jint signals_handled(JNIEnv *env, jclass cls) { return (jint)handled; }

static const JNINativeMethod methods[] = {
    { "signalMeAfter", "(I)I", (void *)signal_me_after },
    { "signalsHandled", "()I", (void *)signals_handled },
};

int jvfio_register_thread_signals(JNIEnv *env)
{
    return jvfio_register(env, "io/jvfio/testing/ThreadSignalsNative", methods, JVFIO_ARRAY_SIZE(methods));
}
