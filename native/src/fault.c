/* iommufd fault queues: allocation, batched reads of fault records and writes of responses, and a C
 * reference serving loop that the benchmark runs beside the Java loop on the same fault source.
 * Natives of io.jvfio.internal.FaultNative; io.jvfio.iommufd.FaultQueue is their one user. */
#define _GNU_SOURCE
#include "jvfio.h"

#include <linux/iommufd.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

static jstring constants(JNIEnv *env, jclass cls)
{
    static const struct jvfio_constant table[] = {
        JVFIO_CONST(IOMMU_FAULT_QUEUE_ALLOC),
        JVFIO_CONST(IOMMU_PGFAULT_FLAGS_PASID_VALID),
        JVFIO_CONST(IOMMU_PGFAULT_FLAGS_LAST_PAGE),
        JVFIO_CONST(IOMMU_PGFAULT_PERM_READ),
        JVFIO_CONST(IOMMU_PGFAULT_PERM_WRITE),
        JVFIO_CONST(IOMMU_PGFAULT_PERM_EXEC),
        JVFIO_CONST(IOMMU_PGFAULT_PERM_PRIV),
        JVFIO_CONST(IOMMUFD_PAGE_RESP_SUCCESS),
        JVFIO_CONST(IOMMUFD_PAGE_RESP_INVALID),
        JVFIO_SIZEOF(iommu_hwpt_pgfault),
        JVFIO_OFFSETOF(iommu_hwpt_pgfault, flags),
        JVFIO_OFFSETOF(iommu_hwpt_pgfault, dev_id),
        JVFIO_OFFSETOF(iommu_hwpt_pgfault, pasid),
        JVFIO_OFFSETOF(iommu_hwpt_pgfault, grpid),
        JVFIO_OFFSETOF(iommu_hwpt_pgfault, perm),
        JVFIO_OFFSETOF(iommu_hwpt_pgfault, addr),
        JVFIO_OFFSETOF(iommu_hwpt_pgfault, length),
        JVFIO_OFFSETOF(iommu_hwpt_pgfault, cookie),
        JVFIO_SIZEOF(iommu_hwpt_page_response),
        JVFIO_OFFSETOF(iommu_hwpt_page_response, cookie),
        JVFIO_OFFSETOF(iommu_hwpt_page_response, code),
    };
    return jvfio_constants_string(env, table, JVFIO_ARRAY_SIZE(table));
}

/* Returns the fault fd and stores the fault object id at `out_id`. */
static jint queue_alloc(JNIEnv *env, jclass cls, jint iommufd, jlong out_id)
{
    struct iommu_fault_alloc cmd = { .size = sizeof(cmd) };

    if (ioctl(iommufd, IOMMU_FAULT_QUEUE_ALLOC, &cmd))
        return JVFIO_ERR();
    *(uint32_t *)JVFIO_ADDR(out_id) = cmd.out_fault_id;
    return (jint)cmd.out_fault_fd;
}

/* Reads whole page-request groups, never blocking: the bytes read, 0 when nothing is pending,
 * -EINVAL when the first pending group needs more than `length` bytes, or -errno. */
static jlong fault_read(JNIEnv *env, jclass cls, jint fault_fd, jlong address, jint length)
{
    return jvfio_result(JVFIO_RETRY(read(fault_fd, JVFIO_ADDR(address), (size_t)length)));
}

/* Writes responses; the kernel takes them in order up to the first it refuses. Returns the bytes it
 * took, -EINVAL when it refuses the first (an unknown or answered cookie, or a bad code), or -errno. */
static jlong fault_respond(JNIEnv *env, jclass cls, jint fault_fd, jlong address, jint length)
{
    return jvfio_result(JVFIO_RETRY(write(fault_fd, JVFIO_ADDR(address), (size_t)length)));
}

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

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
            uint64_t t0 = now_ns();
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
                out[2 * nsamples] = (int64_t)(now_ns() - t0);
                out[2 * nsamples + 1] = (int64_t)nresp;
                nsamples++;
            }
        }
    }
    close(ep);
    return answered;
}

static const JNINativeMethod methods[] = {
    { "constants", "()Ljava/lang/String;", (void *)constants },
    { "queueAlloc", "(IJ)I", (void *)queue_alloc },
    { "read", "(IJI)J", (void *)fault_read },
    { "respond", "(IJI)J", (void *)fault_respond },
    { "referenceLoop", "(IIIJJI)J", (void *)reference_loop },
};

int jvfio_register_fault(JNIEnv *env)
{
    return jvfio_register(env, "io/jvfio/internal/FaultNative", methods, JVFIO_ARRAY_SIZE(methods));
}
