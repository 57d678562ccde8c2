/* Waiting on descriptors and waking the waiter: epoll, poll on one fd, and eventfd (the kernel
 * signals device interrupts into one; the fault-service loop is told to stop through another). Its
 * own file because these are about readiness, not about the bytes an fd carries (unix_fd.c).
 * Natives of io.jvfio.internal.UnixNative. */
#include "jvfio.h"

#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

static jint eventfd_create(JNIEnv *env, jclass cls, jint initval, jint flags)
{
    return (jint)jvfio_result(eventfd((unsigned int)initval, flags | EFD_CLOEXEC));
}

/* Returns the counter (>= 1), or -EAGAIN when it is zero on a non-blocking eventfd. The counter holds
 * up to 2^64 - 2, and above INT64_MAX it would come back negative, read as an errno: then INT64_MAX is
 * returned and the rest written back for the next read (lost only if other writers filled the counter
 * in between, when the write-back would block). */
static jlong eventfd_read_fd(JNIEnv *env, jclass cls, jint fd)
{
    uint64_t value;
    jlong n = jvfio_result(JVFIO_RETRY(read(fd, &value, sizeof(value))));

    if (n != sizeof(value))
        return n < 0 ? n : -EIO; /* a short read sets no errno */
    if (value > INT64_MAX) {
        uint64_t rest = value - INT64_MAX;

        (void)JVFIO_RETRY(write(fd, &rest, sizeof(rest)));
        value = INT64_MAX;
    }
    return (jlong)value;
}

static jint eventfd_write_fd(JNIEnv *env, jclass cls, jint fd, jlong value)
{
    uint64_t v = (uint64_t)value;
    jlong n = jvfio_result(JVFIO_RETRY(write(fd, &v, sizeof(v))));

    if (n != sizeof(v))
        return n < 0 ? (jint)n : -EIO; /* a short write sets no errno */
    return 0;
}

/* Milliseconds since `start` on the monotonic clock. */
static int64_t ms_since(const struct timespec *start)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)(now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
}

/* poll() on one descriptor; returns the revents (0 on time-out; a negative timeout waits for ever).
 * A signal does not end the wait early: poll is never restarted, even under SA_RESTART, and a
 * profiler's or JFR's sampling signal would otherwise turn the wait into a time-out while the
 * device's interrupt was still to come. The wait goes on for what is left of the timeout. */
static jint poll_fd(JNIEnv *env, jclass cls, jint fd, jint events, jint timeout_ms)
{
    struct pollfd p = { .fd = fd, .events = (short)events };
    struct timespec start;
    int left = timeout_ms;
    int r;

    clock_gettime(CLOCK_MONOTONIC, &start);
    while ((r = poll(&p, 1, left)) < 0 && errno == EINTR) {
        if (timeout_ms > 0) {
            int64_t waited = ms_since(&start);

            if (waited >= timeout_ms)
                return 0;
            left = (int)(timeout_ms - waited);
        }
    }
    if (r < 0)
        return JVFIO_ERR();
    return r == 0 ? 0 : p.revents;
}

static jint epoll_create_fd(JNIEnv *env, jclass cls)
{
    return (jint)jvfio_result(epoll_create1(EPOLL_CLOEXEC));
}

/* Adds fd with the given events; the event's data is the fd itself. */
static jint epoll_add(JNIEnv *env, jclass cls, jint epfd, jint fd, jint events)
{
    struct epoll_event ev = { .events = (uint32_t)events, .data.fd = fd };

    return (jint)jvfio_result(epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev));
}

static jint epoll_remove(JNIEnv *env, jclass cls, jint epfd, jint fd)
{
    return (jint)jvfio_result(epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL));
}

/* Waits for up to `max` events, storing (fd, events) int pairs at `address`; returns the count,
 * 0 on time-out, -EINTR when a signal interrupted the wait (the caller loops). */
static jint epoll_wait_fd(JNIEnv *env, jclass cls, jint epfd, jlong address, jint max,
                          jint timeout_ms)
{
    struct epoll_event events[64];
    int32_t *out = JVFIO_ADDR(address);
    int n, i;

    if (max > (jint)JVFIO_ARRAY_SIZE(events))
        max = JVFIO_ARRAY_SIZE(events);
    n = epoll_wait(epfd, events, max, timeout_ms);
    if (n < 0)
        return JVFIO_ERR();
    for (i = 0; i < n; i++) {
        out[2 * i] = events[i].data.fd;
        out[2 * i + 1] = (int32_t)events[i].events;
    }
    return n;
}

static const JNINativeMethod methods[] = {
    { "eventfd", "(II)I", (void *)eventfd_create },
    { "eventfdRead", "(I)J", (void *)eventfd_read_fd },
    { "eventfdWrite", "(IJ)I", (void *)eventfd_write_fd },
    { "poll", "(III)I", (void *)poll_fd },
    { "epollCreate", "()I", (void *)epoll_create_fd },
    { "epollAdd", "(III)I", (void *)epoll_add },
    { "epollRemove", "(II)I", (void *)epoll_remove },
    { "epollWait", "(IJII)I", (void *)epoll_wait_fd },
};

int jvfio_register_unix_epoll(JNIEnv *env)
{
    return jvfio_register(env, "io/jvfio/internal/UnixNative", methods, JVFIO_ARRAY_SIZE(methods));
}
