/* The C reference fault-serving loops that the IOPF benchmarks run beside the Java loop on the same
 * fault source: one that answers SUCCESS without looking (the queue round trip) and one that maps
 * the faulting page into an IOAS first, as io.jvfio.fault.DemandMapPolicy does. Natives of
 * io.jvfio.testing.FaultReferenceLoopNative. */
#define _GNU_SOURCE
#include "testing.h"

#include <linux/iommufd.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* One guest region mapped on demand, read-write, the way DemandMapPolicy maps it with a one-page
 * window: the faulting page, with one IOMMU_IOAS_MAP; a page something else mapped (EEXIST on a page
 * not owned) is answered INVALID. */
struct demand_map {
    int iommufd;
    uint32_t ioas;
    uint64_t iova, va, length;
    uint64_t page_size; /* the kernel's, as DemandMapPolicy's: what a fault maps */
    unsigned page_shift; /* shifts, not divisions, as in DemandMapPolicy: the C side is not slowed */
    uint64_t *owned; /* one bit per page of the region */
    int64_t pages_mapped;
};

static int owns(const struct demand_map *dm, uint64_t page)
{
    return (dm->owned[page / 64] >> (page % 64)) & 1;
}

static long map_page(struct demand_map *dm, uint64_t page)
{
    struct iommu_ioas_map cmd = {
        .size = sizeof(cmd),
        .flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE,
        .ioas_id = dm->ioas,
        .user_va = dm->va + (page << dm->page_shift),
        .length = dm->page_size,
        .iova = dm->iova + (page << dm->page_shift),
    };

    if (ioctl(dm->iommufd, IOMMU_IOAS_MAP, &cmd))
        return -errno;
    dm->owned[page / 64] |= 1ull << (page % 64);
    dm->pages_mapped++;
    return 0;
}

static int resolve_one(struct demand_map *dm, const struct iommu_hwpt_pgfault *f)
{
    uint64_t page;
    long rc;

    if (f->addr < dm->iova || f->addr - dm->iova >= dm->length ||
        (f->perm & ~(uint32_t)(IOMMU_PGFAULT_PERM_READ | IOMMU_PGFAULT_PERM_WRITE | IOMMU_PGFAULT_PERM_EXEC)))
        return IOMMUFD_PAGE_RESP_INVALID;
    page = (f->addr - dm->iova) >> dm->page_shift;
    rc = map_page(dm, page);
    if (rc && (rc != -EEXIST || !owns(dm, page)))
        return IOMMUFD_PAGE_RESP_INVALID;
    return IOMMUFD_PAGE_RESP_SUCCESS;
}

/* The answer to the group faults[first..last]: SUCCESS without a region, else every fault mapped. */
static uint32_t resolve(struct demand_map *dm, const struct iommu_hwpt_pgfault *faults, size_t first, size_t last)
{
    size_t k;

    if (!dm)
        return IOMMUFD_PAGE_RESP_SUCCESS;
    for (k = first; k <= last; k++)
        if (resolve_one(dm, &faults[k]) != IOMMUFD_PAGE_RESP_SUCCESS)
            return IOMMUFD_PAGE_RESP_INVALID;
    return IOMMUFD_PAGE_RESP_SUCCESS;
}

/* The loop: the same algorithm as io.jvfio.fault.FaultServiceLoop (epoll on the fault fd and a stop
 * eventfd, read a batch, answer each group once, one write per batch). Stops after `max_groups`
 * groups or when stop_fd is signalled. For each batch it stores the read-to-answer latency in ns
 * and the group count as two longs at `samples` (up to `max_samples`). Returns the number of groups
 * answered, or -errno. */
