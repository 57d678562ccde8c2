/* The C reference fault-serving loop that the IOPF benchmark runs beside the Java loop on the same
 * fault source. Natives of io.jvfio.testing.FaultReferenceLoopNative. */
#define _GNU_SOURCE
#include "testing.h"

#include <linux/iommufd.h>
#include <sys/epoll.h>
#include <unistd.h>

/* The reference loop: the same algorithm as io.jvfio.fault.FaultServiceLoop (epoll on the fault fd
 * and a stop eventfd, read a batch, answer SUCCESS once per group, one write per batch) with no
 * policy. Stops after `max_groups` groups or when stop_fd is signalled. For each batch it stores the
 * read-to-answer latency in ns and the group count as two longs at `samples` (up to `max_samples`).
 * Returns the number of groups answered, or -errno. */
static jlong reference_loop(JNIEnv *env, jclass cls, jint fault_fd, jint stop_fd, jint batch,
                            jlong max_groups, jlong samples, jint max_samples)
{
    struct iommu_hwpt_pgfault faults[256];
    struct iommu_hwpt_page_response responses[256];
    struct epoll_event ev[2];
    int64_t *out = JVFIO_ADDR(samples);
    jlong answered = 0;
    int nsamples = 0, ep, stop = 0;

    if (batch < 1 || batch > 256)
        return -EINVAL;
    ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0)
        return -errno;
    ev[0] = (struct epoll_event){ .events = EPOLLIN, .data.fd = fault_fd };
    ev[1] = (struct epoll_event){ .events = EPOLLIN, .data.fd = stop_fd };
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fault_fd, &ev[0]) || epoll_ctl(ep, EPOLL_CTL_ADD, stop_fd, &ev[1])) {
        int e = errno;
        close(ep);
        return -e;
    }
    while (answered < max_groups && !stop) {
        int n = epoll_wait(ep, ev, 2, -1), i;

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break;
        for (i = 0; i < n; i++)
            if (ev[i].data.fd == stop_fd)
                stop = 1;
        for (;;) {
            ssize_t got = read(fault_fd, faults, sizeof(faults[0]) * (size_t)batch);
            int64_t t0 = jvfio_now_ns();
            size_t nrec, r, nresp = 0;
            ssize_t written = 0, total;

            if (got <= 0)
                break;
            nrec = (size_t)got / sizeof(faults[0]);
            for (r = 0; r < nrec; r++) {
                if (r + 1 < nrec && faults[r + 1].cookie == faults[r].cookie &&
                    !(faults[r].flags & IOMMU_PGFAULT_FLAGS_LAST_PAGE))
                    continue;
                responses[nresp].cookie = faults[r].cookie;
                responses[nresp].code = IOMMUFD_PAGE_RESP_SUCCESS;
                nresp++;
            }
            total = (ssize_t)(nresp * sizeof(responses[0]));
            while (written < total) {
                ssize_t w = write(fault_fd, (char *)responses + written, (size_t)(total - written));
                if (w < 0)
                    break;
                written += w;
            }
            answered += (jlong)nresp;
            if (nsamples < max_samples) {
                out[2 * nsamples] = jvfio_now_ns() - t0;
                out[2 * nsamples + 1] = (int64_t)nresp;
                nsamples++;
            }
        }
    }
    close(ep);
    return answered;
}


static const JNINativeMethod methods[] = {
    { "serve", "(IIIJJI)J", (void *)reference_loop },
};

int jvfio_register_fault_reference_loop(JNIEnv *env)
{
    return jvfio_register(env, "io/jvfio/testing/FaultReferenceLoopNative", methods, JVFIO_ARRAY_SIZE(methods));
}
