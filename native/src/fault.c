/* iommufd fault queues: allocation, batched reads of fault records and writes of responses.
 * Natives of io.jvfio.internal.FaultNative; io.jvfio.iommufd.FaultQueue is their one user. */
#define _GNU_SOURCE
#include "jvfio.h"

#include <linux/iommufd.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

/* What fault_respond_read returns when it did not read: below every -errno and every byte count. */
#define JVFIO_FAULT_NOT_READ (-((jlong)1 << 62))

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
        JVFIO_CONST(JVFIO_FAULT_NOT_READ),
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

/* One read of whole page-request groups, as the kernel answers it. */
static jlong read_groups(jint fault_fd, jlong address, jint length)
{
    return jvfio_result(JVFIO_RETRY(read(fault_fd, JVFIO_ADDR(address), (size_t)length)));
}

/* Whether poll says records wait to be read. */
static int records_wait(int fault_fd)
{
    struct pollfd p = { .fd = fault_fd, .events = POLLIN };

    return JVFIO_RETRY(poll(&p, 1, 0)) == 1 && (p.revents & POLLIN);
}

/* Reads whole page-request groups, never blocking: the bytes read, 0 when nothing is pending,
 * -EINVAL when the first pending group needs more than `length` bytes, or -errno.
 * Kernels without "iommufd: Reject invalid read count in iommufd_fault_fops_read()" (Debian's 6.12
 * took it in 6.12.101) return 0 for such a group, read after read, while poll says records wait: a
 * loop would spin on it. So an empty read while records wait is tried once more (a group may have
 * come in between), and a second one means the group does not fit. */
static jlong fault_read(JNIEnv *env, jclass cls, jint fault_fd, jlong address, jint length)
{
    jlong n = read_groups(fault_fd, address, length);

    if (n != 0 || !records_wait(fault_fd))
        return n;
    n = read_groups(fault_fd, address, length);
    if (n != 0 || !records_wait(fault_fd))
        return n;
    return -EINVAL;
}

/* Writes responses; the kernel takes them in order up to the first it refuses. Returns the bytes it
 * took, -EINVAL when it refuses the first (an unknown or answered cookie, or a bad code), or -errno. */
static jlong fault_respond(JNIEnv *env, jclass cls, jint fault_fd, jlong address, jint length)
{
    return jvfio_result(JVFIO_RETRY(write(fault_fd, JVFIO_ADDR(address), (size_t)length)));
}

/* The loop's turn in one crossing: writes the batch's responses, notes the time, and only when the
 * kernel took them all reads the next records, never blocking. Its read is fault_read's first only
 * (an empty one costs no poll): on the older kernels above, 0 may be a group too large, which the
 * caller's next fault_read, after its epoll wakes, tells. Stores the write's result (bytes
 * taken, or -errno; -EINVAL when the kernel refused the first) and the CLOCK_MONOTONIC time after it
 * (System.nanoTime's clock) as two longs at `status`, the claim's own memory: a store into a caller's
 * buffer that was unmapped meanwhile would be SIGBUS here, which kills the JVM. Returns what fault_read returns, or
 * JVFIO_FAULT_NOT_READ when the write was short or failed: the caller finishes it, then reads. */
static jlong fault_respond_read(JNIEnv *env, jclass cls, jint fault_fd, jlong responses, jint length, jlong records,
                                jint capacity, jlong status)
{
    int64_t *out = JVFIO_ADDR(status);
    long w = JVFIO_RETRY(write(fault_fd, JVFIO_ADDR(responses), (size_t)length));
    struct timespec ts;

    out[0] = jvfio_result(w);
    clock_gettime(CLOCK_MONOTONIC, &ts);
    out[1] = (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
    if (w != length)
        return JVFIO_FAULT_NOT_READ;
    return read_groups(fault_fd, records, capacity);
}

static const JNINativeMethod methods[] = {
    { "constants", "()Ljava/lang/String;", (void *)constants },
    { "queueAlloc", "(IJ)I", (void *)queue_alloc },
    { "read", "(IJI)J", (void *)fault_read },
    { "respond", "(IJI)J", (void *)fault_respond },
    { "respondRead", "(IJIJIJ)J", (void *)fault_respond_read },
};

int jvfio_register_fault(JNIEnv *env)
{
    return jvfio_register(env, "io/jvfio/internal/FaultNative", methods, JVFIO_ARRAY_SIZE(methods));
}