static jlong serve(int fault_fd, int stop_fd, int batch, jlong max_groups, int64_t *out, int max_samples,
                   struct demand_map *dm)
{
    struct iommu_hwpt_pgfault faults[256];
    struct iommu_hwpt_page_response responses[256];
    struct epoll_event ev[2];
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
        if (n < 0) {
            int e = errno;
            close(ep);
            return -e;
        }
        for (i = 0; i < n; i++)
            if (ev[i].data.fd == stop_fd)
                stop = 1;
        for (;;) {
            ssize_t got = read(fault_fd, faults, sizeof(faults[0]) * (size_t)batch);
            int64_t t0 = jvfio_now_ns();
            size_t nrec, r, first = 0, nresp = 0;
            ssize_t written = 0, total;

            if (got < 0 && errno == EINTR)
                continue;
            if (got < 0) { /* EINVAL: a group larger than the batch, which reading again would not change */
                int e = errno;
                close(ep);
                return -e;
            }
            if (got == 0)
                break;
            nrec = (size_t)got / sizeof(faults[0]);
            for (r = 0; r < nrec; r++) {
                if (r + 1 < nrec && faults[r + 1].cookie == faults[r].cookie &&
                    !(faults[r].flags & IOMMU_PGFAULT_FLAGS_LAST_PAGE))
                    continue;
                responses[nresp].cookie = faults[r].cookie;
                responses[nresp].code = resolve(dm, faults, first, r);
                nresp++;
                first = r + 1;
            }
            total = (ssize_t)(nresp * sizeof(responses[0]));
            while (written < total) {
                ssize_t w = write(fault_fd, (char *)responses + written, (size_t)(total - written));
                if (w < 0 && errno == EINTR)
                    continue; /* a signal is no reason to leave faults unanswered */
                if (w < 0) { /* a refused response: a reference loop that answers wrongly has no figures */
                    int e = errno;
                    close(ep);
                    return -e;
                }
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

static jlong reference_loop(JNIEnv *env, jclass cls, jint fault_fd, jint stop_fd, jint batch, jlong max_groups,
                            jlong samples, jint max_samples)
{
    return serve(fault_fd, stop_fd, batch, max_groups, JVFIO_ADDR(samples), max_samples, NULL);
}

/* The loop resolving faults by mapping them into `ioas`: the region [iova, iova + length) backed by
 * the memory at `va`, a page per fault. Stores the pages it mapped as a long at `out_mapped` (they
 * stay mapped: the caller unmaps the region). */
static jlong demand_map_loop(JNIEnv *env, jclass cls, jint fault_fd, jint stop_fd, jint batch, jlong max_groups,
                             jlong samples, jint max_samples, jint iommufd, jint ioas, jlong iova, jlong va,
                             jlong length, jlong out_mapped)
{
    struct demand_map dm = {
        .iommufd = iommufd, .ioas = (uint32_t)ioas, .iova = (uint64_t)iova, .va = (uint64_t)va,
        .length = (uint64_t)length, .page_size = (uint64_t)sysconf(_SC_PAGESIZE),
    };
    jlong r;

    dm.page_shift = (unsigned)__builtin_ctzll(dm.page_size);
    if (length <= 0 || iova % dm.page_size || va % dm.page_size || length % dm.page_size)
        return -EINVAL;
    dm.owned = calloc((size_t)((uint64_t)length / dm.page_size / 64 + 1), sizeof(uint64_t));
    if (!dm.owned)
        return -ENOMEM;
    r = serve(fault_fd, stop_fd, batch, max_groups, JVFIO_ADDR(samples), max_samples, &dm);
    *(int64_t *)JVFIO_ADDR(out_mapped) = dm.pages_mapped;
    free(dm.owned);
    return r;
}

static const JNINativeMethod methods[] = {
    { "serve", "(IIIJJI)J", (void *)reference_loop },
    { "serveDemandMap", "(IIIJJIIIJJJJ)J", (void *)demand_map_loop },
};

int jvfio_register_fault_reference_loop(JNIEnv *env)
{
    return jvfio_register(env, "io/jvfio/testing/FaultReferenceLoopNative", methods, JVFIO_ARRAY_SIZE(methods));
}
